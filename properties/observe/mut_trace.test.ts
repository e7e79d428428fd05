// SPDX-License-Identifier: GPL-2.0-only
// INV-19 (src/observe/trace.ts) on hand-built traces, written from the
// surviving mutants of the focused Stryker run (docs/strength.md §1): each
// rule a batch must obey, shown once broken (the failure names INV-19 and the
// first bad slot) and once obeyed right at its boundary (a batch that ends
// exactly at the range end, the table end, the folio end or its run's end is
// well formed). The rules are those of change_pte_range() in mm/mprotect.c
// (v6.17+): a batch is found by folio_pte_batch_flags() inside one folio, one
// PTE table and the range; commit_anon_folio_batch() splits it into sub-runs
// where PageAnonExclusive() changes and sets write only on exclusive pages of
// a private mapping; every PTE the walk modifies or flushes is committed.
import { describe, expect, it } from 'vitest';
import { change_protection_spec } from '../../spec/index.js';
import { getVariant } from '../../src/kernel/index.js';
import { checkTrace, compareRelaxed, type Mismatch } from '../../src/observe/index.js';
import {
  _PAGE_ACCESSED,
  _PAGE_NX,
  _PAGE_PRESENT,
  _PAGE_SPECIAL,
  _PAGE_USER,
  type BatchTrace,
  type KernelOutcome,
  MM_CP_TRY_CHANGE_WRITABLE,
  mkFolio,
  mkVma,
  mkWorld,
  NONE_PTE,
  type PmdSlot,
  type Pte,
  pte_write,
  VM_READ,
  VM_SHARED,
  VM_SOFTDIRTY,
  VM_WRITE,
  type World,
} from '../../src/pte/index.js';

const RO = _PAGE_PRESENT | _PAGE_USER | _PAGE_NX | _PAGE_ACCESSED;
const present = (pfn: number, flags = RO): Pte => ({ kind: 'present', pfn, flags });

/**
 * Eight pages [0x200, 0x208) of one private order-3 anon folio at pfn 0x100,
 * exclusive except pages 2 and 3; range [0x201, 0x207), so 0x200 and 0x207
 * lie outside it.
 */
const EXCL = [true, true, false, false, true, true, true, true];
function folioWorld(opts: { shared?: boolean; ptes?: Pte[]; pmds?: PmdSlot[] } = {}): World {
  return mkWorld({
    vma: mkVma({ start: 0x200, end: 0x208, flags: VM_READ | VM_WRITE | VM_SOFTDIRTY | (opts.shared ? VM_SHARED : 0) }),
    folios: [mkFolio({ pfn: 0x100, order: 3, anonExclusive: EXCL })],
    ptes: opts.ptes ?? Array.from({ length: 8 }, (_, i) => present(0x100 + i)),
    ...(opts.pmds ? { pmds: opts.pmds } : {}),
    range: { start: 0x201, end: 0x207 },
    cp_flags: MM_CP_TRY_CHANGE_WRITABLE,
  });
}

/** The world's own entries back, with the given trace and flushes: only the trace is judged. */
function outcome(world: World, trace: BatchTrace[], over: Partial<KernelOutcome> = {}): KernelOutcome {
  return { ptes: world.ptes, pmds: world.pmds, count: 0, numaStamps: [], flushes: [], trace, ...over };
}

const commit = (start: number, nr: number, subRuns = [{ idx: 0, len: nr, setWrite: false }]): BatchTrace => ({
  start,
  nr,
  action: 'commit',
  subRuns,
});

/** checkTrace without the completeness half: these traces judge batch shape only. */
const shape = (world: World, trace: BatchTrace[]): Mismatch[] => checkTrace(world, outcome(world, trace), 'per-pte');
const at = (ms: readonly Mismatch[]) => ms.map((m) => [m.rule, m.vpn, m.message]);

