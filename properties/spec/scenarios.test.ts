// SPDX-License-Identifier: GPL-2.0-only
// Example tests for the per-entry spec, each named after the kernel selftest
// scenario it mirrors (tools/testing/selftests/mm, see TOOLING.md §3.6), plus
// the rule-level examples the issue asks for.
import { describe, expect, it } from 'vitest';
import {
  change_prot_numa_spec,
  change_protection_spec,
  explain_change_protection,
  mprotect_fixup_spec,
  SpecPreconditionError,
  uffd_wp_range_spec,
  wantsManualWriteUpgrade,
} from '../../spec/index.js';
import {
  _PAGE_ACCESSED,
  _PAGE_DIRTY,
  _PAGE_NX,
  _PAGE_PRESENT,
  _PAGE_PROTNONE,
  _PAGE_RW,
  _PAGE_SAVED_DIRTY,
  _PAGE_SOFT_DIRTY,
  _PAGE_SPECIAL,
  _PAGE_UFFD_WP,
  _PAGE_USER,
  ARM64,
  HPAGE_PMD_NR,
  MM_CP_PROT_NUMA,
  MM_CP_TRY_CHANGE_WRITABLE,
  MM_CP_UFFD_WP,
  MM_CP_UFFD_WP_RESOLVE,
  mk_pte,
  mk_softleaf,
  mkFolio,
  mkVma,
  mkWorld,
  NONE_PTE,
  PTE_MARKER_GUARD,
  PTE_MARKER_POISONED,
  PTE_MARKER_UFFD_WP,
  type Pte,
  pte_dirty,
  pte_soft_dirty,
  pte_write,
  SWP_MIG_DIRTY,
  SWP_MIG_YOUNG,
  SWP_SOFT_DIRTY,
  SWP_UFFD_WP,
  VM_READ,
  VM_SHARED,
  VM_SOFTDIRTY,
  VM_UFFD_WP,
  VM_WRITE,
  type World,
  type WorldInit,
  X86_64,
} from '../../src/pte/index.js';

const RO = _PAGE_PRESENT | _PAGE_USER | _PAGE_NX | _PAGE_ACCESSED;
const RW = RO | _PAGE_RW;
const START = 1024; // PMD-aligned vpn
const present = (pte: Pte | undefined) => {
  if (pte?.kind !== 'present') throw new Error(`expected a present entry, got ${JSON.stringify(pte)}`);
  return pte;
};

/** A one-table world at START with the given slots. */
function world(
  init: Omit<WorldInit, 'vma'> & { flags: number; anonymous?: boolean; vmaInit?: object; config?: typeof X86_64 },
): World {
  const { flags, anonymous, vmaInit, ...rest } = init;
  const config = init.config ?? X86_64;
  const vma = mkVma({ start: START, end: START + init.ptes.length, flags, anonymous: anonymous ?? true, ...vmaInit }, config);
  return mkWorld({ ...rest, config, vma });
}

describe('cow.c: Basic COW after fork() with mprotect() optimization', () => {
  // After fork() the parent's anon page is shared with the child: PTE read-only, page not PageAnonExclusive.
  const shared = mkFolio({ pfn: 0x100, anonExclusive: [false] });
  const exclusive = mkFolio({ pfn: 0x101 });
  const afterFork = world({
    flags: VM_READ | VM_WRITE | VM_SOFTDIRTY, // soft-dirty tracking off: only exclusivity decides
    folios: [shared, exclusive],
    ptes: [mk_pte(0x100, RO | _PAGE_SAVED_DIRTY), mk_pte(0x101, RO | _PAGE_SAVED_DIRTY)],
  });

  it('mprotect(PROT_READ) then mprotect(PROT_READ|PROT_WRITE) does not map the COW-shared page writable (W4, INV-1)', () => {
    const ro = mprotect_fixup_spec(afterFork, VM_READ);
    expect(ro.cp_flags).toBe(0);
    const back = mprotect_fixup_spec(mkWorld({ ...afterFork, vma: ro.vma, ptes: ro.outcome.ptes }), VM_READ | VM_WRITE);
    expect(back.cp_flags).toBe(MM_CP_TRY_CHANGE_WRITABLE); // V5: private + VM_WRITE
    expect(pte_write(present(back.outcome.ptes[0]))).toBe(false); // shared after fork: stays read-only
    expect(pte_write(present(back.outcome.ptes[1]))).toBe(true); // the optimisation: an exclusive page is reused
    expect(back.outcome.count).toBe(2);
  });
});

