// SPDX-License-Identifier: GPL-2.0-only
// SEMANTICS §14 invariants (src/observe/invariants.ts) on hand-built
// outcomes, written from the surviving and uncovered mutants of the focused
// Stryker run (docs/strength.md §1). Each case takes the spec's outcome of a
// small world (which holds every invariant) and breaks one invariant in one
// slot; the check must name that invariant at that slot. The spec's outcomes
// over generated worlds must pass, so a check made too strict fails too.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { change_protection_spec } from '../../spec/index.js';
import { worldArb } from '../../src/arbitraries/index.js';
import { checkInvariants, expectedCount, flushedOf, type Mismatch } from '../../src/observe/index.js';
import {
  _PAGE_ACCESSED,
  _PAGE_DIRTY,
  _PAGE_NX,
  _PAGE_PCD,
  _PAGE_PRESENT,
  _PAGE_PROTNONE,
  _PAGE_RW,
  _PAGE_SAVED_DIRTY,
  _PAGE_SOFT_DIRTY,
  _PAGE_SPECIAL,
  _PAGE_UFFD_WP,
  _PAGE_USER,
  MM_CP_PROT_NUMA,
  MM_CP_TRY_CHANGE_WRITABLE,
  MM_CP_UFFD_WP,
  MM_CP_UFFD_WP_RESOLVE,
  mk_softleaf,
  mkFolio,
  mkVma,
  mkWorld,
  NONE_PTE,
  type Outcome,
  type PmdSlot,
  type PresentPte,
  PTE_MARKER_GUARD,
  PTE_MARKER_POISONED,
  PTE_MARKER_UFFD_WP,
  type Pte,
  type SpecOutcome,
  SWP_SOFT_DIRTY,
  SWP_UFFD_WP,
  VM_READ,
  VM_SHARED,
  VM_SOFTDIRTY,
  VM_UFFD_WP,
  VM_WRITE,
  type VmaInit,
  type World,
  type WorldInit,
} from '../../src/pte/index.js';

const RO = _PAGE_PRESENT | _PAGE_USER | _PAGE_NX | _PAGE_ACCESSED;
const p = (pfn: number, flags = RO): PresentPte => ({ kind: 'present', pfn, flags });

/** Four order-0 anon exclusive pages [0x10, 0x14); the VMA and call vary. */
function world(vma: Partial<VmaInit>, o: Partial<WorldInit> = {}): World {
  return mkWorld({
    vma: mkVma({ start: 0x10, end: 0x14, flags: VM_READ | VM_WRITE | VM_SOFTDIRTY, ...vma }),
    folios: [0, 1, 2, 3].map((i) => mkFolio({ pfn: 0x100 + i })),
    ptes: [0, 1, 2, 3].map((i) => p(0x100 + i)),
    ...o,
  });
}
/** Every page of the range flushed: INV-15 is then judged only where a test passes its own set. */
const allFlushed = (w: World) => new Set(Array.from({ length: w.range.end - w.range.start }, (_, k) => w.range.start + k));
/** The invariants an outcome breaks, as [rule, vpn]; INV-16 (the count) only in its own tests. */
const inv = (w: World, after: Outcome, flushed: ReadonlySet<number> = allFlushed(w)) =>
  checkInvariants(w, after, flushed)
    .filter((m: Mismatch) => m.rule !== 'INV-16')
    .map((m: Mismatch) => [m.rule, m.vpn]);
const count = (w: World, after: Outcome) => checkInvariants(w, after, allFlushed(w)).filter((m) => m.rule === 'INV-16');
/** The spec's outcome with slot i replaced (count adjusted by the caller when needed). */
const put = (s: SpecOutcome, i: number, e: Pte): Outcome => ({ ...s, ptes: s.ptes.map((x, k) => (k === i ? e : x)) });
const spec = (w: World) => change_protection_spec(w);
const holds = (w: World) => expect(checkInvariants(w, spec(w), flushedOf(spec(w)))).toEqual([]);

describe('the spec holds every invariant', () => {
  it('on generated worlds, PTE and huge PMD alike', () => {
    for (const w of fc.sample(worldArb({ hugeWeight: 4 }), { seed: 14, numRuns: 200 })) holds(w);
  });
});

