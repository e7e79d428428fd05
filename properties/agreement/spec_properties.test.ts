// SPDX-License-Identifier: GPL-2.0-only
// The invariants and metamorphic properties on the spec itself (issue 4 item 3:
// "on the spec and on each variant"), with the rich generator.
import { describe, it } from 'vitest';
import { change_protection_spec } from '../../spec/index.js';
import { PROPERTIES, runProperty, specAsTarget } from '../../src/check/index.js';
import type { World } from '../../src/pte/index.js';
import { expectHolds, globalSeed, runs } from '../budget.js';

const spec = (w: World) => change_protection_spec(w);
const target = specAsTarget(spec);

describe('spec', () => {
  it.each(PROPERTIES.filter((p) => !p.needsReference).map((p) => [p.id, p] as const))('%s', (_id, prop) => {
    expectHolds(runProperty(prop, target, spec, { seed: globalSeed(), numRuns: runs(3_000) }));
  });
});
