// SPDX-License-Identifier: GPL-2.0-only
// The comparisons shared by the exact and the relaxed relation, the dirty-bit
// invariant and the mismatch text (src/observe/{exact,compare_common,
// inv_dirty,mismatch}.ts), written from the surviving and uncovered mutants
// of the focused Stryker run (docs/strength.md §1). Each case starts from the
// spec's real outcome on a small hand-built world and changes one thing the
// comparison must see (or must forgive), so the expected verdict follows from
// the rule, not from the code under test.
import { describe, expect, it } from 'vitest';
import { change_protection_spec } from '../../spec/index.js';
import {
  compareFlushCovers,
  comparePmds,
  compareStamps,
  flushedPages,
  flushOwed,
  samePmd,
} from '../../src/observe/compare_common.js';
import { checkDirtyKept, compareExact, compareRelaxed, describeMismatch, type Mismatch, RULES } from '../../src/observe/index.js';
import {
  _PAGE_ACCESSED,
  _PAGE_DIRTY,
  _PAGE_DIRTY_BITS,
  _PAGE_NX,
  _PAGE_PRESENT,
  _PAGE_RW,
  _PAGE_USER,
  ARM64,
  formatPte,
  type KernelOutcome,
  mk_softleaf,
  mkFolio,
  mkVma,
  mkWorld,
  NONE_PTE,
  type Outcome,
  type PresentPte,
  type Pte,
  pte_mkdirty,
  pte_mkyoung,
  type SpecOutcome,
  VM_READ,
  VM_SOFTDIRTY,
  type World,
  X86_64,
} from '../../src/pte/index.js';

const RW_DIRTY = _PAGE_PRESENT | _PAGE_USER | _PAGE_NX | _PAGE_ACCESSED | _PAGE_RW | _PAGE_DIRTY;
const pte = (pfn: number, flags: number): PresentPte => ({ kind: 'present', pfn, flags });

/**
 * mprotect(PROT_READ) over four dirty writable pages [0x10, 0x14) of a private
 * anon VMA [0x10, 0x16), range [0x11, 0x15): the spec write-protects and owes
 * a flush for each of 0x11..0x14 (R-COMMIT.3: RW is a flush-on-change bit).
 */
const W: World = mkWorld({
  vma: mkVma({ start: 0x10, end: 0x16, flags: VM_READ | VM_SOFTDIRTY }),
  folios: [0, 1, 2, 3, 4, 5].map((i) => mkFolio({ pfn: 0x100 + i })),
  ptes: [0, 1, 2, 3, 4, 5].map((i) => pte(0x100 + i, RW_DIRTY)),
  range: { start: 0x11, end: 0x15 },
});
const S: SpecOutcome = change_protection_spec(W);
/** The spec's outcome as a variant would report it: one flush call over the owed pages. */
const asKernel = (o: SpecOutcome = S, over: Partial<KernelOutcome> = {}): KernelOutcome => ({
  ptes: o.ptes,
  pmds: o.pmds,
  count: o.count,
  numaStamps: o.numaStamps,
  flushes: [{ start: 0x11, nr: 4 }],
  trace: [],
  ...over,
});
const rules = (ms: readonly Mismatch[]) => ms.map((m) => m.rule);

describe('the world used here is what the rules say', () => {
  it('the spec write-protects the range, keeps the slots outside it, and owes one flush per changed page', () => {
    expect(S.flushPages).toEqual([0x11, 0x12, 0x13, 0x14]);
    expect(S.count).toBe(4);
    expect(S.ptes[0]).toEqual(W.ptes[0]);
    expect(S.ptes[5]).toEqual(W.ptes[5]);
    expect(S.ptes.slice(1, 5).every((p) => p.kind === 'present' && !(p.flags & _PAGE_RW))).toBe(true);
    expect(compareExact(W, S, asKernel())).toEqual([]);
    expect(compareRelaxed(W, S, asKernel())).toEqual([]);
  });
});

