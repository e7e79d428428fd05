// SPDX-License-Identifier: GPL-2.0-only
// A focused mutation run of the trusted base's semantics (src/pte/arch,
// src/pte/pte_ops.ts): only the suites of properties/pte/, which judge it
// against the kernel tables. A lower bound on the full-suite score (other
// suites may kill more), and minutes instead of an hour on 2 shared cores.
// Run: npx stryker run properties/mutation/stryker.pte.json
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['properties/pte/**/*.test.ts'],
    setupFiles: ['./properties/mutation/setup.ts', './vitest.setup.ts'],
    reporters: ['default'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
