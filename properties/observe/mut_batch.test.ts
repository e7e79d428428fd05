// SPDX-License-Identifier: GPL-2.0-only
// The batch partition and the batch-aware spec (src/observe/batch_runs.ts,
// batch_aware.ts) on hand-built worlds, written from the surviving mutants of
// the focused Stryker run (docs/strength.md §1). The partition is the one
// change_pte_range() (mm/mprotect.c v6.17+) gets from folio_pte_batch_flags():
// present PTEs of one large folio, consecutive pfns, inside one PTE table and
// the range, equal in every bit but dirty and young. The merge is
// modify_prot_start_ptes(): dirty and young of the later PTEs ORed into the
// first; under PROT_NUMA a batch the walk skips is not merged.
import { describe, expect, it } from 'vitest';
import { change_protection_spec } from '../../spec/index.js';
import { batchAwareSpec, batchRuns, compareRelaxed, mergeBatch, mergedWorld, runIndex } from '../../src/observe/index.js';
import {
  _PAGE_ACCESSED,
  _PAGE_NX,
  _PAGE_PRESENT,
  _PAGE_PROTNONE,
  _PAGE_SAVED_DIRTY,
  _PAGE_USER,
  type KernelOutcome,
  MM_CP_PROT_NUMA,
  mkFolio,
  mkVma,
  mkWorld,
  NONE_PTE,
  type PresentPte,
  type Pte,
  pte_dirty,
  pte_young,
  VM_READ,
  VM_SOFTDIRTY,
  type World,
} from '../../src/pte/index.js';

const RO = _PAGE_PRESENT | _PAGE_USER | _PAGE_NX;
const p = (pfn: number, flags = RO): PresentPte => ({ kind: 'present', pfn, flags });
const spec = (w: World) => change_protection_spec(w);
const runsOf = (w: World) => batchRuns(w).map((r) => [r.start, r.nr, r.folio?.pfn ?? null]);

/** Eight slots [0x10, 0x18); folios: order-2 at 0x100 and 0x104, order-0 at 0x200. */
function world(ptes: Pte[], o: { range?: { start: number; end: number }; cp_flags?: number } = {}): World {
  return mkWorld({
    vma: mkVma({ start: 0x10, end: 0x18, flags: VM_READ | VM_SOFTDIRTY }),
    folios: [mkFolio({ pfn: 0x100, order: 2 }), mkFolio({ pfn: 0x104, order: 2 }), mkFolio({ pfn: 0x200 })],
    ptes,
    ...o,
  });
}

describe('batchRuns: the partition folio_pte_batch_flags() finds', () => {
  it('consecutive pages of one folio join; the next folio starts a new run even at the next pfn', () => {
    const w = world([0, 1, 2, 3, 4, 5, 6, 7].map((i) => p(0x100 + i)));
    expect(runsOf(w)).toEqual([
      [0x10, 4, 0x100],
      [0x14, 4, 0x104],
    ]);
    expect(batchRuns(w)).toBe(batchRuns(w)); // frozen worlds are partitioned once
  });
  it('a gap in the pfns, a none slot, or a different permission bit ends a run; dirty and young do not', () => {
    const w = world([
      p(0x100),
      p(0x102),
      p(0x103),
      NONE_PTE,
      p(0x104, RO | _PAGE_ACCESSED | _PAGE_SAVED_DIRTY),
      p(0x105),
      p(0x106, RO & ~_PAGE_NX),
      p(0x200),
    ]);
    expect(runsOf(w)).toEqual([
      [0x10, 1, 0x100],
      [0x11, 2, 0x100],
      [0x14, 2, 0x104],
      [0x16, 1, 0x104],
      [0x17, 1, 0x200],
    ]);
  });
  it('runs stop at the range end and at a PTE-table boundary, and skip tables that are not there', () => {
    const w = world(
      [0, 1, 2, 3, 4, 5, 6, 7].map((i) => p(0x100 + i)),
      { range: { start: 0x11, end: 0x16 } },
    );
    expect(runsOf(w)).toEqual([
      [0x11, 3, 0x100],
      [0x14, 2, 0x104],
    ]);
    const cross = mkWorld({
      vma: mkVma({ start: 508, end: 516, flags: VM_READ }),
      folios: [mkFolio({ pfn: 0x100, order: 3 })],
      ptes: [0, 1, 2, 3, 4, 5, 6, 7].map((i) => p(0x100 + i)),
    });
    expect(runsOf(cross)).toEqual([
      [508, 4, 0x100],
      [512, 4, 0x100],
    ]);
    const empty = mkWorld({
      ...cross,
      pmds: [{ kind: 'none' }, { kind: 'table' }],
      ptes: [...new Array<Pte>(4).fill(NONE_PTE), ...cross.ptes.slice(4)],
    });
    expect(runsOf(empty)).toEqual([[512, 4, 0x100]]);
  });
  it('runIndex maps each page of a run, and only those, to its run', () => {
    const w = world([p(0x100), p(0x101), NONE_PTE, p(0x200), NONE_PTE, NONE_PTE, NONE_PTE, NONE_PTE]);
    const idx = runIndex(batchRuns(w));
    expect([...idx.keys()].sort()).toEqual([0x10, 0x11, 0x13]);
    expect(idx.get(0x11)?.start).toBe(0x10);
  });
});

