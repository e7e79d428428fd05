// SPDX-License-Identifier: GPL-2.0-only
// World validation (src/pte/validate.ts), written from the surviving and
// uncovered mutants of the focused Stryker run (docs/strength.md §1): one
// valid world, then for each world rule a copy that breaks exactly that rule
// (checkWorld() names exactly that field and rule) and, where the rule has a
// boundary, a copy that sits right on it and stays valid. The rules restate
// kernel facts (SEMANTICS §3-§6): an x86 PTE is PRESENT or PROTNONE, never
// both (pgtable_types.h); Write=0,Dirty=1 is the shadow-stack encoding; a
// private writable PTE maps an exclusive anon page; pkeys are 4 bits; folios
// are naturally aligned, at most PMD order; real callers pass the cp_flags of
// SEMANTICS §6.1; a huge PMD maps the head of an order-9 folio.
import { describe, expect, it } from 'vitest';
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
  assertValidWorld,
  checkWorld,
  type Folio,
  type KConfig,
  MM_CP_PROT_NUMA,
  MM_CP_TRY_CHANGE_WRITABLE,
  MM_CP_UFFD_WP,
  MM_CP_UFFD_WP_RESOLVE,
  mk_softleaf,
  mkFolio,
  mkVma,
  mkWorld,
  NONE_PTE,
  type PmdSlot,
  PTE_MARKER_GUARD,
  PTE_MARKER_UFFD_WP,
  type Pte,
  REAL_CP_FLAGS,
  type SoftleafType,
  SWP_EXCLUSIVE,
  SWP_MIG_DIRTY,
  SWP_MIG_YOUNG,
  SWP_SOFT_DIRTY,
  SWP_UFFD_WP,
  VM_MIXEDMAP,
  VM_PFNMAP,
  VM_READ,
  VM_SHARED,
  VM_UFFD_WP,
  VM_WRITE,
  type Vma,
  type VmaInit,
  type World,
  WorldError,
  X86_64,
  X86_64_NO_SOFT_DIRTY,
} from '../../src/pte/index.js';

const RO = _PAGE_PRESENT | _PAGE_USER | _PAGE_NX | _PAGE_ACCESSED;
const p = (pfn: number, flags = RO): Pte => ({ kind: 'present', pfn, flags });
const FOLIO = mkFolio({ pfn: 0x100, order: 2 });

interface Over {
  config?: KConfig;
  vma?: Partial<VmaInit>;
  rawVma?: Partial<Vma>;
  folios?: Folio[];
  ptes?: Pte[];
  pmds?: PmdSlot[];
  range?: { start: number; end: number };
  cp_flags?: number;
}

/**
 * The base world: a private anon read/write VMA [0x10, 0x14), registered for
 * uffd-wp, one order-2 anon folio at pfn 0x100 mapped read-only, whole range.
 */
function world(o: Over = {}): World {
  const config = o.config ?? X86_64;
  const vma = { ...mkVma({ start: 0x10, end: 0x14, flags: VM_READ | VM_WRITE | VM_UFFD_WP, ...o.vma }, config), ...o.rawVma };
  return mkWorld({
    config,
    vma,
    folios: o.folios ?? [FOLIO],
    ptes: o.ptes ?? [p(0x100), p(0x101), p(0x102), p(0x103)],
    ...(o.pmds ? { pmds: o.pmds } : {}),
    range: o.range ?? { start: vma.start, end: vma.end },
    cp_flags: o.cp_flags ?? 0,
  });
}
const problems = (w: World) => checkWorld(w).map((q) => [q.field, q.rule]);
const slot0 = (pte: Pte, o: Over = {}) => world({ ...o, ptes: [pte, p(0x101), p(0x102), p(0x103)] });

