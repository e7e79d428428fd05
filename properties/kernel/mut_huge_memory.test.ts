// SPDX-License-Identifier: GPL-2.0-only
// mm/huge_memory.c helpers called directly (R-WALK.3): can_change_pmd_writable(),
// vm_normal_page_pmd(), the v6.16/v6.17 change_huge_pmd() NUMA block (only the
// A/B variants run it, and the agreement tests exclude their NUMA worlds as Δ10),
// and __split_huge_pmd_locked()'s bit transfer. Expectations follow the kernel
// source (Kingxukai/linux @ 9b44fff655e2 mm/huge_memory.c for A/B).
import { describe, expect, it } from 'vitest';
import {
  __split_huge_pmd,
  can_change_pmd_writable,
  change_huge_pmd,
  change_huge_pmd_v6_16,
  mk_mm,
  mk_vma,
  type mm_struct,
  PageAnonExclusive,
  pmdp_get,
  tlb_gather_mmu,
  type vm_area_struct,
  vm_normal_page_pmd,
  with_mm,
} from '../../src/kernel/lib/index.js';
import {
  _PAGE_ACCESSED,
  _PAGE_DIRTY,
  _PAGE_NX,
  _PAGE_PROTNONE,
  _PAGE_SPECIAL,
  _PAGE_UFFD_WP,
  _PAGE_USER,
  DEFAULT_NUMA,
  type Folio,
  type KConfig,
  mk_pte,
  mkFolio,
  mkVma,
  mkWorld,
  type NumaState,
  PAGE_NONE,
  type PmdSlot,
  type PresentPte,
  pte_present,
  pte_young,
  VM_READ,
  VM_SHARED,
  VM_SOFTDIRTY,
  VM_UFFD_WP,
  VM_WRITE,
  type Vma,
  type World,
  X86_64,
} from '../../src/pte/index.js';
import { none, privateRw, RO } from './fixtures.js';

const HEAD = 1024; // THP head pfn, PMD-aligned
const PMD = 1; // pmd_t * of vpns [512, 1024)
const thp = (o: Partial<Folio> = {}) => mkFolio({ pfn: HEAD, order: 9, ...o });

interface HugeInit {
  vma?: Vma;
  pmd?: PresentPte;
  slot?: PmdSlot;
  folios?: Folio[];
  numa?: NumaState;
  config?: KConfig;
}

function hugeWorld(h: HugeInit = {}): World {
  return mkWorld({
    ...(h.config ? { config: h.config } : {}),
    vma: h.vma ?? privateRw(512, 1024, h.config ?? X86_64),
    ptes: none(512),
    folios: h.folios ?? [thp()],
    pmds: [h.slot ?? { kind: 'huge', pmd: h.pmd ?? mk_pte(HEAD, RO | _PAGE_ACCESSED) }],
    numa: h.numa ?? DEFAULT_NUMA,
  });
}

/** Run fn inside the world's own run context (as run_change_protection does). */
function inRun<T>(w: World, fn: (vma: vm_area_struct, mm: mm_struct) => T): T {
  const mm = mk_mm(w.config, w.mm, w.numa, w.vma, w.folios, w.ptes, w.pmds);
  const vma = mk_vma(w.vma, mm);
  return with_mm(mm, () => fn(vma, mm));
}

const hugePmdOf = (mm: mm_struct): PresentPte => {
  const slot = pmdp_get(mm, PMD);
  if (slot.kind !== 'huge') throw new Error(`expected a huge PMD, got ${slot.kind}`);
  return slot.pmd;
};

describe('vm_normal_page_pmd (mm/memory.c)', () => {
  it('a special PMD has no normal page even when its pfn lies in a folio', () => {
    const w = hugeWorld();
    inRun(w, (vma) => {
      expect(vm_normal_page_pmd(vma, 512, mk_pte(HEAD, RO | _PAGE_SPECIAL))).toBeNull();
      expect(vm_normal_page_pmd(vma, 512, mk_pte(HEAD, RO))).toBe(HEAD);
    });
  });
  it('a pfn outside the memmap has no normal page', () => {
    inRun(hugeWorld(), (vma) => expect(vm_normal_page_pmd(vma, 512, mk_pte(HEAD + 4096, RO))).toBeNull());
  });
});

