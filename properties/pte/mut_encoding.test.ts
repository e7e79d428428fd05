// SPDX-License-Identifier: GPL-2.0-only
// The trusted base's encoding helpers (src/pte: format, world builders, VMA,
// folio and softleaf helpers, addresses, freezing), written from the surviving
// and uncovered mutants of the focused Stryker run (docs/strength.md §1). The
// spec and the kernel model share these, so agreement between them cannot see
// a bug here; each test states the kernel fact or the documented contract:
//   vma_wants_writenotify(): mm/vma.c, its rules in order (R-VMA.5);
//   vma_set_page_prot(): mm/mmap.c, read-only when writenotify is wanted,
//     cache attributes (_PAGE_CHG_MASK) kept (R-VMA.1);
//   vm_normal_page(): a special entry has no struct page (mm/memory.c);
//   the softleaf predicates: include/linux/leafops.h, swapops.h;
//   pmd_addr_end(): the next PMD boundary, capped (include/linux/pgtable.h);
//   formatPte(): every set bit printed by name, so a report never hides one.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  _PAGE_ALL_BITS,
  _PAGE_PCD,
  _PAGE_PKEY_MASK,
  _PAGE_PKEY_SHIFT,
  _PAGE_PRESENT,
  _PAGE_RW,
  _PAGE_SPECIAL,
  _PAGE_USER,
  ARM64,
  CP_FLAG_NAMES,
  DEFAULT_MM,
  DEFAULT_NUMA,
  deepFreeze,
  flagNames,
  folio_contains_pfn,
  folio_nr_pages,
  folio_test_large,
  formatFlags,
  formatPte,
  formatWorld,
  MARKER_NAMES,
  MM_CP_PROT_NUMA,
  MM_CP_TRY_CHANGE_WRITABLE,
  make_pte_marker,
  make_readable_device_private_entry,
  make_readable_exclusive_migration_entry,
  make_readable_migration_entry,
  mk_softleaf,
  mkFolio,
  mkVma,
  mkVmaExact,
  mkWorld,
  NONE_PTE,
  type PmdSlot,
  PTE_FLAG_NAMES,
  PTE_MARKER_GUARD,
  PTE_MARKER_POISONED,
  PTE_MARKER_UFFD_WP,
  type Pte,
  page_anon_exclusive,
  pfn_folio,
  pmd_addr_end,
  pmd_index_of,
  pmd_of,
  pmd_span,
  pte_same,
  pte_swp_clear_uffd_wp,
  pte_swp_exclusive,
  pte_swp_mksoft_dirty,
  pte_swp_mkuffd_wp,
  pte_swp_soft_dirty,
  pte_swp_uffd_wp,
  SOFTLEAF_SHORT,
  SOFTLEAF_TYPES,
  type SoftleafType,
  SWP_EXCLUSIVE,
  SWP_FLAG_NAMES,
  SWP_MIG_DIRTY,
  SWP_MIG_YOUNG,
  SWP_SOFT_DIRTY,
  SWP_UFFD_WP,
  softleaf_has_pfn,
  softleaf_is_device_private_write,
  softleaf_is_guard_marker,
  softleaf_is_marker,
  softleaf_is_migration,
  softleaf_is_migration_write,
  softleaf_is_poison_marker,
  softleaf_is_uffd_wp_marker,
  userfaultfd_wp,
  VM_FLAG_NAMES,
  VM_MAYEXEC,
  VM_MAYREAD,
  VM_MAYWRITE,
  VM_PFNMAP,
  VM_READ,
  VM_SHARED,
  VM_SOFTDIRTY,
  VM_UFFD_WP,
  VM_WRITE,
  type Vma,
  vm_get_page_prot,
  vm_normal_folio,
  vma_page_prot,
  vma_soft_dirty_enabled,
  vma_wants_writenotify,
  type World,
  with_same_offset_bits,
  X86_64,
  X86_64_NO_SOFT_DIRTY,
} from '../../src/pte/index.js';

const SEED = 1_129;
const TYPES: readonly SoftleafType[] = SOFTLEAF_TYPES;