describe('checkWorld: the base world is valid, and so is each boundary case', () => {
  it.each<[string, Over]>([
    ['the base world', {}],
    ['pkey 15', { vma: { pkey: 15 } }],
    ['a range of one page at the end', { range: { start: 0x13, end: 0x14 } }],
    ['WP_UNPOPULATED on a uffd-wp VMA', { vma: { uffdWpUnpopulated: true } }],
    ['an order-9 folio', { folios: [FOLIO, mkFolio({ pfn: 0x200, order: 9 })] }],
    ['folios that touch without overlapping', { folios: [FOLIO, mkFolio({ pfn: 0x104, order: 2 })] }],
    ['a writable PTE on an exclusive anon page', { ptes: [p(0x100, RO | _PAGE_RW | _PAGE_DIRTY), NONE_PTE, NONE_PTE, NONE_PTE] }],
    [
      'a writable PTE in a shared VMA',
      { vma: { flags: VM_READ | VM_WRITE | VM_SHARED }, ptes: [p(0x100, RO | _PAGE_RW), NONE_PTE, NONE_PTE, NONE_PTE] },
    ],
    ['a PROT_NONE PTE', { ptes: [p(0x100, (RO & ~_PAGE_PRESENT) | _PAGE_PROTNONE), NONE_PTE, NONE_PTE, NONE_PTE] }],
    ['a read-only saved-dirty PTE', { ptes: [p(0x100, RO | _PAGE_SAVED_DIRTY), NONE_PTE, NONE_PTE, NONE_PTE] }],
    [
      'a soft-dirty and a uffd-wp PTE',
      { ptes: [p(0x100, RO | _PAGE_SOFT_DIRTY), p(0x101, RO | _PAGE_UFFD_WP), NONE_PTE, NONE_PTE] },
    ],
    ['a special PTE outside every folio', { ptes: [p(0x9000, RO | _PAGE_SPECIAL), NONE_PTE, NONE_PTE, NONE_PTE] }],
    [
      'softleaf entries of every kind with their allowed bits',
      {
        folios: [FOLIO, mkFolio({ pfn: 0x400, order: 0, anon: false, zoneDevice: true })],
        ptes: [
          mk_softleaf('swap', 0x7, SWP_EXCLUSIVE | SWP_SOFT_DIRTY | SWP_UFFD_WP),
          mk_softleaf('migration_write', 0x101, SWP_MIG_YOUNG | SWP_MIG_DIRTY),
          mk_softleaf('device_private_read', 0x400),
          mk_softleaf('hwpoison', 0x9999),
        ],
      },
    ],
    [
      'uffd-wp and guard markers',
      { ptes: [mk_softleaf('marker', PTE_MARKER_UFFD_WP), mk_softleaf('marker', PTE_MARKER_GUARD), NONE_PTE, NONE_PTE] },
    ],
    ['every real cp_flags combination', { cp_flags: MM_CP_UFFD_WP_RESOLVE | MM_CP_TRY_CHANGE_WRITABLE }],
  ])('%s', (_, o) => {
    expect(problems(world(o))).toEqual([]);
    expect(() => assertValidWorld(world(o))).not.toThrow();
  });
  it('every combination in REAL_CP_FLAGS is accepted on a uffd-wp VM_WRITE VMA', () => {
    for (const cp of REAL_CP_FLAGS) expect(problems(world({ cp_flags: cp }))).toEqual([]);
  });
  it('a VMA spanning two PMDs with a huge PMD over the second, mapping an order-9 folio head', () => {
    const w = mkWorld({
      vma: mkVma({ start: 0, end: 1024, flags: VM_READ }),
      folios: [mkFolio({ pfn: 0x200, order: 9 })],
      pmds: [{ kind: 'none' }, { kind: 'huge', pmd: { kind: 'present', pfn: 0x200, flags: RO } }],
      ptes: new Array<Pte>(1024).fill(NONE_PTE),
      range: { start: 100, end: 1000 },
    });
    expect(problems(w)).toEqual([]);
  });
});

