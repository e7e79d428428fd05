// SPDX-License-Identifier: GPL-2.0-only
// The range-narrowing pass after shrinking (src/check/narrow.ts): what it
// removes, what it must never do (swap the failure for another, leave an
// invalid world, cut a PMD-mapped THP's range), and that it is deterministic.
import { describe, expect, it } from 'vitest';
import { change_protection_spec } from '../../spec/index.js';
import { buildWorld, type Layout } from '../../src/arbitraries/index.js';
import { getProperty, narrowFailure, runProperty, variantTarget } from '../../src/check/index.js';
import { getVariant } from '../../src/kernel/index.js';
import type { Mismatch } from '../../src/observe/index.js';
import { checkWorld, MM_CP_UFFD_WP, type World } from '../../src/pte/index.js';

const spec = (w: World) => change_protection_spec(w);
const agree = getProperty('agree');
const b1 = variantTarget(getVariant('v6.17-cac1db8c3aad'));
const v3 = variantTarget(getVariant('falcato-v3'));
const checkB1 = (w: World) => agree.check(w, b1, spec);

const bits = { perm: 'r', dirty: false, young: false, softDirty: false, uffdWp: false } as const;
const facts = { anon: true, ksm: false, zoneDevice: false, nid: 0, mappedShared: false, dmaPinned: false, dirty: false };
/**
 * Where fast-check's shrinking stopped for B1 at seed 269246 before this pass
 * existed: an order-5 anon folio (page 0 shared, the rest exclusive) mapped
 * over a PMD boundary, whole range, 33 slots. The PMD boundary cuts the batch,
 * the second batch starts mid-folio, and B1 reads the head page's exclusivity.
 */
const stuck: Layout = {
  config: 'x86-64',
  vma: {
    kind: 'anon-private',
    prot: 'rw',
    softDirtyTracking: false,
    uffdWp: false,
    uffdWpUnpopulated: false,
    pageMkwrite: false,
    pfnShared: false,
    pkey: 0,
  },
  caller: 'mprotect-try',
  pmdOffset: 490,
  segments: [
    {
      k: 'folio',
      order: 5,
      first: 0,
      count: 0,
      toFolioEnd: true,
      adjacent: false,
      bits,
      devs: [],
      excl: { kind: 'runs', start: false, toggles: [1] },
      facts,
    },
    { k: 'none', n: 1 },
  ],
  huge: null,
  range: { whole: true, lo: 0, len: 0 },
  emptyTables: false,
  singleThreaded: false,
  numa: { currentNid: 0, topTierOnlyNode0: false, balancingNormal: false, memoryTiering: false },
};

describe('narrowFailure', () => {
  const world = buildWorld(stuck);
  const first = checkB1(world);

  it('cuts a whole-range B1 failure down to the one page that shows it', () => {
    expect(world.ptes.length).toBe(33);
    expect(first[0]?.rule).toBe('REL-WRITE');
    const n = narrowFailure(world, first, checkB1);
    expect(n.steps).toBeGreaterThan(0);
    expect(checkWorld(n.world)).toEqual([]);
    expect(Object.isFrozen(n.world) && Object.isFrozen(n.world.ptes)).toBe(true);
    // One exclusive page past the shared head: its batch starts mid-folio, which is all B1 needs.
    expect(n.world.range.end - n.world.range.start).toBe(1);
    expect([n.world.vma.start, n.world.vma.end]).toEqual([n.world.range.start, n.world.range.end]);
    expect(n.world.ptes).toHaveLength(1);
    expect(n.world.folios).toHaveLength(1);
    const pte = n.world.ptes[0]!;
    const folio = n.world.folios[0]!;
    expect(pte.kind === 'present' && pte.pfn !== folio.pfn && folio.anonExclusive[pte.pfn - folio.pfn]).toBe(true);
    expect(folio.anonExclusive[0]).toBe(false);
    expect(n.mismatches[0]?.rule).toBe('REL-WRITE');
    expect(checkB1(n.world)).toEqual(n.mismatches);
    // The narrowed world still separates the bug from its fix.
    expect(agree.check(n.world, v3, spec)).toEqual([]);
  });

  it('is deterministic', () => {
    expect(narrowFailure(world, first, checkB1)).toEqual(narrowFailure(world, first, checkB1));
  });

  it('keeps the original when every smaller world fails differently or not at all', () => {
    const other: Mismatch = { rule: 'INV-5', message: 'a different failure' };
    const n = narrowFailure(world, first, (w) => (w === world ? first : [other]));
    expect(n).toEqual({ world, mismatches: first, steps: 0 });
  });

  it('never hands the check an invalid world', () => {
    const seen: World[] = [];
    narrowFailure(world, first, (w) => {
      seen.push(w);
      return checkB1(w);
    });
    expect(seen.length).toBeGreaterThan(3);
    for (const w of seen) expect(checkWorld(w)).toEqual([]);
  });

  it("leaves a PMD-mapped THP's range and VMA alone", () => {
    const huge = buildWorld({
      ...stuck,
      caller: 'uffd-wp',
      vma: { ...stuck.vma, uffdWp: true },
      huge: { bits, exclusive: true, facts },
      range: { whole: false, lo: 100, len: 20 },
    });
    expect(huge.pmds[0]?.kind).toBe('huge');
    expect(huge.cp_flags & MM_CP_UFFD_WP).not.toBe(0);
    const fails: Mismatch[] = [{ rule: 'REL-PMD', message: 'pretend' }];
    const n = narrowFailure(huge, fails, () => fails);
    expect([n.world.range, n.world.vma.start, n.world.vma.end]).toEqual([huge.range, huge.vma.start, huge.vma.end]);
  });

  it('is what runProperty reports: B1 at the seed that used to stop at 33 slots', () => {
    const r = runProperty(agree, b1, spec, { seed: 269246, numRuns: 2000 });
    expect(r.failure?.narrowed).toBeGreaterThan(0);
    expect(r.failure?.world.ptes).toHaveLength(1);
  });
});
