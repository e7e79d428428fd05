// SPDX-License-Identifier: GPL-2.0-only
// Every world of the bounded domain, each exactly once up to the symmetries
// named in docs/strength.md (§prove). A world is built in stages: the slot
// shapes (which entry kind, which folio page), the folio facts the cp_flags
// make relevant, the PTE bits of each present slot, the page-table layout, the
// range, and the NUMA state. Generators all the way down: nothing is stored.
import {
  _PAGE_ACCESSED,
  _PAGE_DIRTY,
  _PAGE_NX,
  _PAGE_PKEY_SHIFT,
  _PAGE_PRESENT,
  _PAGE_PROTNONE,
  _PAGE_RW,
  _PAGE_SAVED_DIRTY,
  _PAGE_SOFT_DIRTY,
  _PAGE_SPECIAL,
  _PAGE_UFFD_WP,
  _PAGE_USER,
  deepFreeze,
  type Folio,
  MM_CP_PROT_NUMA,
  MM_CP_TRY_CHANGE_WRITABLE,
  MM_CP_UFFD_WP,
  MM_CP_UFFD_WP_RESOLVE,
  type MmState,
  mkFolio,
  mkWorld,
  type NumaState,
  type PmdSlot,
  PTE_MARKER_UFFD_WP,
  PTRS_PER_PTE,
  type Pte,
  type SoftleafType,
  SWP_EXCLUSIVE,
  SWP_MIG_DIRTY,
  SWP_MIG_YOUNG,
  SWP_SOFT_DIRTY,
  SWP_UFFD_WP,
  type Vma,
  type World,
} from '../pte/index.js';
import {
  type Attrs,
  attrSets,
  type ConfigName,
  type ContextFilter,
  contexts,
  NO_ATTRS,
  type ProveContext,
  relevantContext,
} from './context.js';

/** Folio orders of the domain (order 9 appears only as a PMD-mapped THP). */
export const PROVE_ORDERS: readonly number[] = [0, 1, 2];
/** Old protections a present PTE can carry. */
export type Perm = 'none' | 'r' | 'rx' | 'rw' | 'rwx';
const PERMS: readonly Perm[] = ['none', 'r', 'rx', 'rw', 'rwx'];

export interface EnumerateOptions extends ContextFilter {
  /** Maximum number of PTE slots (the bound). */
  readonly bound: number;
  /** Default: both architectures, x86-64 with CONFIG_MEM_SOFT_DIRTY and arm64. */
  readonly configs?: readonly ConfigName[];
  /** Include the PMD-mapped THP worlds (default true). */
  readonly thp?: boolean;
  /** Include the PTE-table worlds (default true; false: THP worlds only, for focused runs). */
  readonly ptes?: boolean;
  /** Include the attribute sets (cache bits, protection keys) past "none" (default true). */
  readonly attrs?: boolean;
}

type LeafType = Exclude<SoftleafType, 'marker'>;
export type SlotShape =
  | { readonly k: 'none' }
  | { readonly k: 'page'; readonly folio: number; readonly page: number }
  | { readonly k: 'special' }
  | { readonly k: 'leaf'; readonly type: LeafType; readonly flags: number; readonly anon: boolean }
  | { readonly k: 'marker'; readonly mask: number };

export interface FolioShape {
  readonly order: number;
}

interface FolioFacts {
  readonly anon: boolean;
  readonly ksm: boolean;
  readonly excl: readonly boolean[];
  readonly numa: NumaFact;
}
/** Under PROT_NUMA, at most one of the folio rules of SEMANTICS §8.2 fires per folio. */
type NumaFact = 'plain' | 'zone-device' | 'ksm' | 'mapped-shared' | 'dma-pinned' | 'dirty';

interface Bits {
  readonly perm: Perm;
  readonly dirty: boolean;
  readonly young: boolean;
  readonly softDirty: boolean;
  readonly uffdWp: boolean;
}

const PMD_BASE = 7;
const FIRST_FOLIO_PFN = 0x1000;
const ZERO_PFN = 0x10;
const SWAP_OFFSET = 0x100;

function* product<T>(choices: readonly (readonly T[])[], i = 0, acc: T[] = []): Generator<readonly T[]> {
  if (i === choices.length) {
    yield acc;
    return;
  }
  for (const c of choices[i] as readonly T[]) {
    acc.push(c);
    yield* product(choices, i + 1, acc);
    acc.pop();
  }
}

const subsetsOf = (bits: readonly number[]): number[] => {
  let out = [0];
  for (const b of bits) out = out.flatMap((m) => [m, m | b]);
  return out;
};

