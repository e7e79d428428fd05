// SPDX-License-Identifier: GPL-2.0-only
// The agreement relation between the per-entry spec and a batched model
// (SEMANTICS §11, INV-14), derived rather than hand-loosened: per slot and
// per field, the variant's value must lie between the per-entry spec S and
// the batch-aware spec A (batch_aware.ts: the same per-entry rules, read on
// the entry after its batch's A/D merge, R-PRES.3). Every allowance Δ1-Δ5 is
// then exactly a difference between S and A, so it exists only inside a real
// batch (n >= 2, one folio run) and only where the cited gates let A differ;
// the slot is never its own batch-mate. A failure names the rule that was
// broken (R-..., INV-..., REL-...), never an allowance.
import { change_protection_spec } from '../../spec/index.js';
import {
  _PAGE_ACCESSED,
  _PAGE_DIRTY,
  _PAGE_DIRTY_BITS,
  _PAGE_RW,
  _PAGE_SOFT_DIRTY,
  type KernelOutcome,
  MM_CP_TRY_CHANGE_WRITABLE,
  type PresentPte,
  type Pte,
  pte_dirty,
  pte_protnone,
  pte_same,
  pte_soft_dirty,
  pte_uffd_wp,
  pte_write,
  pte_young,
  type SpecOutcome,
  VM_SHARED,
  VM_WRITE,
  vma_soft_dirty_enabled,
  type World,
} from '../pte/index.js';
import { batchAwareSpec } from './batch_aware.js';
import { compareCount, compareFlushCovers, comparePmds, compareStamps } from './compare_common.js';
import type { Mismatch } from './mismatch.js';
import type { RuleId } from './rules.js';

/** Bits the relation handles one by one (each between S and A); all others must equal S. */
const SOFT_BITS = _PAGE_DIRTY_BITS | _PAGE_ACCESSED | _PAGE_SOFT_DIRTY | _PAGE_RW;

/** A field the batch merge may raise, with the rule a value outside [S, A] breaks when raised. */
interface Field {
  readonly name: string;
  readonly get: (p: PresentPte) => boolean;
}
const MERGED_FIELDS: readonly Field[] = [
  { name: 'dirty', get: pte_dirty },
  { name: 'young', get: pte_young },
  { name: 'soft-dirty', get: pte_soft_dirty },
];

/**
 * Which write rule refused the slot, read on the batch-aware entry (the
 * entry after the merge and pte_modify, before any write upgrade): the first
 * refusing step in the order of R-WR.1-4. Only names the failure; whether it
 * is one was decided by comparing with S and A.
 */
export function refusingWriteRule(world: World, merged: PresentPte): RuleId {
  const { vma, cp_flags: cp, config } = world;
  if (!(cp & MM_CP_TRY_CHANGE_WRITABLE)) return 'R-WR.1';
  if (!(vma.flags & VM_WRITE)) return 'R-WR.2.1';
  if (pte_protnone(merged)) return 'R-WR.2.2';
  if (vma_soft_dirty_enabled(vma, config) && !pte_soft_dirty(merged)) return 'R-WR.2.3';
  if (pte_uffd_wp(merged)) return 'R-WR.2.4';
  return vma.flags & VM_SHARED ? 'R-WR.3' : 'R-WR.4';
}

interface SlotContext {
  readonly world: World;
  readonly vpn: number;
  readonly before: Pte;
  /** The batch-aware spec's entry for the slot (the upper end of each field). */
  readonly upper: Pte;
}