/** Names back to bits: what a reader of a report does. */
const bitsOf = (names: readonly string[], table: readonly (readonly [number, string])[]) =>
  names.reduce((m, n) => m | (table.find(([, name]) => name === n)?.[0] ?? Number.NaN), 0);

describe('formatPte: every set bit is printed by name, and nothing else', () => {
  it('a present entry reads back to its pfn, flags and pkey', () => {
    fc.assert(
      fc.property(fc.nat({ max: 0xfffff }), fc.nat({ max: _PAGE_ALL_BITS }), (pfn, flags) => {
        const text = formatPte({ kind: 'present', pfn, flags });
        const [head, ...names] = text.split(' ');
        expect(head).toBe(`pfn=0x${pfn.toString(16)}`);
        const pkey = (flags & _PAGE_PKEY_MASK) >> _PAGE_PKEY_SHIFT;
        const last = names.at(-1) ?? '';
        if (pkey) expect(names.pop()).toBe(`pkey=${pkey}`);
        else expect(last.startsWith('pkey=')).toBe(false);
        const rest = names.filter((n) => n !== '0');
        expect(bitsOf(rest, PTE_FLAG_NAMES)).toBe(flags & ~_PAGE_PKEY_MASK);
        expect(names.length === 1 && names[0] === '0').toBe((flags & ~_PAGE_PKEY_MASK) === 0);
      }),
      { seed: SEED, numRuns: 300 },
    );
  });
  it('none is a dot; a softleaf entry shows its kind, its offset (or pfn) and its swap bits', () => {
    expect(formatPte(NONE_PTE)).toBe('.');
    for (const type of TYPES.filter((t) => t !== 'marker')) {
      const text = formatPte(mk_softleaf(type, 0x1a2, SWP_SOFT_DIRTY | SWP_MIG_DIRTY));
      const what = type === 'swap' ? 'off=0x1a2' : 'pfn=0x1a2';
      expect(text).toBe(`${SOFTLEAF_SHORT[type]} ${what} sd dirty`);
      expect(formatPte(mk_softleaf(type, 0x1a2))).toBe(`${SOFTLEAF_SHORT[type]} ${what}`);
    }
    expect(new Set(Object.values(SOFTLEAF_SHORT)).size).toBe(TYPES.length);
  });
  it('a marker shows its marker bits by name, comma-separated', () => {
    expect(formatPte(make_pte_marker(PTE_MARKER_UFFD_WP | PTE_MARKER_GUARD))).toBe('marker uffd-wp,guard');
    expect(formatPte(make_pte_marker(0))).toBe('marker 0');
  });
  it('an unknown entry kind is a TypeError naming it', () => {
    expect(() => formatPte({ kind: 'odd' } as unknown as Pte)).toThrow(TypeError);
    expect(() => formatPte({ kind: 'odd' } as unknown as Pte)).toThrow('unknown entry {"kind":"odd"}');
  });
  it('flagNames and formatFlags list the set bits in table order; no bit is 0', () => {
    expect(flagNames(VM_WRITE | VM_READ, VM_FLAG_NAMES)).toEqual(['VM_READ', 'VM_WRITE']);
    expect(formatFlags(0, CP_FLAG_NAMES)).toBe('0');
    expect(formatFlags(MM_CP_PROT_NUMA | MM_CP_TRY_CHANGE_WRITABLE, CP_FLAG_NAMES)).toBe(
      'MM_CP_TRY_CHANGE_WRITABLE|MM_CP_PROT_NUMA',
    );
    expect(formatFlags(SWP_UFFD_WP | SWP_EXCLUSIVE, SWP_FLAG_NAMES, ',')).toBe('uw,excl');
    expect(formatFlags(PTE_MARKER_POISONED, MARKER_NAMES)).toBe('poison');
  });
});