/** Softleaf entries of a one-slot world: every type with every SWP flag set valid for it. */
function leafShapes(ctx: ProveContext, full: boolean): SlotShape[] {
  const sd = ctx.config.memSoftDirty ? [SWP_SOFT_DIRTY] : [];
  const uffd = ctx.registered ? [SWP_UFFD_WP] : [];
  const out: SlotShape[] = [];
  if (!full) {
    // Representatives between present runs in worlds of two or more slots.
    out.push({ k: 'leaf', type: 'swap', flags: 0, anon: true });
    out.push({ k: 'leaf', type: 'migration_write', flags: 0, anon: true });
    out.push({ k: 'marker', mask: 4 });
    if (ctx.registered) out.push({ k: 'marker', mask: PTE_MARKER_UFFD_WP });
    return out;
  }
  for (const flags of subsetsOf([...sd, ...uffd, SWP_EXCLUSIVE])) out.push({ k: 'leaf', type: 'swap', flags, anon: true });
  for (const type of ['migration_read', 'migration_read_exclusive', 'migration_write'] as const)
    for (const flags of subsetsOf([...sd, ...uffd, SWP_MIG_YOUNG, SWP_MIG_DIRTY]))
      for (const anon of type === 'migration_write' ? [true, false] : [true]) out.push({ k: 'leaf', type, flags, anon });
  for (const type of ['device_private_read', 'device_private_write', 'device_exclusive', 'hwpoison'] as const)
    for (const flags of subsetsOf([...sd, ...uffd])) out.push({ k: 'leaf', type, flags, anon: true });
  for (let mask = 1; mask <= 7; mask++) if (ctx.registered || !(mask & PTE_MARKER_UFFD_WP)) out.push({ k: 'marker', mask });
  return out;
}

/** Slot shape sequences of length n, with the folios they map (folios in first-use order). */
function* shapes(ctx: ProveContext, n: number): Generator<{ slots: readonly SlotShape[]; folios: readonly FolioShape[] }> {
  const leaves = leafShapes(ctx, n === 1);
  const slots: SlotShape[] = [];
  const folios: FolioShape[] = [];
  const used = new Set<string>();
  function* go(i: number): Generator<{ slots: readonly SlotShape[]; folios: readonly FolioShape[] }> {
    if (i === n) {
      yield { slots, folios };
      return;
    }
    // Folio pages first (batches are what multi-slot worlds are for), large folios first.
    if (!ctx.pfnmap) {
      // A page of a folio already in use (each page is mapped at most once).
      for (let f = 0; f < folios.length; f++) {
        const nr = 1 << (folios[f] as FolioShape).order;
        for (let page = 0; page < nr; page++) {
          const key = `${f}:${page}`;
          if (used.has(key)) continue;
          used.add(key);
          slots.push({ k: 'page', folio: f, page });
          yield* go(i + 1);
          slots.pop();
          used.delete(key);
        }
      }
      // A page of a new folio. Where folios sit in pfn space is observable only through pfn contiguity
      // across neighbouring slots; that is enumerated per world (contiguityChoices), not here.
      for (const order of [...PROVE_ORDERS].reverse()) {
        for (let page = 0; page < 1 << order; page++) {
          folios.push({ order });
          const key = `${folios.length - 1}:${page}`;
          used.add(key);
          slots.push({ k: 'page', folio: folios.length - 1, page });
          yield* go(i + 1);
          slots.pop();
          used.delete(key);
          folios.pop();
        }
      }
    }
    // PFNMAP VMAs hold special PTEs only; the zero page is mapped in private VMAs only.
    const opts: SlotShape[] = [{ k: 'none' }];
    if (ctx.pfnmap || !ctx.shared) opts.push({ k: 'special' });
    if (!ctx.pfnmap) opts.push(...leaves);
    for (const o of opts) {
      slots.push(o);
      yield* go(i + 1);
      slots.pop();
    }
  }
  yield* go(0);
}

function folioAnonChoices(ctx: ProveContext): boolean[] {
  if (ctx.kind === 'anon-private') return [true];
  if (ctx.kind === 'file-private') return [true, false];
  return [false];
}

/** The facts of one folio that the context's cp_flags make relevant; the others take one canonical value. */
function folioFactChoices(ctx: ProveContext, order: number, mapped: ReadonlySet<number> | null): FolioFacts[] {
  const nr = 1 << order;
  const tryWrite = (ctx.cp_flags & MM_CP_TRY_CHANGE_WRITABLE) !== 0;
  const numa = (ctx.cp_flags & MM_CP_PROT_NUMA) !== 0;
  const out: FolioFacts[] = [];
  for (const anon of folioAnonChoices(ctx)) {
    for (const ksm of tryWrite && anon && order === 0 ? [false, true] : [false]) {
      const exclusive = anon && !ksm;
      const patterns: boolean[][] = [];
      if (tryWrite && exclusive) {
        // Every pattern; in worlds of several slots the pages no slot maps share one value.
        for (let m = 0; m < 1 << nr; m++) {
          const p = Array.from({ length: nr }, (_, i) => ((m >> i) & 1) === 1);
          if (mapped !== null) {
            const rest = p.filter((_, i) => !mapped.has(i));
            if (rest.some((x) => x !== rest[0])) continue;
          }
          patterns.push(p);
        }
      } else patterns.push(new Array<boolean>(nr).fill(exclusive));
      const numaFacts: NumaFact[] = numa
        ? [
            'plain',
            'zone-device',
            'mapped-shared',
            'dma-pinned',
            ...(anon ? [] : ['dirty' as const]),
            ...(anon && order === 0 ? ['ksm' as const] : []),
          ]
        : ['plain'];
      // KSM pages are never PageAnonExclusive (W-FOLIO.5).
      for (const excl of patterns)
        for (const nf of numaFacts)
          out.push({ anon, ksm: ksm || nf === 'ksm', excl: nf === 'ksm' ? excl.map(() => false) : excl, numa: nf });
    }
  }
  return out;
}

