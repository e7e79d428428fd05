// SPDX-License-Identifier: GPL-2.0-only
// Huge PMDs and walk bookkeeping that the random properties rarely pin down:
// the young bit of a split (H2), the NUMA access-time stamp of a whole PMD
// (H4 + M3), which split rule a note names (H2/H3), a PMD that begins exactly
// at the range end (K1), special huge PMDs (H5) and a world that crashes
// validation (K0). SEMANTICS §7.3 (R-WALK.3), §8.2 (R-PRES.2), §13.
import { describe, expect, it } from 'vitest';
import {
  change_prot_numa_spec,
  change_protection_spec,
  explain_change_protection,
  SpecPreconditionError,
} from '../../spec/index.js';
import {
  _PAGE_ACCESSED,
  _PAGE_NX,
  _PAGE_PRESENT,
  _PAGE_PROTNONE,
  _PAGE_SPECIAL,
  _PAGE_USER,
  HPAGE_PMD_NR,
  MM_CP_UFFD_WP,
  mk_pte,
  mkFolio,
  mkVma,
  mkWorld,
  NONE_PTE,
  type NumaState,
  type PmdSlot,
  type PresentPte,
  PTRS_PER_PTE,
  type Pte,
  pte_protnone,
  pte_young,
  VM_READ,
  VM_SHARED,
  VM_SOFTDIRTY,
  VM_UFFD_WP,
  VM_WRITE,
  type World,
} from '../../src/pte/index.js';

const OLD_RO = _PAGE_PRESENT | _PAGE_USER | _PAGE_NX; // read-only, accessed bit clear
const RO = OLD_RO | _PAGE_ACCESSED;
const N = PTRS_PER_PTE;
const START = 8 * N;
const THP = 0x40000; // order-9 aligned

const present = (pte: Pte | undefined): PresentPte => {
  if (pte?.kind !== 'present') throw new Error(`expected a present entry, got ${JSON.stringify(pte)}`);
  return pte;
};

/** One PMD-sized anon (or file) VMA mapped by a huge PMD with the given flags. */
function hugeWorld(
  pmdFlags: number,
  init: { range?: { start: number; end: number }; anon?: boolean; numa?: NumaState } = {},
): World {
  const anon = init.anon ?? true;
  const flags = VM_READ | VM_WRITE | VM_SOFTDIRTY | (anon ? 0 : VM_SHARED);
  return mkWorld({
    vma: mkVma({ start: START, end: START + N, flags, anonymous: anon }),
    folios: [mkFolio({ pfn: THP, order: 9, anon, nid: 1 })],
    pmds: [{ kind: 'huge', pmd: mk_pte(THP, pmdFlags) }],
    ptes: new Array<Pte>(N).fill(NONE_PTE),
    range: init.range,
    numa: init.numa,
  });
}

describe('H2: __split_huge_pmd_locked() keeps the PMD young bit on every PTE', () => {
  // mk_pte(page, vma->vm_page_prot) starts young: mmap sets vm_page_prot = vm_get_page_prot() (x86 PAGE_COPY
  // etc. include _PAGE_ACCESSED) and vma_set_page_prot() keeps it (_PAGE_ACCESSED is in _PAGE_CHG_MASK);
  // mkVma() builds it the same way (W-VMA.6). The kernel then does `if (!young) entry = pte_mkold(entry)`:
  // an old PMD gives old PTEs, a young one young.
  for (const young of [false, true]) {
    it(`a ${young ? 'young' : 'old'} PMD split by a partial range: all 512 PTEs are ${young ? 'young' : 'old'}`, () => {
      const w = hugeWorld(young ? RO : OLD_RO, { range: { start: START + 100, end: START + 101 } });
      expect(w.vma.vm_page_prot & _PAGE_ACCESSED).toBe(_PAGE_ACCESSED);
      const out = change_protection_spec(w);
      expect(out.pmds).toEqual([{ kind: 'table' }]);
      for (const i of [0, 99, 100, 101, N - 1]) {
        const pte = present(out.ptes[i]);
        expect(pte.pfn).toBe(THP + i);
        expect(pte_young(pte)).toBe(young); // pte_modify() keeps the accessed bit of the in-range one too (R-PTE.1)
      }
    });
  }
});

describe('H2/H3 notes: a split is reported at the first in-range vpn with the rule that did it', () => {
  it('anonymous VMA: H2 (PTE table), then the per-PTE rule of each in-range slot', () => {
    const { notes } = explain_change_protection(hugeWorld(RO, { range: { start: START + 3, end: START + 5 } }));
    expect(notes).toEqual([
      { vpn: START + 3, rule: 'H2' },
      { vpn: START + 3, rule: 'P1' },
      { vpn: START + 4, rule: 'P1' },
    ]);
  });

  it('file VMA: H3 (PMD cleared, table not repopulated without markers), no per-PTE notes', () => {
    const w = hugeWorld(RO, { range: { start: START + 3, end: START + 5 }, anon: false });
    const { outcome, notes } = explain_change_protection(w);
    expect(notes).toEqual([{ vpn: START + 3, rule: 'H3' }]);
    expect(outcome.pmds).toEqual([{ kind: 'none' }]);
    expect(outcome.count).toBe(0);
  });
});