describe('formatWorld: the call, the VMA, each PMD that is not a table, each slot and each folio', () => {
  const w = mkWorld({
    config: X86_64,
    vma: mkVma({
      start: 0x3fe,
      end: 0x402,
      flags: VM_READ | VM_WRITE | VM_SHARED | VM_UFFD_WP,
      anonymous: false,
      pkey: 3,
      uffdWpUnpopulated: true,
      ops: { page_mkwrite: true, pfn_mkwrite: false },
    }),
    folios: [mkFolio({ pfn: 0x40, order: 1, anon: false, dirty: true, maybeDmaPinned: true, maybeMappedShared: true, nid: 1 })],
    pmds: [{ kind: 'table' }, { kind: 'none' }],
    ptes: [{ kind: 'present', pfn: 0x40, flags: _PAGE_PRESENT | _PAGE_USER }, NONE_PTE, NONE_PTE, NONE_PTE],
    range: { start: 0x3ff, end: 0x401 },
    cp_flags: MM_CP_PROT_NUMA,
  });
  // Formatted inside each test: Stryker's per-test coverage only sees code run inside a test.
  const lines = () => formatWorld(w).split('\n');
  it('prints the call, the VMA and its attributes', () => {
    expect(lines()[0]).toBe('change_protection(MM_CP_PROT_NUMA) range [0x3ff, 0x401) x86-64+softdirty');
    expect(lines()[1]).toBe(
      'vma [0x3fe, 0x402) VM_READ|VM_WRITE|VM_SHARED|VM_MAYREAD|VM_MAYWRITE|VM_MAYEXEC|VM_UFFD_WP file page_mkwrite WP_UNPOPULATED pkey=3',
    );
  });
  it('marks the slots inside the range, one row per slot, then the folios with their facts', () => {
    expect(lines().slice(2)).toEqual([
      'pmd[1] none (no PTE table)',
      '  0x3fe  pfn=0x40 P U',
      '* 0x3ff  .',
      '* 0x400  .',
      '  0x401  .',
      'folio 0x40 order 1 file,shared,pinned,dirty nid 1 excl ..',
    ]);
  });
  it('an anon VMA without extras, arm64 without soft-dirty, an anon KSM or device folio', () => {
    const a = mkWorld({
      config: ARM64,
      vma: mkVma({ start: 0, end: 1, flags: VM_READ }, ARM64),
      folios: [
        mkFolio({ pfn: 0x8, ksm: true }),
        mkFolio({ pfn: 0x9, anon: false, zoneDevice: true }),
        mkFolio({ pfn: 0x20, order: 5 }),
      ],
      ptes: [NONE_PTE],
    });
    expect(formatWorld(a).split('\n')).toEqual([
      'change_protection(0) range [0x0, 0x1) arm64',
      'vma [0x0, 0x1) VM_READ|VM_MAYREAD|VM_MAYWRITE|VM_MAYEXEC anon',
      '* 0x0  .',
      'folio 0x8 order 0 anon,ksm nid 0 excl .',
      'folio 0x9 order 0 file,zone-device nid 0 excl .',
      `folio 0x20 order 5 anon nid 0 excl ${'X'.repeat(32)}`,
    ]);
  });
  it('a huge PMD and a non-present huge PMD each show their entry; long exclusivity maps are cut', () => {
    const pmds: PmdSlot[] = [
      { kind: 'huge', pmd: { kind: 'present', pfn: 0x200, flags: _PAGE_PRESENT } },
      { kind: 'softleaf', pmd: make_readable_migration_entry(0x400) },
    ];
    const h = mkWorld({
      vma: mkVma({ start: 0, end: 1024, flags: VM_READ }),
      folios: [mkFolio({ pfn: 0x200, order: 9 })],
      pmds,
      ptes: new Array<Pte>(1024).fill(NONE_PTE),
    });
    const out = formatWorld(h).split('\n');
    expect(out[2]).toBe('pmd[0] huge pfn=0x200 P');
    expect(out[3]).toBe('pmd[1] softleaf mig-r pfn=0x400');
    expect(out.at(-1)).toBe(`folio 0x200 order 9 anon nid 0 excl ${'X'.repeat(32)}…`);
    expect(out).toHaveLength(2 + 2 + 1024 + 1);
  });
});