describe('soft-dirty.c: test_mprotect', () => {
  // write -> SD=1; clear_refs -> SD=0 and write-protected, VM_SOFTDIRTY cleared (tracking on).
  it('anon private: after clear_refs, mprotect(RO) then mprotect(RW) does not grant write (W2.3, INV-4)', () => {
    const w = world({
      flags: VM_READ | VM_WRITE, // VM_SOFTDIRTY clear: tracking on
      folios: [mkFolio({ pfn: 0x200 })],
      ptes: [mk_pte(0x200, RO | _PAGE_SAVED_DIRTY)],
    });
    const ro = mprotect_fixup_spec(w, VM_READ);
    const rw = mprotect_fixup_spec(mkWorld({ ...w, vma: ro.vma, ptes: ro.outcome.ptes }), VM_READ | VM_WRITE);
    expect(rw.cp_flags).toBe(MM_CP_TRY_CHANGE_WRITABLE);
    const pte = present(rw.outcome.ptes[0]);
    expect(pte_write(pte)).toBe(false);
    expect(pte_soft_dirty(pte)).toBe(false);
    expect(explain_change_protection(rw.world!).notes).toEqual([{ vpn: START, rule: 'P1' }]);
  });

  for (const pageMkwrite of [false, true]) {
    it(`file shared (page_mkwrite=${pageMkwrite}): mprotect(RO) then mprotect(RW) does not grant write`, () => {
      const file = {
        anonymous: false,
        vmaInit: { ops: { page_mkwrite: pageMkwrite, pfn_mkwrite: false }, fileCanWriteback: true },
      };
      const w = world({
        flags: VM_READ | VM_WRITE | VM_SHARED,
        ...file,
        folios: [mkFolio({ pfn: 0x300, anon: false })],
        ptes: [mk_pte(0x300, RO | _PAGE_SAVED_DIRTY)], // dirty page-cache page, write-protected by clear_refs
      });
      expect(pte_write({ kind: 'present', pfn: 0, flags: w.vma.vm_page_prot })).toBe(false); // R-VMA.1: writenotify (soft-dirty)
      const ro = mprotect_fixup_spec(w, VM_READ);
      const rw = mprotect_fixup_spec(mkWorld({ ...w, vma: ro.vma, ptes: ro.outcome.ptes }), VM_READ | VM_WRITE | 0);
      // V5 with the stale prot (§5.4): only page_mkwrite gets TRY; either way the soft-dirty gate holds.
      expect(rw.cp_flags).toBe(pageMkwrite ? MM_CP_TRY_CHANGE_WRITABLE : 0);
      expect(pte_write(present(rw.outcome.ptes[0]))).toBe(false);
    });
  }
});

