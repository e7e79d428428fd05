// SPDX-License-Identifier: GPL-2.0-only
// A focused mutation run of the judge (src/observe): the suites whose job is
// to decide whether an outcome is allowed. properties/observe/** (relation
// bounds and holes, drift, PMD invariants, the mut_* tests), the known-bad
// variants that the relation and the invariants must catch, the equivalent
// variants they must accept (a judge made too strict fails there), the
// narrowing and hand-built counterexamples, and the spec's invariant suite.
// A lower bound on the full-suite score (other suites may kill more).
// Run: npx stryker run properties/mutation/stryker.observe.json
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'properties/observe/**/*.test.ts',
      'properties/agreement/known_bad.test.ts',
      'properties/agreement/equivalent.test.ts',
      'properties/agreement/narrow.test.ts',
      'properties/gallery/hand_built.test.ts',
      'properties/spec/invariants.test.ts',
    ],
    setupFiles: ['./properties/mutation/setup.observe.ts', './properties/mutation/setup.ts', './vitest.setup.ts'],
    reporters: ['default'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