function bitsChoices(ctx: ProveContext, writable: boolean): Bits[] {
  const out: Bits[] = [];
  for (const perm of PERMS) {
    if ((perm === 'rw' || perm === 'rwx') && !writable) continue;
    for (const dirty of [false, true])
      for (const young of [false, true])
        for (const softDirty of ctx.config.memSoftDirty ? [false, true] : [false])
          for (const uffdWp of ctx.registered ? [false, true] : [false]) {
            if (uffdWp && (perm === 'rw' || perm === 'rwx')) continue; // W-UFFD.2
            out.push({ perm, dirty, young, softDirty, uffdWp });
          }
  }
  return out;
}

/** Fields of Bits, for the one-field-difference closure. */
function differsInAtMostOneField(a: Bits, b: Bits): boolean {
  let d = 0;
  if (a.perm !== b.perm) d++;
  if (a.dirty !== b.dirty) d++;
  if (a.young !== b.young) d++;
  if (a.softDirty !== b.softDirty) d++;
  if (a.uffdWp !== b.uffdWp) d++;
  return d <= 1;
}

/** Base bits of the first present slot of a multi-slot world: no soft-dirty, no uffd-wp (later slots may flip them). */
const isBase = (b: Bits): boolean => !b.softDirty && !b.uffdWp;

/**
 * The bits of the present slots of one world. One present slot: every
 * combination. Several: the first present slot takes every combination of
 * perm, dirty and young (soft-dirty and uffd-wp clear), and each later one the
 * same bits or the same with ONE field changed (perm, dirty, young,
 * soft-dirty, uffd-wp) -- every reason a batch breaks or merges appears, but
 * not every combination of reasons (docs/strength.md).
 */
function* bitVectors(choices: readonly (readonly (Bits | null)[])[]): Generator<readonly (Bits | null)[]> {
  const present = choices.filter((c) => c[0] !== null).length;
  if (present <= 1) {
    yield* product(choices);
    return;
  }
  let first: Bits | null = null;
  const acc: (Bits | null)[] = [];
  function* go(i: number): Generator<readonly (Bits | null)[]> {
    if (i === choices.length) {
      yield acc;
      return;
    }
    for (const c of choices[i] as readonly (Bits | null)[]) {
      if (c !== null && first === null && !isBase(c)) continue;
      if (c !== null && first !== null && !differsInAtMostOneField(first, c)) continue;
      const isFirst = c !== null && first === null;
      if (isFirst) first = c;
      acc.push(c);
      yield* go(i + 1);
      acc.pop();
      if (isFirst) first = null;
    }
  }
  yield* go(0);
}

function encode(bits: Bits, special: boolean, attrs: Attrs = NO_ATTRS): number {
  let flags: number;
  if (bits.perm === 'none') flags = _PAGE_PROTNONE;
  else {
    flags = _PAGE_PRESENT | _PAGE_USER;
    if (bits.perm === 'r' || bits.perm === 'rw') flags |= _PAGE_NX;
    if (bits.perm === 'rw' || bits.perm === 'rwx') flags |= _PAGE_RW;
  }
  if (bits.young) flags |= _PAGE_ACCESSED;
  if (bits.dirty) flags |= flags & _PAGE_RW ? _PAGE_DIRTY : _PAGE_SAVED_DIRTY;
  if (bits.softDirty) flags |= _PAGE_SOFT_DIRTY;
  if (bits.uffdWp) flags |= _PAGE_UFFD_WP;
  if (special) flags |= _PAGE_SPECIAL;
  return flags | attrs.cache | (attrs.ptePkey << _PAGE_PKEY_SHIFT);
}

/** A contiguity the slots can show: folio `to` starts right after folio `from` ends. */
export interface Edge {
  readonly from: number;
  readonly to: number;
}

/**
 * Where two neighbouring slots map the last page of one folio and the first
 * page of another, the two pfns are consecutive or not depending on where the
 * folios sit; nothing else about their placement is observable (pfn
 * relabelling). So every consistent set of such contiguities is enumerated:
 * each folio has at most one folio right after it and one right before, no
 * cycle, and the chain must be placeable at naturally aligned pfns.
 */
export function* contiguityChoices(slots: readonly SlotShape[], folios: readonly FolioShape[]): Generator<number[]> {
  const edges: Edge[] = [];
  for (let i = 0; i + 1 < slots.length; i++) {
    const a = slots[i] as SlotShape;
    const b = slots[i + 1] as SlotShape;
    if (a.k !== 'page' || b.k !== 'page' || a.folio === b.folio) continue;
    if (a.page === (1 << (folios[a.folio] as FolioShape).order) - 1 && b.page === 0) edges.push({ from: a.folio, to: b.folio });
  }
  const chosen: Edge[] = [];
  function* go(e: number): Generator<number[]> {
    if (e === edges.length) {
      const pfns = placeChains(folios, chosen);
      if (pfns) yield pfns;
      return;
    }
    yield* go(e + 1);
    const edge = edges[e] as Edge;
    if (chosen.some((c) => c.from === edge.from || c.to === edge.to)) return;
    chosen.push(edge);
    if (!hasCycle(chosen)) yield* go(e + 1);
    chosen.pop();
  }
  yield* go(0);
}

