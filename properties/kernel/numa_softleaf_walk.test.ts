// SPDX-License-Identifier: GPL-2.0-only
// folio_can_map_prot_numa() rows (R-PRES.2), softleaf rewrites (R-SL.*), and the
// walk above the PTE level: empty PMDs, populate for markers (R-WALK.2), huge
// PMDs handled whole or split (R-WALK.3).
import { describe, expect, it } from 'vitest';
import { folio_can_map_prot_numa, mk_mm, mk_vma, with_mm } from '../../src/kernel/lib/index.js';
import { runVariant } from '../../src/kernel/registry.js';
import {
  _PAGE_ACCESSED,
  _PAGE_PROTNONE,
  _PAGE_RW,
  checkWorld,
  DEFAULT_NUMA,
  type Folio,
  MM_CP_PROT_NUMA,
  MM_CP_TRY_CHANGE_WRITABLE,
  MM_CP_UFFD_WP,
  type MmState,
  mk_pte,
  mk_softleaf,
  mkFolio,
  mkVma,
  mkWorld,
  NONE_PTE,
  type NumaState,
  PTE_MARKER_UFFD_WP,
  SWP_MIG_DIRTY,
  SWP_SOFT_DIRTY,
  SWP_UFFD_WP,
  VM_READ,
  VM_SHARED,
  VM_SOFTDIRTY,
  VM_UFFD_WP,
  VM_WRITE,
  type Vma,
  X86_64,
} from '../../src/pte/index.js';
import { none, privateRw, RO, world } from './fixtures.js';

function canMap(
  folio: Folio | null,
  vma: Vma,
  single: boolean,
  numa: NumaState = DEFAULT_NUMA,
  state: MmState = { singleThreaded: single },
) {
  const mm = mk_mm(X86_64, state, numa, vma, folio ? [folio] : [], [NONE_PTE], [{ kind: 'table' }]);
  const v = mk_vma(vma, mm);
  return with_mm(mm, () => ({ ok: folio_can_map_prot_numa(folio, v, single), stamps: mm.numaStamps }));
}

describe('folio_can_map_prot_numa (R-PRES.2 rows 1-6)', () => {
  const priv = privateRw(0, 1);
  const shared = mkVma({ start: 0, end: 1, flags: VM_READ | VM_WRITE | VM_SHARED | VM_SOFTDIRTY });
  const f = (o: Partial<Folio> = {}) => mkFolio({ pfn: 1, nid: 1, ...o });
  it('row 1: NULL, zone-device, KSM', () => {
    expect(canMap(null, priv, false).ok).toBe(false);
    expect(canMap(f({ zoneDevice: true }), priv, false).ok).toBe(false);
    expect(canMap(f({ ksm: true, anonExclusive: [false] }), priv, false).ok).toBe(false);
  });
  it('row 2: shared COW folio only on COW mappings', () => {
    expect(canMap(f({ maybeMappedShared: true }), priv, false).ok).toBe(false);
    expect(canMap(f({ maybeMappedShared: true }), shared, false).ok).toBe(true);
  });
  it('row 3: DMA-pinned on every mapping (Δ9)', () => {
    expect(canMap(f({ maybeDmaPinned: true }), shared, false).ok).toBe(false);
  });
  it('row 4: dirty file folio', () => {
    expect(canMap(f({ anon: false, fileLru: true, dirty: true, anonExclusive: [false] }), shared, false).ok).toBe(false);
  });
  it('row 5: already on the node of a single-threaded private process', () => {
    expect(canMap(f({ nid: 0 }), priv, true).ok).toBe(false);
    expect(canMap(f({ nid: 0 }), priv, false).ok).toBe(true);
  });
  it('row 6: top tier without normal balancing; tiering stamps lower-tier folios', () => {
    const tiering: NumaState = { ...DEFAULT_NUMA, balancingNormal: false, memoryTiering: true, topTierNids: [0] };
    expect(canMap(f({ nid: 0 }), priv, false, tiering).ok).toBe(false);
    expect(canMap(f({ nid: 2 }), priv, false, tiering)).toEqual({ ok: true, stamps: [1] });
  });
});

describe('softleaf entries (R-SL.1-4)', () => {
  const uffdVma = mkVma({ start: 0, end: 4, flags: VM_READ | VM_WRITE | VM_SOFTDIRTY | VM_UFFD_WP });
  const anon = mkFolio({ pfn: 0x20 });
  it('migration-write becomes readable-exclusive (anon), keeps offset A/D and soft-dirty, drops swap uffd-wp (R-SL.5)', () => {
    const w = world({
      vma: uffdVma,
      ptes: [mk_softleaf('migration_write', 0x20, SWP_MIG_DIRTY | SWP_SOFT_DIRTY | SWP_UFFD_WP), ...none(3)],
      folios: [anon],
    });
    expect(checkWorld(w)).toEqual([]);
    for (const v of ['falcato-v3', 'v6.16-per-pte', 'v6.17-fixed', 'v6.19-bprime']) {
      const out = runVariant(v, w);
      expect(out.ptes[0]).toEqual(mk_softleaf('migration_read_exclusive', 0x20, SWP_MIG_DIRTY | SWP_SOFT_DIRTY));
      expect(out.count).toBe(1);
    }
  });
  it('UFFD_WP sets the swap bit on swap entries and installs markers in none slots (file VMA)', () => {
    const vma = mkVma({ start: 0, end: 2, flags: VM_READ | VM_SOFTDIRTY | VM_UFFD_WP, anonymous: false });
    const w = world({ vma, ptes: [mk_softleaf('swap', 5), NONE_PTE], cp_flags: MM_CP_UFFD_WP });
    expect(checkWorld(w)).toEqual([]);
    const out = runVariant('falcato-v3', w);
    expect(out.ptes).toEqual([mk_softleaf('swap', 5, SWP_UFFD_WP), mk_softleaf('marker', PTE_MARKER_UFFD_WP)]);
    expect(out.count).toBe(2);
  });
});