describe('checkWorld: each broken rule is named once, with its field', () => {
  it.each<[string, Over, [string, string][]]>([
    ['an unknown arch', { rawVma: {}, config: { arch: 'sparc' as 'arm64', memSoftDirty: false } }, [['config.arch', 'W-CFG.1']]],
    ['soft-dirty on arm64', { config: { ...ARM64, memSoftDirty: true } }, [['config.memSoftDirty', 'W-CFG.2']]],
    ['an empty VMA', { rawVma: { end: 0x10 }, ptes: [] }, [['vma', 'W-VMA.1']]],
    ['a VMA ending before it starts', { rawVma: { end: 0x8 }, ptes: [] }, [['vma', 'W-VMA.1']]],
    ['a negative VMA start', { rawVma: { start: -1 } }, [['vma', 'W-VMA.1']]],
    ['a fractional VMA end', { rawVma: { end: 19.5 } }, [['vma', 'W-VMA.1']]],
    ['an unknown VM_ flag', { rawVma: { flags: VM_READ | (1 << 11) } }, [['vma.flags', 'W-VMA.2']]],
    ['a fractional VM_ flags value', { rawVma: { flags: 0.5 } }, [['vma.flags', 'W-VMA.2']]],
    ['pkey 16', { rawVma: { pkey: 16 } }, [['vma.pkey', 'W-VMA.3']]],
    ['pkey -1', { rawVma: { pkey: -1 } }, [['vma.pkey', 'W-VMA.3']]],
    [
      'an anonymous VMA with page_mkwrite',
      { rawVma: { ops: { page_mkwrite: true, pfn_mkwrite: false } } },
      [['vma.anonymous', 'W-VMA.4']],
    ],
    [
      'an anonymous VMA with pfn_mkwrite',
      { rawVma: { ops: { page_mkwrite: false, pfn_mkwrite: true } } },
      [['vma.anonymous', 'W-VMA.4']],
    ],
    ['an anonymous VMA that writes back', { rawVma: { fileCanWriteback: true } }, [['vma.anonymous', 'W-VMA.4']]],
    [
      'an anonymous PFNMAP VMA',
      { vma: { flags: VM_READ | VM_PFNMAP }, ptes: [NONE_PTE, NONE_PTE, NONE_PTE, NONE_PTE] },
      [['vma.flags', 'W-VMA.4']],
    ],
    ['an anonymous MIXEDMAP VMA', { vma: { flags: VM_READ | VM_MIXEDMAP } }, [['vma.flags', 'W-VMA.4']]],
    [
      'WP_UNPOPULATED without uffd-wp',
      { vma: { flags: VM_READ, uffdWpUnpopulated: true } },
      [['vma.uffdWpUnpopulated', 'W-VMA.5']],
    ],
    [
      'vm_page_prot without _PAGE_ACCESSED',
      { rawVma: { vm_page_prot: RO & ~_PAGE_ACCESSED } },
      [['vma.vm_page_prot', 'W-VMA.6']],
    ],
    ['vm_page_prot not computed from the flags', { rawVma: { vm_page_prot: RO | _PAGE_RW } }, [['vma.vm_page_prot', 'R-VMA.1']]],
    // Another VMA problem first: vm_page_prot is then not judged (it depends on the broken fields).
    ['pkey 16 with a stale vm_page_prot', { rawVma: { pkey: 16, vm_page_prot: RO | _PAGE_RW } }, [['vma.pkey', 'W-VMA.3']]],
    [
      'pkey 16 with vm_page_prot lacking accessed',
      { rawVma: { pkey: 16, vm_page_prot: RO & ~_PAGE_ACCESSED } },
      [['vma.pkey', 'W-VMA.3']],
    ],
    ['an empty range', { range: { start: 0x11, end: 0x11 } }, [['range', 'W-RANGE.1']]],
    ['a range starting before the VMA', { range: { start: 0xf, end: 0x12 } }, [['range', 'W-RANGE.1']]],
    ['a range ending after the VMA', { range: { start: 0x11, end: 0x15 } }, [['range', 'W-RANGE.1']]],
    ['a negative range start', { rawVma: {}, range: { start: -1, end: 0x12 } }, [['range', 'W-RANGE.1']]],
    ['a fractional range end', { range: { start: 0x10, end: 17.5 } }, [['range', 'W-RANGE.1']]],
    ['an unknown MM_CP_ flag', { cp_flags: 1 << 4 }, [['cp_flags', 'W-CP.1']]],
    ['a fractional cp_flags', { cp_flags: 0.5 }, [['cp_flags', 'W-CP.1']]],
    ['MM_CP_UFFD_WP with RESOLVE', { cp_flags: MM_CP_UFFD_WP | MM_CP_UFFD_WP_RESOLVE }, [['cp_flags', 'R-CP.1']]],
    ['PROT_NUMA with TRY', { cp_flags: MM_CP_PROT_NUMA | MM_CP_TRY_CHANGE_WRITABLE }, [['cp_flags', 'W-CP.2']]],
    [
      'MM_CP_UFFD_WP on an unregistered VMA',
      { vma: { flags: VM_READ | VM_WRITE }, cp_flags: MM_CP_UFFD_WP },
      [['cp_flags', 'W-CP.3']],
    ],
    [
      'RESOLVE on an unregistered VMA',
      { vma: { flags: VM_READ | VM_WRITE }, cp_flags: MM_CP_UFFD_WP_RESOLVE },
      [['cp_flags', 'W-CP.3']],
    ],
    [
      'TRY without VM_WRITE',
      { vma: { flags: VM_READ | VM_UFFD_WP }, cp_flags: MM_CP_TRY_CHANGE_WRITABLE },
      [['cp_flags', 'R-WR.2.1']],
    ],
  ])('%s', (_, o, expected) => {
    expect(problems(world(o))).toEqual(expected);
    // Each problem explains itself in words (the error a user reads), not only by rule id.
    for (const q of checkWorld(world(o))) expect(q.message.length).toBeGreaterThan(10);
  });
});