describe('present PTEs', () => {
  const tryW = world({}, { cp_flags: MM_CP_TRY_CHANGE_WRITABLE });
  const s = spec(tryW);
  it('the base case: TRY makes exclusive anon pages writable, and that is allowed', () => {
    expect(s.ptes.every((e) => e.kind === 'present' && e.flags & _PAGE_RW)).toBe(true);
    holds(tryW);
  });
  it('INV-1: writable in a private VMA only on an exclusive anon page', () => {
    const shared = world(
      {},
      {
        cp_flags: MM_CP_TRY_CHANGE_WRITABLE,
        folios: [0, 1, 2, 3].map((i) => mkFolio({ pfn: 0x100 + i, anonExclusive: [i !== 1] })),
      },
    );
    expect(inv(shared, s)).toEqual([['INV-1', 0x11]]);
    const file = world(
      {},
      { cp_flags: MM_CP_TRY_CHANGE_WRITABLE, folios: [0, 1, 2, 3].map((i) => mkFolio({ pfn: 0x100 + i, anon: i !== 2 })) },
    );
    expect(inv(file, s)).toEqual([['INV-1', 0x12]]);
    const special = put(s, 3, p(0x103, (s.ptes[3] as PresentPte).flags | _PAGE_SPECIAL));
    expect(inv(tryW, special)).toContainEqual(['INV-1', 0x13]);
  });
  it('INV-2: a shared writenotify PTE made writable must be dirty', () => {
    const wn = world(
      { flags: VM_READ | VM_WRITE | VM_SHARED | VM_SOFTDIRTY, anonymous: false, fileCanWriteback: true },
      { folios: [0, 1, 2, 3].map((i) => mkFolio({ pfn: 0x100 + i, anon: false })) },
    );
    expect(wn.vma.vm_page_prot & _PAGE_RW).toBe(0);
    holds(wn);
    const clean = put(spec(wn), 1, p(0x101, RO | _PAGE_RW));
    expect(inv(wn, clean)).toEqual([['INV-2', 0x11]]);
    expect(inv(wn, put(spec(wn), 1, p(0x101, RO | _PAGE_RW | _PAGE_DIRTY)))).toEqual([]);
    // Without writenotify the new protection is writable already: clean is fine.
    const plain = world({ flags: VM_READ | VM_WRITE | VM_SHARED | VM_SOFTDIRTY, anonymous: false }, { folios: wn.folios });
    expect(inv(plain, put(spec(plain), 1, p(0x101, RO | _PAGE_RW)))).toEqual([]);
  });
  it('INV-3: never writable without VM_WRITE', () => {
    const ro = world({ flags: VM_READ | VM_SHARED | VM_SOFTDIRTY, anonymous: false });
    expect(inv(ro, put(spec(ro), 2, p(0x102, RO | _PAGE_RW | _PAGE_DIRTY)))).toEqual([['INV-3', 0x12]]);
  });
  it('INV-4: made writable without soft-dirty while tracking is on', () => {
    const sd = world({ flags: VM_READ | VM_WRITE }, { cp_flags: MM_CP_TRY_CHANGE_WRITABLE });
    holds(sd);
    expect(inv(sd, put(spec(sd), 0, p(0x100, RO | _PAGE_RW)))).toEqual([['INV-4', 0x10]]);
    expect(inv(sd, put(spec(sd), 0, p(0x100, RO | _PAGE_RW | _PAGE_SOFT_DIRTY)))).toEqual([]);
  });
  it('INV-5, INV-6, INV-7: uffd-wp and PROT_NONE are never writable; MM_CP_UFFD_WP marks, RESOLVE clears', () => {
    const u = world({ flags: VM_READ | VM_WRITE | VM_SOFTDIRTY | VM_UFFD_WP });
    expect(inv(u, put(spec(u), 0, p(0x100, RO | _PAGE_RW | _PAGE_UFFD_WP)))).toContainEqual(['INV-5', 0x10]);
    const mark = world({ flags: VM_READ | VM_WRITE | VM_SOFTDIRTY | VM_UFFD_WP }, { cp_flags: MM_CP_UFFD_WP });
    holds(mark);
    expect(inv(mark, put(spec(mark), 1, p(0x101)))).toEqual([['INV-5', 0x11]]);
    const res = world(
      { flags: VM_READ | VM_WRITE | VM_SOFTDIRTY | VM_UFFD_WP },
      { cp_flags: MM_CP_UFFD_WP_RESOLVE, ptes: [0, 1, 2, 3].map((i) => p(0x100 + i, RO | _PAGE_UFFD_WP)) },
    );
    holds(res);
    expect(inv(res, put(spec(res), 2, p(0x102, RO | _PAGE_UFFD_WP)))).toEqual([['INV-6', 0x12]]);
    const none = world({ flags: VM_READ | VM_WRITE | VM_SOFTDIRTY });
    const pn = p(0x103, (RO & ~_PAGE_PRESENT) | _PAGE_PROTNONE | _PAGE_RW);
    expect(inv(none, put(spec(none), 3, pn))).toContainEqual(['INV-7', 0x13]);
  });
  it('INV-8: under PROT_NUMA a changed PTE is PROT_NONE; an untouched one may stay as it was', () => {
    const n = world({ flags: VM_READ | VM_WRITE | VM_SOFTDIRTY }, { cp_flags: MM_CP_PROT_NUMA });
    holds(n);
    expect(inv(n, put(spec(n), 0, p(0x100, RO & ~_PAGE_NX)))).toContainEqual(['INV-8', 0x10]);
    const skipped = put(spec(n), 0, n.ptes[0] as Pte);
    expect(inv(n, { ...skipped, count: spec(n).count - 1 })).toEqual([]);
  });
  it('INV-9 and INV-10: frames, sticky attributes and A/D/soft-dirty bits are kept', () => {
    const w = world({});
    const s0 = spec(w);
    expect(inv(w, put(s0, 0, p(0x999)))).toEqual([['INV-9', 0x10]]);
    expect(inv(w, { ...put(s0, 0, NONE_PTE) })).toContainEqual(['INV-9', 0x10]);
    expect(inv(w, put(s0, 1, p(0x101, RO | _PAGE_PCD)))).toEqual([['INV-10', 0x11]]);
    expect(inv(w, put(s0, 1, p(0x101, RO & ~_PAGE_ACCESSED)))).toEqual([['INV-10', 0x11]]);
    const dirty = world({}, { ptes: [0, 1, 2, 3].map((i) => p(0x100 + i, RO | _PAGE_SAVED_DIRTY | _PAGE_SOFT_DIRTY)) });
    holds(dirty);
    expect(inv(dirty, put(spec(dirty), 2, p(0x102, RO | _PAGE_SOFT_DIRTY)))).toEqual([['INV-10', 0x12]]);
    expect(inv(dirty, put(spec(dirty), 2, p(0x102, RO | _PAGE_SAVED_DIRTY)))).toEqual([['INV-10', 0x12]]);
    const u = world({ flags: VM_READ | VM_WRITE | VM_SOFTDIRTY | VM_UFFD_WP });
    expect(inv(u, put(spec(u), 3, p(0x103, RO | _PAGE_UFFD_WP)))).toEqual([['INV-10', 0x13]]);
  });
  it('INV-15: a PTE whose change needs a flush must be flushed, and only inside the range', () => {
    const w = world({}, { ptes: [0, 1, 2, 3].map((i) => p(0x100 + i, RO & ~_PAGE_NX)) });
    const s0 = spec(w);
    expect(s0.flushPages).toEqual([0x10, 0x11, 0x12, 0x13]);
    expect(inv(w, s0, new Set([0x10, 0x11, 0x13]))).toEqual([['INV-15', 0x12]]);
    expect(inv(w, s0, new Set([0x10, 0x11, 0x12, 0x13, 0x14]))).toEqual([['INV-15', 0x14]]);
    expect(inv(w, s0, new Set([0xf, 0x10, 0x11, 0x12, 0x13]))).toEqual([['INV-15', 0xf]]);
  });
  it('INV-18: slots outside the range are unchanged', () => {
    const w = world({}, { range: { start: 0x11, end: 0x13 } });
    const s0 = spec(w);
    expect(inv(w, put(s0, 0, p(0x100, RO & ~_PAGE_NX)))).toEqual([['INV-18', 0x10]]);
    expect(inv(w, put(s0, 3, NONE_PTE))).toEqual([['INV-18', 0x13]]);
  });
});

