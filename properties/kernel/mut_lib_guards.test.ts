// SPDX-License-Identifier: GPL-2.0-only
// The kernel model's small primitives and their defensive checks. A patch
// ported into a variant that reads a PTE past its table, asks for a folio that
// does not exist, or calls folio_pte_batch_flags() badly must fail loudly at
// the faulty call, and the boundary-valid call must not. The non-throwing
// behaviour is the kernel's (cited per test).
import { describe, expect, it } from 'vitest';
import {
  __pte_batch_clear_ignored,
  current_mm,
  FPB_RESPECT_DIRTY,
  FPB_RESPECT_SOFT_DIRTY,
  FPB_RESPECT_WRITE,
  folio_page,
  folio_pte_batch_flags,
  folio_set_all_anon_exclusive,
  folio_test_large,
  mk_mm,
  mk_vma,
  type mm_struct,
  modify_prot_start_ptes,
  PageAnonExclusive,
  page_folio,
  pmdp_get,
  pte_mksoft_dirty,
  pte_offset_map_lock,
  ptep_get,
  ptep_modify_prot_start,
  set_pmd_at,
  set_pte_at,
  softleaf_from_pte,
  softleaf_to_folio,
  tlb_gather_mmu,
  trace_batch,
  trace_sub_run,
  userfaultfd_wp_use_markers,
  type vm_area_struct,
  vm_normal_folio,
  vm_normal_page,
  with_mm,
} from '../../src/kernel/lib/index.js';
import {
  _PAGE_ACCESSED,
  _PAGE_DIRTY,
  _PAGE_SOFT_DIRTY,
  _PAGE_SPECIAL,
  type Folio,
  type KConfig,
  mk_pte,
  mk_softleaf,
  mkFolio,
  mkVma,
  mkWorld,
  NONE_PTE,
  type PmdSlot,
  type PresentPte,
  type Pte,
  pte_dirty,
  VM_READ,
  VM_SOFTDIRTY,
  VM_UFFD_WP,
  VM_WRITE,
  type Vma,
  type World,
  X86_64,
  X86_64_NO_SOFT_DIRTY,
} from '../../src/pte/index.js';
import { none, privateRw, RO, RW, ro, rw } from './fixtures.js';

function inRun<T>(w: World, fn: (vma: vm_area_struct, mm: mm_struct) => T): T {
  const mm = mk_mm(w.config, w.mm, w.numa, w.vma, w.folios, w.ptes, w.pmds);
  const vma = mk_vma(w.vma, mm);
  return with_mm(mm, () => fn(vma, mm));
}

const small = (ptes: Pte[], folios: Folio[] = [], config: KConfig = X86_64, vma: Vma = privateRw(10, 10 + ptes.length, config)) =>
  mkWorld({ config, vma, ptes, folios });

describe('context: current->mm exists only inside a run', () => {
  it('outside with_mm() there is no mm to resolve a pte_t * against', () => {
    expect(() => current_mm()).toThrow(/no run in progress/);
  });
  it('with_mm() nests and restores the outer run, also when the inner run throws', () => {
    const a = mk_mm(
      X86_64,
      { singleThreaded: false },
      mkWorld({ vma: privateRw(0, 1), ptes: none(1) }).numa,
      privateRw(0, 1),
      [],
      none(1),
      [{ kind: 'table' }],
    );
    const b = mk_mm(X86_64, { singleThreaded: true }, a.numa, privateRw(0, 1), [], none(1), [{ kind: 'table' }]);
    with_mm(a, () => {
      expect(with_mm(b, () => current_mm())).toBe(b);
      expect(current_mm()).toBe(a);
      expect(() =>
        with_mm(b, () => {
          throw new Error('inner');
        }),
      ).toThrow('inner');
      expect(current_mm()).toBe(a);
    });
    expect(() => current_mm()).toThrow(/no run in progress/);
  });
});