describe('H4 + M3: NUMA hinting of a whole huge PMD stamps the folio once under memory tiering', () => {
  const tiering: NumaState = { currentNid: 0, topTierNids: [0], balancingNormal: true, memoryTiering: true };

  it('lower-tier folio: hinted (PROT_NONE, 512 counted, 512 flushed) and its access time stamped', () => {
    const r = change_prot_numa_spec(hugeWorld(RO, { numa: tiering }));
    const pmd = r.outcome.pmds[0];
    expect(pmd?.kind === 'huge' && pte_protnone(pmd.pmd)).toBe(true);
    expect(r.outcome.count).toBe(HPAGE_PMD_NR);
    expect(r.outcome.flushPages).toHaveLength(HPAGE_PMD_NR);
    expect(r.outcome.numaStamps).toEqual([THP]);
  });

  it('top-tier folio: hinted but not stamped (folio_use_access_time() only for lower tiers)', () => {
    const r = change_prot_numa_spec(hugeWorld(RO, { numa: { ...tiering, topTierNids: [0, 1] } }));
    expect(r.outcome.count).toBe(HPAGE_PMD_NR);
    expect(r.outcome.numaStamps).toEqual([]);
  });

  it('tiering off: hinted but not stamped', () => {
    const r = change_prot_numa_spec(hugeWorld(RO, { numa: { ...tiering, memoryTiering: false } }));
    expect(r.outcome.count).toBe(HPAGE_PMD_NR);
    expect(r.outcome.numaStamps).toEqual([]);
  });

  it('already PROT_NONE: skipped, not counted, not stamped (M1)', () => {
    const w = hugeWorld(_PAGE_PROTNONE | _PAGE_ACCESSED, { numa: tiering });
    const r = explain_change_protection(change_prot_numa_spec(w).world!);
    expect(r.outcome.count).toBe(0);
    expect(r.outcome.numaStamps).toEqual([]);
    expect(r.outcome.pmds).toEqual(w.pmds);
    expect(r.notes).toEqual([{ vpn: START, rule: 'H4 M:already-prot-none' }]);
  });
});

describe('K1: a PMD that starts exactly at the range end is not visited (R-WALK.1, INV-18)', () => {
  it('a huge PMD right after the range stays huge and untouched', () => {
    const vma = mkVma({ start: START, end: START + 2 * N, flags: VM_READ | VM_SOFTDIRTY });
    const pmds: PmdSlot[] = [{ kind: 'table' }, { kind: 'huge', pmd: mk_pte(THP, RO) }];
    const ptes = new Array<Pte>(2 * N).fill(NONE_PTE);
    const w = mkWorld({ vma, pmds, ptes, folios: [mkFolio({ pfn: THP, order: 9 })], range: { start: START, end: START + N } });
    const { outcome, notes } = explain_change_protection(w);
    expect(outcome.pmds).toEqual(pmds);
    expect(outcome.count).toBe(0);
    expect(notes.every((n) => n.vpn < START + N)).toBe(true);
  });

  it('an empty PMD right after the range gets no PTE table even when uffd-wp populates (R-WALK.2)', () => {
    const flags = VM_READ | VM_WRITE | VM_SHARED | VM_UFFD_WP | VM_SOFTDIRTY;
    const vma = mkVma({ start: START, end: START + 2 * N, flags, anonymous: false });
    const w = mkWorld({
      vma,
      pmds: [{ kind: 'none' }, { kind: 'none' }],
      ptes: new Array<Pte>(2 * N).fill(NONE_PTE),
      range: { start: START + N - 2, end: START + N },
      cp_flags: MM_CP_UFFD_WP,
    });
    const out = change_protection_spec(w);
    expect(out.pmds).toEqual([{ kind: 'table' }, { kind: 'none' }]);
    expect(out.count).toBe(2); // the two in-range slots get markers (N1)
  });
});

describe('preconditions that name their rule (K0, H5)', () => {
  it('a special huge PMD (DAX, PFNMAP, huge zero page) covered whole: H5, not modelled', () => {
    const w = hugeWorld(RO | _PAGE_SPECIAL);
    expect(() => change_protection_spec(w)).toThrow(SpecPreconditionError);
    expect(() => change_protection_spec(w)).toThrow(/\[H5\] special huge PMDs/);
  });

  it('a mutable world is validated on every call, not only the first (K0: only frozen worlds are cached)', () => {
    const valid = hugeWorld(RO);
    expect(change_protection_spec(valid).count).toBe(HPAGE_PMD_NR);
    // A shallow copy: its parts are still frozen, the world object itself is not.
    const mutable: { -readonly [K in keyof World]: World[K] } = { ...valid };
    expect(change_protection_spec(mutable).count).toBe(HPAGE_PMD_NR);
    mutable.pmds = [{ kind: 'huge', pmd: mk_pte(THP + N, RO) }]; // no order-9 folio there any more
    expect(() => change_protection_spec(mutable)).toThrow(/\[W-PT\.5\]/);
  });

  it('a malformed world that crashes validation is wrapped as W-WORLD with the crash as cause', () => {
    const valid = hugeWorld(RO);
    const broken = { ...valid, pmds: [{ kind: 'table' }], ptes: [null, ...valid.ptes.slice(1)] } as unknown as World;
    let caught: unknown;
    try {
      change_protection_spec(broken);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(SpecPreconditionError);
    const err = caught as SpecPreconditionError;
    expect(err.rule).toBe('W-WORLD');
    expect(err.message).toMatch(/^\[W-WORLD\] world validation crashed: TypeError/);
    expect(err.problems).toEqual([]);
    expect(err.cause).toBeInstanceOf(TypeError);
  });
});
