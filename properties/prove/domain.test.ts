// SPDX-License-Identifier: GPL-2.0-only
// The prove domain of issue 11: the pfn-relabelling reduction is sound at any
// bound (every contiguity pattern real placements can show is enumerated, and
// no other), PMD-mapped THP worlds are enumerated (whole, cut, NUMA, TRY,
// uffd-wp split) and every equivalent variant agrees on them, cache bits and
// protection keys are in the domain, and a candidate that drops a cache bit is
// found by prove.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { VARIANTS } from '../../src/kernel/index.js';
import {
  contiguityChoices,
  countDomain,
  enumerateWorlds,
  type FolioShape,
  formatProveResult,
  prove,
  type SlotShape,
} from '../../src/prove/index.js';
import {
  _PAGE_PAT,
  _PAGE_PCD,
  _PAGE_PKEY_MASK,
  _PAGE_PKEY_SHIFT,
  _PAGE_PWT,
  checkWorld,
  MM_CP_PROT_NUMA,
  MM_CP_TRY_CHANGE_WRITABLE,
  MM_CP_UFFD_WP,
  MM_CP_UFFD_WP_RESOLVE,
  pte_protnone,
  type World,
} from '../../src/pte/index.js';
import { runs } from '../budget.js';
import { patchedTarget } from '../generator/patched.js';

/** Which neighbouring slot pairs show consecutive pfns across two different folios. */
function contiguities(slots: readonly SlotShape[], folios: readonly FolioShape[], pfns: readonly number[]): string {
  const out: number[] = [];
  for (let i = 0; i + 1 < slots.length; i++) {
    const a = slots[i] as SlotShape;
    const b = slots[i + 1] as SlotShape;
    if (a.k !== 'page' || b.k !== 'page' || a.folio === b.folio) continue;
    if ((pfns[a.folio] as number) + a.page + 1 === (pfns[b.folio] as number) + b.page) out.push(i);
  }
  void folios;
  return out.join(',');
}

/** Slot shapes of up to four slots over up to three folios of orders 0-2, each page mapped at most once. */
const shapeArb = fc
  .record({
    orders: fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 1, maxLength: 3 }),
    picks: fc.array(fc.record({ folio: fc.nat(2), page: fc.nat(3), none: fc.boolean() }), { minLength: 1, maxLength: 4 }),
  })
  .map(({ orders, picks }) => {
    const folios: FolioShape[] = orders.map((order) => ({ order }));
    const used = new Set<string>();
    const slots: SlotShape[] = picks.map((p) => {
      const folio = p.folio % folios.length;
      const page = p.page % (1 << (folios[folio] as FolioShape).order);
      if (p.none || used.has(`${folio}:${page}`)) return { k: 'none' };
      used.add(`${folio}:${page}`);
      return { k: 'page', folio, page };
    });
    return { slots, folios };
  });

describe('pfn relabelling (contiguityChoices)', () => {
  it('enumerates exactly the contiguity patterns real aligned placements show, each once', () => {
    fc.assert(
      fc.property(shapeArb, ({ slots, folios }) => {
        // Every real placement of the folios at aligned, disjoint pfns in [0, 40).
        const real = new Set<string>();
        const sizes = folios.map((f) => 1 << f.order);
        const place = (i: number, pfns: number[]): void => {
          if (i === folios.length) {
            real.add(contiguities(slots, folios, pfns));
            return;
          }
          for (let p = 0; p + (sizes[i] as number) <= 40; p += sizes[i] as number) {
            const overlaps = pfns.some((q, j) => p < q + (sizes[j] as number) && q < p + (sizes[i] as number));
            if (!overlaps) place(i + 1, [...pfns, p]);
          }
        };
        place(0, []);
        const enumerated: string[] = [];
        for (const pfns of contiguityChoices(slots, folios)) {
          pfns.forEach((p, i) => {
            expect(p % (sizes[i] as number)).toBe(0);
          });
          enumerated.push(contiguities(slots, folios, pfns));
        }
        expect(new Set(enumerated).size).toBe(enumerated.length);
        expect(new Set(enumerated)).toEqual(real);
      }),
      { numRuns: runs(300) },
    );
  });

  it('finds the case the first-use placement missed: a later folio right below an earlier one', () => {
    // slot 0: page 1 of A (order 1); slot 1: B (order 0); slot 2: page 0 of A. B then A back to back.
    const folios: FolioShape[] = [{ order: 1 }, { order: 0 }];
    const slots: SlotShape[] = [
      { k: 'page', folio: 0, page: 1 },
      { k: 'page', folio: 1, page: 0 },
      { k: 'page', folio: 0, page: 0 },
    ];
    const patterns = [...contiguityChoices(slots, folios)].map((p) => contiguities(slots, folios, p));
    // '0': B right after A (the old enumerator had it); '1': B right below A (it never placed B there);
    // both at once would need a cycle.
    expect(patterns.sort()).toEqual(['', '0', '1']);
  });
});

