// SPDX-License-Identifier: GPL-2.0-only
// A focused mutation run of the trusted base's encoding (src/pte: world
// validation, formatting, constructors, VMA and folio helpers, softleaf
// entries, addresses): the suites that state what a valid world is, what an
// entry prints as and what a VMA or folio helper returns, by rule rather than
// by agreement (the spec and the model share src/pte, so agreement cannot see
// a bug there), and that run in seconds, since every surviving mutant pays for
// all the tests that reach it: properties/pte/mut_*.test.ts (written from the
// survivors) and pte_ops.test.ts, the selftest scenarios, the precondition
// errors, the PMD row printer and the corpus migration. Left out:
// arch_tables.test.ts and pmd_modify_v6_6.test.ts (the arch semantics run,
// stryker.pte.json, 40 s) and generator/world_arb.test.ts (at the mutation
// budget it samples too few worlds to meet its coverage minimums).
// A lower bound on the full-suite score (other suites may kill more).
// Run: npx stryker run properties/mutation/stryker.encoding.json
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'properties/pte/mut_*.test.ts',
      'properties/pte/pte_ops.test.ts',
      'properties/spec/scenarios.test.ts',
      'properties/spec/mut_vma.test.ts',
      'properties/agreement/preconditions.test.ts',
      'properties/report/pmd_row.test.ts',
      'properties/corpus/migration.test.ts',
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
