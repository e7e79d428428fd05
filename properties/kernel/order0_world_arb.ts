// A simple generator of valid worlds in which every folio is order-0 (INV-21),
// owned by the kernel-model tests. Valid by construction (record/array/map;
// no filter, no chain): every constraint of src/pte/validate.ts is enforced
// by the map, and the tests assert checkWorld(world) is [].
import fc from 'fast-check';
import {
  _PAGE_ACCESSED,
  _PAGE_DIRTY,
  _PAGE_NX,
  _PAGE_PCD,
  _PAGE_PKEY_SHIFT,
  _PAGE_PRESENT,
  _PAGE_PROTNONE,
  _PAGE_RW,
  _PAGE_SAVED_DIRTY,
  _PAGE_SOFT_DIRTY,
  _PAGE_SPECIAL,
  _PAGE_UFFD_WP,
  _PAGE_USER,
  ARM64,
  type Folio,
  type KConfig,
  MM_CP_TRY_CHANGE_WRITABLE,
  MM_CP_UFFD_WP,
  MM_CP_UFFD_WP_RESOLVE,
  mkFolio,
  mkVma,
  mkWorld,
  type PmdSlot,
  PTE_MARKER_GUARD,
  PTE_MARKER_POISONED,
  PTE_MARKER_UFFD_WP,
  PTRS_PER_PTE,
  type Pte,
  pmd_index_of,
  pmd_span,
  REAL_CP_FLAGS,
  type SoftleafType,
  SWP_EXCLUSIVE,
  SWP_MIG_DIRTY,
  SWP_MIG_YOUNG,
  SWP_SOFT_DIRTY,
  SWP_UFFD_WP,
  VM_EXEC,
  VM_READ,
  VM_SHARED,
  VM_SOFTDIRTY,
  VM_UFFD_WP,
  VM_WRITE,
  type World,
  X86_64,
  X86_64_NO_SOFT_DIRTY,
} from '../../src/pte/index.js';

type SlotKind = 'none' | 'present' | 'special' | 'softleaf';
interface SlotSeed {
  kind: SlotKind;
  bits: number; // raw random bits, masked per kind
  type: SoftleafType;
  folio: {
    anon: boolean;
    ksm: boolean;
    excl: boolean;
    zoneDevice: boolean;
    nid: number;
    shared: boolean;
    pinned: boolean;
    dirty: boolean;
  };
  marker: number;
}

const SOFTLEAF_TYPES: SoftleafType[] = [
  'swap',
  'migration_read',
  'migration_read_exclusive',
  'migration_write',
  'device_private_read',
  'device_private_write',
  'device_exclusive',
  'hwpoison',
  'marker',
];

const slotSeedArb: fc.Arbitrary<SlotSeed> = fc.record({
  kind: fc.constantFrom<SlotKind>('none', 'present', 'present', 'present', 'special', 'softleaf'),
  bits: fc.nat(),
  type: fc.constantFrom(...SOFTLEAF_TYPES),
  folio: fc.record({
    anon: fc.boolean(),
    ksm: fc.boolean(),
    excl: fc.boolean(),
    zoneDevice: fc.boolean(),
    nid: fc.integer({ min: 0, max: 2 }),
    shared: fc.boolean(),
    pinned: fc.boolean(),
    dirty: fc.boolean(),
  }),
  marker: fc.constantFrom(PTE_MARKER_UFFD_WP, PTE_MARKER_POISONED, PTE_MARKER_GUARD, PTE_MARKER_UFFD_WP | PTE_MARKER_GUARD),
});

const bit = (bits: number, i: number): boolean => ((bits >>> i) & 1) === 1;

export interface Order0Options {
  /** Let the VMA straddle a PMD boundary (default true). */
  readonly crossPmd?: boolean;
  /** Allow 'none' PMDs (default true). */
  readonly nonePmds?: boolean;
}

