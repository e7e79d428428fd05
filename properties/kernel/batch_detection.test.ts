// SPDX-License-Identifier: GPL-2.0-only
// R-BATCH.1-5: batch boundaries as folio_pte_batch_flags() / mprotect_folio_pte_batch()
// draw them, seen through the baseline variant's batch trace, plus direct calls.
import { describe, expect, it } from 'vitest';
import {
  FPB_RESPECT_SOFT_DIRTY,
  FPB_RESPECT_WRITE,
  folio_pte_batch_flags,
  mk_mm,
  mk_vma,
  with_mm,
} from '../../src/kernel/lib/index.js';
import { runVariant } from '../../src/kernel/registry.js';
import {
  _PAGE_ACCESSED,
  _PAGE_PROTNONE,
  _PAGE_SOFT_DIRTY,
  _PAGE_UFFD_WP,
  checkWorld,
  DEFAULT_MM,
  DEFAULT_NUMA,
  MM_CP_PROT_NUMA,
  mk_pte,
  NONE_PTE,
  type Pte,
  VM_UFFD_WP,
  type World,
  X86_64,
} from '../../src/pte/index.js';
import { folio, none, privateRw, ro, roDirty, rw, world } from './fixtures.js';

const batches = (w: World) => {
  expect(checkWorld(w)).toEqual([]);
  return runVariant('falcato-v3', w).trace.map((t) => [t.start, t.nr, t.action]);
};

/** Call folio_pte_batch_flags() directly on the first PTE of `w`'s range. */
function direct(w: World, flags: number, max_nr: number): number {
  const mm = mk_mm(w.config, DEFAULT_MM, DEFAULT_NUMA, w.vma, w.folios, w.ptes, w.pmds);
  const vma = mk_vma(w.vma, mm);
  const first = w.ptes[w.range.start - w.vma.start] as Pte;
  if (first.kind !== 'present') throw new Error('fixture: first PTE must be present');
  return with_mm(mm, () => folio_pte_batch_flags(w.folios[0]!, vma, w.range.start, first, max_nr, flags));
}

const F16 = folio({ pfn: 16, order: 4 }); // pfns 16..31
const run16 = (ptes: Pte[]) => world({ vma: privateRw(0, ptes.length), ptes, folios: [F16] });

describe('R-BATCH.1/2: limits', () => {
  it('order-0 and NULL folios never batch', () => {
    const w = world({
      vma: privateRw(0, 3),
      ptes: [ro(1), ro(2), mk_pte(0x10, 0x1 | 0x4 | 0x200)],
      folios: [folio({ pfn: 1 }), folio({ pfn: 2 })],
    });
    expect(batches(w)).toEqual([
      [0, 1, 'commit'],
      [1, 1, 'commit'],
      [2, 1, 'commit'],
    ]);
  });
  it('stops at the end of the range', () => {
    const w = world({
      vma: privateRw(0, 8),
      ptes: [0, 1, 2, 3, 4, 5, 6, 7].map((i) => ro(16 + i)),
      folios: [F16],
      range: { start: 1, end: 4 },
    });
    expect(batches(w)).toEqual([[1, 3, 'commit']]);
    expect(direct(w, FPB_RESPECT_WRITE | FPB_RESPECT_SOFT_DIRTY, 3)).toBe(3);
  });
  it('stops at the end of the PTE table (PMD boundary) even inside one folio', () => {
    const start = 512 - 2;
    const w = world({ vma: privateRw(start, start + 4), ptes: [0, 1, 2, 3].map((i) => ro(16 + i)), folios: [F16] });
    expect(batches(w)).toEqual([
      [510, 2, 'commit'],
      [512, 2, 'commit'],
    ]);
  });
  it('stops at the folio end, even when the next folio continues the pfns', () => {
    const a = folio({ pfn: 16, order: 2 });
    const b = folio({ pfn: 20, order: 2 });
    const w = world({ vma: privateRw(0, 6), ptes: [0, 1, 2, 3, 4, 5].map((i) => ro(18 + i)), folios: [a, b] });
    expect(batches(w)).toEqual([
      [0, 2, 'commit'],
      [2, 4, 'commit'],
    ]);
  });
  it('a non-present slot ends the batch; non-consecutive pfns end it', () => {
    expect(batches(run16([ro(16), ro(17), NONE_PTE, ro(19), ro(21)]))).toEqual([
      [0, 2, 'commit'],
      [3, 1, 'commit'],
      [4, 1, 'commit'],
    ]);
  });
});

describe('R-BATCH.3: what must match', () => {
  it('dirty and young are ignored', () => {
    expect(batches(run16([ro(16), roDirty(17), ro(18, _PAGE_ACCESSED), roDirty(19, _PAGE_ACCESSED)]))).toEqual([
      [0, 4, 'commit'],
    ]);
  });
  it('write splits', () => {
    expect(batches(run16([ro(16), rw(17), rw(18)]))).toEqual([
      [0, 1, 'commit'],
      [1, 2, 'commit'],
    ]);
  });
  it('soft-dirty splits', () => {
    expect(batches(run16([ro(16, _PAGE_SOFT_DIRTY), ro(17), ro(18)]))).toEqual([
      [0, 1, 'commit'],
      [1, 2, 'commit'],
    ]);
  });
  it('uffd-wp splits', () => {
    const w = world({ vma: privateRw(0, 3, X86_64, VM_UFFD_WP), ptes: [ro(16), ro(17, _PAGE_UFFD_WP), ro(18)], folios: [F16] });
    expect(batches(w)).toEqual([
      [0, 1, 'commit'],
      [1, 1, 'commit'],
      [2, 1, 'commit'],
    ]);
  });
  it('PROT_NONE splits', () => {
    const pn = mk_pte(17, _PAGE_PROTNONE | 0x4 | 0x2000);
    expect(batches(run16([ro(16), pn, ro(18)]))).toEqual([
      [0, 1, 'commit'],
      [1, 1, 'commit'],
      [2, 1, 'commit'],
    ]);
  });
});

describe('R-BATCH.4: the NUMA skip batch ignores write and soft-dirty', () => {
  it('one no-flags batch skipped for a DMA-pinned folio, mixed write and soft-dirty', () => {
    const ksm = folio({ pfn: 16, order: 2, maybeDmaPinned: true });
    const w = world({
      vma: privateRw(0, 4),
      ptes: [ro(16), rw(17), ro(18, _PAGE_SOFT_DIRTY), roDirty(19)],
      folios: [ksm],
      cp_flags: MM_CP_PROT_NUMA,
    });
    expect(batches(w)).toEqual([[0, 4, 'skip-numa']]);
    expect(direct(w, 0, 4)).toBe(4);
    expect(direct(w, FPB_RESPECT_WRITE, 4)).toBe(1);
  });
  it('none of these ever leaves the range', () => {
    expect(none(1)).toHaveLength(1);
  });
});
