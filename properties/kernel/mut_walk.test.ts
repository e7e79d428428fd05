// SPDX-License-Identifier: GPL-2.0-only
// change_pmd_range() / change_protection_range() (mm/mprotect.c, R-WALK.1-4)
// driven with recording PTE-level ops, so the walk's own decisions are seen:
// which PMDs reach change_pte_range(), when change_huge_pmd() is asked, what a
// 0 / 1 / HPAGE_PMD_NR / -EAGAIN answer does, and BUG_ON(addr >= end).
import { describe, expect, it } from 'vitest';
import {
  type change_protection_ops,
  change_protection_range,
  mk_mm,
  mk_vma,
  type mm_struct,
  tlb_gather_mmu,
  type vm_area_struct,
  with_mm,
} from '../../src/kernel/lib/index.js';
import { mk_pte, mkFolio, mkWorld, type PmdSlot, type World } from '../../src/pte/index.js';
import { none, privateRw, RO } from './fixtures.js';

const EAGAIN = 11;

interface Recorder {
  readonly calls: string[];
  readonly ops: change_protection_ops;
}

/** PTE-level ops that log their calls; answers come from the test. */
function recorder(hugeRet: (pmd: number) => number, pteRet: (pmd: number, n: number) => number): Recorder {
  const calls: string[] = [];
  const seen = new Map<number, number>();
  return {
    calls,
    ops: {
      change_pte_range: (_tlb, _vma, pmd, addr, end) => {
        const n = (seen.get(pmd) ?? 0) + 1;
        seen.set(pmd, n);
        calls.push(`pte ${pmd} [${addr},${end})`);
        return pteRet(pmd, n) === 0 ? end - addr : pteRet(pmd, n);
      },
      change_huge_pmd: (_tlb, _vma, pmd, addr) => {
        calls.push(`huge ${pmd} @${addr}`);
        return hugeRet(pmd);
      },
    },
  };
}

function inRun<T>(w: World, fn: (vma: vm_area_struct, mm: mm_struct) => T): T {
  const mm = mk_mm(w.config, w.mm, w.numa, w.vma, w.folios, w.ptes, w.pmds);
  const vma = mk_vma(w.vma, mm);
  return with_mm(mm, () => fn(vma, mm));
}

/** A VMA over PMDs 1..3 (vpns [512, 2048)) with the given PMD slots. */
function threePmds(pmds: PmdSlot[]): World {
  return mkWorld({
    vma: privateRw(512, 2048),
    ptes: none(1536),
    folios: [mkFolio({ pfn: 4096, order: 9 })],
    pmds,
  });
}

const walk = (w: World, rec: Recorder, start = w.range.start, end = w.range.end) =>
  inRun(w, (vma) => change_protection_range(rec.ops, tlb_gather_mmu(), vma, start, end, vma.vm_page_prot, 0));

const table: PmdSlot = { kind: 'table' };
const huge: PmdSlot = { kind: 'huge', pmd: mk_pte(4096, RO) };

describe('change_pmd_range: which PMDs reach which handler (R-WALK.1, R-WALK.3)', () => {
  it('a none PMD is skipped (goto next): change_pte_range is not called for it', () => {
    const rec = recorder(
      () => 1,
      () => 0,
    );
    const pages = walk(threePmds([table, { kind: 'none' }, table]), rec);
    expect(rec.calls).toEqual(['pte 1 [512,1024)', 'pte 3 [1536,2048)']);
    expect(pages).toBe(1024);
  });
  it('a PTE-table PMD never goes to change_huge_pmd, even when fully covered', () => {
    const rec = recorder(
      () => 512,
      () => 0,
    );
    walk(threePmds([table, table, table]), rec);
    expect(rec.calls.some((c) => c.startsWith('huge'))).toBe(false);
  });
  it('change_huge_pmd returning HPAGE_PMD_NR counts 512 and skips the PTE level', () => {
    const rec = recorder(
      () => 512,
      () => 0,
    );
    const pages = walk(threePmds([table, huge, table]), rec);
    expect(rec.calls).toEqual(['pte 1 [512,1024)', 'huge 2 @1024', 'pte 3 [1536,2048)']);
    expect(pages).toBe(1536);
  });
  it('change_huge_pmd returning 1 (nothing done) counts 0 and skips the PTE level', () => {
    const rec = recorder(
      () => 1,
      () => 0,
    );
    expect(walk(threePmds([table, huge, table]), rec)).toBe(1024);
    expect(rec.calls).toEqual(['pte 1 [512,1024)', 'huge 2 @1024', 'pte 3 [1536,2048)']);
  });
  it('change_huge_pmd returning 0 (no longer huge) falls through to change_pte_range for that PMD', () => {
    const rec = recorder(
      () => 0,
      () => 0,
    );
    expect(walk(threePmds([table, huge, table]), rec)).toBe(1536);
    expect(rec.calls).toEqual(['pte 1 [512,1024)', 'huge 2 @1024', 'pte 2 [1024,1536)', 'pte 3 [1536,2048)']);
  });
});

describe('change_pmd_range: -EAGAIN from change_pte_range (R-WALK.4)', () => {
  it('the table vanished under us but the PMD is still populated: the same PMD is retried (goto again)', () => {
    // First call on PMD 2 races with a collapse and returns -EAGAIN; the retry succeeds.
    const rec = recorder(
      () => 1,
      (pmd, n) => (pmd === 2 && n === 1 ? -EAGAIN : 0),
    );
    expect(walk(threePmds([table, table, table]), rec)).toBe(1536);
    expect(rec.calls).toEqual(['pte 1 [512,1024)', 'pte 2 [1024,1536)', 'pte 2 [1024,1536)', 'pte 3 [1536,2048)']);
  });
});

describe('change_protection_range: BUG_ON(addr >= end)', () => {
  const w = threePmds([table, table, table]);
  it('an empty or reversed range is a kernel BUG, reported loudly', () => {
    const rec = recorder(
      () => 1,
      () => 0,
    );
    expect(() => walk(w, rec, 700, 700)).toThrow(/BUG_ON\(addr >= end\)/);
    expect(() => walk(w, rec, 701, 700)).toThrow(/BUG_ON\(addr >= end\)/);
    expect(rec.calls).toEqual([]);
  });
  it('a one-page range is fine', () => {
    const rec = recorder(
      () => 1,
      () => 0,
    );
    expect(walk(w, rec, 700, 701)).toBe(1);
    expect(rec.calls).toEqual(['pte 1 [700,701)']);
  });
});
