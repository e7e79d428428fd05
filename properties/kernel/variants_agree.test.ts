// SPDX-License-Identifier: GPL-2.0-only
// Every registered variant (known-bad included) agrees with the baseline on
// order-0 worlds (batching cannot differ when every batch has length 1),
// modulo documented version drift; inputs are never mutated; registry API.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { worldArb } from '../../src/arbitraries/index.js';
import { GALLERY } from '../../src/kernel/gallery.js';
import { BASELINE_VARIANT, getVariant, runVariant, VARIANTS } from '../../src/kernel/registry.js';
import { checkWorld, type World } from '../../src/pte/index.js';
import { flushedPages, hasDrift } from './helpers.js';

const NUM_RUNS = Number(process.env.FC_NUM_RUNS ?? 300);
const baseline = getVariant(BASELINE_VARIANT);

// The gallery's bugs are meant to differ (many on order-0 pages too); properties/gallery covers them.
describe.each(VARIANTS.filter((v) => v.name !== BASELINE_VARIANT && !GALLERY.includes(v)))(
  '$name vs the baseline on order-0 worlds',
  (variant) => {
    it('same ptes, pmds, count, stamps, flushed pages and batch trace', () => {
      fc.assert(
        fc.property(worldArb({ smallFoliosOnly: true }), (world) => {
          fc.pre(!hasDrift(variant, world));
          const a = variant.run(world);
          const b = baseline.run(world);
          expect(a.ptes).toEqual(b.ptes);
          expect(a.pmds).toEqual(b.pmds);
          expect(a.count).toBe(b.count);
          expect(a.numaStamps).toEqual(b.numaStamps);
          expect(flushedPages(a.flushes)).toEqual(flushedPages(b.flushes));
          expect(a.trace).toEqual(b.trace);
        }),
        { numRuns: NUM_RUNS },
      );
    });
  },
);

describe('inputs are never mutated', () => {
  it.each(VARIANTS.map((v) => v.name))('%s leaves the frozen world as it was', (name) => {
    fc.assert(
      fc.property(worldArb({ smallFoliosOnly: true }), (world: World) => {
        expect(Object.isFrozen(world.ptes)).toBe(true);
        const before = JSON.stringify(world);
        const out = runVariant(name, world);
        expect(JSON.stringify(world)).toBe(before);
        expect(out.ptes).not.toBe(world.ptes);
        expect(checkWorld(world)).toEqual([]);
      }),
      { numRuns: Math.ceil(NUM_RUNS / 3) },
    );
  });
});

describe('registry', () => {
  it('has unique names, a baseline chain ending in the root, and the baseline default', () => {
    const names = VARIANTS.map((v) => v.name);
    expect(new Set(names).size).toBe(names.length);
    expect(BASELINE_VARIANT).toBe('falcato-v3');
    for (const v of VARIANTS) if (v.baseline !== null) expect(names).toContain(v.baseline);
    for (const v of VARIANTS) expect(v.verdict === 'known-bad').toBe(v.breaks !== undefined);
  });
  it('getVariant() throws a clear error listing the known names', () => {
    expect(() => getVariant('nope')).toThrow(/unknown kernel variant "nope"; known: falcato-v3, falcato-v2/);
  });
  it('every variant module exports change_protection(world) and its file exists', async () => {
    for (const v of VARIANTS) {
      const mod = (await import(`../../${v.file.replace(/\.ts$/, '.js')}`)) as { change_protection?: unknown };
      expect(typeof mod.change_protection).toBe('function');
    }
  });
});