describe('can_change_pmd_writable gates (R-WR.2-4 on the head page)', () => {
  // Every gate below is tested on an entry that passes all the other gates,
  // so only that gate can make the answer false.
  const ok = mk_pte(HEAD, RO | _PAGE_ACCESSED);
  const ask = (vma: Vma, pmd: PresentPte, folios: Folio[] = [thp()]) =>
    inRun(hugeWorld({ vma, folios, pmd }), (v) => can_change_pmd_writable(v, 512, pmd));

  it('private VM_WRITE, exclusive anon head page: may be made writable (control)', () => {
    expect(ask(privateRw(512, 1024), ok)).toBe(true);
  });
  it('WARN_ON_ONCE(!(vm_flags & VM_WRITE)): asking without VM_WRITE is a kernel warning, reported as a failure', () => {
    expect(() => ask(mkVma({ start: 512, end: 1024, flags: VM_READ | VM_SOFTDIRTY }), ok)).toThrow(
      /KernelWARN|WARN_ON_ONCE\(!\(vma->vm_flags & VM_WRITE\)\) in can_change_pmd_writable/,
    );
  });
  it('a PROT_NONE (NUMA hinting) PMD is not touched', () => {
    expect(ask(privateRw(512, 1024), mk_pte(HEAD, _PAGE_PROTNONE | _PAGE_USER | _PAGE_NX | _PAGE_ACCESSED))).toBe(false);
  });
  it('uffd-wp: a registered VMA keeps a uffd-wp PMD read-only; without the bit it may upgrade', () => {
    const uffd = mkVma({ start: 512, end: 1024, flags: VM_READ | VM_WRITE | VM_SOFTDIRTY | VM_UFFD_WP });
    expect(ask(uffd, mk_pte(HEAD, RO | _PAGE_ACCESSED | _PAGE_UFFD_WP))).toBe(false);
    expect(ask(uffd, ok)).toBe(true);
  });
  it('soft-dirty tracking needs a write fault unless the PMD is already soft-dirty', () => {
    const tracked = mkVma({ start: 512, end: 1024, flags: VM_READ | VM_WRITE });
    expect(ask(tracked, ok)).toBe(false);
  });
  it('private: a special PMD has no page, so it stays read-only (and does not fault)', () => {
    expect(ask(privateRw(512, 1024), mk_pte(HEAD, RO | _PAGE_ACCESSED | _PAGE_SPECIAL))).toBe(false);
  });
  it('private: a non-exclusive anon page stays read-only', () => {
    expect(ask(privateRw(512, 1024), ok, [thp({ anonExclusive: new Array(512).fill(false) })])).toBe(false);
  });
  it('shared: only a dirty PMD may be upgraded', () => {
    const shared = mkVma({ start: 512, end: 1024, flags: VM_READ | VM_WRITE | VM_SHARED | VM_SOFTDIRTY, anonymous: false });
    const file = [thp({ anon: false, anonExclusive: new Array(512).fill(false) })];
    expect(ask(shared, ok, file)).toBe(false);
    expect(ask(shared, mk_pte(HEAD, RO | _PAGE_ACCESSED | _PAGE_DIRTY), file)).toBe(true);
  });
});

describe('change_huge_pmd on an entry that is no longer huge', () => {
  it('__pmd_trans_huge_lock() fails: returns 0 and leaves the PTE table alone', () => {
    for (const chp of [change_huge_pmd, change_huge_pmd_v6_16]) {
      inRun(hugeWorld({ slot: { kind: 'table' } }), (vma, mm) => {
        const tlb = tlb_gather_mmu();
        expect(chp(tlb, vma, PMD, 512, vma.vm_page_prot, 0)).toBe(0);
        expect(pmdp_get(mm, PMD)).toEqual({ kind: 'table' });
        expect(tlb.flushes).toEqual([]);
      });
    }
  });
});