describe('world builders: defaults as documented', () => {
  it('mkFolio: an order-0 exclusive anon page on node 0 unless told otherwise', () => {
    expect(mkFolio({ pfn: 4 })).toEqual({
      pfn: 4,
      order: 0,
      anon: true,
      ksm: false,
      zoneDevice: false,
      nid: 0,
      maybeMappedShared: false,
      maybeDmaPinned: false,
      fileLru: false,
      dirty: false,
      anonExclusive: [true],
    });
    expect(mkFolio({ pfn: 8, order: 2, anon: false })).toMatchObject({
      fileLru: true,
      anonExclusive: [false, false, false, false],
    });
    expect(mkFolio({ pfn: 8, order: 1, ksm: true }).anonExclusive).toEqual([false, false]);
    expect(mkFolio({ pfn: 8, order: 1, anonExclusive: [false, true] }).anonExclusive).toEqual([false, true]);
    const all = {
      pfn: 2,
      order: 1,
      anon: false,
      ksm: false,
      zoneDevice: true,
      nid: 3,
      maybeMappedShared: true,
      maybeDmaPinned: true,
      fileLru: false,
      dirty: true,
      anonExclusive: [false, false],
    };
    expect(mkFolio(all)).toEqual(all);
  });
  it('mkVma adds VM_MAY*, defaults to an anonymous VMA, and computes vm_page_prot', () => {
    const v = mkVma({ start: 1, end: 3, flags: VM_READ });
    expect(v).toEqual({
      start: 1,
      end: 3,
      flags: VM_READ | VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC,
      pkey: 0,
      anonymous: true,
      ops: { page_mkwrite: false, pfn_mkwrite: false },
      fileCanWriteback: false,
      uffdWpUnpopulated: false,
      vm_page_prot: vm_get_page_prot(VM_READ | VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC, 0),
    });
    const f = mkVma({
      start: 1,
      end: 3,
      flags: VM_READ,
      anonymous: false,
      pkey: 2,
      fileCanWriteback: true,
      uffdWpUnpopulated: true,
    });
    expect(f).toMatchObject({ anonymous: false, pkey: 2, fileCanWriteback: true, uffdWpUnpopulated: true });
    expect(mkVmaExact({ ...f, flags: VM_READ }).flags).toBe(VM_READ);
    expect(mkVmaExact({ ...f, flags: VM_READ }, ARM64).vm_page_prot).toBe(
      vma_page_prot({ ...f, flags: VM_READ, vm_page_prot: undefined }, ARM64),
    );
  });
  it('mkWorld fills the defaults and freezes the world', () => {
    const vma = mkVma({ start: 510, end: 514, flags: VM_READ });
    const w = mkWorld({ vma, ptes: [NONE_PTE, NONE_PTE, NONE_PTE, NONE_PTE] });
    expect(w.config).toBe(X86_64);
    expect(w.mm).toEqual(DEFAULT_MM);
    expect(w.numa).toEqual(DEFAULT_NUMA);
    expect(w.folios).toEqual([]);
    expect(w.pmds).toEqual([{ kind: 'table' }, { kind: 'table' }]);
    expect(w.range).toEqual({ start: 510, end: 514 });
    expect(w.cp_flags).toBe(0);
    expect(Object.isFrozen(w) && Object.isFrozen(w.pmds) && Object.isFrozen(w.vma)).toBe(true);
  });
});