describe('the batch merge and the batch-aware spec', () => {
  it('mergeBatch ORs dirty and young of the later members into the first, nothing else', () => {
    const first = p(0x100);
    const cfg = world([]).config;
    const w = { ...world([NONE_PTE, NONE_PTE, NONE_PTE, NONE_PTE, NONE_PTE, NONE_PTE, NONE_PTE, NONE_PTE]), config: cfg };
    expect(mergeBatch(w, [first, p(0x101), p(0x102)])).toEqual(first);
    const m = mergeBatch(w, [first, p(0x101, RO | _PAGE_SAVED_DIRTY), p(0x102, RO | _PAGE_ACCESSED)]);
    expect([m.pfn, pte_dirty(m), pte_young(m)]).toEqual([0x100, true, true]);
    expect(pte_young(mergeBatch(w, [first, p(0x101, RO | _PAGE_SAVED_DIRTY)]))).toBe(false);
    expect(pte_dirty(mergeBatch(w, [first, p(0x101, RO | _PAGE_ACCESSED)]))).toBe(false);
    // The first member's own bits are its own: a clean first with young later is young, not dirty.
    expect(mergeBatch(w, [p(0x100, RO | _PAGE_ACCESSED)])).toEqual(p(0x100, RO | _PAGE_ACCESSED));
  });
  it('without a batch of two the merged world is the world itself', () => {
    const w = world([p(0x100), NONE_PTE, p(0x102), NONE_PTE, NONE_PTE, NONE_PTE, NONE_PTE, p(0x200)]);
    expect(mergedWorld(w, spec)).toBe(w);
    expect(batchAwareSpec(w, spec)).toEqual(spec(w));
  });
  it('each member of a merged batch gets the merged bits at its own pfn', () => {
    const w = world([p(0x100), p(0x101, RO | _PAGE_SAVED_DIRTY), NONE_PTE, NONE_PTE, NONE_PTE, NONE_PTE, NONE_PTE, NONE_PTE]);
    const m = mergedWorld(w, spec);
    const [a, b] = m.ptes as PresentPte[];
    expect([a?.pfn, b?.pfn, a?.flags === b?.flags, a && pte_dirty(a), a && pte_young(a)]).toEqual([
      0x100,
      0x101,
      true,
      true,
      false,
    ]);
    expect(m.ptes.slice(2)).toEqual(w.ptes.slice(2));
    expect(Object.isFrozen(m)).toBe(true);
  });
  it('under PROT_NUMA a batch the walk skips (already PROT_NONE) is left unmerged, with or without the known spec', () => {
    const pn = (RO & ~_PAGE_PRESENT) | _PAGE_PROTNONE;
    const ptes = [
      p(0x100, pn),
      p(0x101, pn | _PAGE_SAVED_DIRTY | _PAGE_ACCESSED),
      p(0x104),
      p(0x105, RO | _PAGE_ACCESSED),
      NONE_PTE,
      NONE_PTE,
      NONE_PTE,
      NONE_PTE,
    ];
    const w = world(ptes, { cp_flags: MM_CP_PROT_NUMA });
    const s = spec(w);
    expect(s.ptes.slice(0, 2)).toEqual(ptes.slice(0, 2));
    for (const m of [mergedWorld(w, spec), mergedWorld(w, spec, s)]) {
      expect(m.ptes.slice(0, 2)).toEqual(ptes.slice(0, 2));
      expect(m.ptes[2]).toEqual(p(0x104, RO | _PAGE_ACCESSED));
    }
    // So a variant that raises dirty on the skipped PTE is outside the relation.
    const out = { ...s, flushes: [], trace: [], ptes: s.ptes.map((e, i) => (i === 0 ? ptes[1] : e)) } as KernelOutcome;
    const fixedPfn = { ...out, ptes: out.ptes.map((e, i) => (i === 0 ? { ...(e as PresentPte), pfn: 0x100 } : e)) };
    expect(compareRelaxed(w, s, fixedPfn).map((m) => [m.rule, m.vpn])).toContainEqual(['R-PRES.3', 0x10]);
  });
});
