// The agreement relation between the per-entry spec and a batched model
// (SEMANTICS §11, INV-14): equal, except for the named allowances Δ1-Δ8.
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
  pte_same,
  pte_soft_dirty,
  pte_write,
  pte_young,
  type SpecOutcome,
  VM_SHARED,
  vma_soft_dirty_enabled,
  type World,
} from '../pte/index.js';
import { batchRuns, type Run, runIndex } from './batch_runs.js';
import { compareCount, compareFlushCovers, comparePmds, compareStamps } from './compare_common.js';
import type { Mismatch } from './mismatch.js';

/** Bits the relaxed relation handles one by one; all others must be equal. */
const SOFT_BITS = _PAGE_DIRTY_BITS | _PAGE_ACCESSED | _PAGE_SOFT_DIRTY | _PAGE_RW;

interface SlotContext {
  readonly world: World;
  readonly run: Run | undefined;
  readonly vpn: number;
}

function mates(ctx: SlotContext): PresentPte[] {
  const { world, run } = ctx;
  if (!run) return [];
  const out: PresentPte[] = [];
  for (let k = 0; k < run.nr; k++) out.push(world.ptes[run.start + k - world.vma.start] as PresentPte);
  return out;
}

function comparePresent(ctx: SlotContext, before: Pte, s: PresentPte, v: PresentPte): Mismatch[] {
  const m = (rule: Mismatch['rule'], message: string): Mismatch => ({ rule, message, vpn: ctx.vpn, before, spec: s, variant: v });
  if (s.pfn !== v.pfn) return [m('REL-ENTRY', `pfn 0x${s.pfn.toString(16)} became 0x${v.pfn.toString(16)}`)];
  const hard = (s.flags ^ v.flags) & ~SOFT_BITS;
  if (hard) return [m('REL-PERM', `bits 0x${hard.toString(16)} differ`)];
  const out: Mismatch[] = [];
  const batch = mates(ctx);
  const anyMate = (pred: (p: PresentPte) => boolean) => batch.some(pred);
  if ((pte_dirty(s) && !pte_dirty(v)) || (pte_young(s) && !pte_young(v)) || (pte_soft_dirty(s) && !pte_soft_dirty(v)))
    out.push(m('REL-LOST', 'the variant lost a dirty, young or soft-dirty bit'));
  if (pte_dirty(v) && !pte_dirty(s) && !anyMate(pte_dirty)) out.push(m('Δ1', 'dirty set but no batch-mate was dirty'));
  if (pte_young(v) && !pte_young(s) && !anyMate(pte_young)) out.push(m('Δ2', 'young set but no batch-mate was young'));
  const x86SoftDirty = ctx.world.config.arch === 'x86-64' && ctx.world.config.memSoftDirty;
  const laterDirty = batch.slice(1).some(pte_dirty);
  const softSmear = pte_soft_dirty(v) && !pte_soft_dirty(s);
  if (softSmear && !(x86SoftDirty && laterDirty))
    out.push(m('Δ3', 'soft-dirty set but no dirty non-first batch-mate (or no x86 soft-dirty)'));
  if (pte_write(s) && !pte_write(v)) out.push(m('REL-WRITE', 'the spec makes this PTE writable, the variant does not'));
  if (pte_write(v) && !pte_write(s)) {
    const world = ctx.world;
    const tried = (world.cp_flags & MM_CP_TRY_CHANGE_WRITABLE) !== 0;
    const shared = (world.vma.flags & VM_SHARED) !== 0;
    const viaDirty = shared && pte_dirty(v) && anyMate(pte_dirty); // Δ4
    const viaSoftDirty = !shared && softSmear && vma_soft_dirty_enabled(world.vma, world.config); // Δ5
    if (!(tried && (viaDirty || viaSoftDirty)))
      out.push(m('Δ4/Δ5', 'writable without a merged dirty (shared) or merged soft-dirty (private) reason'));
  }
  const dirtyBits = v.flags & _PAGE_DIRTY_BITS;
  if (dirtyBits && dirtyBits !== (pte_write(v) ? _PAGE_DIRTY : _PAGE_DIRTY_BITS & ~_PAGE_DIRTY))
    out.push(m('R-PTE.2', 'dirty is in the wrong encoding for the write bit'));
  return out;
}

/**
 * The entries of `got` against `ref` under the §11 allowances, with batch-mates
 * taken from `world` (the input both were computed from).
 */
export function compareEntriesRelaxed(world: World, ref: readonly Pte[], got: readonly Pte[]): Mismatch[] {
  const out: Mismatch[] = [];
  const runs = runIndex(batchRuns(world));
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
      out.push(...comparePresent({ world, run: runs.get(vpn), vpn }, before, s, v));
    }
  }
  return out;
}

/** Compare one variant outcome with the per-entry spec under the §11 relation. */
export function compareRelaxed(world: World, spec: SpecOutcome, kern: KernelOutcome): Mismatch[] {
  const out = compareEntriesRelaxed(world, spec.ptes, kern.ptes);
  out.push(...compareCount(spec, kern, 'REL-COUNT'), ...comparePmds(spec, kern, 'REL-PMD'), ...compareStamps(spec, kern, 'Δ8'));
  out.push(...compareFlushCovers(world, spec, kern));
  return out;
}