describe('softleaf entries and empty slots', () => {
  const sl = (ptes: Pte[], vma: Partial<VmaInit> = {}, cp_flags = 0) =>
    world({ flags: VM_READ | VM_WRITE | VM_SOFTDIRTY | VM_UFFD_WP, ...vma }, { ptes, cp_flags });
  const mig = (flags = 0) => mk_softleaf('migration_write', 0x100, flags);
  it('guard and poison markers never change; a marker becomes itself or none', () => {
    const w = sl([
      mk_softleaf('marker', PTE_MARKER_GUARD),
      mk_softleaf('marker', PTE_MARKER_POISONED),
      mk_softleaf('marker', PTE_MARKER_UFFD_WP),
      NONE_PTE,
    ]);
    holds(w);
    expect(inv(w, put(spec(w), 0, NONE_PTE))).toEqual([['INV-6', 0x10]]);
    expect(inv(w, put(spec(w), 1, mk_softleaf('marker', PTE_MARKER_GUARD)))).toEqual([
      ['INV-6', 0x11],
      ['INV-9', 0x11],
    ]);
    expect(inv(w, { ...put(spec(w), 2, NONE_PTE), count: spec(w).count + 1 })).toEqual([]);
    const r = sl(w.ptes as Pte[], {}, MM_CP_UFFD_WP_RESOLVE);
    holds(r);
    expect(inv(r, { ...put(spec(r), 2, w.ptes[2] as Pte), count: spec(r).count - 1 })).toEqual([['INV-6', 0x12]]);
  });
  it('a swap or migration entry keeps its kind and offset; writable migration does not survive', () => {
    const w = sl([mig(), mk_softleaf('swap', 5, SWP_SOFT_DIRTY), NONE_PTE, NONE_PTE]);
    holds(w);
    const s0 = spec(w);
    expect(inv(w, put(s0, 0, NONE_PTE))).toContainEqual(['INV-9', 0x10]);
    expect(inv(w, put(s0, 0, mk_softleaf('migration_read', 0x101)))).toContainEqual(['INV-9', 0x10]);
    expect(inv(w, put(s0, 0, mig()))).toContainEqual(['INV-11', 0x10]);
    expect(inv(w, put(s0, 0, mk_softleaf('device_private_write', 0x100)))).toContainEqual(['INV-11', 0x10]);
    expect(inv(w, put(s0, 1, mk_softleaf('swap', 5)))).toEqual([['INV-10', 0x11]]);
  });
  it('swap uffd-wp: MM_CP_UFFD_WP sets it, RESOLVE clears it, nothing else changes it (but migration-write may drop it)', () => {
    const u = sl([mk_softleaf('swap', 5), NONE_PTE, NONE_PTE, NONE_PTE], {}, MM_CP_UFFD_WP);
    holds(u);
    expect(inv(u, put(spec(u), 0, mk_softleaf('swap', 5)))).toContainEqual(['INV-5', 0x10]);
    const r = sl([mk_softleaf('swap', 5, SWP_UFFD_WP), NONE_PTE, NONE_PTE, NONE_PTE], {}, MM_CP_UFFD_WP_RESOLVE);
    holds(r);
    expect(inv(r, put(spec(r), 0, mk_softleaf('swap', 5, SWP_UFFD_WP)))).toContainEqual(['INV-6', 0x10]);
    const plain = sl([mk_softleaf('swap', 5, SWP_UFFD_WP), mig(SWP_UFFD_WP), NONE_PTE, NONE_PTE]);
    holds(plain);
    expect(inv(plain, put(spec(plain), 0, mk_softleaf('swap', 5)))).toEqual([['INV-10', 0x10]]);
    const dropped = put(spec(plain), 1, mk_softleaf('migration_read', 0x100));
    expect(inv(plain, dropped)).toEqual([]);
    expect(checkInvariants(plain, dropped, new Set(), { migrationDropsUffd: false }).map((m) => m.rule)).toEqual(['INV-10']);
  });
  it('an empty slot stays empty, or gets a uffd-wp marker under MM_CP_UFFD_WP where markers are used', () => {
    const file = { anonymous: false, flags: VM_READ | VM_WRITE | VM_SOFTDIRTY | VM_UFFD_WP | VM_SHARED };
    const folios = [0, 1, 2, 3].map((i) => mkFolio({ pfn: 0x100 + i, anon: false }));
    const e = mkWorld({ ...world(file, { folios, cp_flags: MM_CP_UFFD_WP }), ptes: [NONE_PTE, p(0x101), p(0x102), p(0x103)] });
    holds(e);
    expect(spec(e).ptes[0]).toEqual(mk_softleaf('marker', PTE_MARKER_UFFD_WP));
    expect(inv(e, { ...put(spec(e), 0, NONE_PTE), count: spec(e).count - 1 })).toEqual([['INV-5', 0x10]]);
    expect(inv(e, put(spec(e), 0, p(0x100)))).toContainEqual(['INV-9', 0x10]);
    expect(inv(e, put(spec(e), 0, mk_softleaf('marker', PTE_MARKER_GUARD)))).toContainEqual(['INV-9', 0x10]);
    const anon = mkWorld({
      ...world({ flags: VM_READ | VM_WRITE | VM_SOFTDIRTY | VM_UFFD_WP }, { cp_flags: MM_CP_UFFD_WP }),
      ptes: [NONE_PTE, p(0x101), p(0x102), p(0x103)],
    });
    holds(anon);
    expect(spec(anon).ptes[0]).toEqual(NONE_PTE);
    const plain = mkWorld({ ...world(file, { folios }), ptes: [NONE_PTE, p(0x101), p(0x102), p(0x103)] });
    expect(
      inv(plain, { ...put(spec(plain), 0, mk_softleaf('marker', PTE_MARKER_UFFD_WP)), count: spec(plain).count + 1 }),
    ).toEqual([['INV-9', 0x10]]);
  });
});

