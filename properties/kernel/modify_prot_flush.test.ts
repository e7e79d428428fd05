// SPDX-License-Identifier: GPL-2.0-only
// R-PRES.3 (A/D gathering incl. the x86 soft-dirty smear Δ3), R-COMMIT.1-4
// (commit and the flush rule per run with the MERGED old PTE), mmu_gather order.
import { describe, expect, it } from 'vitest';
import {
  mk_mm,
  mk_vma,
  type mmu_gather,
  modify_prot_start_ptes,
  tlb_flush_pmd_range,
  tlb_flush_pte_range,
  tlb_gather_mmu,
  with_mm,
} from '../../src/kernel/lib/index.js';
import { runVariant } from '../../src/kernel/registry.js';
import {
  _PAGE_ACCESSED,
  _PAGE_SOFT_DIRTY,
  ARM64,
  checkWorld,
  DEFAULT_MM,
  DEFAULT_NUMA,
  type KConfig,
  MM_CP_TRY_CHANGE_WRITABLE,
  mkVma,
  type Pte,
  pte_dirty,
  pte_soft_dirty,
  pte_write,
  pte_young,
  VM_READ,
  VM_SHARED,
  VM_SOFTDIRTY,
  VM_WRITE,
  type World,
  X86_64,
  X86_64_NO_SOFT_DIRTY,
} from '../../src/pte/index.js';
import { folio, privateRw, ro, roDirty, rw, rwDirty, world } from './fixtures.js';

function start(w: World, n: number) {
  const mm = mk_mm(w.config, DEFAULT_MM, DEFAULT_NUMA, w.vma, w.folios, w.ptes, w.pmds);
  const vma = mk_vma(w.vma, mm);
  const merged = with_mm(mm, () => modify_prot_start_ptes(vma, w.vma.start, w.vma.start, n));
  return { merged, ptes: mm.ptes };
}

const F = folio({ pfn: 16, order: 2 });
const w4 = (ptes: Pte[], config: KConfig = X86_64) =>
  world({ vma: privateRw(0, ptes.length, config), ptes, folios: [F], config });

describe('modify_prot_start_ptes (R-PRES.3)', () => {
  it('returns the first PTE with dirty/young ORed from the later ones, and clears all n', () => {
    const { merged, ptes } = start(w4([ro(16), roDirty(17), ro(18, _PAGE_ACCESSED), ro(19)], X86_64_NO_SOFT_DIRTY), 4);
    expect(merged.pfn).toBe(16);
    expect(pte_dirty(merged)).toBe(true);
    expect(pte_young(merged)).toBe(true);
    expect(pte_write(merged)).toBe(false);
    expect(pte_soft_dirty(merged)).toBe(false); // no CONFIG_MEM_SOFT_DIRTY
    expect(ptes.map((p) => p.kind)).toEqual(['none', 'none', 'none', 'none']);
  });
  it('Δ3: on x86 with soft-dirty, a dirty later PTE smears soft-dirty into the merged value', () => {
    const { merged } = start(w4([ro(16), roDirty(17), ro(18), ro(19)]), 4);
    expect(pte_soft_dirty(merged)).toBe(true);
    expect(pte_dirty(merged)).toBe(true);
  });
  it('Δ3 does not come from the first PTE itself, nor for n = 1', () => {
    expect(pte_soft_dirty(start(w4([roDirty(16), ro(17), ro(18), ro(19)]), 4).merged)).toBe(false);
    expect(pte_soft_dirty(start(w4([roDirty(16), roDirty(17)]), 1).merged)).toBe(false);
  });
  it('arm64 has no soft-dirty: no smear', () => {
    expect(pte_soft_dirty(start(w4([ro(16), roDirty(17)], ARM64), 2).merged)).toBe(false);
  });
  it('the commit writes the merged bits back to every PTE of the run (Δ1, Δ2)', () => {
    const w = w4([ro(16), roDirty(17), ro(18, _PAGE_ACCESSED), ro(19)], X86_64_NO_SOFT_DIRTY);
    const out = runVariant('falcato-v3', w).ptes;
    for (const p of out) {
      if (p.kind !== 'present') throw new Error('present expected');
      expect([pte_dirty(p), pte_young(p)]).toEqual([true, true]);
    }
    expect(out.map((p) => (p.kind === 'present' ? p.pfn : -1))).toEqual([16, 17, 18, 19]);
  });
});