describe('the walk above the PTE level (R-WALK.1-3)', () => {
  it('a none PMD is skipped; UFFD_WP with markers populates it and fills every slot', () => {
    const vma = mkVma({ start: 510, end: 515, flags: VM_READ | VM_SOFTDIRTY | VM_UFFD_WP, anonymous: false });
    const base = { vma, ptes: none(5), pmds: [{ kind: 'table' as const }, { kind: 'none' as const }] };
    const plain = runVariant('falcato-v3', world(base));
    expect(plain.pmds).toEqual(base.pmds);
    expect(plain.count).toBe(0);
    const wp = runVariant('falcato-v3', world({ ...base, cp_flags: MM_CP_UFFD_WP }));
    expect(wp.pmds).toEqual([{ kind: 'table' }, { kind: 'table' }]);
    expect(wp.count).toBe(5);
    expect(wp.ptes.every((p) => p.kind === 'softleaf' && p.type === 'marker')).toBe(true);
  });

  const thp = (excl: boolean) => mkFolio({ pfn: 1024, order: 9, anonExclusive: new Array(512).fill(excl) });
  const hugeWorld = (range: { start: number; end: number }, cp_flags: number, excl = true, pmdFlags = RO | _PAGE_ACCESSED) =>
    mkWorld({
      vma: privateRw(512, 1024),
      ptes: none(512),
      folios: [thp(excl)],
      pmds: [{ kind: 'huge', pmd: mk_pte(1024, pmdFlags) }],
      range,
      cp_flags,
    });

  it('a fully covered huge PMD goes through change_huge_pmd: count 512, one PMD-sized flush on upgrade', () => {
    const w = hugeWorld({ start: 512, end: 1024 }, MM_CP_TRY_CHANGE_WRITABLE);
    expect(checkWorld(w)).toEqual([]);
    const out = runVariant('falcato-v3', w);
    expect(out.count).toBe(512);
    const pmd = out.pmds[0];
    expect(pmd?.kind === 'huge' && (pmd.pmd.flags & _PAGE_RW) !== 0).toBe(true);
    expect(out.flushes).toEqual([{ start: 512, nr: 512 }]);
    expect(out.trace).toEqual([]);
  });
  it('PROT_NUMA skips an already PROT_NONE huge PMD (returns 1, counts 0)', () => {
    const w = hugeWorld({ start: 512, end: 1024 }, MM_CP_PROT_NUMA, true, _PAGE_PROTNONE | 0x4);
    expect(checkWorld(w)).toEqual([]);
    const out = runVariant('falcato-v3', w);
    expect(out.count).toBe(0);
    expect(out.pmds).toEqual(w.pmds);
  });
  it('a partially covered huge PMD is split into PTEs first, then batched at PTE level', () => {
    const w = hugeWorld({ start: 600, end: 700 }, MM_CP_TRY_CHANGE_WRITABLE);
    const out = runVariant('falcato-v3', w);
    expect(out.pmds).toEqual([{ kind: 'table' }]);
    expect(out.count).toBe(100);
    expect(out.trace).toEqual([{ start: 600, nr: 100, action: 'commit', subRuns: [{ idx: 0, len: 100, setWrite: true }] }]);
    // outside the range the split PTEs keep vm_page_prot (read-only), pfns advance from the head
    const p = out.ptes[0];
    expect(p?.kind === 'present' && p.pfn === 1024 && (p.flags & _PAGE_RW) === 0).toBe(true);
    const q = out.ptes[100];
    expect(q?.kind === 'present' && q.pfn === 1124 && (q.flags & _PAGE_RW) !== 0).toBe(true);
  });
  it('split of a non-exclusive THP keeps every sub-page non-exclusive: nothing becomes writable', () => {
    const out = runVariant('falcato-v3', hugeWorld({ start: 600, end: 700 }, MM_CP_TRY_CHANGE_WRITABLE, false));
    expect(out.ptes.some((p) => p.kind === 'present' && (p.flags & _PAGE_RW) !== 0)).toBe(false);
  });
  it('uffd-wp on a file VMA splits (zaps) the THP, populates a table and installs markers', () => {
    const file = mkFolio({ pfn: 1024, order: 9, anon: false, anonExclusive: new Array(512).fill(false) });
    const vma = mkVma({ start: 512, end: 1024, flags: VM_READ | VM_SOFTDIRTY | VM_UFFD_WP, anonymous: false });
    const w = mkWorld({
      vma,
      ptes: none(512),
      folios: [file],
      pmds: [{ kind: 'huge', pmd: mk_pte(1024, RO) }],
      cp_flags: MM_CP_UFFD_WP,
    });
    expect(checkWorld(w)).toEqual([]);
    const out = runVariant('falcato-v3', w);
    expect(out.pmds).toEqual([{ kind: 'table' }]);
    expect(out.count).toBe(512);
    expect(out.ptes[0]).toEqual(mk_softleaf('marker', PTE_MARKER_UFFD_WP));
  });
});
