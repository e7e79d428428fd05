// SPDX-License-Identifier: GPL-2.0-only
// Comparisons shared by the relaxed and the exact relation.
import {
  type KernelOutcome,
  type Outcome,
  type PmdSlot,
  type PresentPte,
  type Pte,
  pte_dirty,
  pte_mkdirty,
  pte_mkyoung,
  pte_needs_flush,
  pte_same,
  pte_young,
  type SpecOutcome,
  type World,
} from '../pte/index.js';
import type { Mismatch } from './mismatch.js';

export function samePmd(a: PmdSlot, b: PmdSlot): boolean {
  if (a.kind !== b.kind) return false;
  // A huge or non-present huge PMD carries an entry: compare it (pte_same covers both kinds).
  if (a.kind === 'huge' || a.kind === 'softleaf') return pte_same(a.pmd, (b as typeof a).pmd);
  return true;
}

export function comparePmds(spec: Outcome, kern: Outcome, rule: 'REL-PMD' | 'EXACT'): Mismatch[] {
  const out: Mismatch[] = [];
  spec.pmds.forEach((pmd, j) => {
    const other = kern.pmds[j];
    if (!other || !samePmd(pmd, other))
      out.push({ rule, message: `PMD slot ${j}: spec ${JSON.stringify(pmd)}, variant ${JSON.stringify(other)}` });
  });
  if (kern.pmds.length !== spec.pmds.length)
    out.push({ rule, message: `variant returned ${kern.pmds.length} PMD slots, spec ${spec.pmds.length}` });
  return out;
}

export function compareCount(spec: Outcome, kern: Outcome, rule: 'REL-COUNT' | 'EXACT'): Mismatch[] {
  return spec.count === kern.count ? [] : [{ rule, message: `count: spec ${spec.count}, variant ${kern.count}` }];
}

export function compareStamps(spec: Outcome, kern: Outcome, rule: 'R-PRES.2' | 'EXACT'): Mismatch[] {
  const a = [...new Set(spec.numaStamps)].sort((x, y) => x - y);
  const b = [...new Set(kern.numaStamps)].sort((x, y) => x - y);
  return a.join() === b.join() ? [] : [{ rule, message: `stamped folios: spec [${a.join(', ')}], variant [${b.join(', ')}]` }];
}

export function flushedPages(kern: KernelOutcome): Set<number> {
  const pages = new Set<number>();
  for (const run of kern.flushes) for (let k = 0; k < run.nr; k++) pages.add(run.start + k);
  return pages;
}

/**
 * INV-15 completeness and containment (the relaxed form, Δ6): every page the
 * spec must flush is flushed, unless the batch merge (Δ1-Δ5, bounded by the
 * batch-aware spec in relation.ts) left the variant's entry different; then
 * the variant's own transition decides.
 */
export function compareFlushCovers(world: World, spec: SpecOutcome, kern: KernelOutcome): Mismatch[] {
  const out: Mismatch[] = [];
  const pages = flushedPages(kern);
  const { range, vma } = world;
  const owed = new Set(spec.flushPages);
  for (let vpn = range.start; vpn < range.end; vpn++) {
    const i = vpn - vma.start;
    const [b, s, v] = [world.ptes[i], spec.ptes[i], kern.ptes[i]] as Pte[];
    if (!pte_same(s as Pte, v as Pte) && b?.kind === 'present' && v?.kind === 'present') {
      if (flushOwed(world, b, v)) owed.add(vpn);
      else owed.delete(vpn);
    }
  }
  const missing = [...owed].filter((vpn) => !pages.has(vpn)).sort((x, y) => x - y);
  if (missing.length)
    out.push({ rule: 'INV-15', vpn: missing[0], message: `no flush recorded for ${missing.length} page(s) that need one` });
  for (const run of kern.flushes)
    if (run.start < range.start || run.start + run.nr > range.end)
      out.push({
        rule: 'INV-15',
        vpn: run.start,
        message: `flush of ${run.nr} page(s) at 0x${run.start.toString(16)} leaves the range`,
      });
  return out;
}

/**
 * Does a page need a flush for this before/after pair, judged as the kernel
 * judges it: against the old value with the dirty and young bits the batch
 * merge raised (R-PRES.3, R-COMMIT.2). Only raising is excused: a stale TLB
 * entry that is cleaner or older than memory is never more permissive. This
 * matters on arm64 since v6.19 (c320dbb7c80d), whose rule flushes on any
 * hardware-bit change, the access flag and a writable PTE's dirtiness
 * included; x86 ignores both directions of that (Δ6).
 */
export function flushOwed(world: World, before: PresentPte, after: PresentPte): boolean {
  let old = before;
  if (pte_dirty(after) && !pte_dirty(old)) old = pte_mkdirty(old, world.config);
  if (pte_young(after) && !pte_young(old)) old = pte_mkyoung(old);
  return pte_needs_flush(old, after, world.config);
}