function comparePresent(ctx: SlotContext, s: PresentPte, v: PresentPte): Mismatch[] {
  const m = (rule: RuleId, message: string): Mismatch => ({
    rule,
    message,
    vpn: ctx.vpn,
    before: ctx.before,
    spec: s,
    variant: v,
  });
  if (s.pfn !== v.pfn) return [m('REL-ENTRY', `pfn 0x${s.pfn.toString(16)} became 0x${v.pfn.toString(16)}`)];
  const hard = (s.flags ^ v.flags) & ~SOFT_BITS;
  if (hard) return [m('REL-PERM', `bits 0x${hard.toString(16)} differ`)];
  // The batch-aware entry bounds each field from above; where it is not a
  // present entry of the same frame and permissions, no allowance exists.
  const u = ctx.upper;
  const a: PresentPte = u.kind === 'present' && u.pfn === s.pfn && !((u.flags ^ s.flags) & ~SOFT_BITS) ? u : s;
  const out: Mismatch[] = [];
  for (const f of MERGED_FIELDS) {
    const [sv, av, vv] = [f.get(s), f.get(a), f.get(v)];
    if (vv === sv || vv === av) continue;
    if (sv) out.push(m('REL-LOST', `the variant lost the ${f.name} bit`));
    else out.push(m('R-PRES.3', `${f.name} set, but the batch merge of this slot's own batch does not set it`));
  }
  if (pte_write(v) !== pte_write(s) && pte_write(v) !== pte_write(a)) {
    if (pte_write(s)) out.push(m('REL-WRITE', 'the spec makes this PTE writable, the variant does not'));
    else
      out.push(m(refusingWriteRule(ctx.world, a), 'made writable, but neither the per-entry nor the batch-aware spec grants it'));
  } else if (pte_write(v) && !pte_write(s)) {
    // Write taken from the batch merge: the variant must carry the merged bits that granted it.
    const { vma, config } = ctx.world;
    if (vma.flags & VM_SHARED && pte_dirty(a) && !pte_dirty(v))
      out.push(m('INV-2', 'write granted on the merged dirty bit, which the variant dropped'));
    if (vma_soft_dirty_enabled(vma, config) && pte_soft_dirty(a) && !pte_soft_dirty(v))
      out.push(m('INV-4', 'write granted on the merged soft-dirty bit, which the variant dropped'));
  }
  const dirtyBits = v.flags & _PAGE_DIRTY_BITS;
  if (dirtyBits && dirtyBits !== (pte_write(v) ? _PAGE_DIRTY : _PAGE_DIRTY_BITS & ~_PAGE_DIRTY))
    out.push(m('R-PTE.2', 'dirty is in the wrong encoding for the write bit'));
  return out;
}

/**
 * The entries of `got` against the lower bound `ref` (the per-entry spec)
 * and the upper bound `upper` (the batch-aware spec of the same world), slot
 * by slot; `world` is the input all three were computed from.
 */
export function compareEntriesRelaxed(world: World, ref: readonly Pte[], got: readonly Pte[], upper: readonly Pte[]): Mismatch[] {
  const out: Mismatch[] = [];
  const { vma, range } = world;
  if (got.length !== ref.length)
    return [{ rule: 'REL-ENTRY', message: `variant returned ${got.length} slots, spec ${ref.length}` }];
  for (let i = 0; i < ref.length; i++) {
    const vpn = vma.start + i;
    const before = world.ptes[i] as Pte;
    const s = ref[i] as Pte;
    const v = got[i] as Pte;
    if (pte_same(s, v)) continue;
    if (vpn < range.start || vpn >= range.end) {
      out.push({ rule: 'INV-18', message: 'changed outside the range', vpn, before, spec: s, variant: v });
    } else if (s.kind !== 'present' || v.kind !== 'present') {
      out.push({ rule: 'REL-ENTRY', message: `spec has ${s.kind}, variant ${v.kind}`, vpn, before, spec: s, variant: v });
    } else {
      out.push(...comparePresent({ world, vpn, before, upper: upper[i] ?? s }, s, v));
    }
  }
  return out;
}

/**
 * Compare one variant outcome with the per-entry spec under the §11
 * relation. `aware` is the batch-aware spec of the same world; without it,
 * it is computed with change_protection_spec() (pass it when `spec` came
 * from another spec function).
 */
export function compareRelaxed(world: World, spec: SpecOutcome, kern: KernelOutcome, aware?: SpecOutcome): Mismatch[] {
  const upper = aware ?? batchAwareSpec(world, (w) => change_protection_spec(w), spec);
  const out = compareEntriesRelaxed(world, spec.ptes, kern.ptes, upper.ptes);
  out.push(
    ...compareCount(spec, kern, 'REL-COUNT'),
    ...comparePmds(spec, kern, 'REL-PMD'),
    ...compareStamps(spec, kern, 'R-PRES.2'),
  );
  out.push(...compareFlushCovers(world, spec, kern));
  return out;
}