function hasCycle(edges: readonly Edge[]): boolean {
  const next = new Map(edges.map((e) => [e.from, e.to]));
  for (const start of next.keys()) {
    let at: number | undefined = start;
    for (let steps = 0; at !== undefined; steps++) {
      at = next.get(at);
      if (at === start || steps > edges.length) return true;
    }
  }
  return false;
}

/**
 * Head pfns: folios joined by the chosen contiguities are laid back to back
 * (a chain), chains in first-use order of their heads with a gap between them,
 * each chain at the first base where every member is naturally aligned;
 * null when no base aligns them all (the contiguity cannot occur).
 */
export function placeChains(folios: readonly FolioShape[], edges: readonly Edge[]): number[] | null {
  const next = new Map(edges.map((e) => [e.from, e.to]));
  const hasPrev = new Set(edges.map((e) => e.to));
  const pfns = new Array<number>(folios.length).fill(-1);
  let cursor = FIRST_FOLIO_PFN;
  for (let head = 0; head < folios.length; head++) {
    if (hasPrev.has(head)) continue;
    const chain: number[] = [];
    for (let f: number | undefined = head; f !== undefined; f = next.get(f)) chain.push(f);
    const sizes = chain.map((f) => 1 << (folios[f] as FolioShape).order);
    const maxSize = Math.max(...sizes);
    let base = -1;
    // cursor + 1: a gap after the previous chain, so no contiguity appears that was not chosen.
    for (let b = cursor + 1; b <= cursor + 1 + 2 * maxSize * chain.length; b++) {
      let off = 0;
      let ok = true;
      for (const size of sizes) {
        if ((b + off) % size !== 0) ok = false;
        off += size;
      }
      if (ok) {
        base = b;
        break;
      }
    }
    if (base < 0) return null;
    let off = 0;
    for (const [k, f] of chain.entries()) {
      pfns[f] = base + off;
      off += sizes[k] as number;
    }
    cursor = base + off;
  }
  return pfns;
}

const CANONICAL_MM: MmState = Object.freeze({ singleThreaded: false });
const CANONICAL_NUMA: NumaState = Object.freeze({
  currentNid: 0,
  topTierNids: Object.freeze([0, 1]) as readonly number[],
  balancingNormal: true,
  memoryTiering: false,
});

/**
 * NUMA states. Node ids enter only through equality with currentNid and
 * membership of topTierNids, so with currentNid = 0, topTierNids = [0] and
 * folio nids 0 and 1 every class (local top-tier, remote lower-tier) is
 * present. The mm/numa switches are enumerated one at a time (each row of
 * SEMANTICS §8.2 that depends on one is reachable), not in every combination.
 */
function numaStates(ctx: ProveContext): { mm: MmState; numa: NumaState; nidRead: boolean }[] {
  if (!(ctx.cp_flags & MM_CP_PROT_NUMA)) return [{ mm: CANONICAL_MM, numa: CANONICAL_NUMA, nidRead: false }];
  const base: NumaState = { currentNid: 0, topTierNids: [0], balancingNormal: true, memoryTiering: false };
  return [
    { mm: CANONICAL_MM, numa: base, nidRead: false },
    { mm: { singleThreaded: true }, numa: base, nidRead: true },
    { mm: CANONICAL_MM, numa: { ...base, balancingNormal: false }, nidRead: true },
    { mm: CANONICAL_MM, numa: { ...base, memoryTiering: true }, nidRead: true },
  ];
}

/** VMA placements: all slots in one PTE table, or a table boundary after slot j. */
function starts(n: number): number[] {
  const out = [PMD_BASE * PTRS_PER_PTE];
  for (let j = 1; j < n; j++) out.push(PMD_BASE * PTRS_PER_PTE + PTRS_PER_PTE - j);
  return out;
}

function pmdChoices(start: number, ptes: readonly Pte[]): PmdSlot[][] {
  const p0 = Math.floor(start / PTRS_PER_PTE);
  const p1 = Math.floor((start + ptes.length - 1) / PTRS_PER_PTE);
  const perPmd: PmdSlot[][] = [];
  for (let p = p0; p <= p1; p++) {
    const lo = Math.max(p * PTRS_PER_PTE, start) - start;
    const hi = Math.min((p + 1) * PTRS_PER_PTE, start + ptes.length) - start;
    const empty = ptes.slice(lo, hi).every((x) => x.kind === 'none');
    perPmd.push(empty ? [{ kind: 'table' }, { kind: 'none' }] : [{ kind: 'table' }]);
  }
  const out: PmdSlot[][] = [];
  for (const x of product(perPmd)) out.push([...x]);
  return out;
}

