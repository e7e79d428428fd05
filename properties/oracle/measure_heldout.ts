// SPDX-License-Identifier: GPL-2.0-only
// Measure the oracle on the HELD-OUT broken specs (heldout.ts), which were not used
// to tune the generator (docs/strength.md section 4):
//   npx tsx properties/oracle/measure_heldout.ts SEED [RUNS=500] [--json] [--tuned]
// Runs the default campaign's scenarios on the live kernel once and judges the
// spec and every held-out engine: scenarios failed, the first failing scenario
// (index among the judged scenarios) and its first differing field.
import { buildRunner, SPEC_ENGINE, type SpecEngine } from '../../src/oracle/index.js';
import { BROKEN_ENGINES } from './broken.js';
import { HELDOUT_ENGINES } from './heldout.js';
import { judgeObserved, observeDefaultCampaign } from './heldout_judge.js';

const args = process.argv.slice(2);
const json = args.includes('--json');
// --tuned: judge the tuned engines of broken.ts too (to check a model change keeps killing them).
const tuned = args.includes('--tuned');
const [seedArg, runsArg] = args.filter((a) => !a.startsWith('--'));
const seed = Number(seedArg);
const runs = Number(runsArg ?? 500);
if (!Number.isInteger(seed) || !Number.isInteger(runs) || runs < 1) {
  process.stderr.write('usage: npx tsx properties/oracle/measure_heldout.ts SEED [RUNS] [--json] [--tuned]\n');
  process.exit(2);
}
const engines: Record<string, SpecEngine> = { spec: SPEC_ENGINE };
for (const [id, b] of Object.entries(HELDOUT_ENGINES)) engines[id] = b.engine;
if (tuned) for (const [id, b] of Object.entries(BROKEN_ENGINES)) engines[`tuned:${id}`] = b.engine;
const t0 = Date.now();
const avail = buildRunner();
if (!avail.ok) {
  process.stderr.write(`cannot run: oracle runner unavailable: missing ${avail.missing}\n`);
  process.exit(2);
}
const { scenarios, observed } = await observeDefaultCampaign(runs, seed);
const r = judgeObserved(scenarios, observed, engines);
const survivors = Object.keys(engines).filter((id) => id !== 'spec' && (r.verdicts[id]?.first ?? -1) < 0);
if (json) {
  process.stdout.write(
    `${JSON.stringify({ seed, runs, judged: scenarios.length, noise: r.noise, verdicts: r.verdicts, survivors })}\n`,
  );
} else {
  process.stdout.write(
    `seed ${seed}, ${runs} scenarios, ${scenarios.length} judged (${((Date.now() - t0) / 1000).toFixed(0)} s); the spec itself fails ${r.noise.length} (set aside as noise: ${r.noise.join(', ') || 'none'})\n`,
  );
  process.stdout.write(`${'engine'.padEnd(36)} disagree refused  first  first-by-observation  first difference\n`);
  for (const [id, v] of Object.entries(r.verdicts))
    process.stdout.write(
      `${id.padEnd(36)} ${String(v.disagreeing).padStart(8)} ${String(v.refused).padStart(7)} ${String(v.first).padStart(6)} ${String(v.firstByObservation).padStart(21)}  ${v.firstDiff ?? ''}\n`,
    );
  process.stdout.write(
    `killed ${Object.keys(engines).length - 1 - survivors.length} of ${Object.keys(engines).length - 1}; survivors: ${survivors.join(', ') || 'none'}\n`,
  );
}
// More than a few scenarios failed by the spec itself: the table measures noise.
if (r.noise.length > 5) process.exitCode = 1;
