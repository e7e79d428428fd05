// SPDX-License-Identifier: GPL-2.0-only
// Printed once per run, before any test: the seed every test file uses.
export default function setup(): void {
  console.log(`[fast-check] seed=${process.env.FC_SEED}  (replay this run: FC_SEED=${process.env.FC_SEED} npm test)`);
}
