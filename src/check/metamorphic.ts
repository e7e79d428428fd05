// SPDX-License-Identifier: GPL-2.0-only
// Metamorphic properties (SEMANTICS §14): idempotence (INV-12), range
// splitting (INV-13) and TRY monotonicity (INV-20). Each compares a target
// with itself on related worlds, so it needs no reference.
import { change_protection_spec } from '../../spec/index.js';
import { batchAwareSpec, batchRuns, compareEntriesRelaxed, flushedOf, type Mismatch } from '../observe/index.js';
import {
  _PAGE_DIRTY,
  _PAGE_RW,
  _PAGE_SAVED_DIRTY,
  deepFreeze,
  type KernelOutcome,
  MM_CP_TRY_CHANGE_WRITABLE,
  MM_CP_UFFD_WP_RESOLVE,
  PTRS_PER_PTE,
  type Pte,
  pte_same,
  VM_WRITE,
  type World,
} from '../pte/index.js';
import { runGuarded } from './guard.js';
import type { CheckTarget, SpecFn } from './target.js';

type Run = (world: World) => KernelOutcome | Mismatch;

function runner(target: CheckTarget): Run {
  return (world) => {
    const r = runGuarded(target, world);
    return r.ok ? r.outcome : r.mismatch;
  };
}
const isMismatch = (x: KernelOutcome | Mismatch): x is Mismatch => 'rule' in x;

/** The world after an outcome, same VMA and call. */
export function worldAfter(world: World, out: KernelOutcome, range = world.range): World {
  return deepFreeze({ ...world, ptes: out.ptes, pmds: out.pmds, range });
}

function diffEntries(rule: Mismatch['rule'], world: World, a: readonly Pte[], b: readonly Pte[], what: string): Mismatch[] {
  const out: Mismatch[] = [];
  a.forEach((pte, i) => {
    if (!pte_same(pte, b[i] as Pte))
      out.push({ rule, message: what, vpn: world.vma.start + i, before: world.ptes[i], spec: pte, variant: b[i] });
  });
  return out;
}

/**
 * INV-12: a second identical call leaves the entries as the first left them.
 * For a batched target each field may lie between the first call's value and
 * the batch-aware spec of the world between the calls: the first call can make
 * write bits uniform inside a folio, so the second call batches PTEs the first
 * did not and merges their dirty/young bits (Δ1-Δ5). When the spec refuses the
 * world between (a broken first call), no allowance is made. Per-PTE targets:
 * exact.
 */
export function checkIdempotent(target: CheckTarget, world: World, spec: SpecFn = (w) => change_protection_spec(w)): Mismatch[] {
  const run = runner(target);
  const first = run(world);
  if (isMismatch(first)) return [first];
  const between = worldAfter(world, first);
  const second = run(between);
  if (isMismatch(second)) return [second];
  if (target.batching === 'per-pte')
    return diffEntries('INV-12', world, first.ptes, second.ptes, 'a second identical call changed the entry again');
  let upper: readonly Pte[] = first.ptes;
  try {
    upper = batchAwareSpec(between, spec).ptes;
  } catch {
    // the first call left a world the spec refuses: compare exactly
  }
  return compareEntriesRelaxed(between, first.ptes, second.ptes, upper).map((m) => ({
    ...m,
    rule: 'INV-12',
    message: `a second identical call changed the entry beyond the batch allowances (${m.rule}: ${m.message})`,
  }));
}

/**
 * Where [a, c) may be cut so both halves must give exactly the whole: a PMD
 * boundary if the range has one, else a point that cuts no batchable run.
 */
export function splitPoint(world: World): number | null {
  const { start, end } = world.range;
  const boundary = (Math.floor(start / PTRS_PER_PTE) + 1) * PTRS_PER_PTE;
  if (boundary < end) return boundary;
  const runs = batchRuns(world).filter((r) => r.nr > 1);
  const cuts: number[] = [];
  for (let p = start + 1; p < end; p++) if (!runs.some((r) => r.start < p && p < r.start + r.nr)) cuts.push(p);
  return cuts.length ? (cuts[Math.floor(cuts.length / 2)] as number) : null;
}

