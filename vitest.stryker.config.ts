// SPDX-License-Identifier: GPL-2.0-only
// The vitest configuration Stryker runs (stryker.config.json). Same tests as
// `npm test` minus the ones that need a C toolchain (oracle) and the CLI tests
// (they spawn bin/mprotect-spec.js in child processes, which Stryker's per-test
// coverage cannot follow, and assert on sandbox-dependent stack paths); the
// mutated code is reached by the property suites. Every fast-check run uses one pinned seed and
// a moderate budget (properties/mutation/setup.ts), so each mutant is killed
// or survives the same way on every run (TOOLING §4.1).
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['properties/**/*.test.ts'],
    exclude: ['properties/oracle/**', 'properties/cli/**', '**/node_modules/**'],
    setupFiles: ['./properties/mutation/setup.ts', './vitest.setup.ts'],
    reporters: ['default'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
