// SPDX-License-Identifier: GPL-2.0-only
// A focused mutation run of the judge (src/observe): the suites whose job is
// to decide whether an outcome is allowed and that run in seconds, since every
// surviving mutant pays for all the tests that reach it. properties/observe/**
// (relation bounds, the mut_* tests written from the survivors), the
// narrowing and the hand-built gallery counterexamples.
// A lower bound on the full-suite score (other suites may kill more).
// Run: npx stryker run properties/mutation/stryker.observe.json
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['properties/observe/**/*.test.ts', 'properties/agreement/narrow.test.ts', 'properties/gallery/hand_built.test.ts'],
    // Left to the full run: drift.test.ts (it needs MPROTECT_BUDGET >= 0.1 to see a Δ9 world the
    // relaxation moves, 30 s there), and pmd_invariants.test.ts and relation_holes.test.ts (each
    // compiles broken variant copies in every run, 2-3 s a mutant on the shared machine). Their
    // judge rules are restated on hand-built worlds in the mut_* files.
    exclude: [
      'properties/observe/drift.test.ts',
      'properties/observe/pmd_invariants.test.ts',
      'properties/observe/relation_holes.test.ts',
      '**/node_modules/**',
    ],
    setupFiles: ['./properties/mutation/setup.ts', './vitest.setup.ts'],
    // One module graph for every test file: Stryker switches mutants at run
    // time (mutant schemata), so re-importing the project for each file of each
    // mutant run only costs time. The suites here keep no state between files.
    isolate: false,
    reporters: ['default'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