/** INV-13: [a, b) then [b, c) equals [a, c): entries, summed counts, flushes and stamps. */
export function checkRangeSplit(target: CheckTarget, world: World): Mismatch[] {
  if (world.pmds.some((p) => p.kind === 'huge' || p.kind === 'softleaf')) return []; // a partial cover splits the PMD: not comparable
  const b = splitPoint(world);
  if (b === null) return [];
  const run = runner(target);
  const whole = run(world);
  if (isMismatch(whole)) return [whole];
  const left = run(deepFreeze({ ...world, range: { start: world.range.start, end: b } }));
  if (isMismatch(left)) return [left];
  const right = run(worldAfter(world, left, { start: b, end: world.range.end }));
  if (isMismatch(right)) return [right];
  const out = diffEntries('INV-13', world, whole.ptes, right.ptes, `split at vpn 0x${b.toString(16)} gives another entry`);
  if (left.count + right.count !== whole.count)
    out.push({
      rule: 'INV-13',
      message: `counts ${left.count} + ${right.count} != ${whole.count} (split at 0x${b.toString(16)})`,
    });
  const pages = (o: KernelOutcome) => [...flushedOf(o)].sort((x, y) => x - y).join();
  const halves = [...new Set([...flushedOf(left), ...flushedOf(right)])].sort((x, y) => x - y).join();
  if (halves !== pages(whole)) out.push({ rule: 'INV-13', message: `flushed pages differ when split at 0x${b.toString(16)}` });
  return out;
}

const WRITE_AND_ENCODING = _PAGE_RW | _PAGE_DIRTY | _PAGE_SAVED_DIRTY;
function withoutWrite(pte: Pte): string {
  if (pte.kind !== 'present') return JSON.stringify(pte);
  const dirty = pte.flags & (_PAGE_DIRTY | _PAGE_SAVED_DIRTY) ? 1 : 0;
  return `${pte.pfn}:${pte.flags & ~WRITE_AND_ENCODING}:${dirty}`;
}

/** INV-20: adding TRY only turns write on; every other field and the count are the same. */
export function checkTryMonotonic(target: CheckTarget, world: World): Mismatch[] {
  const base = world.cp_flags & ~MM_CP_TRY_CHANGE_WRITABLE;
  // Real callers pass TRY only from mprotect (alone) and uffd-wp resolve (§6.1).
  if (!(world.vma.flags & VM_WRITE) || (base !== 0 && base !== MM_CP_UFFD_WP_RESOLVE)) return [];
  const tryFlags = world.cp_flags | MM_CP_TRY_CHANGE_WRITABLE;
  const withTry = deepFreeze({ ...world, cp_flags: tryFlags });
  const without = deepFreeze({ ...world, cp_flags: tryFlags & ~MM_CP_TRY_CHANGE_WRITABLE });
  const run = runner(target);
  const a = run(without);
  if (isMismatch(a)) return [a];
  const b = run(withTry);
  if (isMismatch(b)) return [b];
  const out: Mismatch[] = [];
  a.ptes.forEach((pte, i) => {
    const t = b.ptes[i] as Pte;
    const turnedOff = pte.kind === 'present' && t.kind === 'present' && pte.flags & _PAGE_RW && !(t.flags & _PAGE_RW);
    if (withoutWrite(pte) !== withoutWrite(t) || turnedOff)
      out.push({
        rule: 'INV-20',
        message: 'TRY changed more than the write bit',
        vpn: world.vma.start + i,
        before: world.ptes[i],
        spec: pte,
        variant: t,
      });
  });
  if (a.count !== b.count) out.push({ rule: 'INV-20', message: `count ${a.count} without TRY, ${b.count} with` });
  return out;
}