describe('PMD-mapped THP worlds', () => {
  const thp = (w: World) => w.pmds.some((p) => p.kind === 'huge');
  const tags = (w: World): string[] => {
    const out: string[] = [];
    const pmd = w.pmds[0];
    if (pmd?.kind !== 'huge') return out;
    const whole = w.range.start === w.vma.start && w.range.end === w.vma.end;
    out.push(whole ? 'whole' : 'cut');
    if (w.cp_flags & MM_CP_PROT_NUMA) out.push(pte_protnone(pmd.pmd) ? 'numa-protnone' : 'numa');
    if (w.cp_flags & MM_CP_TRY_CHANGE_WRITABLE) out.push('try');
    if (w.cp_flags & MM_CP_UFFD_WP && !w.vma.anonymous) out.push('uffd-wp-split');
    if (w.cp_flags & MM_CP_UFFD_WP_RESOLVE) out.push('resolve');
    if (w.vma.anonymous && !whole) out.push('anon-split');
    return out;
  };

  it('are valid and reach whole, cut, NUMA (and PROT_NONE under NUMA), TRY and uffd-wp split', () => {
    const seen = new Set<string>();
    let n = 0;
    for (const { world } of enumerateWorlds({
      bound: 1,
      configs: ['x86-64'],
      kinds: ['anon-private', 'file-shared'],
      ptes: false,
    })) {
      expect(thp(world)).toBe(true);
      if (n++ % 7 === 0) expect(checkWorld(world)).toEqual([]);
      for (const t of tags(world)) seen.add(t);
    }
    expect(n).toBeGreaterThan(1_000);
    for (const t of ['whole', 'cut', 'numa', 'numa-protnone', 'try', 'uffd-wp-split', 'resolve', 'anon-split'])
      expect(seen).toContain(t);
  });

  it('every equivalent variant agrees on the THP worlds of x86-64 (no soft-dirty) anon-private under TRY, PROT_NUMA and uffd-wp', () => {
    const r = prove({
      bound: 1,
      ptes: false,
      configs: ['x86-64-nosd'],
      kinds: ['anon-private'],
      cpFlags: [MM_CP_TRY_CHANGE_WRITABLE, MM_CP_PROT_NUMA, MM_CP_UFFD_WP],
    });
    expect(r.complete).toBe(true);
    expect(r.specErrors).toBe(0);
    for (const v of r.variants) expect(v.failed, formatProveResult(r)).toBe(0);
    expect(r.variants.map((v) => v.variant)).toEqual(VARIANTS.filter((v) => v.verdict === 'equivalent').map((v) => v.name));
  });

  it('the count up front is the number of worlds prove checks', () => {
    const o = { bound: 1, configs: ['arm64'] as const, kinds: ['shmem'] as const, cpFlags: [MM_CP_UFFD_WP] };
    const count = countDomain(o);
    const r = prove({ ...o, variants: ['falcato-v3'] });
    expect(r.worlds).toBe(count.total);
    expect(r.worldsBySlots).toEqual(count.bySlots);
  });
});

describe('cache bits and protection keys', () => {
  it('are in the domain: every cache bit on vm_page_prot and entries, keys kept and changed', () => {
    const seen = new Set<string>();
    for (const { world } of enumerateWorlds({ bound: 1, configs: ['x86-64-nosd'], kinds: ['file-shared'], cpFlags: [0] })) {
      const present = world.ptes.flatMap((p) => (p.kind === 'present' ? [p] : []));
      if (
        world.vma.vm_page_prot & _PAGE_PCD &&
        present.every((p) => (p.flags & (_PAGE_PWT | _PAGE_PCD | _PAGE_PAT)) === (_PAGE_PWT | _PAGE_PCD | _PAGE_PAT))
      )
        seen.add('cache');
      if (world.vma.pkey === 1 && present.some((p) => (p.flags & _PAGE_PKEY_MASK) >> _PAGE_PKEY_SHIFT === 1)) seen.add('key');
      if (world.vma.pkey === 1 && present.some((p) => (p.flags & _PAGE_PKEY_MASK) === 0)) seen.add('key-change');
    }
    expect([...seen].sort()).toEqual(['cache', 'key', 'key-change']);
  });

  it('prove finds a candidate that clears _PAGE_PCD after pte_modify at bound 1', async () => {
    const BASELINE = 'src/kernel/variants/falcato-v3.ts';
    const target = await patchedTarget('prove-pcd', {
      files: {
        [BASELINE]: [
          [
            '  ptent = pte_modify(oldpte, newprot);\n',
            '  ptent = pte_modify(oldpte, newprot);\n  ptent = { ...ptent, flags: ptent.flags & ~_PAGE_PCD };\n',
          ],
          ["} from '../../pte/index.js';", "  _PAGE_PCD,\n} from '../../pte/index.js';"],
        ],
      },
      entryFile: BASELINE,
    });
    const r = prove({
      bound: 1,
      configs: ['x86-64-nosd'],
      kinds: ['shmem'],
      cpFlags: [0],
      targets: [target],
      stopAtFirstFailure: true,
    });
    expect(r.variants.map((v) => [v.variant, v.verdict])).toEqual([['prove-pcd', 'candidate']]);
    expect(r.stoppedBy).toBe('first-failure');
    const w = r.failures[0]!.world;
    expect(w.vma.vm_page_prot & _PAGE_PCD).not.toBe(0);
  });
});