describe('change_huge_pmd_v6_16: the A/B prot_numa block (v6.16/v6.17 mm/huge_memory.c)', () => {
  // change_protection() passes newprot = PAGE_NONE with MM_CP_PROT_NUMA.
  const MM_CP_PROT_NUMA = 1 << 1;
  const numa = (o: Partial<NumaState>): NumaState => ({ ...DEFAULT_NUMA, ...o });
  const lowTier = (nid: number) => [thp({ nid })];
  const run = (w: World) =>
    inRun(w, (vma, mm) => {
      const tlb = tlb_gather_mmu();
      const ret = change_huge_pmd_v6_16(tlb, vma, PMD, 512, PAGE_NONE, MM_CP_PROT_NUMA);
      return { ret, pmd: hugePmdOf(mm), stamps: [...mm.numaStamps], flushes: tlb.flushes };
    });
  const orig = mk_pte(HEAD, RO | _PAGE_ACCESSED);

  it('already PROT_NONE: goto unlock (ret 1, PMD untouched, no stamp)', () => {
    const protnone = mk_pte(HEAD, _PAGE_PROTNONE | _PAGE_USER | _PAGE_NX | _PAGE_ACCESSED);
    const tiering = numa({ memoryTiering: true, topTierNids: [0] });
    const out = run(hugeWorld({ pmd: protnone, folios: lowTier(2), numa: tiering }));
    expect(out).toEqual({ ret: 1, pmd: protnone, stamps: [], flushes: [] });
  });
  it('top-tier folio with normal balancing on: the PMD becomes PROT_NONE (ret HPAGE_PMD_NR)', () => {
    const out = run(hugeWorld({ pmd: orig, folios: lowTier(0) }));
    expect(out.ret).toBe(512);
    expect(out.pmd.flags & _PAGE_PROTNONE).not.toBe(0);
    expect(out.pmd.pfn).toBe(HEAD);
    expect(out.stamps).toEqual([]);
  });
  it('top-tier folio with normal balancing off: skipped (ret 1, PMD untouched)', () => {
    const out = run(hugeWorld({ pmd: orig, folios: lowTier(0), numa: numa({ balancingNormal: false }) }));
    expect(out).toEqual({ ret: 1, pmd: orig, stamps: [], flushes: [] });
  });
  it('lower-tier folio with normal balancing off: not skipped; tiering stamps the access time', () => {
    const tiering = numa({ balancingNormal: false, memoryTiering: true, topTierNids: [0] });
    const out = run(hugeWorld({ pmd: orig, folios: lowTier(2), numa: tiering }));
    expect(out.ret).toBe(512);
    expect(out.pmd.flags & _PAGE_PROTNONE).not.toBe(0);
    expect(out.stamps).toEqual([HEAD]);
  });
  it('folio_use_access_time() is false for a top-tier folio or with tiering off: no stamp', () => {
    expect(run(hugeWorld({ pmd: orig, folios: lowTier(0), numa: numa({ memoryTiering: true }) })).stamps).toEqual([]);
    expect(run(hugeWorld({ pmd: orig, folios: lowTier(2), numa: numa({ topTierNids: [0] }) })).stamps).toEqual([]);
  });
  it('A/B run no folio rule (Δ10): a DMA-pinned or KSM-shared folio is still made PROT_NONE', () => {
    const out = run(hugeWorld({ pmd: orig, folios: [thp({ maybeDmaPinned: true, maybeMappedShared: true })] }));
    expect(out.ret).toBe(512);
    expect(out.pmd.flags & _PAGE_PROTNONE).not.toBe(0);
  });
});

describe('__split_huge_pmd (-> __split_huge_pmd_locked)', () => {
  it('a PMD that is not huge is left alone (anon and file VMAs)', () => {
    const file = mkVma({ start: 512, end: 1024, flags: VM_READ | VM_SOFTDIRTY, anonymous: false });
    for (const vma of [privateRw(512, 1024), file]) {
      inRun(hugeWorld({ vma, slot: { kind: 'table' } }), (v, mm) => {
        __split_huge_pmd(v, PMD, 600, false);
        expect(pmdp_get(mm, PMD)).toEqual({ kind: 'table' });
      });
    }
  });
  it('young transfers: a young PMD gives young PTEs, an old PMD gives old PTEs (pte_mkold when !young)', () => {
    // On x86 the kernel's vm_page_prot carries _PAGE_ACCESSED (mmap sets
    // vm_get_page_prot(), vma_set_page_prot() keeps the old _PAGE_CHG_MASK
    // bits), so mk_pte(page, vm_page_prot) is young and only !young clears it.
    // mkVma() builds it the same way (W-VMA.6).
    const vma: Vma = privateRw(512, 1024);
    expect(vma.vm_page_prot & _PAGE_ACCESSED).toBe(_PAGE_ACCESSED);
    for (const young of [true, false]) {
      const pmd = mk_pte(HEAD, RO | (young ? _PAGE_ACCESSED : 0));
      const ptes = inRun(hugeWorld({ vma, pmd }), (v, mm) => {
        __split_huge_pmd(v, PMD, 700, false);
        expect(pmdp_get(mm, PMD)).toEqual({ kind: 'table' });
        return [...mm.ptes];
      });
      expect(ptes).toHaveLength(512);
      ptes.forEach((p, i) => {
        expect(pte_present(p) && p.pfn === HEAD + i && pte_young(p) === young).toBe(true);
      });
    }
  });
  it('the head page PageAnonExclusive is propagated to every subpage', () => {
    const mixed = [false, ...new Array<boolean>(511).fill(true)];
    inRun(hugeWorld({ folios: [thp({ anonExclusive: mixed })] }), (v) => {
      __split_huge_pmd(v, PMD, 512, false);
      expect(PageAnonExclusive(HEAD + 1)).toBe(false);
      expect(PageAnonExclusive(HEAD + 511)).toBe(false);
    });
  });
});