describe('mkdirty.c', () => {
  it('dirty page + mprotect(PROT_READ) stays read-only and stays dirty (P2, R-PTE.2)', () => {
    const w = world({ flags: VM_READ | VM_WRITE, folios: [mkFolio({ pfn: 0x400 })], ptes: [mk_pte(0x400, RW | _PAGE_DIRTY)] });
    const r = mprotect_fixup_spec(w, VM_READ);
    const pte = present(r.outcome.ptes[0]);
    expect(pte_write(pte)).toBe(false);
    expect(pte_dirty(pte)).toBe(true);
    expect(pte.flags & (_PAGE_DIRTY | _PAGE_SAVED_DIRTY)).toBe(_PAGE_SAVED_DIRTY); // never the shadow-stack encoding
    expect(r.outcome.flushPages).toEqual([START]); // R-COMMIT.3: write removed
  });

  it('dirty page under migration + mprotect(PROT_READ): the migration entry is no longer writable (S1)', () => {
    const w = world({
      flags: VM_READ | VM_WRITE,
      folios: [mkFolio({ pfn: 0x410 })],
      ptes: [mk_softleaf('migration_write', 0x410, SWP_MIG_DIRTY | SWP_MIG_YOUNG)],
    });
    const r = mprotect_fixup_spec(w, VM_READ);
    expect(r.outcome.ptes[0]).toEqual(mk_softleaf('migration_read_exclusive', 0x410, SWP_MIG_DIRTY | SWP_MIG_YOUNG));
    expect(r.outcome.count).toBe(1);
  });

  it('dirty PTE-mapped THP: mprotect(RW) of the last subpage leaves the first subpage read-only (W4, K1)', () => {
    const thp = mkFolio({ pfn: 0x1000, order: 4 });
    const ptes = Array.from({ length: 16 }, (_, i) => mk_pte(0x1000 + i, RW | _PAGE_DIRTY));
    const rw = world({ flags: VM_READ | VM_WRITE | VM_SOFTDIRTY, folios: [thp], ptes });
    const ro = mprotect_fixup_spec(rw, VM_READ);
    expect(ro.outcome.ptes.every((p) => p.kind === 'present' && !pte_write(p) && pte_dirty(p))).toBe(true);
    // mprotect(RW) of the last subpage: the VMA is split there (C1 restricts to the range).
    const last = mkWorld({ ...rw, vma: ro.vma, ptes: ro.outcome.ptes, range: { start: START + 15, end: START + 16 } });
    const r = mprotect_fixup_spec(last, VM_READ | VM_WRITE);
    expect(r.vma.start).toBe(START + 15);
    expect(r.outcome.ptes).toHaveLength(1);
    expect(pte_write(present(r.outcome.ptes[0]))).toBe(true);
    // Spelled as one change_protection() call over the last page of the still-whole VMA: the first stays RO.
    const whole = change_protection_spec(
      mkWorld({
        ...rw,
        ptes: ro.outcome.ptes,
        range: { start: START + 15, end: START + 16 },
        cp_flags: MM_CP_TRY_CHANGE_WRITABLE,
      }),
    );
    expect(pte_write(present(whole.ptes[0]))).toBe(false);
    expect(pte_write(present(whole.ptes[15]))).toBe(true);
  });

  it('dirty PMD-mapped THP, range over its last page: the PMD is split (H2) and only the last page upgraded', () => {
    const thp = mkFolio({ pfn: 0x2000, order: 9 });
    const vma = mkVma({ start: START, end: START + 512, flags: VM_READ | VM_WRITE | VM_SOFTDIRTY });
    const w = mkWorld({
      vma,
      folios: [thp],
      ptes: new Array<Pte>(512).fill(NONE_PTE),
      pmds: [{ kind: 'huge', pmd: mk_pte(0x2000, RO | _PAGE_SAVED_DIRTY) }],
      range: { start: START + 511, end: START + 512 },
      cp_flags: MM_CP_TRY_CHANGE_WRITABLE,
    });
    const out = change_protection_spec(w);
    expect(out.pmds[0]).toEqual({ kind: 'table' });
    const first = present(out.ptes[0]);
    expect(first.pfn).toBe(0x2000);
    expect(pte_write(first)).toBe(false);
    expect(pte_dirty(first) && pte_soft_dirty(first)).toBe(true); // x86 pte_mkdirty() in the split sets soft-dirty too
    expect(pte_write(present(out.ptes[511]))).toBe(true);
    expect(out.count).toBe(1);
  });
});