/**
 * Where the enumeration is and which worlds the caller wants built. Worlds
 * are numbered 0, 1, ... in the one fixed enumeration order; `want(lo, size)`
 * says whether any of the worlds lo..lo+size-1 is wanted. A block nobody
 * wants is stepped over by its size without being built (counting wants none;
 * a shard or job wants its own chunks, see partition.ts).
 */
export interface Cursor {
  index: number;
  readonly want: (lo: number, size: number) => boolean;
}

/** One enumerated world, its slot count and its 0-based position in the enumeration order. */
export interface IndexedWorld {
  readonly world: World;
  readonly slots: number;
  readonly index: number;
}

/** The choices of one slot's bits: present slots may be writable or not; other slots carry none. */
const NO_BITS: readonly (Bits | null)[] = Object.freeze([null]);
const bitsMemo = new WeakMap<ProveContext, readonly [Bits[], Bits[]]>();
function bitsFor(ctx: ProveContext, writable: boolean): Bits[] {
  let m = bitsMemo.get(ctx);
  if (!m) {
    m = [bitsChoices(ctx, false), bitsChoices(ctx, true)];
    bitsMemo.set(ctx, m);
  }
  return m[writable ? 1 : 0];
}

/** The number of bit vectors bitVectors() yields for these choices (memoised by the choices' shape). */
const bitVectorCounts = new Map<string, number>();
function countBitVectors(ctx: ProveContext, choices: readonly (readonly (Bits | null)[])[]): number {
  const key = `${ctx.config.memSoftDirty ? 1 : 0}${ctx.registered ? 1 : 0}:${choices
    .map((c) => (c === NO_BITS ? '-' : c === bitsFor(ctx, true) ? 'w' : 'r'))
    .join('')}`;
  let n = bitVectorCounts.get(key);
  if (n === undefined) {
    n = 0;
    for (const _ of bitVectors(choices)) n++;
    bitVectorCounts.set(key, n);
  }
  return n;
}

/** Worlds of exactly n slots in one context. */
function* worldsOf(ctx: ProveContext, n: number, withAttrs: boolean, cur: Cursor): Generator<IndexedWorld> {
  // The plain domain first (attributes none), then the attribute sets: a run that stops early has
  // covered the plain worlds of every shape before any attribute world.
  for (const attrs of withAttrs ? attrSets(ctx) : [NO_ATTRS]) {
    for (const shape of shapes(ctx, n)) {
      // Without a present entry the entries' key is not seen: that attribute set would repeat another.
      const present = shape.slots.some((s) => s.k === 'page' || s.k === 'special');
      if (!present && attrs.ptePkey !== attrs.vmaPkey) continue;
      if (n > 1 && attrs !== NO_ATTRS && !batchable(shape.slots)) continue; // R3, docs/strength.md
      if (n > 1 && !orderTwoMappedTwice(shape)) continue; // R4, docs/strength.md
      const factChoices = shape.folios.map((f, fi) => {
        if (n === 1) return folioFactChoices(ctx, f.order, null);
        const mapped = new Set<number>();
        for (const s of shape.slots) if (s.k === 'page' && s.folio === fi) mapped.add(s.page);
        return folioFactChoices(ctx, f.order, mapped);
      });
      // Attribute sets past the first meet one canonical fact per folio and one NUMA state: they are
      // about what pte_modify() keeps and replaces, which no folio fact or NUMA switch changes.
      const plain = attrs === NO_ATTRS;
      const facts = plain ? factChoices : factChoices.map((c) => c.slice(0, 1));
      const layouts = { all: layoutOf(ctx, n, shape, plain), base: layoutOf(ctx, n, shape, false) };
      for (const pfns of contiguityChoices(shape.slots, shape.folios))
        yield* worldsWith(ctx, n, shape, pfns, facts, attrs, layouts, cur);
    }
  }
}

/**
 * Whether two neighbouring slots map consecutive pages of one folio, i.e. a
 * batch of two entries can form (R3: the attribute sets of multi-slot worlds
 * are kept where the batch commit writes an entry from another entry's value).
 */
function batchable(slots: readonly SlotShape[]): boolean {
  for (let i = 0; i + 1 < slots.length; i++) {
    const a = slots[i] as SlotShape;
    const b = slots[i + 1] as SlotShape;
    if (a.k === 'page' && b.k === 'page' && a.folio === b.folio && b.page === a.page + 1) return true;
  }
  return false;
}

/**
 * R4 (two or more slots): an order-2 folio appears only where at least two
 * slots map it. A folio one slot maps meets the other slots only through its
 * batch edges (is the page its folio's first, its last, order 0 or large),
 * which order 1 shows as well; everything one page of an order-2 folio shows
 * on its own is enumerated with one slot (every page, every exclusivity).
 */
function orderTwoMappedTwice(shape: { slots: readonly SlotShape[]; folios: readonly FolioShape[] }): boolean {
  return shape.folios.every((f, fi) => f.order < 2 || shape.slots.filter((s) => s.k === 'page' && s.folio === fi).length >= 2);
}