describe('checkWorld: folios', () => {
  const bad = (f: Partial<Folio>, ptes?: Pte[]) =>
    problems(world({ folios: [FOLIO, { ...mkFolio({ pfn: 0x200 }), ...f }], ...(ptes ? { ptes } : {}) }));
  it('order above PMD order, or not an integer, is W-FOLIO.1 and nothing else is checked for it', () => {
    expect(bad({ order: 10, pfn: 0x400 })).toEqual([['folios[1].order', 'W-FOLIO.1']]);
    expect(bad({ order: -1, anonExclusive: [] })).toEqual([['folios[1].order', 'W-FOLIO.1']]);
  });
  it('a head pfn not aligned to the folio size, or negative, is W-FOLIO.2', () => {
    expect(bad({ pfn: 0x202, order: 2, anonExclusive: [true, true, true, true] })).toEqual([['folios[1].pfn', 'W-FOLIO.2']]);
    expect(bad({ pfn: -2 })).toEqual([['folios[1].pfn', 'W-FOLIO.2']]);
  });
  it('anonExclusive must have one entry per page', () => {
    expect(bad({ anonExclusive: [true, true] })).toEqual([['folios[1].anonExclusive', 'W-FOLIO.3']]);
    expect(bad({ anonExclusive: undefined as unknown as boolean[] })).toEqual([['folios[1].anonExclusive', 'W-FOLIO.3']]);
  });
  it('KSM folios are anon and have no exclusive pages; file folios have none either', () => {
    expect(bad({ ksm: true, anon: false, fileLru: false, anonExclusive: [false] })).toEqual([['folios[1].ksm', 'W-FOLIO.4']]);
    expect(bad({ ksm: true, anonExclusive: [true] })).toEqual([['folios[1].anonExclusive', 'W-FOLIO.5']]);
    expect(bad({ anon: false, fileLru: true, anonExclusive: [true] })).toEqual([['folios[1].anonExclusive', 'W-FOLIO.5']]);
    expect(bad({ ksm: true, anonExclusive: [false] })).toEqual([]);
  });
  it('an anon folio is not on the file LRU', () => {
    expect(bad({ fileLru: true })).toEqual([['folios[1].fileLru', 'W-FOLIO.6']]);
  });
  it('overlapping folios are W-FOLIO.7, whatever their order in the list', () => {
    expect(problems(world({ folios: [mkFolio({ pfn: 0x102 }), FOLIO] }))).toEqual([['folios', 'W-FOLIO.7']]);
    expect(problems(world({ folios: [FOLIO, mkFolio({ pfn: 0x103 })] }))).toEqual([['folios', 'W-FOLIO.7']]);
  });
});