describe('uffd-unit-tests: wp-unpopulated', () => {
  const anon = (unpopulated: boolean) =>
    world({ flags: VM_READ | VM_WRITE | VM_UFFD_WP, vmaInit: { uffdWpUnpopulated: unpopulated }, ptes: [NONE_PTE, NONE_PTE] });

  it('UFFDIO_WRITEPROTECT on an unpopulated anon range installs uffd-wp markers (N1)', () => {
    const r = uffd_wp_range_spec(anon(true), true);
    expect(r.cp_flags).toBe(MM_CP_UFFD_WP);
    expect(r.outcome.ptes).toEqual([mk_softleaf('marker', PTE_MARKER_UFFD_WP), mk_softleaf('marker', PTE_MARKER_UFFD_WP)]);
    expect(r.outcome.count).toBe(2);
    // unprotect removes them again (S4)
    const undo = uffd_wp_range_spec(mkWorld({ ...anon(true), ptes: r.outcome.ptes }), false);
    expect(undo.outcome.ptes).toEqual([NONE_PTE, NONE_PTE]);
    expect(undo.outcome.count).toBe(2);
  });

  it('without WP_UNPOPULATED an anon none slot stays empty (N2)', () => {
    const r = uffd_wp_range_spec(anon(false), true);
    expect(r.outcome.ptes).toEqual([NONE_PTE, NONE_PTE]);
    expect(r.outcome.count).toBe(0);
  });

  it('shmem always uses markers, and an empty PMD is populated first (K2)', () => {
    const vma = mkVma({ start: START, end: START + 4, flags: VM_READ | VM_WRITE | VM_SHARED | VM_UFFD_WP, anonymous: false });
    const w = mkWorld({
      vma,
      ptes: new Array<Pte>(4).fill(NONE_PTE),
      pmds: [{ kind: 'none' }],
      range: { start: START + 1, end: START + 3 },
    });
    const r = uffd_wp_range_spec(w, true);
    expect(r.outcome.pmds).toEqual([{ kind: 'table' }]);
    expect(r.outcome.ptes.map((p) => p.kind)).toEqual(['none', 'softleaf', 'softleaf', 'none']);
    expect(r.outcome.count).toBe(2);
  });

  it('uffd-wp on a shmem PMD-mapped THP unmaps the PMD, then marks the empty slots (H3)', () => {
    const vma = mkVma({ start: START, end: START + 512, flags: VM_READ | VM_WRITE | VM_SHARED | VM_UFFD_WP, anonymous: false });
    const w = mkWorld({
      vma,
      folios: [mkFolio({ pfn: 0x4000, order: 9, anon: false })],
      ptes: new Array<Pte>(512).fill(NONE_PTE),
      pmds: [{ kind: 'huge', pmd: mk_pte(0x4000, RO) }],
    });
    const r = uffd_wp_range_spec(w, true);
    expect(r.outcome.pmds).toEqual([{ kind: 'table' }]);
    expect(r.outcome.ptes.every((p) => p.kind === 'softleaf' && p.type === 'marker')).toBe(true);
    expect(r.outcome.count).toBe(512);
  });
});

describe('guard-regions.c: mprotect', () => {
  const guards = [mk_softleaf('marker', PTE_MARKER_GUARD), mk_softleaf('marker', PTE_MARKER_POISONED)];
  for (const cp of [
    0,
    MM_CP_TRY_CHANGE_WRITABLE,
    MM_CP_PROT_NUMA,
    MM_CP_UFFD_WP,
    MM_CP_UFFD_WP_RESOLVE,
    MM_CP_UFFD_WP_RESOLVE | MM_CP_TRY_CHANGE_WRITABLE,
  ]) {
    it(`guard and poison markers are untouched and uncounted (S3), cp_flags=${cp}`, () => {
      const w = world({ flags: VM_READ | VM_WRITE | VM_UFFD_WP, ptes: guards, cp_flags: cp });
      const out = change_protection_spec(w);
      expect(out.ptes).toEqual(guards);
      expect(out.count).toBe(0);
    });
  }
});