/** The page-table layouts, ranges and NUMA states every bit vector of a shape meets, and how many worlds that makes. */
interface Layout {
  readonly places: readonly {
    readonly start: number;
    readonly pmds: readonly (readonly PmdSlot[])[];
    /** [a, b): the range as slot offsets. */
    readonly ranges: readonly (readonly [number, number])[];
  }[];
  readonly states: readonly { mm: MmState; numa: NumaState; nidRead: boolean }[];
  readonly size: number;
}

function layoutOf(
  ctx: ProveContext,
  n: number,
  shape: { slots: readonly SlotShape[]; folios: readonly FolioShape[] },
  allNuma: boolean,
): Layout {
  // pmdChoices reads only which entries are none, which the shape fixes.
  const kinds: Pte[] = shape.slots.map((s) =>
    s.k === 'none' ? { kind: 'none' } : { kind: 'softleaf', type: 'swap', offset: 0, flags: 0 },
  );
  const places = starts(n).map((start, k) => {
    // R5 (docs/strength.md): with a table boundary after slot j (k = j > 0), only ranges that cross
    // it; a range on one side never reaches the other table, and a walk that leaves its range is
    // already shown by the same slots in one table.
    const ranges: [number, number][] = [];
    for (let a = 0; a < n; a++) for (let b = a + 1; b <= n; b++) if (k === 0 || (a < k && b > k)) ranges.push([a, b]);
    return { start, pmds: pmdChoices(start, kinds).map((p) => deepFreeze(p)), ranges };
  });
  deepFreeze(ctx.config);
  const states = deepFreeze(allNuma ? numaStates(ctx) : numaStates(ctx).slice(0, 1));
  const nids = states.reduce((acc, s) => acc + (s.nidRead && shape.folios.length > 0 ? 2 : 1), 0);
  const tables = places.reduce((acc, p) => acc + p.pmds.length * p.ranges.length, 0);
  return { places, states, size: tables * nids };
}

function* worldsWith(
  ctx: ProveContext,
  n: number,
  shape: { slots: readonly SlotShape[]; folios: readonly FolioShape[] },
  pfns: readonly number[],
  factChoices: readonly (readonly FolioFacts[])[],
  attrs: Attrs,
  layouts: { readonly all: Layout; readonly base: Layout },
  cur: Cursor,
): Generator<IndexedWorld> {
  for (const facts of product(factChoices)) {
    // R2 (two or more slots, docs/strength.md): at most one folio meets a NUMA folio rule, and the
    // NUMA/mm switches vary only while every folio is plain.
    const unusual = n > 1 ? facts.filter((f) => f.numa !== 'plain').length : 0;
    if (unusual > 1) continue;
    const layout = unusual === 0 ? layouts.all : layouts.base;
    const bitChoices = shape.slots.map((s) => {
      if (s.k === 'page') {
        const ff = facts[s.folio] as FolioFacts;
        return bitsFor(ctx, ctx.shared || (ff.anon && !ff.ksm && ff.excl[s.page] === true));
      }
      if (s.k === 'special') return bitsFor(ctx, ctx.shared && ctx.pfnmap);
      return NO_BITS;
    });
    const size = countBitVectors(ctx, bitChoices) * layout.size;
    if (!cur.want(cur.index, size)) {
      cur.index += size;
      continue;
    }
    const mkFolios = (nid: number): Folio[] =>
      shape.folios.map((f, i) => {
        const ff = facts[i] as FolioFacts;
        return mkFolio({
          pfn: pfns[i] as number,
          order: f.order,
          anon: ff.anon,
          ksm: ff.ksm,
          zoneDevice: ff.numa === 'zone-device',
          nid,
          maybeMappedShared: ff.numa === 'mapped-shared',
          maybeDmaPinned: ff.numa === 'dma-pinned',
          fileLru: !ff.anon,
          dirty: ff.numa === 'dirty',
          anonExclusive: ff.excl,
        });
      });
    const folios = mkFolios(0);
    // Folios behind pfn-carrying softleaf entries, placed after the mapped ones.
    let leafPfn = Math.max(FIRST_FOLIO_PFN, ...folios.map((f) => f.pfn + (1 << f.order))) + 1;
    const leafOffsets: number[] = [];
    for (const s of shape.slots) {
      if (s.k !== 'leaf' || s.type === 'swap') {
        leafOffsets.push(0);
        continue;
      }
      const pfn = leafPfn++;
      leafOffsets.push(pfn);
      if (s.type !== 'hwpoison')
        folios.push(mkFolio({ pfn, order: 0, anon: s.anon, zoneDevice: s.type.startsWith('device'), anonExclusive: [s.anon] }));
    }
    deepFreeze(folios);
    let remote: Folio[] | null = null;
    const foliosOn = (nid: number): readonly Folio[] => {
      if (nid === 0) return folios;
      remote ??= deepFreeze([...mkFolios(nid), ...folios.slice(shape.folios.length)]);
      return remote;
    };
    for (const bits of bitVectors(bitChoices)) {
      if (!cur.want(cur.index, layout.size)) {
        cur.index += layout.size;
        continue;
      }
      const ptes: readonly Pte[] = deepFreeze(
        shape.slots.map((s, i): Pte => {
          const b = bits[i] as Bits;
          switch (s.k) {
            case 'none':
              return { kind: 'none' };
            case 'page':
              return { kind: 'present', pfn: (pfns[s.folio] as number) + s.page, flags: encode(b, false, attrs) };
            case 'special':
              return { kind: 'present', pfn: ctx.pfnmap ? 0x20 + i : ZERO_PFN, flags: encode(b, true, attrs) };
            case 'leaf':
              return {
                kind: 'softleaf',
                type: s.type,
                offset: s.type === 'swap' ? SWAP_OFFSET + i : (leafOffsets[i] as number),
                flags: s.flags,
              };
            case 'marker':
              return { kind: 'softleaf', type: 'marker', offset: s.mask, flags: 0 };
            default: {
              const never: never = s;
              throw new TypeError(`unknown slot shape ${JSON.stringify(never)}`);
            }
          }
        }),
      );
      for (const { start, pmds: choices, ranges } of layout.places) {
        const vma = vmaOf(ctx, start, n, attrs);
        for (const pmds of choices)
          for (const [a, b] of ranges)
            for (const { mm, numa, nidRead } of layout.states)
              for (const nid of nidRead && shape.folios.length > 0 ? [0, 1] : [0]) {
                if (cur.want(cur.index, 1))
                  yield {
                    // Every part is frozen already (shared between worlds): freezing the world itself is what
                    // mkWorld's deepFreeze would do, without walking into the parts again.
                    world: Object.freeze({
                      config: ctx.config,
                      vma,
                      mm,
                      numa,
                      folios: foliosOn(nid) as Folio[],
                      pmds: pmds as PmdSlot[],
                      ptes: ptes as Pte[],
                      range: rangeOf(start + a, start + b),
                      cp_flags: ctx.cp_flags,
                    }),
                    slots: n,
                    index: cur.index,
                  };
                cur.index++;
              }
      }
    }
  }
}