describe('INV-16, the count formula', () => {
  it('counts processed present PTEs, changed non-present slots, and 512 per huge PMD updated', () => {
    const w = world(
      { flags: VM_READ | VM_SOFTDIRTY | VM_UFFD_WP },
      { ptes: [p(0x100), NONE_PTE, mk_softleaf('swap', 1), mk_softleaf('migration_write', 0x103)] },
    );
    expect(expectedCount(w, spec(w))).toBe(2);
    expect(spec(w).count).toBe(2);
    expect(count(w, { ...spec(w), count: 3 }).map((m) => m.message)).toEqual(['count 3, formula gives 2']);
    expect(count(w, spec(w))).toEqual([]);
    const n = world({}, { cp_flags: MM_CP_PROT_NUMA });
    const sn = spec(n);
    expect(expectedCount(n, sn)).toBe(4);
    expect(expectedCount(n, { ...sn, ptes: n.ptes })).toBe(0);
  });
  const huge = (range: { start: number; end: number }, cp_flags = 0, vma: Partial<VmaInit> = {}, pmd: PresentPte = p(0x200)) =>
    mkWorld({
      vma: mkVma({ start: 0, end: 512, flags: VM_READ | VM_WRITE | VM_SOFTDIRTY, ...vma }),
      folios: [mkFolio({ pfn: 0x200, order: 9, anon: vma.anonymous ?? true })],
      pmds: [{ kind: 'huge', pmd } as PmdSlot],
      ptes: new Array<Pte>(512).fill(NONE_PTE),
      range,
      cp_flags,
    });
  it('a huge PMD handled whole counts 512; a split one counts its processed PTEs; a zapped one its markers', () => {
    for (const w of [
      huge({ start: 0, end: 512 }),
      huge({ start: 0, end: 100 }),
      huge({ start: 0, end: 512 }, MM_CP_PROT_NUMA),
      huge({ start: 0, end: 100 }, MM_CP_PROT_NUMA),
      huge({ start: 0, end: 100 }, 0, { anonymous: false, flags: VM_READ | VM_SOFTDIRTY }),
      huge({ start: 0, end: 512 }, MM_CP_PROT_NUMA, {}, p(0x200, (RO & ~_PAGE_PRESENT) | _PAGE_PROTNONE)),
      huge(
        { start: 0, end: 100 },
        MM_CP_PROT_NUMA,
        { flags: VM_READ | VM_WRITE | VM_SOFTDIRTY },
        p(0x200, (RO & ~_PAGE_PRESENT) | _PAGE_PROTNONE),
      ),
    ]) {
      const s0 = spec(w);
      expect(expectedCount(w, s0)).toBe(s0.count);
      holds(w);
    }
    expect(spec(huge({ start: 0, end: 512 })).count).toBe(512);
    expect(spec(huge({ start: 0, end: 100 })).count).toBe(100);
    expect(spec(huge({ start: 0, end: 512 }, MM_CP_PROT_NUMA, {}, p(0x200, (RO & ~_PAGE_PRESENT) | _PAGE_PROTNONE))).count).toBe(
      0,
    );
  });
  it('a huge PMD outside the range is not visited and counts nothing (change_pmd_range())', () => {
    const w = mkWorld({
      vma: mkVma({ start: 0, end: 1024, flags: VM_READ | VM_SOFTDIRTY }),
      folios: [mkFolio({ pfn: 0x200, order: 9 }), mkFolio({ pfn: 0x400, order: 9 })],
      pmds: [
        { kind: 'huge', pmd: p(0x200) },
        { kind: 'huge', pmd: p(0x400) },
      ],
      ptes: new Array<Pte>(1024).fill(NONE_PTE),
      range: { start: 512, end: 1024 },
    });
    expect(spec(w).count).toBe(512);
    expect(expectedCount(w, spec(w))).toBe(512);
    expect(expectedCount(mkWorld({ ...w, range: { start: 0, end: 1024 } }), { ...spec(w), count: 1024 })).toBe(1024);
    expect(expectedCount(mkWorld({ ...w, range: { start: 511, end: 513 } }), spec(w))).toBe(1024);
  });
  it('huge PMDs: INV-18 outside the range, and the PTE rules at PMD size inside it', () => {
    const w = mkWorld({
      vma: mkVma({ start: 0, end: 1024, flags: VM_READ | VM_SOFTDIRTY }),
      folios: [mkFolio({ pfn: 0x200, order: 9 }), mkFolio({ pfn: 0x400, order: 9, anonExclusive: new Array(512).fill(false) })],
      pmds: [
        { kind: 'huge', pmd: p(0x200) },
        { kind: 'huge', pmd: p(0x400) },
      ],
      ptes: new Array<Pte>(1024).fill(NONE_PTE),
      range: { start: 512, end: 1024 },
    });
    const s0 = spec(w);
    holds(w);
    const at = (j: number, pmd: PresentPte): Outcome => ({
      ...s0,
      pmds: s0.pmds.map((x, k) => (k === j ? { kind: 'huge', pmd } : x)),
    });
    expect(inv(w, at(0, p(0x200, RO & ~_PAGE_NX)))).toEqual([['INV-18', 0]]);
    expect(inv(w, { ...s0, pmds: [{ kind: 'table' }, s0.pmds[1] as PmdSlot] })).toEqual([['INV-18', 0]]);
    expect(inv(w, at(1, p(0x600)))).toEqual([['INV-9', 512]]);
    expect(inv(w, at(1, p(0x400, RO | _PAGE_RW | _PAGE_DIRTY)))).toEqual([
      ['INV-1', 512],
      ['INV-3', 512],
    ]);
    expect(inv(w, at(1, p(0x400, RO | _PAGE_UFFD_WP)))).toEqual([]);
    const pn = p(0x400, (RO & ~_PAGE_PRESENT) | _PAGE_PROTNONE | _PAGE_RW);
    expect(inv(w, at(1, pn)).map(([r]) => r)).toEqual(['INV-1', 'INV-3', 'INV-7']);
  });
  it('huge PMDs under uffd-wp: never writable with uffd-wp, and MM_CP_UFFD_WP marks a PMD it handles', () => {
    const vma = mkVma({ start: 0, end: 512, flags: VM_READ | VM_WRITE | VM_SOFTDIRTY | VM_UFFD_WP });
    const w = mkWorld({
      vma,
      folios: [mkFolio({ pfn: 0x200, order: 9 })],
      pmds: [{ kind: 'huge', pmd: p(0x200) }],
      ptes: new Array<Pte>(512).fill(NONE_PTE),
      cp_flags: MM_CP_UFFD_WP,
    });
    const s0 = spec(w);
    holds(w);
    expect(s0.pmds[0]?.kind).toBe('huge');
    expect(inv(w, { ...s0, pmds: [{ kind: 'huge', pmd: p(0x200, RO & ~_PAGE_NX) }] })).toContainEqual(['INV-5', 0]);
    expect(inv(w, { ...s0, pmds: [{ kind: 'huge', pmd: p(0x200, RO | _PAGE_UFFD_WP | _PAGE_RW) }] })).toContainEqual([
      'INV-5',
      0,
    ]);
  });
});