describe('softleaf downgrades (R-SL.1, R-SL.2, R-SL.5)', () => {
  const folios = [mkFolio({ pfn: 0x500 }), mkFolio({ pfn: 0x501, anon: false }), mkFolio({ pfn: 0x502, zoneDevice: true })];
  const uffdVma = { flags: VM_READ | VM_WRITE | VM_UFFD_WP } as const;

  it('migration-write -> readable-exclusive (anon) / readable (file), offset bits and soft-dirty kept', () => {
    const w = world({
      ...uffdVma,
      folios,
      ptes: [
        mk_softleaf('migration_write', 0x500, SWP_SOFT_DIRTY | SWP_MIG_DIRTY),
        mk_softleaf('migration_write', 0x501, SWP_MIG_YOUNG),
      ],
    });
    const out = change_protection_spec(w);
    expect(out.ptes).toEqual([
      mk_softleaf('migration_read_exclusive', 0x500, SWP_MIG_DIRTY | SWP_SOFT_DIRTY),
      mk_softleaf('migration_read', 0x501, SWP_MIG_YOUNG),
    ]);
    expect(out.count).toBe(2);
  });

  it('INV-22 pin: a plain call drops the swap uffd-wp bit of a migration-write entry; migrationDropsUffd=false keeps it', () => {
    const w = world({ ...uffdVma, folios, ptes: [mk_softleaf('migration_write', 0x500, SWP_UFFD_WP)] });
    expect(change_protection_spec(w).ptes[0]).toEqual(mk_softleaf('migration_read_exclusive', 0x500));
    expect(change_protection_spec(w, { migrationDropsUffd: false }).ptes[0]).toEqual(
      mk_softleaf('migration_read_exclusive', 0x500, SWP_UFFD_WP),
    );
  });

  it('device-private-write -> device-private-read: uffd-wp copied, soft-dirty dropped on purpose', () => {
    const w = world({ ...uffdVma, folios, ptes: [mk_softleaf('device_private_write', 0x502, SWP_UFFD_WP | SWP_SOFT_DIRTY)] });
    const out = change_protection_spec(w);
    expect(out.ptes[0]).toEqual(mk_softleaf('device_private_read', 0x502, SWP_UFFD_WP));
    expect(out.count).toBe(1);
  });

  it('other softleaf entries change only through the uffd tail, counted when changed (S5, S6)', () => {
    const swap = mk_softleaf('swap', 0x77, SWP_SOFT_DIRTY);
    const set = change_protection_spec(world({ ...uffdVma, ptes: [swap], cp_flags: MM_CP_UFFD_WP }));
    expect(set.ptes[0]).toEqual(mk_softleaf('swap', 0x77, SWP_SOFT_DIRTY | SWP_UFFD_WP));
    expect(set.count).toBe(1);
    const plain = change_protection_spec(world({ ...uffdVma, ptes: [swap] }));
    expect(plain.ptes[0]).toBe(swap);
    expect(plain.count).toBe(0);
  });
});

