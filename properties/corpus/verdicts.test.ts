// SPDX-License-Identifier: GPL-2.0-only
// Stored-world verdicts (issue 14 item 4) live beside the checker and judge a
// world exactly as a random run does: same result as checkCase for every
// property and variant, and a variant that declares an unknown drift id makes
// both throw (the store used to swallow it and compare such worlds anyway).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { worldArb } from '../../src/arbitraries/index.js';
import { checkCase, PROPERTIES, spec, variantTarget, verdictOf } from '../../src/check/index.js';
import { getVariant, VARIANTS } from '../../src/kernel/registry.js';
import { runs } from '../budget.js';

describe('verdictOf', () => {
  it('agrees with checkCase on every property and variant', () => {
    const targets = VARIANTS.filter((v) => v.drift !== undefined || v.verdict === 'known-bad').map(variantTarget);
    fc.assert(
      fc.property(worldArb(), fc.constantFrom(...PROPERTIES), fc.constantFrom(...targets), (world, prop, target) => {
        const expected = checkCase(prop, world, target, spec);
        const got = verdictOf(prop, target, world);
        if (expected === null) expect([got.verdict, got.drift]).toEqual(['excluded', expect.stringMatching(/^Δ/)]);
        else expect([got.verdict, got.mismatches]).toEqual([expected.length ? 'fails' : 'holds', expected]);
      }),
      { numRuns: runs(300) },
    );
  });

  it('throws on an unknown drift id, as checkCase does', () => {
    const target = { ...variantTarget(getVariant('v6.16-per-pte')), drift: ['Δ99'] };
    const prop = PROPERTIES.find((p) => p.needsReference)!;
    const world = fc.sample(worldArb(), { numRuns: 1, seed: 1 })[0]!;
    expect(() => checkCase(prop, world, target, spec)).toThrow(/unknown drift id 'Δ99'/);
    expect(() => verdictOf(prop, target, world)).toThrow(/unknown drift id 'Δ99'/);
  });
});
