// SPDX-License-Identifier: GPL-2.0-only
// A fixed workload for `node --cpu-prof` (see docs/strength.md, "where the time goes"):
//   node --import tsx --cpu-prof --cpu-prof-dir=reports/prof bench/profile.ts
// then: python3 bench/top_self.py reports/prof/*.cpuprofile
import fc from 'fast-check';
import { change_protection_spec } from '../spec/index.js';
import { worldArb } from '../src/arbitraries/index.js';
import { getVariant } from '../src/kernel/index.js';
import { batchAwareSpec, checkTrace, compareExact, compareRelaxed } from '../src/observe/index.js';
import type { World } from '../src/pte/index.js';

const spec = (w: World) => change_protection_spec(w);
const v3 = getVariant('falcato-v3');
const worlds = fc.sample(worldArb(), { seed: 7, numRuns: Number(process.env.PROFILE_CASES ?? 20_000) });
for (const w of worlds) {
  const s = spec(w);
  const out = v3.run(w);
  compareRelaxed(w, s, out);
  checkTrace(w, out);
  compareExact(w, batchAwareSpec(w, spec), out);
}
console.log(`profiled ${worlds.length} cases`);