describe('compareExact', () => {
  it('a wrong slot count is one mismatch naming both counts', () => {
    expect(compareExact(W, S, asKernel(S, { ptes: S.ptes.slice(1) }))).toEqual([
      { rule: 'EXACT', message: 'variant returned 5 slots, reference 6' },
    ]);
  });
  it('each differing entry is named with its slot and the three values', () => {
    const ptes = S.ptes.map((p, i) => (i === 2 || i === 3 ? W.ptes[i]! : p));
    const ms = compareExact(W, S, asKernel(S, { ptes }));
    expect(ms.map((m) => [m.rule, m.vpn, m.message])).toEqual([
      ['EXACT', 0x12, 'entry differs'],
      ['EXACT', 0x13, 'entry differs'],
    ]);
    expect(ms[0]).toMatchObject({ before: W.ptes[2], spec: S.ptes[2], variant: W.ptes[2] });
  });
  it('count, PMDs and stamps are compared too', () => {
    expect(rules(compareExact(W, S, asKernel(S, { count: 3 })))).toEqual(['EXACT']);
    expect(rules(compareExact(W, S, asKernel(S, { pmds: [{ kind: 'none' }] })))).toEqual(['EXACT']);
    expect(rules(compareExact(W, S, asKernel(S, { numaStamps: [0x100] })))).toEqual(['EXACT']);
  });
  it('flushed pages must equal the reference, whatever the order and split of the flush calls', () => {
    const split = [
      { start: 0x13, nr: 2 },
      { start: 0x11, nr: 2 },
    ];
    expect(compareExact(W, S, asKernel(S, { flushes: split }))).toEqual([]);
    const extra = compareExact(W, S, asKernel(S, { flushes: [{ start: 0x11, nr: 3 }] }));
    expect(extra).toEqual([
      { rule: 'EXACT', message: 'flushed pages: reference [0x11, 0x12, 0x13, 0x14], variant [0x11, 0x12, 0x13]' },
    ]);
  });
  it('with flushContainment (Δ11) extra flushes inside the range pass; a missing or outside one does not', () => {
    const opts = { flushContainment: true };
    const none: SpecOutcome = { ...S, flushPages: [0x12] };
    expect(compareExact(W, none, asKernel(S), opts)).toEqual([]);
    expect(rules(compareExact(W, none, asKernel(S)))).toEqual(['EXACT']);
    expect(rules(compareExact(W, S, asKernel(S, { flushes: [{ start: 0x12, nr: 3 }] }), opts))).toEqual(['EXACT']);
    expect(rules(compareExact(W, none, asKernel(S, { flushes: [{ start: 0x12, nr: 4 }] }), opts))).toEqual(['EXACT']);
    expect(rules(compareExact(W, none, asKernel(S, { flushes: [{ start: 0x10, nr: 3 }] }), opts))).toEqual(['EXACT']);
    expect(compareExact(W, none, asKernel(S, { flushes: [{ start: 0x11, nr: 4 }] }), { flushContainment: false })).toHaveLength(
      1,
    );
  });
});