/** Frozen ranges, shared by the worlds that use them (less to allocate and freeze per world). */
const rangeMemo = new Map<string, World['range']>();
function rangeOf(start: number, end: number): World['range'] {
  const key = `${start}:${end}`;
  let r = rangeMemo.get(key);
  if (!r) {
    r = Object.freeze({ start, end });
    rangeMemo.set(key, r);
  }
  return r;
}

/** One frozen VMA per context, position, size and attribute set (worlds share it; freezing it once is enough). */
const vmaMemo = new WeakMap<ProveContext, Map<string, Vma>>();
function vmaOf(ctx: ProveContext, start: number, n: number, attrs: Attrs): Vma {
  let m = vmaMemo.get(ctx);
  if (!m) {
    m = new Map();
    vmaMemo.set(ctx, m);
  }
  const key = `${start}:${n}:${attrs.cache}:${attrs.vmaPkey}:${attrs.ptePkey}`;
  let v = m.get(key);
  if (!v) {
    v = deepFreeze(ctx.vma(start, n, attrs));
    m.set(key, v);
  }
  return v;
}

/**
 * The PMD level: a VMA of one PMD mapped by an order-9 THP. Under mprotect()
 * the range is the whole VMA (mprotect splits VMA and THP first otherwise);
 * the other callers also meet it cut ([first page] and [second page, end)),
 * which splits it: an anonymous THP into PTEs the call then changes as one
 * 512-page batch, a file THP into nothing. MM_CP_UFFD_WP on a file THP splits
 * it whole. PMD bits as for a PTE (any old protection under mprotect(); the
 * VMA's current protection, or PROT_NONE, for the other callers, whose THP was
 * made under the current flags); facts: anon or page cache, exclusive or not,
 * and under PROT_NUMA the same facts and NUMA states as a PTE's folio.
 */