describe('INV-19: a batch obeys each rule of change_pte_range()', () => {
  const w = folioWorld();
  // Sub-runs that split exactly where PageAnonExclusive changes: pages 1 | 2-3 | 4-6 of the folio.
  const tiled = [
    { idx: 0, len: 1, setWrite: true },
    { idx: 1, len: 2, setWrite: false },
    { idx: 3, len: 3, setWrite: true },
  ];

  it('a batch covering the whole range, split at every exclusivity change, is well formed', () => {
    expect(shape(w, [commit(0x201, 6, tiled)])).toEqual([]);
  });
  it('single-page batches at the first and the last slot of the range are well formed', () => {
    expect(shape(w, [commit(0x201, 1), commit(0x206, 1)])).toEqual([]);
  });
  it('an empty batch is malformed', () => {
    expect(at(shape(w, [commit(0x202, 0, [])]))).toEqual([['INV-19', 0x202, 'batch of length 0']]);
  });
  it('a batch that starts before the range or ends after it leaves the range', () => {
    expect(at(shape(w, [commit(0x200, 2)]))).toContainEqual(['INV-19', 0x200, 'batch leaves the range']);
    expect(at(shape(w, [commit(0x205, 3)]))).toContainEqual(['INV-19', 0x205, 'batch leaves the range']);
  });
  it('a batch on a none slot, or spanning two folios, or longer than a special entry, is malformed', () => {
    const holes = folioWorld({
      ptes: [present(0x100), present(0x101), NONE_PTE, ...[3, 4, 5, 6, 7].map((i) => present(0x100 + i))],
    });
    expect(at(shape(holes, [commit(0x202, 1)]))).toEqual([['INV-19', 0x202, 'batch starts on a non-present slot']]);
    const special = folioWorld({
      ptes: Array.from({ length: 8 }, (_, i) => present(0x7000 + i, RO | _PAGE_SPECIAL)),
    });
    // A special entry has no folio (vm_normal_page() is NULL): a lone page is a batch, two are not.
    expect(shape(special, [commit(0x203, 1)])).toEqual([]);
    expect(at(shape(special, [{ ...commit(0x203, 2), action: 'skip-numa' }]))).toEqual([
      ['INV-19', 0x203, 'batch leaves its folio'],
    ]);
  });
  it('a skipped batch is sized by folio only: up to the folio end is fine, one past it is not', () => {
    const two = mkWorld({
      vma: mkVma({ start: 0, end: 8, flags: VM_READ }),
      folios: [mkFolio({ pfn: 0x100, order: 2 }), mkFolio({ pfn: 0x104, order: 2 })],
      ptes: Array.from({ length: 8 }, (_, i) => present(0x100 + i)),
    });
    const skip = (start: number, nr: number): BatchTrace => ({ start, nr, action: 'skip-protnone', subRuns: [] });
    expect(shape(two, [skip(1, 3), skip(4, 4)])).toEqual([]);
    expect(at(shape(two, [skip(1, 4)]))).toEqual([['INV-19', 1, 'batch leaves its folio']]);
  });
  it('a batch across a PMD boundary crosses a PTE-table boundary; one ending at it does not', () => {
    const cross = mkWorld({
      vma: mkVma({ start: 508, end: 516, flags: VM_READ }),
      folios: [mkFolio({ pfn: 0x100, order: 3 })],
      ptes: Array.from({ length: 8 }, (_, i) => present(0x100 + i)),
    });
    expect(shape(cross, [commit(508, 4), commit(512, 4)])).toEqual([]);
    expect(at(shape(cross, [commit(510, 4)]))).toContainEqual(['INV-19', 510, 'batch crosses a PTE-table boundary']);
  });
  it('a committed batch lies inside one batchable run (equal bits but dirty and young)', () => {
    const mixed = folioWorld({
      ptes: Array.from({ length: 8 }, (_, i) => present(0x100 + i, i < 4 ? RO : RO & ~_PAGE_NX)),
    });
    // Runs inside the range: [0x201, 0x204) and [0x204, 0x207).
    expect(shape(mixed, [commit(0x201, 3), commit(0x204, 3)])).toEqual([]);
    expect(shape(mixed, [commit(0x202, 2)])).toEqual([]);
    expect(at(shape(mixed, [commit(0x203, 2)]))).toEqual([['INV-19', 0x203, 'batch of 2 is not inside one batchable run']]);
  });
  it('sub-runs tile the batch from its first page to its last', () => {
    const gap = [
      { idx: 0, len: 1, setWrite: false },
      { idx: 2, len: 4, setWrite: false },
    ];
    expect(at(shape(w, [commit(0x201, 6, gap)]))).toContainEqual(['INV-19', 0x203, 'sub-runs do not tile the batch']);
    const short = [
      { idx: 0, len: 1, setWrite: false },
      { idx: 1, len: 2, setWrite: false },
    ];
    expect(at(shape(w, [commit(0x201, 6, short)]))).toEqual([['INV-19', 0x201, 'sub-runs do not cover the batch']]);
  });
  it('write is set only on PageAnonExclusive pages of a private mapping', () => {
    const allWrite = tiled.map((s) => ({ ...s, setWrite: true }));
    expect(at(shape(w, [commit(0x201, 6, allWrite)]))).toEqual([
      ['INV-19', 0x202, 'set_write on a page that is not PageAnonExclusive (R-WR.4)'],
      ['INV-19', 0x203, 'set_write on a page that is not PageAnonExclusive (R-WR.4)'],
    ]);
    // A shared mapping's write comes from the dirty test (R-WR.3), not from exclusivity.
    expect(shape(folioWorld({ shared: true }), [commit(0x201, 6, allWrite)])).toEqual([]);
  });
  it('sub-runs split only where PageAnonExclusive changes', () => {
    const extra = [
      { idx: 0, len: 1, setWrite: true },
      { idx: 1, len: 2, setWrite: false },
      { idx: 3, len: 1, setWrite: true },
      { idx: 4, len: 2, setWrite: true },
    ];
    expect(at(shape(w, [commit(0x201, 6, extra)]))).toEqual([
      ['INV-19', 0x205, 'sub-run split without a PageAnonExclusive change'],
    ]);
  });
  it('a malformed batch is reported, never a crash: before the VMA, or split without a folio', () => {
    const late = mkWorld({
      ...w,
      vma: mkVma({ start: 0x202, end: 0x20a, flags: VM_READ | VM_WRITE | VM_SOFTDIRTY }),
      range: { start: 0x202, end: 0x20a },
    });
    expect(at(shape(late, [commit(0x201, 3)]))).toEqual([['INV-19', 0x201, 'batch leaves the range']]);
    // Far outside the VMA's PMDs (a candidate's garbage vpn): named, not a RangeError from the lookup.
    expect(at(shape(late, [commit(0x9000, 2), commit(0x20a, 1)]))).toEqual([
      ['INV-19', 0x9000, 'batch leaves the range'],
      ['INV-19', 0x20a, 'batch leaves the range'],
    ]);
    const special = folioWorld({ ptes: Array.from({ length: 8 }, (_, i) => present(0x7000 + i, RO | _PAGE_SPECIAL)) });
    const two = [
      { idx: 0, len: 1, setWrite: false },
      { idx: 1, len: 0, setWrite: false },
    ];
    expect(at(shape(special, [commit(0x203, 1, two)]))).toEqual([]);
  });
  it('a batch in the slots of a huge PMD (PTEs made by the split) is checked for range and table only', () => {
    const huge = mkWorld({
      vma: mkVma({ start: 0, end: 512, flags: VM_READ }),
      folios: [mkFolio({ pfn: 0x200, order: 9 })],
      pmds: [{ kind: 'huge', pmd: { kind: 'present', pfn: 0x200, flags: RO } }],
      ptes: new Array<Pte>(512).fill(NONE_PTE),
      range: { start: 0, end: 256 },
    });
    expect(shape(huge, [commit(0, 256)])).toEqual([]);
    expect(at(shape(huge, [commit(200, 100)]))).toEqual([['INV-19', 200, 'batch leaves the range']]);
  });
});