describe('PMD, count and stamp comparisons', () => {
  const huge = (flags: number) => ({ kind: 'huge', pmd: pte(0x200, flags) }) as const;
  const mig = (offset: number) => ({ kind: 'softleaf', pmd: mk_softleaf('migration_read', offset) }) as const;
  it('samePmd compares the kind, and the entry of a huge or non-present huge PMD', () => {
    expect(samePmd({ kind: 'table' }, { kind: 'table' })).toBe(true);
    expect(samePmd({ kind: 'none' }, { kind: 'none' })).toBe(true);
    expect(samePmd({ kind: 'table' }, { kind: 'none' })).toBe(false);
    expect(samePmd(huge(RW_DIRTY), huge(RW_DIRTY))).toBe(true);
    expect(samePmd(huge(RW_DIRTY), huge(RW_DIRTY & ~_PAGE_RW))).toBe(false);
    expect(samePmd(mig(0x200), mig(0x200))).toBe(true);
    expect(samePmd(mig(0x200), mig(0x400))).toBe(false);
  });
  it('comparePmds names each differing slot, a missing slot, and a wrong number of slots', () => {
    const spec: Outcome = { ...S, pmds: [{ kind: 'table' }, huge(RW_DIRTY)] };
    expect(comparePmds(spec, { ...S, pmds: [{ kind: 'table' }, huge(RW_DIRTY)] }, 'REL-PMD')).toEqual([]);
    const ms = comparePmds(spec, { ...S, pmds: [{ kind: 'table' }] }, 'REL-PMD');
    expect(ms.map((m) => m.message)).toEqual([
      `PMD slot 1: spec ${JSON.stringify(huge(RW_DIRTY))}, variant undefined`,
      'variant returned 1 PMD slots, spec 2',
    ]);
    const extra = comparePmds(spec, { ...S, pmds: [{ kind: 'table' }, huge(RW_DIRTY), { kind: 'none' }] }, 'EXACT');
    expect(extra).toEqual([{ rule: 'EXACT', message: 'variant returned 3 PMD slots, spec 2' }]);
  });
  it('stamps compare as sets of folios: order and repeats do not matter, a missing or extra folio does', () => {
    const a = { ...S, numaStamps: [0x10, 0x9, 0x10] };
    expect(compareStamps(a, { ...S, numaStamps: [0x9, 0x10] }, 'R-PRES.2')).toEqual([]);
    expect(compareStamps(a, { ...S, numaStamps: [0x10, 0x9] }, 'R-PRES.2')).toEqual([]);
    expect(compareStamps(a, { ...S, numaStamps: [0x9] }, 'R-PRES.2')).toEqual([
      { rule: 'R-PRES.2', message: 'stamped folios: spec [9, 16], variant [9]' },
    ]);
  });
  it('flushedPages is the union of the flush calls', () => {
    const k = asKernel(S, {
      flushes: [
        { start: 4, nr: 2 },
        { start: 1, nr: 1 },
        { start: 5, nr: 0 },
      ],
    });
    expect([...flushedPages(k)].sort()).toEqual([1, 4, 5]);
  });
});