/** Valid worlds whose folios are all order-0. */
export function order0WorldArb(options: Order0Options = {}): fc.Arbitrary<World> {
  const crossPmd = options.crossPmd ?? true;
  return fc
    .record({
      config: fc.constantFrom<KConfig>(X86_64, X86_64, X86_64_NO_SOFT_DIRTY, ARM64),
      startOffset: crossPmd ? fc.integer({ min: 0, max: 40 }) : fc.constant(40),
      seeds: fc.array(slotSeedArb, { minLength: 1, maxLength: 24 }),
      perm: fc.constantFrom(0, VM_READ, VM_READ | VM_WRITE, VM_READ | VM_EXEC, VM_READ | VM_WRITE | VM_EXEC, VM_WRITE),
      shared: fc.boolean(),
      softdirtyFlag: fc.boolean(),
      uffd: fc.boolean(),
      anonymous: fc.boolean(),
      pageMkwrite: fc.boolean(),
      writeback: fc.boolean(),
      unpopulated: fc.boolean(),
      pkey: fc.integer({ min: 0, max: 3 }),
      cp: fc.constantFrom(...REAL_CP_FLAGS),
      rangeA: fc.nat(),
      rangeB: fc.nat(),
      nonePmd: fc.array(fc.boolean(), { minLength: 2, maxLength: 2 }),
      singleThreaded: fc.boolean(),
      numa: fc.record({
        currentNid: fc.integer({ min: 0, max: 2 }),
        topTierNids: fc.constantFrom([0], [0, 1], [1]),
        balancingNormal: fc.boolean(),
        memoryTiering: fc.boolean(),
      }),
    })
    .map((r) => {
      const { config } = r;
      const uffd = r.uffd;
      const anonymous = r.anonymous && !(r.shared && r.perm & VM_WRITE && r.pageMkwrite); // keep both kinds
      const flags =
        r.perm |
        (r.shared ? VM_SHARED : 0) |
        (r.softdirtyFlag || !config.memSoftDirty ? VM_SOFTDIRTY : 0) |
        (uffd ? VM_UFFD_WP : 0);
      const start = 2 * PTRS_PER_PTE - r.startOffset;
      const end = start + r.seeds.length;
      const vma = mkVma(
        {
          start,
          end,
          flags,
          pkey: r.pkey,
          anonymous,
          ops: anonymous ? { page_mkwrite: false, pfn_mkwrite: false } : { page_mkwrite: r.pageMkwrite, pfn_mkwrite: false },
          fileCanWriteback: !anonymous && r.writeback,
          uffdWpUnpopulated: uffd && r.unpopulated,
        },
        config,
      );
      const span = pmd_span(start, end);
      const p0 = pmd_index_of(start);
      const pmds: PmdSlot[] = Array.from({ length: span }, (_, j) =>
        (options.nonePmds ?? true) && r.nonePmd[j] === true ? { kind: 'none' } : { kind: 'table' },
      );
      const folios: Folio[] = [];
      let nextPfn = 0x100;
      const newFolio = (seed: SlotSeed, device: boolean): number => {
        const pfn = nextPfn++;
        const f = seed.folio;
        const anon = device ? true : f.anon;
        const ksm = anon && f.ksm && !device;
        folios.push(
          mkFolio({
            pfn,
            order: 0,
            anon,
            ksm,
            zoneDevice: device || (f.zoneDevice && !ksm && bit(seed.bits, 20)),
            nid: f.nid,
            maybeMappedShared: f.shared,
            maybeDmaPinned: f.pinned,
            fileLru: !anon,
            dirty: f.dirty,
            anonExclusive: [anon && !ksm && f.excl],
          }),
        );
        return pfn;
      };
      const ptes: Pte[] = r.seeds.map((seed, i) => {
        const vpn = start + i;
        if (pmds[pmd_index_of(vpn) - p0]?.kind === 'none') return { kind: 'none' };
        const b = seed.bits;
        switch (seed.kind) {
          case 'none':
            return { kind: 'none' };
          case 'present':
          case 'special': {
            const protnone = bit(b, 0) && bit(b, 1);
            const uffdwp = uffd && bit(b, 2);
            // W-COW.1: a private mapping is writable only on an exclusive anon page.
            const cowDone = seed.kind === 'present' && seed.folio.anon && !seed.folio.ksm && seed.folio.excl;
            const write = !protnone && !uffdwp && bit(b, 3) && (r.shared || cowDone);
            let f = protnone ? _PAGE_PROTNONE : _PAGE_PRESENT | _PAGE_USER | (bit(b, 4) ? _PAGE_NX : 0);
            if (write) f |= _PAGE_RW;
            if (bit(b, 5)) f |= write ? _PAGE_DIRTY : _PAGE_SAVED_DIRTY;
            if (bit(b, 6)) f |= _PAGE_ACCESSED;
            if (config.memSoftDirty && bit(b, 7)) f |= _PAGE_SOFT_DIRTY;
            if (uffdwp) f |= _PAGE_UFFD_WP;
            if (bit(b, 8)) f |= _PAGE_PCD;
            if (bit(b, 9)) f |= (r.pkey & 3) << _PAGE_PKEY_SHIFT;
            if (seed.kind === 'special') return { kind: 'present', pfn: 0x10, flags: f | _PAGE_SPECIAL };
            return { kind: 'present', pfn: newFolio(seed, false), flags: f };
          }
          case 'softleaf': {
            const t = seed.type;
            if (t === 'marker') {
              const m = uffd ? seed.marker : seed.marker & ~PTE_MARKER_UFFD_WP || PTE_MARKER_GUARD;
              return { kind: 'softleaf', type: 'marker', offset: m, flags: 0 };
            }
            let sf = 0;
            if (config.memSoftDirty && bit(b, 10)) sf |= SWP_SOFT_DIRTY;
            if (uffd && bit(b, 11)) sf |= SWP_UFFD_WP;
            if (t === 'swap' && bit(b, 12)) sf |= SWP_EXCLUSIVE;
            if (t.startsWith('migration')) sf |= (bit(b, 13) ? SWP_MIG_YOUNG : 0) | (bit(b, 14) ? SWP_MIG_DIRTY : 0);
            if (t === 'swap') return { kind: 'softleaf', type: t, offset: b & 0xfff, flags: sf };
            if (t === 'hwpoison') return { kind: 'softleaf', type: t, offset: 0x9000 + i, flags: sf };
            return { kind: 'softleaf', type: t, offset: newFolio(seed, t.startsWith('device_')), flags: sf };
          }
          default:
            throw new Error(`unknown slot kind ${seed.kind satisfies never}`);
        }
      });
      let cp = r.cp;
      if (cp & (MM_CP_UFFD_WP | MM_CP_UFFD_WP_RESOLVE) && !uffd) cp = 0;
      if (cp & MM_CP_TRY_CHANGE_WRITABLE && !(flags & VM_WRITE)) cp &= ~MM_CP_TRY_CHANGE_WRITABLE;
      const n = end - start;
      const a = r.rangeA % n;
      const bEnd = a + 1 + (r.rangeB % (n - a));
      return mkWorld({
        config,
        vma,
        ptes,
        folios,
        pmds,
        range: { start: start + a, end: start + bEnd },
        cp_flags: cp,
        mm: { singleThreaded: r.singleThreaded },
        numa: r.numa,
      });
    });
}