describe('VMA helpers (mm/vma.c, mm/mmap.c)', () => {
  const shared = (o: Partial<Vma> = {}): Vma => ({
    ...mkVma({ start: 0, end: 1, flags: VM_READ | VM_WRITE | VM_SHARED | VM_SOFTDIRTY, anonymous: false }),
    ...o,
  });
  const full = (v: Vma) => vm_get_page_prot(v.flags, v.pkey);
  it('soft-dirty tracking is on iff built in and VM_SOFTDIRTY is clear; uffd-wp iff VM_UFFD_WP', () => {
    const v = shared();
    expect(vma_soft_dirty_enabled(v, X86_64)).toBe(false);
    expect(vma_soft_dirty_enabled({ ...v, flags: v.flags & ~VM_SOFTDIRTY }, X86_64)).toBe(true);
    expect(vma_soft_dirty_enabled({ ...v, flags: v.flags & ~VM_SOFTDIRTY }, X86_64_NO_SOFT_DIRTY)).toBe(false);
    expect(userfaultfd_wp(v)).toBe(false);
    expect(userfaultfd_wp({ ...v, flags: v.flags | VM_UFFD_WP })).toBe(true);
  });
  it('vma_wants_writenotify: only shared writable VMAs, then the first rule that fires decides', () => {
    const v = shared();
    const wn = (o: Partial<Vma>, prot = full({ ...v, ...o })) => vma_wants_writenotify({ ...v, ...o }, prot, X86_64);
    expect(wn({})).toBe(false); // 7: no writeback
    expect(wn({ fileCanWriteback: true })).toBe(true); // 7
    expect(wn({ flags: VM_READ | VM_SHARED, ops: { page_mkwrite: true, pfn_mkwrite: true } })).toBe(false); // 1
    expect(wn({ flags: VM_READ | VM_WRITE, ops: { page_mkwrite: true, pfn_mkwrite: true } })).toBe(false); // 1
    expect(wn({ ops: { page_mkwrite: true, pfn_mkwrite: false } }, 0)).toBe(true); // 2, even with a stale prot
    expect(wn({ ops: { page_mkwrite: false, pfn_mkwrite: true } }, 0)).toBe(true); // 2
    const stale = vm_get_page_prot(VM_READ | VM_SHARED, 0);
    expect(wn({ fileCanWriteback: true, flags: VM_READ | VM_WRITE | VM_SHARED }, stale)).toBe(false); // 3
    expect(wn({ flags: VM_READ | VM_WRITE | VM_SHARED })).toBe(true); // 4: soft-dirty tracking
    expect(wn({ flags: v.flags | VM_UFFD_WP })).toBe(true); // 5
    expect(wn({ flags: v.flags | VM_PFNMAP, fileCanWriteback: true })).toBe(false); // 6
  });
  it('vma_page_prot: the full prot, or read-only when writenotify is wanted; cache bits of the old prot kept', () => {
    const v = shared();
    const noWp = vma_page_prot({ ...v, vm_page_prot: undefined }, X86_64);
    expect(noWp).toBe(full(v));
    expect(noWp & _PAGE_RW).toBe(_PAGE_RW);
    const wp = vma_page_prot({ ...v, fileCanWriteback: true, vm_page_prot: undefined }, X86_64);
    expect(wp).toBe(vm_get_page_prot(v.flags & ~VM_SHARED, 0));
    expect(wp & _PAGE_RW).toBe(0);
    const uncached = vma_page_prot({ ...v, vm_page_prot: full(v) | _PAGE_PCD }, X86_64);
    expect(uncached).toBe(full(v) | _PAGE_PCD);
    const uncachedWp = vma_page_prot({ ...v, fileCanWriteback: true, vm_page_prot: full(v) | _PAGE_PCD }, X86_64);
    expect(uncachedWp).toBe(wp | _PAGE_PCD);
  });
});

describe('folio lookups', () => {
  const f = mkFolio({ pfn: 0x10, order: 2, anonExclusive: [true, false, true, false] });
  const world = (ptes: Pte[]) =>
    mkWorld({ vma: mkVma({ start: 0, end: ptes.length, flags: VM_READ }), folios: [mkFolio({ pfn: 0x4 }), f], ptes });
  it('size, largeness and the pages a folio contains', () => {
    expect(folio_nr_pages(f)).toBe(4);
    expect(folio_test_large(f)).toBe(true);
    expect(folio_test_large(mkFolio({ pfn: 1 }))).toBe(false);
    expect([0xf, 0x10, 0x13, 0x14].map((pfn) => folio_contains_pfn(f, pfn))).toEqual([false, true, true, false]);
  });
  it('pfn_folio finds the folio holding a pfn, or null', () => {
    const folios = [mkFolio({ pfn: 0x4 }), f];
    expect(pfn_folio(folios, 0x12)).toBe(f);
    expect(pfn_folio(folios, 0x4)).toBe(folios[0]);
    expect(pfn_folio(folios, 0x5)).toBeNull();
  });
  it('vm_normal_folio: a special entry has no normal page, even over a folio', () => {
    const w = world([{ kind: 'present', pfn: 0x11, flags: _PAGE_PRESENT }]);
    expect(vm_normal_folio(w, { kind: 'present', pfn: 0x11, flags: _PAGE_PRESENT })).toBe(f);
    expect(vm_normal_folio(w, { kind: 'present', pfn: 0x11, flags: _PAGE_PRESENT | _PAGE_SPECIAL })).toBeNull();
    expect(vm_normal_folio(w, { kind: 'present', pfn: 0x99, flags: _PAGE_PRESENT })).toBeNull();
  });
  it('page_anon_exclusive reads the page of the pfn', () => {
    expect([0x10, 0x11, 0x12, 0x13].map((pfn) => page_anon_exclusive(f, pfn))).toEqual([true, false, true, false]);
    expect(page_anon_exclusive(f, 0x14)).toBe(false);
  });
});

