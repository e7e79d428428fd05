// A first, simple world generator for the spec's own properties (the richer
// shared generators belong to src/arbitraries). Valid by construction: a
// recipe of plain values is drawn with fc.record and turned into a world by a
// total function, so shrinking works on the recipe.
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
  type PmdSlot,
  PTE_MARKER_GUARD,
  PTE_MARKER_UFFD_WP,
  PTRS_PER_PTE,
  type Pte,
  pmd_index_of,
  pmd_span,
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
  type Vma,
  type World,
  X86_64,
  X86_64_NO_SOFT_DIRTY,
} from '../../src/pte/index.js';

const SOFTLEAF_TYPES: readonly SoftleafType[] = [
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

const permRecipe = fc.record({
  accessible: fc.oneof({ weight: 4, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
  rw: fc.boolean(),
  nx: fc.boolean(),
  pkey: fc.nat(1),
  pcd: fc.oneof({ weight: 5, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
});
type PermRecipe = typeof permRecipe extends fc.Arbitrary<infer T> ? T : never;

const folioRecipe = fc.record({
  anon: fc.boolean(),
  ksm: fc.oneof({ weight: 6, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
  zoneDevice: fc.oneof({ weight: 8, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
  shared: fc.boolean(),
  pinned: fc.oneof({ weight: 4, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
  dirty: fc.boolean(),
  nid: fc.nat(2),
  exclMask: fc.nat(0xff),
});
type FolioRecipe = typeof folioRecipe extends fc.Arbitrary<infer T> ? T : never;

const segmentRecipe = fc.record({
  kind: fc.constantFrom('none', 'present', 'present', 'present', 'special', 'softleaf', 'softleaf'),
  len: fc.integer({ min: 1, max: 6 }),
  order: fc.nat(3),
  headSkip: fc.nat(7),
  perm: permRecipe,
  folio: folioRecipe,
  dirtyMask: fc.nat(0x3f),
  youngMask: fc.nat(0x3f),
  sdMask: fc.nat(0x3f),
  uffdMask: fc.nat(0x3f),
  softleafType: fc.constantFrom(...SOFTLEAF_TYPES),
  marker: fc.integer({ min: 1, max: 7 }),
  swpBits: fc.nat(0x1f),
});
type SegmentRecipe = typeof segmentRecipe extends fc.Arbitrary<infer T> ? T : never;

const vmaRecipe = fc.record({
  read: fc.boolean(),
  write: fc.boolean(),
  exec: fc.boolean(),
  shared: fc.boolean(),
  anonymous: fc.boolean(),
  pageMkwrite: fc.boolean(),
  canWriteback: fc.boolean(),
  softDirtyTracking: fc.boolean(),
  uffdWp: fc.boolean(),
  unpopulated: fc.boolean(),
  pkey: fc.nat(1),
});
type VmaRecipe = typeof vmaRecipe extends fc.Arbitrary<infer T> ? T : never;

const hugeRecipe = fc.record({
  perm: permRecipe,
  dirty: fc.boolean(),
  young: fc.boolean(),
  sd: fc.boolean(),
  uffd: fc.boolean(),
  exclusive: fc.boolean(),
  folio: folioRecipe,
  rangeStart: fc.oneof(fc.constant(0), fc.nat(700)),
  rangeEnd: fc.oneof(fc.constant(1024), fc.constant(512), fc.integer({ min: 1, max: 1024 })),
});
type HugeRecipe = typeof hugeRecipe extends fc.Arbitrary<infer T> ? T : never;

export const worldRecipe = fc.record({
  config: fc.oneof(
    { weight: 4, arbitrary: fc.constant(X86_64) },
    { weight: 1, arbitrary: fc.constant(X86_64_NO_SOFT_DIRTY) },
    { weight: 1, arbitrary: fc.constant(ARM64) },
  ),
  vma: vmaRecipe,
  offsetInPmd: fc.oneof(fc.nat(40), fc.integer({ min: 480, max: 511 })),
  segments: fc.array(segmentRecipe, { minLength: 1, maxLength: 10 }),
  emptyPmdsAreNone: fc.boolean(),
  rangeA: fc.nat(),
  rangeB: fc.nat(),
  cpChoice: fc.nat(),
  numa: fc.record({
    currentNid: fc.nat(2),
    topTierNids: fc.constantFrom([0], [0, 1]),
    balancingNormal: fc.boolean(),
    memoryTiering: fc.boolean(),
  }),
  singleThreaded: fc.boolean(),
  huge: fc.option(hugeRecipe, { freq: 4 }),
});
export type WorldRecipe = typeof worldRecipe extends fc.Arbitrary<infer T> ? T : never;

const bit = (mask: number, i: number): boolean => ((mask >> i) & 1) === 1;

function vmaFlags(v: VmaRecipe): number {
  return (
    (v.read ? VM_READ : 0) |
    (v.write ? VM_WRITE : 0) |
    (v.exec ? VM_EXEC : 0) |
    (v.shared ? VM_SHARED : 0) |
    (v.softDirtyTracking ? 0 : VM_SOFTDIRTY) |
    (v.uffdWp ? VM_UFFD_WP : 0)
  );
}

/** The cp_flags real callers could pass for this VMA (TRY only with VM_WRITE, uffd only when registered). */
export function allowedCpFlags(vma: Vma): number[] {
  const out = [0, MM_CP_PROT_NUMA];
  const write = (vma.flags & VM_WRITE) !== 0;
  if (write) out.push(MM_CP_TRY_CHANGE_WRITABLE);
  if (vma.flags & VM_UFFD_WP) {
    out.push(MM_CP_UFFD_WP, MM_CP_UFFD_WP_RESOLVE);
    if (write) out.push(MM_CP_UFFD_WP_RESOLVE | MM_CP_TRY_CHANGE_WRITABLE);
  }
  return out;
}

class Builder {
  private cursor = 0x1000;
  readonly folios: Folio[] = [];
  constructor(
    readonly config: KConfig,
    readonly vma: Vma,
    readonly cp_flags: number,
  ) {}

  /**
   * Realism at rest: a PTE is writable only if the VMA allows it (except right after mprotect() removed
   * VM_WRITE, i.e. cp_flags 0), and in a private mapping only on an exclusive anon page (COW broken).
   */
  mayBeWritable(folio: Folio | null, pfn: number): boolean {
    if (!(this.vma.flags & VM_WRITE) && this.cp_flags !== 0) return false;
    if (this.vma.flags & VM_SHARED) return true;
    if (folio === null) return false; // private special mappings (zero page) are never writable
    return folio.anon && folio.anonExclusive[pfn - folio.pfn] === true;
  }

  private allocPfn(order: number): number {
    const size = 1 << order;
    const pfn = Math.ceil(this.cursor / size) * size;
    this.cursor = pfn + size;
    return pfn;
  }

  folio(order: number, r: FolioRecipe, forceZoneDevice = false): Folio {
    const shared = (this.vma.flags & VM_SHARED) !== 0;
    // Shared mappings map page-cache/shmem folios; private anonymous ones anon folios; private file either.
    const anon = shared ? false : this.vma.anonymous ? true : r.anon;
    const ksm = anon && r.ksm;
    const nr = 1 << order;
    const folio = mkFolio({
      pfn: this.allocPfn(order),
      order,
      anon,
      ksm,
      zoneDevice: forceZoneDevice || r.zoneDevice,
      nid: r.nid,
      maybeMappedShared: r.shared,
      maybeDmaPinned: r.pinned,
      fileLru: !anon,
      dirty: r.dirty,
      anonExclusive: Array.from({ length: nr }, (_, i) => anon && !ksm && bit(r.exclMask, i % 8)),
    });
    this.folios.push(folio);
    return folio;
  }

  presentFlags(perm: PermRecipe, dirty: boolean, young: boolean, sd: boolean, uffd: boolean, writable: boolean): number {
    const uffdOk = uffd && (this.vma.flags & VM_UFFD_WP) !== 0;
    const rw = perm.accessible && perm.rw && !uffdOk && writable;
    let f = perm.accessible ? _PAGE_PRESENT | _PAGE_USER : _PAGE_PROTNONE;
    if (rw) f |= _PAGE_RW;
    if (perm.accessible && perm.nx) f |= _PAGE_NX;
    f |= perm.pkey << _PAGE_PKEY_SHIFT;
    if (perm.pcd) f |= _PAGE_PCD;
    if (dirty) f |= rw ? _PAGE_DIRTY : _PAGE_SAVED_DIRTY;
    if (young) f |= _PAGE_ACCESSED;
    if (sd && this.config.memSoftDirty) f |= _PAGE_SOFT_DIRTY;
    if (uffdOk) f |= _PAGE_UFFD_WP;
    return f;
  }

  segment(s: SegmentRecipe, room: number): Pte[] {
    switch (s.kind) {
      case 'none':
        return Array.from({ length: Math.min(s.len, room) }, () => NONE_PTE);
      case 'present': {
        const folio = this.folio(s.order, s.folio);
        const nr = 1 << s.order;
        const first = s.headSkip % nr;
        const len = Math.min(s.len, nr - first, room);
        return Array.from({ length: len }, (_, i) =>
          mk_pte(
            folio.pfn + first + i,
            this.presentFlags(
              s.perm,
              bit(s.dirtyMask, i),
              bit(s.youngMask, i),
              bit(s.sdMask, i),
              bit(s.uffdMask, i),
              this.mayBeWritable(folio, folio.pfn + first + i),
            ),
          ),
        );
      }
      case 'special': {
        // The zero page (or a PFNMAP-like special mapping): no normal folio behind it.
        const len = Math.min(s.len, room);
        return Array.from({ length: len }, (_, i) =>
          mk_pte(
            0x10,
            this.presentFlags(
              s.perm,
              false,
              bit(s.youngMask, i),
              bit(s.sdMask, i),
              bit(s.uffdMask, i),
              this.mayBeWritable(null, 0x10),
            ) | _PAGE_SPECIAL,
          ),
        );
      }
      default:
        return Array.from({ length: Math.min(s.len, room) }, (_, i) => this.softleaf(s, i));
    }
  }

  softleaf(s: SegmentRecipe, i: number): Pte {
    const type = s.softleafType;
    const uffdVma = (this.vma.flags & VM_UFFD_WP) !== 0;
    if (type === 'marker') {
      let marker = s.marker;
      if (!uffdVma) marker &= ~PTE_MARKER_UFFD_WP;
      return mk_softleaf('marker', marker === 0 ? PTE_MARKER_GUARD : marker);
    }
    let flags = 0;
    if (bit(s.swpBits, 0) && this.config.memSoftDirty) flags |= SWP_SOFT_DIRTY;
    // A writable migration entry carrying swap uffd-wp is an inconsistent state (§10.3, INV-22): not drawn here.
    if (bit(s.swpBits, 1) && uffdVma && type !== 'migration_write') flags |= SWP_UFFD_WP;
    if (bit(s.swpBits, 2) && type === 'swap') flags |= SWP_EXCLUSIVE;
    if (type.startsWith('migration')) {
      if (bit(s.swpBits, 3)) flags |= SWP_MIG_YOUNG;
      if (bit(s.swpBits, 4)) flags |= SWP_MIG_DIRTY;
    }
    let offset: number;
    if (type === 'swap') offset = 0x100 + i;
    else if (type === 'hwpoison') offset = 0x20 + i;
    else offset = this.folio(0, s.folio, type.startsWith('device_')).pfn;
    return mk_softleaf(type, offset, flags);
  }
}

/** The recipe's world. Total: every recipe gives a valid world (asserted by generator.test.ts). */
export function buildWorld(r: WorldRecipe): World {
  const v = r.vma;
  const anonymous = v.anonymous && !v.shared; // shared anonymous memory is shmem (has vm_ops)
  const maxLen = 64;
  const probeVma = { flags: vmaFlags(v), anonymous } as Vma;
  // Lengths first: a dry run of segment sizes (present segments may be cut by the folio end).
  const huge = r.huge;
  const start = huge ? 2 * PTRS_PER_PTE : 2 * PTRS_PER_PTE + r.offsetInPmd;
  const vma = mkVma(
    {
      start,
      end: start + 1, // replaced below once the length is known
      flags: probeVma.flags,
      anonymous,
      ops: { page_mkwrite: !anonymous && v.pageMkwrite, pfn_mkwrite: false },
      fileCanWriteback: !anonymous && v.canWriteback,
      uffdWpUnpopulated: v.uffdWp && v.unpopulated,
      pkey: v.pkey,
    },
    r.config,
  );
  const allowed = allowedCpFlags(vma);
  const cp_flags = allowed[r.cpChoice % allowed.length]!;
  const b = new Builder(r.config, vma, cp_flags);
  const ptes: Pte[] = [];
  let pmdHead: PmdSlot | null = null;
  if (huge) {
    for (let i = 0; i < PTRS_PER_PTE; i++) ptes.push(NONE_PTE);
    pmdHead = hugePmd(b, huge);
  }
  for (const s of r.segments) {
    const room = (huge ? PTRS_PER_PTE + maxLen : maxLen) - ptes.length;
    if (room <= 0) break;
    ptes.push(...b.segment(s, room));
  }
  if (huge) while (ptes.length < 2 * PTRS_PER_PTE) ptes.push(NONE_PTE);
  const finalVma: Vma = { ...vma, end: start + ptes.length };
  const len = ptes.length;
  let range: { start: number; end: number };
  if (huge) {
    const a = Math.min(huge.rangeStart, len - 1);
    const e = Math.max(a + 1, Math.min(huge.rangeEnd, len));
    range = { start: start + a, end: start + e };
  } else {
    const a = r.rangeA % len;
    range = { start: start + a, end: start + a + 1 + (r.rangeB % (len - a)) };
  }
  const p0 = pmd_index_of(start);
  const pmds: PmdSlot[] = Array.from({ length: pmd_span(start, start + len) }, (_, j) => {
    if (j === 0 && pmdHead) return pmdHead;
    const lo = Math.max((p0 + j) * PTRS_PER_PTE, start) - start;
    const hi = Math.min((p0 + j + 1) * PTRS_PER_PTE, start + len) - start;
    const empty = ptes.slice(lo, hi).every((p) => p.kind === 'none');
    return r.emptyPmdsAreNone && empty ? { kind: 'none' } : { kind: 'table' };
  });
  return mkWorld({
    config: r.config,
    vma: finalVma,
    ptes,
    folios: b.folios,
    pmds,
    range,
    cp_flags,
    mm: { singleThreaded: r.singleThreaded },
    numa: r.numa,
  });
}

function hugePmd(b: Builder, h: HugeRecipe): PmdSlot {
  const excl = { ...h.folio, exclMask: h.exclusive ? 0xff : 0, ksm: false, zoneDevice: false };
  const folio = b.folio(9, excl);
  const flags = b.presentFlags(h.perm, h.dirty, h.young, h.sd, h.uffd, b.mayBeWritable(folio, folio.pfn));
  return { kind: 'huge', pmd: mk_pte(folio.pfn, flags) };
}

export const arbWorld: fc.Arbitrary<World> = worldRecipe.map(buildWorld);

/** The same worlds with cp_flags replaced: for properties about one flag combination. */
export function arbWorldWith(pick: (allowed: number[]) => number | null): fc.Arbitrary<World> {
  return worldRecipe
    .map(buildWorld)
    .map((w) => {
      const cp = pick(allowedCpFlags(w.vma));
      return cp === null ? null : mkWorld({ ...w, cp_flags: cp });
    })
    .filter((w): w is World => w !== null);
}
