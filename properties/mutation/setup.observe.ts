// SPDX-License-Identifier: GPL-2.0-only
// Budget for the focused mutation run of src/observe (vitest.observe.config.ts),
// read before setup.ts applies its defaults. 0.1 instead of 0.02: the drift
// suite (properties/observe/drift.test.ts) needs a few dozen Δ9 worlds to see
// the relaxation move at least one of them, and at 0.02 it sees 3.
// Override with MPROTECT_BUDGET when exploring.
process.env.MPROTECT_BUDGET ||= '0.1';