describe('compareFlushCovers (INV-15, relaxed)', () => {
  it('each owed page lies in a flush call; the first missing one is named with their number', () => {
    expect(compareFlushCovers(W, S, asKernel())).toEqual([]);
    expect(compareFlushCovers(W, S, asKernel(S, { flushes: [{ start: 0x11, nr: 1 }] }))).toEqual([
      { rule: 'INV-15', vpn: 0x12, message: 'no flush recorded for 3 page(s) that need one' },
    ]);
  });
  it("the first missing page is the lowest, whether the spec or the variant's own entry owes it", () => {
    // 0x12 owed through the variant's own change (made executable), 0x13 and 0x14 through the spec's.
    const ptes = S.ptes.map((e, i) => (i === 2 && e.kind === 'present' ? pte(e.pfn, e.flags & ~_PAGE_NX) : e));
    const k = asKernel(S, { ptes, flushes: [{ start: 0x11, nr: 1 }] });
    expect(compareFlushCovers(W, S, k)).toEqual([
      { rule: 'INV-15', vpn: 0x12, message: 'no flush recorded for 3 page(s) that need one' },
    ]);
    const late = S.ptes.map((e, i) => (i === 1 && e.kind === 'present' ? pte(e.pfn, e.flags & ~_PAGE_NX) : e));
    const k2 = asKernel(S, { ptes: late, flushes: [{ start: 0x12, nr: 1 }] });
    expect(compareFlushCovers(W, S, k2)[0]?.vpn).toBe(0x11);
  });
  it('a flush call that starts before the range or ends after it leaves the range', () => {
    const before = asKernel(S, { flushes: [{ start: 0x10, nr: 5 }] });
    expect(compareFlushCovers(W, S, before)).toEqual([
      { rule: 'INV-15', vpn: 0x10, message: 'flush of 5 page(s) at 0x10 leaves the range' },
    ]);
    const after = asKernel(S, { flushes: [{ start: 0x11, nr: 5 }] });
    expect(rules(compareFlushCovers(W, S, after))).toEqual(['INV-15']);
  });
  it("where the variant's entry differs from the spec's, the variant's own transition decides the flush", () => {
    // Left unchanged (a bug the entry comparison reports): no new flush is owed for that page.
    const kept = S.ptes.map((p, i) => (i === 1 ? W.ptes[1]! : p));
    const k = asKernel(S, { ptes: kept, flushes: [{ start: 0x12, nr: 3 }] });
    expect(compareFlushCovers(W, S, k)).toEqual([]);
    // Left writable but made clean: cleaning an accessed dirty entry needs a flush all the same.
    const cleaned = S.ptes.map((p, i) => (i === 1 ? pte(0x101, RW_DIRTY & ~_PAGE_DIRTY) : p));
    expect(rules(compareFlushCovers(W, S, asKernel(S, { ptes: cleaned, flushes: [{ start: 0x12, nr: 3 }] })))).toEqual([
      'INV-15',
    ]);
  });
  it('a slot the spec leaves alone but the variant changes needs the flush its transition owes', () => {
    // Read-only pages under PROT_READ: nothing changes, nothing is owed.
    const RO = _PAGE_PRESENT | _PAGE_USER | _PAGE_NX | _PAGE_ACCESSED;
    const rw = mkWorld({ ...W, ptes: W.ptes.map((_, i) => pte(0x100 + i, RO)) });
    const s = change_protection_spec(rw);
    expect(s.flushPages).toEqual([]);
    expect(s.ptes).toEqual(rw.ptes);
    // Made executable: NX is a flush-on-change bit.
    const wp = s.ptes.map((p, i) => (i === 2 ? pte(0x102, RO & ~_PAGE_NX) : p));
    expect(compareFlushCovers(rw, s, asKernel(s, { ptes: wp, flushes: [] }))).toEqual([
      { rule: 'INV-15', vpn: 0x12, message: 'no flush recorded for 1 page(s) that need one' },
    ]);
  });
});

describe('flushOwed: only a raise of dirty or young by the batch merge is excused', () => {
  const A = mkWorld({ ...W, config: ARM64, vma: mkVma({ start: 0x10, end: 0x16, flags: VM_READ }, ARM64) });
  const clean = pte(0x100, _PAGE_PRESENT | _PAGE_USER | _PAGE_NX);
  // What modify_prot_start_ptes() makes of it when a batch-mate is dirty and young.
  const raised = pte_mkdirty(pte_mkyoung(clean), ARM64);
  it('arm64 flushes on any hardware-bit change, but not for dirty or young the merge raised', () => {
    expect(flushOwed(A, clean, raised)).toBe(false);
    expect(flushOwed(A, clean, pte_mkdirty(clean, ARM64))).toBe(false);
    expect(flushOwed(A, clean, pte(0x100, clean.flags | _PAGE_ACCESSED))).toBe(false);
    expect(flushOwed(A, raised, clean)).toBe(true);
    expect(flushOwed(A, clean, pte(0x100, raised.flags & ~_PAGE_NX))).toBe(true);
  });
  it('on arm64 a writable clean PTE that the merge made dirty owes no flush for it; cleaning one does', () => {
    const rw = pte(0x100, _PAGE_PRESENT | _PAGE_USER | _PAGE_NX | _PAGE_RW);
    expect(flushOwed(A, rw, pte_mkdirty(rw, ARM64))).toBe(false);
    expect(flushOwed(A, pte_mkdirty(rw, ARM64), rw)).toBe(true);
  });
  it('x86 ignores young, flushes when clearing accessed-dirty or RW', () => {
    const x = mkWorld({ ...W, config: X86_64 });
    expect(flushOwed(x, clean, pte_mkdirty(pte_mkyoung(clean), X86_64))).toBe(false);
    expect(flushOwed(x, pte(0x100, RW_DIRTY), pte(0x100, RW_DIRTY & ~_PAGE_RW))).toBe(true);
    expect(flushOwed(x, pte(0x100, RW_DIRTY), pte(0x100, RW_DIRTY))).toBe(false);
  });
});