describe('checkWorld: page tables', () => {
  it('every folio and page-table problem explains itself, the slot counts included', () => {
    const msgs = [
      ...checkWorld(world({ ptes: [p(0x100)] })),
      ...checkWorld(world({ pmds: [] })),
      ...checkWorld(world({ folios: [{ ...FOLIO, order: 12 }] })),
      ...checkWorld(world({ folios: [{ ...FOLIO, pfn: 0x101 }] })),
      ...checkWorld(world({ folios: [{ ...FOLIO, anonExclusive: [] }] })),
      ...checkWorld(
        world({ folios: [{ ...FOLIO, ksm: true, anon: false, fileLru: false, anonExclusive: [false, false, false, false] }] }),
      ),
      ...checkWorld(world({ folios: [{ ...FOLIO, fileLru: true }] })),
      ...checkWorld(world({ folios: [FOLIO, mkFolio({ pfn: 0x101 })] })),
      ...checkWorld(world({ pmds: [{ kind: 'none' }] })),
    ].map((q) => q.message);
    expect(msgs[0]).toBe('ptes needs one slot per page of the VMA (4)');
    expect(msgs[1]).toBe('pmds needs one slot per PMD the VMA touches (1)');
    for (const m of msgs) expect(m.length).toBeGreaterThan(10);
    expect(msgs).toContain('slots under a none PMD are none');
  });
  it('a file folio with PageAnonExclusive on any one of its pages is W-FOLIO.5', () => {
    expect(
      problems(world({ folios: [FOLIO, mkFolio({ pfn: 0x200, order: 1, anon: false, anonExclusive: [false, true] })] })),
    ).toEqual([['folios[1].anonExclusive', 'W-FOLIO.5']]);
  });
  it('one slot per page and one PMD per table the VMA touches, else nothing more is checked', () => {
    expect(problems(world({ ptes: [p(0x100), p(0x101), p(0x102)] }))).toEqual([['ptes', 'W-PT.1']]);
    expect(problems(world({ ptes: [p(0x100), p(0x101), p(0x102), p(0x103), p(0x999)] }))).toEqual([['ptes', 'W-PT.1']]);
    expect(problems(world({ pmds: [{ kind: 'table' }, { kind: 'table' }] }))).toEqual([['pmds', 'W-PT.2']]);
    expect(problems(world({ pmds: [], ptes: [p(0x999), NONE_PTE, NONE_PTE, NONE_PTE] }))).toEqual([['pmds', 'W-PT.2']]);
  });
  it('slots under an empty or huge PMD are none', () => {
    expect(problems(world({ pmds: [{ kind: 'none' }], ptes: [NONE_PTE, p(0x101), NONE_PTE, NONE_PTE] }))).toEqual([
      ['ptes[1]', 'W-PT.3'],
    ]);
  });
  const huge = (o: { start?: number; end?: number; pmd?: Pte; folio?: Folio }) => {
    const start = o.start ?? 0;
    const end = o.end ?? 512;
    return mkWorld({
      vma: mkVma({ start, end, flags: VM_READ }),
      folios: [o.folio ?? mkFolio({ pfn: 0x200, order: 9 })],
      pmds: [{ kind: 'huge', pmd: (o.pmd ?? p(0x200)) as never }],
      ptes: new Array<Pte>(end - start).fill(NONE_PTE),
    });
  };
  it('a huge PMD lies wholly inside the VMA', () => {
    expect(problems(huge({ start: 1 }))).toEqual([['pmds[0]', 'W-PT.4']]);
    for (const q of [...checkWorld(huge({ start: 1 })), ...checkWorld(huge({ pmd: p(0x201) }))])
      expect(q.message.length).toBeGreaterThan(10);
    expect(problems(huge({ end: 511 }))).toEqual([['pmds[0]', 'W-PT.4']]);
  });
  it('a huge PMD maps the head of an order-9 folio', () => {
    expect(problems(huge({ pmd: p(0x201) }))).toEqual([['pmds[0].pmd.pfn', 'W-PT.5']]);
    expect(problems(huge({ pmd: p(0x800) }))).toEqual([
      ['pmds[0].pmd.pfn', 'W-PT.5'],
      ['pmds[0].pmd.pfn', 'W-PTE.7'],
    ]);
    expect(problems(huge({ folio: mkFolio({ pfn: 0x200, order: 8 }) }))).toEqual([['pmds[0].pmd.pfn', 'W-PT.5']]);
  });
  it('a PMD-mapped folio has the same PageAnonExclusive on every page', () => {
    const mixed = new Array<boolean>(512).fill(true);
    mixed[511] = false;
    expect(problems(huge({ folio: mkFolio({ pfn: 0x200, order: 9, anonExclusive: mixed }) }))).toEqual([
      ['pmds[0].pmd.pfn', 'W-PT.6'],
    ]);
    expect(
      checkWorld(huge({ folio: mkFolio({ pfn: 0x200, order: 9, anonExclusive: mixed }) }))[0]?.message.length,
    ).toBeGreaterThan(10);
  });
  it("the huge PMD's own entry is checked like a PTE", () => {
    expect(problems(huge({ pmd: p(0x200, RO | _PAGE_PROTNONE) }))).toEqual([['pmds[0].pmd.flags', 'W-PTE.3']]);
  });
});

