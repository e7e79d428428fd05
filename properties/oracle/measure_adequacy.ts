// SPDX-License-Identifier: GPL-2.0-only
// Measure the oracle's kill rates (docs/strength.md section 4):
//   npx tsx properties/oracle/measure_adequacy.ts SEED [RUNS=500]
// Runs the default campaign's scenarios on the live kernel once and judges the
// spec and every broken engine of broken.ts against the observations.
import { judgeEngines, SPEC_ENGINE, type SpecEngine } from '../../src/oracle/index.js';
import { BROKEN_ENGINES } from './broken.js';

const [seedArg, runsArg] = process.argv.slice(2);
const seed = Number(seedArg);
const runs = Number(runsArg ?? 500);
if (!Number.isInteger(seed) || !Number.isInteger(runs) || runs < 1) {
  process.stderr.write('usage: npx tsx properties/oracle/measure_adequacy.ts SEED [RUNS]\n');
  process.exit(2);
}
const engines: Record<string, SpecEngine> = { spec: SPEC_ENGINE };
for (const [id, b] of Object.entries(BROKEN_ENGINES)) engines[id] = b.engine;
const t0 = Date.now();
const r = await judgeEngines({ runs, seed }, engines);
if (r.skipped) {
  process.stderr.write(`cannot run: ${r.skipped}\n`);
  process.exit(2);
}
process.stdout.write(`seed ${seed}, ${runs} scenarios (${((Date.now() - t0) / 1000).toFixed(0)} s)\n`);
for (const [id, v] of Object.entries(r.verdicts))
  process.stdout.write(
    `${id.padEnd(36)} ${String(v.disagreeing).padStart(4)} disagreeing ${String(v.specFailures).padStart(4)} refused  first #${v.first} ${v.firstDiff ?? ''}\n`,
  );
const survivors = Object.keys(BROKEN_ENGINES).filter((id) => (r.verdicts[id]?.first ?? -1) < 0);
process.stdout.write(
  `killed ${Object.keys(BROKEN_ENGINES).length - survivors.length} of ${Object.keys(BROKEN_ENGINES).length}\n`,
);