describe('softleaf entries (leafops.h, swapops.h)', () => {
  it('which kinds carry a pfn, which are migration, device-private-write or markers', () => {
    const e = (t: SoftleafType) => mk_softleaf(t, 0x10);
    expect(TYPES.filter((t) => softleaf_has_pfn(e(t)))).toEqual(TYPES.filter((t) => t !== 'swap' && t !== 'marker'));
    expect(TYPES.filter((t) => softleaf_is_migration(e(t)))).toEqual([
      'migration_read',
      'migration_read_exclusive',
      'migration_write',
    ]);
    expect(TYPES.filter((t) => softleaf_is_migration_write(e(t)))).toEqual(['migration_write']);
    expect(TYPES.filter((t) => softleaf_is_device_private_write(e(t)))).toEqual(['device_private_write']);
    expect(TYPES.filter((t) => softleaf_is_marker(e(t)))).toEqual(['marker']);
    expect(mk_softleaf('swap', 3)).toEqual({ kind: 'softleaf', type: 'swap', offset: 3, flags: 0 });
  });
  it('the marker predicates test one bit of a marker, and never match another kind', () => {
    const all = make_pte_marker(PTE_MARKER_UFFD_WP | PTE_MARKER_POISONED | PTE_MARKER_GUARD);
    expect([softleaf_is_uffd_wp_marker, softleaf_is_poison_marker, softleaf_is_guard_marker].map((f) => f(all))).toEqual([
      true,
      true,
      true,
    ]);
    for (const bit of [PTE_MARKER_UFFD_WP, PTE_MARKER_POISONED, PTE_MARKER_GUARD]) {
      const m = make_pte_marker(bit);
      expect([softleaf_is_uffd_wp_marker(m), softleaf_is_poison_marker(m), softleaf_is_guard_marker(m)]).toEqual([
        bit === PTE_MARKER_UFFD_WP,
        bit === PTE_MARKER_POISONED,
        bit === PTE_MARKER_GUARD,
      ]);
      const swap = mk_softleaf('swap', bit);
      expect([softleaf_is_uffd_wp_marker(swap), softleaf_is_poison_marker(swap), softleaf_is_guard_marker(swap)]).toEqual([
        false,
        false,
        false,
      ]);
    }
  });
  it('the constructors build the kind they name', () => {
    expect(make_readable_migration_entry(5)).toEqual(mk_softleaf('migration_read', 5));
    expect(make_readable_exclusive_migration_entry(5)).toEqual(mk_softleaf('migration_read_exclusive', 5));
    expect(make_readable_device_private_entry(5)).toEqual(mk_softleaf('device_private_read', 5));
    expect(make_pte_marker(PTE_MARKER_GUARD)).toEqual(mk_softleaf('marker', PTE_MARKER_GUARD));
  });
  it('swap bits: each getter reads its bit; the setters set or clear only theirs', () => {
    expect(pte_swp_exclusive(mk_softleaf('swap', 9, SWP_SOFT_DIRTY | SWP_UFFD_WP))).toBe(false);
    const e = mk_softleaf('swap', 9, SWP_EXCLUSIVE);
    expect([pte_swp_soft_dirty(e), pte_swp_uffd_wp(e), pte_swp_exclusive(e)]).toEqual([false, false, true]);
    const sd = pte_swp_mksoft_dirty(e);
    expect(sd).toEqual(mk_softleaf('swap', 9, SWP_EXCLUSIVE | SWP_SOFT_DIRTY));
    expect(pte_swp_mksoft_dirty(sd)).toEqual(sd);
    const uw = pte_swp_mkuffd_wp(sd);
    expect([pte_swp_soft_dirty(uw), pte_swp_uffd_wp(uw)]).toEqual([true, true]);
    expect(pte_swp_clear_uffd_wp(uw)).toEqual(sd);
    expect(pte_swp_clear_uffd_wp(sd)).toEqual(sd);
    expect(e).toEqual(mk_softleaf('swap', 9, SWP_EXCLUSIVE)); // inputs untouched
  });
  it('with_same_offset_bits carries only the masked bits of the old entry over', () => {
    const from = mk_softleaf('migration_write', 7, SWP_MIG_YOUNG | SWP_MIG_DIRTY | SWP_SOFT_DIRTY);
    const to = mk_softleaf('migration_read', 7, SWP_UFFD_WP);
    expect(with_same_offset_bits(from, to, SWP_MIG_YOUNG | SWP_MIG_DIRTY)).toEqual(
      mk_softleaf('migration_read', 7, SWP_UFFD_WP | SWP_MIG_YOUNG | SWP_MIG_DIRTY),
    );
    expect(with_same_offset_bits(from, to, 0)).toEqual(to);
  });
  it('pte_same compares kind, then pfn and flags, or type, offset and flags', () => {
    const P = (pfn: number, flags: number): Pte => ({ kind: 'present', pfn, flags });
    expect(pte_same(NONE_PTE, { kind: 'none' })).toBe(true);
    expect(pte_same(NONE_PTE, P(0, 0))).toBe(false);
    expect(pte_same(P(1, 2), P(1, 2))).toBe(true);
    expect(pte_same(P(1, 2), P(1, 3))).toBe(false);
    expect(pte_same(P(1, 2), P(2, 2))).toBe(false);
    const s = mk_softleaf('swap', 1, 2);
    expect(pte_same(s, mk_softleaf('swap', 1, 2))).toBe(true);
    expect(pte_same(s, mk_softleaf('hwpoison', 1, 2))).toBe(false);
    expect(pte_same(s, mk_softleaf('swap', 2, 2))).toBe(false);
    expect(pte_same(s, mk_softleaf('swap', 1, 3))).toBe(false);
  });
});