function* thpWorldsOf(ctx: ProveContext, cur: Cursor): Generator<IndexedWorld> {
  if (ctx.pfnmap) return;
  // Relevance: under PROT_NUMA newprot is PAGE_NONE and no write upgrade is tried, so neither uffd-wp
  // registration nor soft-dirty tracking is read on this path (the PMD's own uffd-wp and soft-dirty bits
  // are carried by pmd_modify(), which the other callers' THP worlds show).
  if (ctx.cp_flags & MM_CP_PROT_NUMA && (ctx.uffd !== 'off' || ctx.softDirtyTracking)) return;
  const start = PMD_BASE * PTRS_PER_PTE;
  const mprotectCaller = (ctx.cp_flags & (MM_CP_PROT_NUMA | MM_CP_UFFD_WP | MM_CP_UFFD_WP_RESOLVE)) === 0;
  const ranges = mprotectCaller
    ? [[0, 512]]
    : [
        [0, 512],
        [1, 512],
      ];
  const vma = ctx.vma(start, PTRS_PER_PTE);
  const ptes: Pte[] = new Array<Pte>(PTRS_PER_PTE).fill({ kind: 'none' });
  const vmaPerm = ctx.vmaFlags;
  const fitsVma = (perm: Perm): boolean => {
    if (perm === 'none' || mprotectCaller) return true;
    if (vmaPerm === 0) return false;
    const exec = perm === 'rx' || perm === 'rwx';
    const write = perm === 'rw' || perm === 'rwx';
    return exec === ((vmaPerm & 4) !== 0) && (!write || (vmaPerm & 2) !== 0);
  };
  const numa = (ctx.cp_flags & MM_CP_PROT_NUMA) !== 0;
  for (const anon of folioAnonChoices(ctx)) {
    // PageAnonExclusive is read only under TRY (elsewhere it only decides which PMD may be writable: the
    // exclusive THP admits every PMD the other admits).
    for (const exclusive of anon ? ((ctx.cp_flags & MM_CP_TRY_CHANGE_WRITABLE) !== 0 ? [true, false] : [true]) : [false]) {
      const numaFacts: NumaFact[] = numa
        ? ['plain', 'zone-device', 'mapped-shared', 'dma-pinned', ...(anon ? [] : ['dirty' as const])]
        : ['plain'];
      for (const nf of numaFacts) {
        const mkThp = (nid: number): Folio =>
          mkFolio({
            pfn: FIRST_FOLIO_PFN,
            order: 9,
            anon,
            zoneDevice: nf === 'zone-device',
            nid,
            maybeMappedShared: nf === 'mapped-shared',
            maybeDmaPinned: nf === 'dma-pinned',
            fileLru: !anon,
            dirty: nf === 'dirty',
            anonExclusive: new Array<boolean>(PTRS_PER_PTE).fill(exclusive),
          });
        for (const bits of bitsChoices(ctx, ctx.shared || (anon && exclusive))) {
          if (!fitsVma(bits.perm)) continue;
          // The soft-dirty bit is read only with tracking on, the uffd-wp bit only under a uffd-wp call;
          // elsewhere each is kept as it is (pmd_modify), shown by the PTE worlds.
          if (bits.softDirty && !ctx.softDirtyTracking) continue;
          if (bits.uffdWp && !(ctx.cp_flags & (MM_CP_UFFD_WP | MM_CP_UFFD_WP_RESOLVE))) continue;
          const pmds: PmdSlot[] = [{ kind: 'huge', pmd: { kind: 'present', pfn: FIRST_FOLIO_PFN, flags: encode(bits, false) } }];
          for (const [a, b] of ranges)
            for (const { mm, numa: ns, nidRead } of numaStates(ctx))
              for (const nid of nidRead ? [0, 1] : [0]) {
                if (cur.want(cur.index, 1))
                  yield {
                    world: mkWorld({
                      config: ctx.config,
                      vma,
                      ptes,
                      folios: [mkThp(nid)],
                      pmds,
                      range: { start: start + (a as number), end: start + (b as number) },
                      cp_flags: ctx.cp_flags,
                      mm,
                      numa: ns,
                    }),
                    slots: 1,
                    index: cur.index,
                  };
                cur.index++;
              }
        }
      }
    }
  }
}

export const DEFAULT_CONFIGS: readonly ConfigName[] = ['x86-64', 'arm64'];

/**
 * Every world with 1..bound slots, smallest first, in the one fixed order
 * (THP worlds count as one slot: a huge PMD). Only the worlds `want` names
 * are built and yielded; the others are stepped over.
 */
export function* enumerateWorlds(
  options: EnumerateOptions,
  want: (lo: number, size: number) => boolean = () => true,
): Generator<IndexedWorld> {
  yield* walk(options, { index: 0, want });
}

function* walk(options: EnumerateOptions, cur: Cursor, bySlots?: number[]): Generator<IndexedWorld> {
  const configs = options.configs ?? DEFAULT_CONFIGS;
  for (let n = 1; n <= options.bound; n++) {
    const before = cur.index;
    if (options.ptes !== false)
      for (const ctx of contexts(configs, options))
        if (n === 1 || relevantContext(ctx)) yield* worldsOf(ctx, n, options.attrs !== false, cur);
    // The THP worlds after every one-slot PTE world: they cost about fifty times as much each, and a run
    // under a time limit should cover the cheap worlds of every context first.
    if (n === 1 && options.thp !== false) for (const ctx of contexts(configs, options)) yield* thpWorldsOf(ctx, cur);
    if (bySlots) bySlots[n - 1] = cur.index - before;
  }
}

/** The size of the domain: worlds per slot count. */
export interface WorldCount {
  readonly bySlots: readonly number[];
  readonly total: number;
}

/**
 * Counts the worlds without building any: the same walk with nothing wanted,
 * so every block of worlds that share a shape, folio facts and pfns is
 * stepped over by its size (number of bit vectors times layouts, ranges and
 * NUMA states), which is computed, not iterated.
 */
export function countDomain(options: EnumerateOptions): WorldCount {
  const bySlots: number[] = [];
  const cur: Cursor = { index: 0, want: () => false };
  for (const _ of walk(options, cur, bySlots)) throw new Error('countDomain: a world was built while counting');
  return { bySlots, total: cur.index };
}

/** Number of worlds per slot count (for planning a run). */
export function countWorlds(options: EnumerateOptions): number[] {
  return [...countDomain(options).bySlots];
}