describe('flush rule per run (R-COMMIT.2/3/4)', () => {
  it('write removed: one flush for the whole batch', () => {
    // shared RW VMA loses VM_WRITE: newprot read-only, every PTE was writable.
    const vma = mkVma({ start: 0, end: 4, flags: VM_READ | VM_SHARED | VM_SOFTDIRTY });
    const w = world({ vma, ptes: [rw(16), rwDirty(17), rw(18), rw(19)], folios: [F] });
    expect(checkWorld(w)).toEqual([]);
    expect(runVariant('falcato-v3', w).flushes).toEqual([{ start: 0, nr: 4 }]);
    expect(runVariant('v6.16-per-pte', w).flushes).toEqual([0, 1, 2, 3].map((i) => ({ start: i, nr: 1 })));
  });
  it('no permission change: no flush; a write upgrade flushes only its sub-run', () => {
    const mixed = folio({ pfn: 16, order: 2, anonExclusive: [false, false, true, true] });
    const w = world({
      vma: privateRw(0, 4),
      ptes: [ro(16), ro(17), ro(18), ro(19)],
      folios: [mixed],
      cp_flags: MM_CP_TRY_CHANGE_WRITABLE,
    });
    expect(checkWorld(w)).toEqual([]);
    const out = runVariant('falcato-v3', w);
    expect(out.trace).toEqual([
      {
        start: 0,
        nr: 4,
        action: 'commit',
        subRuns: [
          { idx: 0, len: 2, setWrite: false },
          { idx: 2, len: 2, setWrite: true },
        ],
      },
    ]);
    expect(out.flushes).toEqual([{ start: 2, nr: 2 }]);
  });
  it('the decision uses the MERGED old PTE: uffd-wp/soft-dirty-only changes never flush', () => {
    const vma = mkVma({ start: 0, end: 2, flags: VM_READ | VM_WRITE | VM_SHARED | VM_SOFTDIRTY });
    const w = world({ vma, ptes: [rw(16, _PAGE_SOFT_DIRTY), rwDirty(17, _PAGE_SOFT_DIRTY)], folios: [F] });
    expect(checkWorld(w)).toEqual([]);
    const out = runVariant('falcato-v3', w);
    expect(out.trace.map((t) => t.nr)).toEqual([2]);
    expect(out.flushes).toEqual([]);
  });
  it('arm64: version C elides a flush for an unchanged run (c320dbb7c80d, v6.19); version A and B flush every run', () => {
    const w = world({ vma: privateRw(0, 2, ARM64), ptes: [ro(16), ro(17)], folios: [F], config: ARM64 });
    expect(runVariant('falcato-v3', w).flushes).toEqual([]);
    expect(runVariant('v6.17-fixed', w).flushes).toEqual([{ start: 0, nr: 2 }]);
    expect(runVariant('v6.16-per-pte', w).flushes).toEqual([
      { start: 0, nr: 1 },
      { start: 1, nr: 1 },
    ]);
  });
});

describe('mmu_gather', () => {
  it('records every tlb_flush_*_range call in order, unmerged', () => {
    const tlb: mmu_gather = tlb_gather_mmu();
    tlb_flush_pte_range(tlb, 7, 1);
    tlb_flush_pte_range(tlb, 3, 2);
    tlb_flush_pmd_range(tlb, 512, 512);
    tlb_flush_pte_range(tlb, 3, 2);
    expect(tlb.flushes).toEqual([
      { start: 7, nr: 1 },
      { start: 3, nr: 2 },
      { start: 512, nr: 512 },
      { start: 3, nr: 2 },
    ]);
  });
});