describe('checkWorld: present PTEs', () => {
  it.each<[string, Pte, [string, string][], Over?]>([
    ['a negative pfn', p(-1, RO | _PAGE_SPECIAL), [['ptes[0].pfn', 'W-PTE.1']]],
    ['an unknown _PAGE bit, and nothing else checked', p(0x999, RO | (1 << 19)), [['ptes[0].flags', 'W-PTE.2']]],
    ['negative flags', p(0x100, -1), [['ptes[0].flags', 'W-PTE.2']]],
    ['PRESENT and PROTNONE together', p(0x100, RO | _PAGE_PROTNONE), [['ptes[0].flags', 'W-PTE.3']]],
    ['neither PRESENT nor PROTNONE', p(0x100, RO & ~_PAGE_PRESENT), [['ptes[0].flags', 'W-PTE.3']]],
    ['a writable PROT_NONE PTE', p(0x100, (RO & ~_PAGE_PRESENT) | _PAGE_PROTNONE | _PAGE_RW), [['ptes[0].flags', 'W-PTE.4']]],
    ['hardware dirty on a read-only PTE', p(0x100, RO | _PAGE_DIRTY), [['ptes[0].flags', 'R-PTE.2']]],
    ['saved dirty on a writable PTE', p(0x100, RO | _PAGE_RW | _PAGE_SAVED_DIRTY), [['ptes[0].flags', 'R-PTE.2']]],
    [
      'soft-dirty without CONFIG_MEM_SOFT_DIRTY',
      p(0x100, RO | _PAGE_SOFT_DIRTY),
      [['ptes[0].flags', 'W-CFG.2']],
      { config: X86_64_NO_SOFT_DIRTY },
    ],
    [
      'uffd-wp on an unregistered VMA',
      p(0x100, RO | _PAGE_UFFD_WP),
      [['ptes[0].flags', 'W-UFFD.1']],
      { vma: { flags: VM_READ } },
    ],
    ['a writable uffd-wp PTE', p(0x100, RO | _PAGE_RW | _PAGE_UFFD_WP), [['ptes[0].flags', 'W-UFFD.2']]],
    [
      'a private writable PTE on a non-exclusive page',
      p(0x100, RO | _PAGE_RW),
      [['ptes[0].flags', 'W-COW.1']],
      { folios: [mkFolio({ pfn: 0x100, order: 2, anonExclusive: [false, true, true, true] })] },
    ],
    [
      'a private writable PTE on a file page',
      p(0x100, RO | _PAGE_RW),
      [['ptes[0].flags', 'W-COW.1']],
      { folios: [mkFolio({ pfn: 0x100, order: 2, anon: false })] },
    ],
    [
      'a private writable special PTE over an exclusive page',
      p(0x100, RO | _PAGE_RW | _PAGE_SPECIAL),
      [['ptes[0].flags', 'W-COW.1']],
    ],
    [
      'a private writable PTE outside every folio',
      p(0x900, RO | _PAGE_RW),
      [
        ['ptes[0].flags', 'W-COW.1'],
        ['ptes[0].pfn', 'W-PTE.7'],
      ],
    ],
    ['a normal PTE outside every folio', p(0x900), [['ptes[0].pfn', 'W-PTE.7']]],
    ['an unknown entry kind', { kind: 'weird' } as unknown as Pte, [['ptes[0]', 'W-PTE.0']]],
  ])('%s', (_, pte, expected, o = {}) => {
    expect(problems(slot0(pte, o))).toEqual(expected);
    for (const q of checkWorld(slot0(pte, o))) expect(q.message.length).toBeGreaterThan(10);
  });
  it('PTEs of a PFNMAP VMA are special: a normal one is W-PTE.6, even over a folio; a special one is fine', () => {
    const pfnmap: Over = { vma: { flags: VM_READ | VM_PFNMAP, anonymous: false } };
    const w = (pte: Pte) => world({ ...pfnmap, ptes: [pte, NONE_PTE, NONE_PTE, NONE_PTE] });
    expect(problems(w(p(0x100)))).toEqual([['ptes[0].flags', 'W-PTE.6']]);
    expect(checkWorld(w(p(0x100)))[0]?.message.length).toBeGreaterThan(10);
    expect(problems(w(p(0x900)))).toEqual([['ptes[0].flags', 'W-PTE.6']]);
    expect(problems(w(p(0x900, RO | _PAGE_SPECIAL)))).toEqual([]);
  });
});