describe('checkDirtyKept (INV-10, dirty half)', () => {
  const hugeWorld = (dirty: boolean, range = { start: 0, end: 512 }) =>
    mkWorld({
      vma: mkVma({ start: 0, end: 512, flags: VM_READ }),
      folios: [mkFolio({ pfn: 0x200, order: 9 })],
      pmds: [{ kind: 'huge', pmd: pte(0x200, dirty ? RW_DIRTY : RW_DIRTY & ~_PAGE_DIRTY) }],
      ptes: new Array<Pte>(512).fill(NONE_PTE),
      range,
    });
  const out = (w: World, pmds: Outcome['pmds'], ptes: readonly Pte[] = w.ptes): Outcome => ({
    ptes,
    pmds,
    count: 0,
    numaStamps: [],
  });
  it("the spec's own outcomes keep every dirty bit, PTE or huge PMD, whole or split", () => {
    expect(checkDirtyKept(W, S)).toEqual([]);
    for (const range of [
      { start: 0, end: 512 },
      { start: 0, end: 100 },
    ]) {
      const w = hugeWorld(true, range);
      expect(checkDirtyKept(w, change_protection_spec(w))).toEqual([]);
    }
  });
  it('clean PTEs, empty slots and softleaf entries have no dirty bit to keep', () => {
    const mixed = mkWorld({
      vma: mkVma({ start: 0x10, end: 0x14, flags: VM_READ | VM_SOFTDIRTY }),
      folios: [mkFolio({ pfn: 0x100 })],
      ptes: [pte(0x100, RW_DIRTY & ~_PAGE_DIRTY), NONE_PTE, mk_softleaf('swap', 3), NONE_PTE],
    });
    expect(checkDirtyKept(mixed, { ...change_protection_spec(mixed), ptes: [NONE_PTE, NONE_PTE, NONE_PTE, NONE_PTE] })).toEqual(
      [],
    );
  });
  it('a VMA that starts in a later PMD: the huge PMD is named at its own first page', () => {
    const w = mkWorld({
      vma: mkVma({ start: 1024, end: 2048, flags: VM_READ }),
      folios: [mkFolio({ pfn: 0x200, order: 9 })],
      pmds: [{ kind: 'table' }, { kind: 'huge', pmd: pte(0x200, RW_DIRTY) }],
      ptes: [pte(0x999, RW_DIRTY), ...new Array<Pte>(1023).fill(NONE_PTE)],
      range: { start: 1024, end: 1600 },
    });
    const cleaned = pte(0x200, RW_DIRTY & ~_PAGE_DIRTY);
    const whole: Outcome = { ptes: w.ptes, pmds: [{ kind: 'table' }, { kind: 'huge', pmd: cleaned }], count: 0, numaStamps: [] };
    expect(checkDirtyKept(w, whole).map((m) => [m.vpn, m.message])).toEqual([[1536, 'a dirty huge PMD came out clean']]);
    const split = w.ptes.map((e, i) => (i >= 512 ? pte(0x200 + i - 512, RW_DIRTY & ~_PAGE_DIRTY) : e));
    const ms = checkDirtyKept(w, { ...whole, ptes: split, pmds: [{ kind: 'table' }, { kind: 'table' }] });
    expect(ms).toHaveLength(512);
    expect(ms[0]?.vpn).toBe(1536);
    // A variant that returned too few PMD slots is judged on the slots it has, without a crash.
    expect(checkDirtyKept(w, { ...whole, pmds: [{ kind: 'table' }] })).toEqual([]);
  });
  it('a dirty PTE that comes out clean, or as another kind, is named at its slot', () => {
    const clean = S.ptes.map((p, i) => (i === 2 && p.kind === 'present' ? pte(p.pfn, p.flags & ~_PAGE_DIRTY_BITS) : p));
    const gone = S.ptes.map((p, i) => (i === 3 ? NONE_PTE : p));
    expect(checkDirtyKept(W, { ...S, ptes: clean }).map((m) => [m.rule, m.vpn, m.message])).toEqual([
      ['INV-10', 0x12, 'a dirty PTE came out clean'],
    ]);
    expect(checkDirtyKept(W, { ...S, ptes: gone }).map((m) => m.vpn)).toEqual([0x13]);
  });
  it('a dirty huge PMD that comes out clean is named at its first page; a clean one may stay clean', () => {
    const w = hugeWorld(true);
    const cleaned = pte(0x200, RW_DIRTY & ~_PAGE_DIRTY & ~_PAGE_RW);
    expect(checkDirtyKept(w, out(w, [{ kind: 'huge', pmd: cleaned }]))).toEqual([
      {
        rule: 'INV-10',
        message: 'a dirty huge PMD came out clean',
        vpn: 0,
        before: w.pmds[0]!.kind === 'huge' ? w.pmds[0]!.pmd : undefined,
        variant: cleaned,
      },
    ]);
    const c = hugeWorld(false);
    expect(checkDirtyKept(c, out(c, [{ kind: 'huge', pmd: cleaned }]))).toEqual([]);
    // Zapped (a file THP): the folio keeps the dirtiness, nothing to check here.
    expect(checkDirtyKept(w, out(w, [{ kind: 'none' }]))).toEqual([]);
  });
  it('a PTE split from a dirty huge PMD must be dirty; from a clean one it need not be', () => {
    const w = hugeWorld(true, { start: 0, end: 100 });
    const split = w.ptes.map((_, i) => pte(0x200 + i, RW_DIRTY & ~_PAGE_DIRTY & ~_PAGE_RW));
    const ms = checkDirtyKept(w, out(w, [{ kind: 'table' }], split));
    expect(ms).toHaveLength(512);
    expect(ms[7]).toMatchObject({ rule: 'INV-10', vpn: 7, message: 'a PTE split from a dirty huge PMD is clean' });
    const c = hugeWorld(false, { start: 0, end: 100 });
    expect(checkDirtyKept(c, out(c, [{ kind: 'table' }], split))).toEqual([]);
    expect(checkDirtyKept(w, out(w, [{ kind: 'table' }], w.ptes))).toEqual([]);
  });
});

describe('describeMismatch: the rule, its kernel reason, the slot and the three values', () => {
  it('prints every part it is given, and only those', () => {
    const m: Mismatch = { rule: 'INV-15', message: 'x', vpn: 0x1f, before: W.ptes[0], spec: S.ptes[1], variant: NONE_PTE };
    expect(describeMismatch(m).split('\n')).toEqual([
      `[INV-15] ${RULES['INV-15'].title} at vpn 0x1f: x`,
      `    kernel reason: ${RULES['INV-15'].reason}`,
      `    before:  ${formatPte(W.ptes[0]!)}`,
      `    spec:    ${formatPte(S.ptes[1]!)}`,
      '    variant: .',
    ]);
    expect(describeMismatch({ rule: 'REL-COUNT', message: 'y' }).split('\n')).toEqual([
      `[REL-COUNT] ${RULES['REL-COUNT'].title}: y`,
      `    kernel reason: ${RULES['REL-COUNT'].reason}`,
    ]);
    expect(describeMismatch({ rule: 'EXACT', message: 'z', vpn: 0 })).toMatch(/^\[EXACT\] .* at vpn 0x0: z\n/);
  });
});