describe('memmap lookups (mm/memory.c vm_normal_page(), page_folio())', () => {
  const f = mkFolio({ pfn: 8, order: 2 });
  const w = small(none(2), [f]);
  it('vm_normal_page: NULL for a special PTE even over a real folio, and for a pfn outside the memmap', () => {
    inRun(w, (vma) => {
      expect(vm_normal_page(vma, 10, mk_pte(9, RO | _PAGE_SPECIAL))).toBeNull();
      expect(vm_normal_page(vma, 10, mk_pte(64, RO))).toBeNull();
      expect(vm_normal_page(vma, 10, mk_pte(9, RO))).toBe(9);
      expect(vm_normal_folio(vma, 10, mk_pte(64, RO))).toBeNull();
      expect(vm_normal_folio(vma, 10, mk_pte(11, RO))).toEqual(f);
    });
  });
  it('page_folio() of a page with no folio is a loud model error naming the pfn', () => {
    inRun(w, () => {
      expect(() => page_folio(64)).toThrow(/pfn 64 has no folio/);
      expect(page_folio(11)).toEqual(f);
    });
  });
  it('folio_page(folio, n) is the n-th page from the head', () => {
    expect(folio_page(f, 0)).toBe(8);
    expect(folio_page(f, 3)).toBe(11);
  });
  it('folio_test_large: order > 0 only', () => {
    expect(folio_test_large(mkFolio({ pfn: 3 }))).toBe(false);
    expect(folio_test_large(mkFolio({ pfn: 4, order: 1 }))).toBe(true);
  });
  it('folio_set_all_anon_exclusive rewrites that folio only (split propagation, §13.6)', () => {
    const other = mkFolio({ pfn: 0, order: 2 });
    const target = mkFolio({ pfn: 4, order: 2, anonExclusive: [true, false, false, true] });
    inRun(small(none(1), [other, target]), (_vma, mm) => {
      folio_set_all_anon_exclusive(target, true);
      expect([4, 5, 6, 7].map(PageAnonExclusive)).toEqual([true, true, true, true]);
      expect(mm.folios[0]).toEqual(other);
      folio_set_all_anon_exclusive(target, false);
      expect([4, 5, 6, 7].map(PageAnonExclusive)).toEqual([false, false, false, false]);
      expect([0, 1, 2, 3].map(PageAnonExclusive)).toEqual([true, true, true, true]);
      expect(mm.folios).toHaveLength(2);
    });
  });
});