describe('checkWorld: softleaf entries', () => {
  const sl = (type: SoftleafType, offset: number, flags = 0) => mk_softleaf(type, offset, flags);
  it.each<[string, Pte, [string, string][], Over?]>([
    ['an unknown SWP bit, and nothing else checked', sl('marker', 0, 1 << 5), [['ptes[0].flags', 'W-SL.1']]],
    ['negative SWP flags', sl('swap', 1, -1), [['ptes[0].flags', 'W-SL.1']]],
    ['a negative offset, and nothing else checked', sl('marker', -1, SWP_EXCLUSIVE), [['ptes[0].offset', 'W-SL.2']]],
    ['a marker with swap bits', sl('marker', PTE_MARKER_GUARD, SWP_SOFT_DIRTY), [['ptes[0].flags', 'W-SL.3']]],
    ['an empty marker', sl('marker', 0), [['ptes[0].offset', 'W-SL.4']]],
    ['a marker with an unknown bit', sl('marker', PTE_MARKER_GUARD | (1 << 3)), [['ptes[0].offset', 'W-SL.4']]],
    [
      'a uffd-wp marker on an unregistered VMA',
      sl('marker', PTE_MARKER_UFFD_WP),
      [['ptes[0].offset', 'W-UFFD.1']],
      { vma: { flags: VM_READ } },
    ],
    ['an exclusive migration entry bit', sl('migration_read', 0x101, SWP_EXCLUSIVE), [['ptes[0].flags', 'W-SL.5']]],
    ['migration young on a swap entry', sl('swap', 0x1, SWP_MIG_YOUNG), [['ptes[0].flags', 'W-SL.6']]],
    [
      'migration dirty on a device entry',
      sl('device_exclusive', 0x101, SWP_MIG_DIRTY),
      [
        ['ptes[0].flags', 'W-SL.6'],
        ['ptes[0].offset', 'W-SL.8'],
      ],
    ],
    [
      'swap uffd-wp on an unregistered VMA',
      sl('swap', 0x1, SWP_UFFD_WP),
      [['ptes[0].flags', 'W-UFFD.1']],
      { vma: { flags: VM_READ } },
    ],
    [
      'swap soft-dirty without CONFIG_MEM_SOFT_DIRTY',
      sl('swap', 0x1, SWP_SOFT_DIRTY),
      [['ptes[0].flags', 'W-CFG.2']],
      { config: X86_64_NO_SOFT_DIRTY },
    ],
    ['a migration entry naming no folio', sl('migration_read_exclusive', 0x900), [['ptes[0].offset', 'W-SL.7']]],
    ['a device entry on a normal folio', sl('device_private_write', 0x101), [['ptes[0].offset', 'W-SL.8']]],
  ])('%s', (_, pte, expected, o = {}) => {
    expect(problems(slot0(pte, o))).toEqual(expected);
    for (const q of checkWorld(slot0(pte, o))) expect(q.message.length).toBeGreaterThan(10);
  });
  it('the W-SL.7 message names the entry type', () => {
    const [q] = checkWorld(slot0(sl('migration_read_exclusive', 0x900)));
    expect(q?.message).toBe('migration_read_exclusive entry must name a pfn of some folio');
  });
});

describe('assertValidWorld and WorldError', () => {
  it('throws a WorldError carrying every problem, one line per problem with field, message and rule', () => {
    const w = world({ rawVma: { pkey: 16 }, range: { start: 0x11, end: 0x11 } });
    let err: unknown;
    try {
      assertValidWorld(w);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(WorldError);
    const we = err as WorldError;
    expect(we.name).toBe('WorldError');
    expect(we.problems.map((q) => q.rule)).toEqual(['W-VMA.3', 'W-RANGE.1']);
    expect(we.message).toBe(
      'vma.pkey: pkey is 0..15 [W-VMA.3]\nrange: range must be a non-empty [start, end) inside the VMA [W-RANGE.1]',
    );
  });
});
