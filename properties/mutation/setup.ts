// SPDX-License-Identifier: GPL-2.0-only
// Setup for mutation runs (vitest.stryker.config.ts): pin the fast-check seed
// and a moderate budget before vitest.setup.ts reads them. Shrinking stays on:
// some suites assert the size of the shrunk counterexample.
// Override with FC_SEED / FC_NUM_RUNS when exploring.
import fc from 'fast-check';

export const MUTATION_SEED = 20_260_401;
export const MUTATION_NUM_RUNS = 120;

process.env.FC_SEED ||= String(MUTATION_SEED);
process.env.FC_NUM_RUNS ||= String(MUTATION_NUM_RUNS);
// properties/budget.ts scales the large CI budgets (20k cases per variant) by this.
process.env.MPROTECT_BUDGET ||= '0.02';
fc.configureGlobal({
  ...fc.readConfigureGlobal(),
  seed: Number(process.env.FC_SEED),
  numRuns: Number(process.env.FC_NUM_RUNS),
});