describe('NUMA hinting skip reasons (R-PRES.2, version C order)', () => {
  const reason = (ptes: Pte[], folios: WorldInit['folios'], extra: Partial<WorldInit> = {}, flags = VM_READ | VM_WRITE) =>
    explain_change_protection(world({ flags, ptes, folios, cp_flags: MM_CP_PROT_NUMA, ...extra })).notes[0]?.rule;
  const f = (init: Partial<Parameters<typeof mkFolio>[0]> = {}) => [mkFolio({ pfn: 0x600, nid: 1, ...init })];
  const p = [mk_pte(0x600, RO)];

  it('row by row', () => {
    expect(reason([mk_pte(0x600, _PAGE_PROTNONE)], f())).toBe('M:already-prot-none');
    expect(reason([mk_pte(0x10, RO | _PAGE_SPECIAL)], [])).toBe('M:no-normal-folio');
    expect(reason(p, f({ zoneDevice: true }))).toBe('M:zone-device');
    expect(reason(p, f({ ksm: true }))).toBe('M:ksm');
    expect(reason(p, f({ maybeMappedShared: true }))).toBe('M:shared-cow');
    expect(reason(p, f({ maybeMappedShared: true }), {}, VM_READ | VM_WRITE | VM_SHARED)).toBe('P1'); // not COW when shared
    expect(reason(p, f({ maybeDmaPinned: true }), {}, VM_READ | VM_SHARED)).toBe('M:dma-pinned'); // any mapping in C (Δ9)
    expect(reason(p, f({ anon: false, dirty: true }))).toBe('M:dirty-file');
    expect(reason(p, f({ nid: 0 }), { mm: { singleThreaded: true } })).toBe('M:already-local');
    const tiering = { currentNid: 0, topTierNids: [0], balancingNormal: false, memoryTiering: true };
    expect(reason(p, f({ nid: 0 }), { numa: tiering })).toBe('M:top-tier-without-normal-balancing');
    expect(reason(p, f())).toBe('P1');
  });

  it('a hinted entry becomes PROT_NONE, is counted, needs a flush; tiering stamps lower-tier folios (M3)', () => {
    const numa = { currentNid: 0, topTierNids: [0], balancingNormal: true, memoryTiering: true };
    const r = change_prot_numa_spec(world({ flags: VM_READ | VM_WRITE, ptes: p, folios: f(), numa }));
    expect(present(r.outcome.ptes[0]).flags & (_PAGE_PRESENT | _PAGE_PROTNONE)).toBe(_PAGE_PROTNONE);
    expect(r.outcome.count).toBe(1);
    expect(r.outcome.flushPages).toEqual([START]);
    expect(r.outcome.numaStamps).toEqual([0x600]);
  });
});

describe('shared writenotify: clean vs dirty (R-WR.3)', () => {
  const w = world({
    flags: VM_READ | VM_SHARED | VM_SOFTDIRTY,
    anonymous: false,
    vmaInit: { ops: { page_mkwrite: true, pfn_mkwrite: false }, fileCanWriteback: true },
    folios: [mkFolio({ pfn: 0x700, anon: false }), mkFolio({ pfn: 0x701, anon: false })],
    ptes: [mk_pte(0x700, RO | _PAGE_SAVED_DIRTY), mk_pte(0x701, RO)],
  });

  it('mprotect(RW) with page_mkwrite: TRY (V5 rule 2), the dirty page becomes writable, the clean one waits for its fault', () => {
    const r = mprotect_fixup_spec(w, VM_READ | VM_WRITE);
    expect(r.cp_flags).toBe(MM_CP_TRY_CHANGE_WRITABLE);
    expect(pte_write(present(r.outcome.ptes[0]))).toBe(true);
    expect(present(r.outcome.ptes[0]).flags & _PAGE_DIRTY).toBe(_PAGE_DIRTY); // SAVED_DIRTY moved back
    expect(pte_write(present(r.outcome.ptes[1]))).toBe(false);
    expect(r.outcome.flushPages).toEqual([START]); // x86 flushes when write is added
  });

  it('§5.4 stale vm_page_prot: shmem-like (no page_mkwrite) with uffd-wp gets no TRY on resolve; private does', () => {
    const shmem = mkVma({ start: 0, end: 1, flags: VM_READ | VM_WRITE | VM_SHARED | VM_UFFD_WP, anonymous: false });
    expect(wantsManualWriteUpgrade(shmem, X86_64)).toBe(false);
    const priv = mkVma({ start: 0, end: 1, flags: VM_READ | VM_WRITE | VM_UFFD_WP });
    expect(wantsManualWriteUpgrade(priv, X86_64)).toBe(true);
  });
});