describe('INV-19 completeness: every present PTE the call changed or flushed lies in a committed batch', () => {
  const w = folioWorld();
  const flipped = w.ptes.map((p, i) => (i === 3 && p.kind === 'present' ? { ...p, flags: p.flags & ~_PAGE_NX } : p));

  it("falcato-v3's own trace is complete, and the same outcome without a trace is not", () => {
    const kern = getVariant('falcato-v3').run(w);
    expect(kern.ptes.some((p, i) => p !== w.ptes[i] && p.kind === 'present' && pte_write(p))).toBe(true);
    expect(checkTrace(w, kern)).toEqual([]);
    expect(compareRelaxed(w, change_protection_spec(w), kern)).toEqual([]);
    const [m, ...rest] = checkTrace(w, { ...kern, trace: [] });
    expect(rest).toEqual([]);
    expect(m?.rule).toBe('INV-19');
    expect(m?.vpn).toBe(0x201); // the first written page
    expect(m?.before).toEqual(w.ptes[1]);
    expect(m?.variant).toEqual(kern.ptes[1]);
  });
  it('a changed slot outside every committed batch is named with the number of such slots', () => {
    const kern = outcome(w, [commit(0x201, 2), { start: 0x203, nr: 4, action: 'skip-numa', subRuns: [] }], { ptes: flipped });
    expect(at(checkTrace(w, kern))).toEqual([
      ['INV-19', 0x203, '1 changed or flushed present PTE(s) lie in no committed batch of the trace'],
    ]);
    expect(checkTrace(w, outcome(w, [commit(0x203, 1)], { ptes: flipped }))).toEqual([]);
    // The same outcome from a per-PTE target: it has no trace to be complete.
    expect(checkTrace(w, outcome(w, [], { ptes: flipped }), 'per-pte')).toEqual([]);
  });
  it('a flushed but unchanged slot needs a committed batch too; unflushed unchanged ones do not', () => {
    const kern = outcome(w, [], { flushes: [{ start: 0x206, nr: 1 }] });
    expect(at(checkTrace(w, kern))).toEqual([
      ['INV-19', 0x206, '1 changed or flushed present PTE(s) lie in no committed batch of the trace'],
    ]);
    expect(checkTrace(w, outcome(w, []))).toEqual([]);
  });
  it('a slot the variant dropped from its outcome counts as changed, and has no variant value to show', () => {
    const kern = outcome(w, [commit(0x201, 2)], { ptes: w.ptes.slice(0, 4) });
    const [m, ...rest] = checkTrace(w, kern);
    expect(rest).toEqual([]);
    expect([m?.rule, m?.vpn, m?.message]).toEqual([
      'INV-19',
      0x204,
      '3 changed or flushed present PTE(s) lie in no committed batch of the trace',
    ]);
    expect(m?.before).toEqual(w.ptes[4]);
    expect(m && 'variant' in m).toBe(false);
  });
  it('slots outside the range, non-present slots and slots under a huge or empty PMD need no batch', () => {
    const outside = w.ptes.map((p, i) => (i === 0 || i === 7 ? NONE_PTE : p));
    expect(checkTrace(w, outcome(w, [], { ptes: outside }))).toEqual([]);
    // A none slot that became present (not something the walk does, but not INV-19's business).
    const none = folioWorld({ ptes: [present(0x100), NONE_PTE, ...[2, 3, 4, 5, 6, 7].map((i) => present(0x100 + i))] });
    expect(checkTrace(none, outcome(none, [], { ptes: none.ptes.map((p, i) => (i === 1 ? present(0x101) : p)) }))).toEqual([]);
    const huge = mkWorld({
      vma: mkVma({ start: 0, end: 512, flags: VM_READ }),
      folios: [mkFolio({ pfn: 0x200, order: 9 })],
      pmds: [{ kind: 'huge', pmd: { kind: 'present', pfn: 0x200, flags: RO } }],
      ptes: new Array<Pte>(512).fill(NONE_PTE),
    });
    const split = huge.ptes.map((_, i) => present(0x200 + i));
    expect(checkTrace(huge, outcome(huge, [], { ptes: split, pmds: [{ kind: 'table' }] }))).toEqual([]);
  });
});
