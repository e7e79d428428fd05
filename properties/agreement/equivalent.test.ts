// SPDX-License-Identifier: GPL-2.0-only
// Every registered `equivalent` variant agrees with the spec and keeps every
// invariant (issue 4 item 3). Iterates the registry: a new variant is covered
// by adding its registry line.
import { describe, it } from 'vitest';
import { change_protection_spec } from '../../spec/index.js';
import { equivalentVariants, PROPERTIES, runProperty, variantTarget } from '../../src/check/index.js';
import type { World } from '../../src/pte/index.js';
import { expectHolds, globalSeed, runs } from '../budget.js';

const spec = (w: World) => change_protection_spec(w);

/** Cases per property per variant; 'agree' carries the 100k-case CI budget over the variants. */
const BUDGET: Record<string, number> = {
  agree: 20_000,
  'agree-exact': 5_000,
  'single-pte': 3_000,
  invariants: 5_000,
  idempotent: 2_000,
  'range-split': 2_000,
  'try-monotonic': 2_000,
};

describe.each(equivalentVariants().map((v) => [v.name, v] as const))('%s', (_name, variant) => {
  const target = variantTarget(variant);
  it.each(PROPERTIES.map((p) => [p.id, p] as const))('%s', (id, prop) => {
    const result = runProperty(prop, target, spec, { seed: globalSeed(), numRuns: runs(BUDGET[id] ?? 2_000) });
    expectHolds(result);
    if (result.excluded)
      console.log(`${variant.name}/${id}: ${result.excluded} cases left out for documented drift ${variant.drift?.join(', ')}`);
  });
});