describe('addresses (pgtable.h) and freezing', () => {
  it('pmd_index_of, pmd_addr_end and pmd_span in pages of 512 per table', () => {
    expect([0, 511, 512, 1023, 1024].map(pmd_index_of)).toEqual([0, 0, 1, 1, 2]);
    expect(pmd_addr_end(0, 2000)).toBe(512);
    expect(pmd_addr_end(511, 2000)).toBe(512);
    expect(pmd_addr_end(512, 2000)).toBe(1024);
    expect(pmd_addr_end(600, 700)).toBe(700);
    expect(pmd_addr_end(600, 1024)).toBe(1024);
    expect([pmd_span(0, 512), pmd_span(0, 513), pmd_span(511, 513), pmd_span(512, 1024)]).toEqual([1, 2, 2, 1]);
  });
  it('pmd_of returns the slot of a vpn, and names a vpn outside the span', () => {
    const w: World = mkWorld({
      vma: mkVma({ start: 1000, end: 1030, flags: VM_READ }),
      pmds: [{ kind: 'table' }, { kind: 'none' }],
      ptes: new Array<Pte>(30).fill(NONE_PTE),
    });
    expect(pmd_of(w, 1023).kind).toBe('table');
    expect(pmd_of(w, 1024).kind).toBe('none');
    expect(() => pmd_of(w, 1536)).toThrow(new RangeError("vpn 1536 lies outside the VMA's PMD span"));
    expect(() => pmd_of(w, 511)).toThrow(RangeError);
  });
  it('deepFreeze freezes every nested object and array, returns its argument, and passes primitives through', () => {
    const v = { a: [{ b: 1 }], c: { d: { e: [2] } } };
    expect(deepFreeze(v)).toBe(v);
    expect([v, v.a, v.a[0], v.c, v.c.d, v.c.d.e].every(Object.isFrozen)).toBe(true);
    expect(deepFreeze(3)).toBe(3);
    expect(deepFreeze(null)).toBeNull();
    expect(() => {
      (v.c.d.e as number[]).push(1);
    }).toThrow(TypeError);
  });
});