describe('PTE table access: a pte_t * must lie in the table (pgtable.h)', () => {
  // VMA [10, 14): valid pte_t * are 10..13.
  const w = small([ro(1), ro(2), ro(3), ro(4)]);
  it('ptep_get / set_pte_at one below or one past the table throw a RangeError', () => {
    inRun(w, (_vma, mm) => {
      expect(() => ptep_get(9)).toThrow(RangeError);
      expect(() => ptep_get(14)).toThrow(/pte_t \* 14 lies outside the VMA's page table/);
      expect(() => set_pte_at(mm, 14, 14, NONE_PTE)).toThrow(RangeError);
      expect(() => set_pte_at(mm, 9, 9, NONE_PTE)).toThrow(RangeError);
    });
  });
  it('the first and last slot are readable and writable', () => {
    inRun(w, (_vma, mm) => {
      expect(ptep_get(10)).toEqual(ro(1));
      expect(ptep_get(13)).toEqual(ro(4));
      set_pte_at(mm, 13, 13, NONE_PTE);
      expect(mm.ptes[3]).toEqual(NONE_PTE);
    });
  });
  it('ptep_modify_prot_start on a non-present entry is a loud error naming the kind and address', () => {
    const sw = small([ro(1), NONE_PTE, mk_softleaf('swap', 5)]);
    inRun(sw, (vma, mm) => {
      expect(() => ptep_modify_prot_start(vma, 12, 12)).toThrow(/on a softleaf entry at 12/);
      expect(mm.ptes[2]).toEqual(mk_softleaf('swap', 5)); // not cleared
      // The batched start walks addr with ptep: the error names the second slot.
      expect(() => modify_prot_start_ptes(vma, 10, 10, 2)).toThrow(/on a none entry at 11/);
    });
  });
});

describe('PMD access: a pmd_t * must lie in the VMA span', () => {
  // VMA [512, 1536) covers PMDs 1 and 2.
  const pmds: PmdSlot[] = [{ kind: 'table' }, { kind: 'none' }];
  const w = mkWorld({ vma: privateRw(512, 1536), ptes: none(1024), pmds });
  it('pmdp_get / set_pmd_at one below or one past the span throw a RangeError', () => {
    inRun(w, (_vma, mm) => {
      expect(() => pmdp_get(mm, 0)).toThrow(/pmd_t \* 0 lies outside the VMA's PMD span/);
      expect(() => pmdp_get(mm, 3)).toThrow(RangeError);
      expect(() => set_pmd_at(mm, 0, 3, { kind: 'table' })).toThrow(RangeError);
      expect(pmdp_get(mm, 1)).toEqual({ kind: 'table' });
      expect(pmdp_get(mm, 2)).toEqual({ kind: 'none' });
    });
  });
  it('pte_offset_map_lock maps only a PTE table: none or huge PMD gives NULL', () => {
    const hw = mkWorld({
      vma: privateRw(512, 2048),
      ptes: none(1536),
      folios: [mkFolio({ pfn: 4096, order: 9 })],
      pmds: [{ kind: 'table' }, { kind: 'none' }, { kind: 'huge', pmd: mk_pte(4096, RO) }],
    });
    inRun(hw, (_vma, mm) => {
      expect(pte_offset_map_lock(mm, 1, 600)).toBe(600);
      expect(pte_offset_map_lock(mm, 2, 1100)).toBeNull();
      expect(pte_offset_map_lock(mm, 3, 1600)).toBeNull();
    });
  });
});

describe('folio_pte_batch_flags (mm/internal.h, R-BATCH.1-5)', () => {
  const big = mkFolio({ pfn: 4, order: 2 });
  const dirty = (pfn: number) => rw(pfn, _PAGE_DIRTY);
  it('VM_WARN_ON_FOLIO(!pte_present / !folio_test_large) and max_nr < 1 are bad calls', () => {
    inRun(small([rw(4), rw(5), rw(6), rw(7)], [big, mkFolio({ pfn: 1 })]), (vma) => {
      const bad = /folio_pte_batch_flags: bad call/;
      expect(() => folio_pte_batch_flags(big, vma, 10, NONE_PTE as unknown as PresentPte, 4, 0)).toThrow(bad);
      expect(() => folio_pte_batch_flags(mkFolio({ pfn: 1 }), vma, 10, rw(1), 4, 0)).toThrow(bad);
      expect(() => folio_pte_batch_flags(big, vma, 10, rw(4), 0, 0)).toThrow(bad);
      expect(folio_pte_batch_flags(big, vma, 10, rw(4), 1, 0)).toBe(1);
      expect(folio_pte_batch_flags(big, vma, 10, rw(4), 4, 0)).toBe(4);
    });
  });
  it('FPB_RESPECT_DIRTY: a dirty change ends the batch; without it dirty is ignored', () => {
    inRun(small([dirty(4), dirty(5), rw(6), rw(7)], [big]), (vma) => {
      expect(folio_pte_batch_flags(big, vma, 10, dirty(4), 4, FPB_RESPECT_DIRTY)).toBe(2);
      expect(folio_pte_batch_flags(big, vma, 10, dirty(4), 4, 0)).toBe(4);
    });
  });
  it('__pte_batch_clear_ignored: young always ignored; dirty, soft-dirty, write only unless respected', () => {
    const pte = mk_pte(4, RW | _PAGE_DIRTY | _PAGE_SOFT_DIRTY | _PAGE_ACCESSED);
    expect(__pte_batch_clear_ignored(pte, FPB_RESPECT_DIRTY | FPB_RESPECT_SOFT_DIRTY | FPB_RESPECT_WRITE)).toEqual(
      mk_pte(4, RW | _PAGE_DIRTY | _PAGE_SOFT_DIRTY),
    );
    // Write ignored: pte_wrprotect() moves DIRTY to SAVED_DIRTY, still logically dirty.
    expect(pte_dirty(__pte_batch_clear_ignored(pte, FPB_RESPECT_DIRTY))).toBe(true);
    expect(__pte_batch_clear_ignored(pte, 0)).toEqual(mk_pte(4, RO));
  });
});

describe('softleaf accessors (include/linux/leafops.h)', () => {
  const w = small([mk_softleaf('migration_read', 9), ro(9)], [mkFolio({ pfn: 8, order: 1 })]);
  it('softleaf_from_pte on a present or none entry is a loud error', () => {
    expect(() => softleaf_from_pte(ro(1))).toThrow(/softleaf_from_pte on a present entry/);
    expect(() => softleaf_from_pte(NONE_PTE)).toThrow(/on a none entry/);
    expect(softleaf_from_pte(mk_softleaf('swap', 3))).toEqual(mk_softleaf('swap', 3));
  });
  it('softleaf_to_folio: the folio holding the entry pfn, or a loud error when there is none', () => {
    inRun(w, () => {
      expect(softleaf_to_folio(mk_softleaf('migration_read', 9)).pfn).toBe(8);
      expect(() => softleaf_to_folio(mk_softleaf('migration_read', 77))).toThrow(/pfn 77 has no folio/);
    });
  });
});

describe('mmu_gather batch trace (§13.4)', () => {
  it('a sub-run outside a batch is a model error; inside, it lands in the last batch', () => {
    const tlb = tlb_gather_mmu();
    expect(() => trace_sub_run(tlb, 0, 1, true)).toThrow(/trace_sub_run without trace_batch/);
    trace_batch(tlb, 10, 4, 'commit');
    trace_batch(tlb, 14, 2, 'commit');
    trace_sub_run(tlb, 1, 1, false);
    expect(tlb.trace[0]?.subRuns).toEqual([]);
    expect(tlb.trace[1]?.subRuns).toEqual([{ idx: 1, len: 1, setWrite: false }]);
  });
});

describe('userfaultfd_wp_use_markers (include/linux/userfaultfd_k.h)', () => {
  const file = (flags: number) => mkVma({ start: 10, end: 11, flags: VM_READ | VM_SOFTDIRTY | flags, anonymous: false });
  const anon = (flags: number, unpop: boolean) =>
    mkVma({ start: 10, end: 11, flags: VM_READ | VM_WRITE | VM_SOFTDIRTY | flags, uffdWpUnpopulated: unpop });
  const ask = (vma: Vma) => inRun(small(none(1), [], X86_64, vma), (v) => userfaultfd_wp_use_markers(v));
  it('not registered for uffd-wp: no markers, file-backed or not', () => {
    expect(ask(file(0))).toBe(false);
    expect(ask(anon(0, true))).toBe(false);
  });
  it('registered: file-backed always, anonymous only with WP_UNPOPULATED', () => {
    expect(ask(file(VM_UFFD_WP))).toBe(true);
    expect(ask(anon(VM_UFFD_WP, true))).toBe(true);
    expect(ask(anon(VM_UFFD_WP, false))).toBe(false);
  });
});

describe('pte_mksoft_dirty: _PAGE_SOFT_DIRTY is 0 without CONFIG_MEM_SOFT_DIRTY', () => {
  it('is a no-op without the config and sets the bit with it', () => {
    inRun(small(none(1), [], X86_64_NO_SOFT_DIRTY), () => expect(pte_mksoft_dirty(ro(1))).toEqual(ro(1)));
    inRun(small(none(1)), () => expect(pte_mksoft_dirty(ro(1))).toEqual(ro(1, _PAGE_SOFT_DIRTY)));
  });
});
