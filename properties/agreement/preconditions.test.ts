// SPDX-License-Identifier: GPL-2.0-only
// Invalid cp_flags combinations are rejected preconditions, never run
// (issue 4 item 1; R-CP.1, W-CP.2, W-CP.3, R-WR.2.1): the world check names
// the rule and the spec refuses to guess.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { change_protection_spec, SpecPreconditionError } from '../../spec/index.js';
import { worldArb } from '../../src/arbitraries/index.js';
import { checkWorld, deepFreeze, MM_CP_ALL_FLAGS, REAL_CP_FLAGS, type World } from '../../src/pte/index.js';
import { globalSeed, runs } from '../budget.js';

const INVALID = Array.from({ length: MM_CP_ALL_FLAGS + 1 }, (_, f) => f).filter((f) => !REAL_CP_FLAGS.includes(f));

describe('invalid cp_flags combinations', () => {
  it(`all ${INVALID.length} combinations no caller produces are rejected with a rule`, () => {
    fc.assert(
      fc.property(worldArb(), fc.constantFrom(...INVALID), (world, cp) => {
        const bad: World = deepFreeze({ ...world, cp_flags: cp });
        const rules = checkWorld(bad).map((p) => p.rule);
        expect(rules.some((r) => r === 'R-CP.1' || r === 'W-CP.2')).toBe(true);
        expect(() => change_protection_spec(bad)).toThrow(SpecPreconditionError);
      }),
      { seed: globalSeed(), numRuns: runs(300) },
    );
  });
  it('both uffd flags name R-CP.1 (the BUG_ON in change_protection())', () => {
    const [world] = fc.sample(worldArb({ caller: 'uffd-wp' }), { numRuns: 1, seed: 1 });
    const bad = deepFreeze({ ...(world as World), cp_flags: 0b1100 });
    expect(() => change_protection_spec(bad)).toThrow(/R-CP\.1/);
  });
});