describe('flush obligations, counts and preconditions', () => {
  it('PROT_NONE -> accessible needs no flush on x86 nor on arm64 since v6.19; uffd-wp alone needs none (R-COMMIT.3/4)', () => {
    const folios = [mkFolio({ pfn: 0x800 })];
    const x86 = change_protection_spec(world({ flags: VM_READ, folios, ptes: [mk_pte(0x800, _PAGE_PROTNONE)] }));
    expect(x86.flushPages).toEqual([]);
    const arm = change_protection_spec(world({ flags: VM_READ, folios, ptes: [mk_pte(0x800, _PAGE_PROTNONE)], config: ARM64 }));
    expect(arm.flushPages).toEqual([]); // c320dbb7c80d: arm64 elides invalid -> valid (before v6.19 it always flushed)
    const uffd = change_protection_spec(
      world({ flags: VM_READ | VM_UFFD_WP, folios, ptes: [mk_pte(0x800, RO | _PAGE_UFFD_WP)], cp_flags: MM_CP_UFFD_WP_RESOLVE }),
    );
    expect(uffd.flushPages).toEqual([]);
    expect(uffd.count).toBe(1); // R-PRES.6: counted although only a software bit changed
  });

  it('a fully covered huge PMD is updated whole: count 512, 512 flush pages (H4)', () => {
    const vma = mkVma({ start: START, end: START + 512, flags: VM_READ | VM_WRITE | VM_SOFTDIRTY });
    const w = mkWorld({
      vma,
      folios: [mkFolio({ pfn: 0x2000, order: 9 })],
      ptes: new Array<Pte>(512).fill(NONE_PTE),
      pmds: [{ kind: 'huge', pmd: mk_pte(0x2000, RW | _PAGE_DIRTY) }],
    });
    const r = mprotect_fixup_spec(w, VM_READ);
    const pmd = r.outcome.pmds[0];
    expect(pmd?.kind === 'huge' && !pte_write(pmd.pmd)).toBe(true);
    expect(r.outcome.count).toBe(HPAGE_PMD_NR);
    expect(r.outcome.flushPages).toHaveLength(HPAGE_PMD_NR);
  });

  it('mprotect with unchanged flags does not walk at all (C1)', () => {
    const w = world({
      flags: VM_READ | VM_WRITE,
      folios: [mkFolio({ pfn: 0x900 })],
      ptes: [mk_pte(0x900, RO | _PAGE_SOFT_DIRTY)],
    });
    const r = mprotect_fixup_spec(w, VM_READ | VM_WRITE);
    expect(r.cp_flags).toBeNull();
    expect(r.outcome.count).toBe(0);
    expect(r.outcome.ptes).toBe(w.ptes);
  });

  it('both uffd flags: SpecPreconditionError R-CP.1 (V1); an invalid world: the WorldError is wrapped (K0)', () => {
    const both = world({ flags: VM_READ | VM_UFFD_WP, ptes: [NONE_PTE], cp_flags: MM_CP_UFFD_WP | MM_CP_UFFD_WP_RESOLVE });
    expect(() => change_protection_spec(both)).toThrow(SpecPreconditionError);
    expect(() => change_protection_spec(both)).toThrow(/R-CP\.1/);
    const bad = world({ flags: VM_READ, ptes: [mk_pte(0x999, RO)] }); // no folio behind a normal PTE
    try {
      change_protection_spec(bad);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(SpecPreconditionError);
      expect((err as SpecPreconditionError).rule).toBe('W-PTE.7');
      expect((err as Error).cause).toBeInstanceOf(Error);
    }
  });

  it('never mutates its (deep-frozen) input', () => {
    const w = world({ flags: VM_READ | VM_WRITE, folios: [mkFolio({ pfn: 0xa00 })], ptes: [mk_pte(0xa00, RW | _PAGE_DIRTY)] });
    const before = JSON.stringify(w);
    expect(Object.isFrozen(w.ptes)).toBe(true);
    change_protection_spec(mkWorld({ ...w, cp_flags: MM_CP_PROT_NUMA }));
    change_protection_spec(w);
    expect(JSON.stringify(w)).toBe(before);
  });
});
