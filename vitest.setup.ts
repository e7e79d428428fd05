// SPDX-License-Identifier: GPL-2.0-only
// Applies the run's single seed (set in vitest.config.ts, or FC_SEED=<n> to
// replay) to fast-check in this worker. vitest.global.ts prints it once.
import fc from 'fast-check';

const fromEnv = process.env.FC_SEED;
const seed = Number(fromEnv);
if (fromEnv === undefined || fromEnv === '' || !Number.isInteger(seed))
  throw new Error(`FC_SEED must be an integer, got ${JSON.stringify(fromEnv)}`);
fc.configureGlobal({ ...fc.readConfigureGlobal(), seed });
