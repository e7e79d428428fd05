// SPDX-License-Identifier: GPL-2.0-only
// npm run bench:realc: the C target against the in-process TypeScript
// baseline (falcato-v3) on the SAME generated worlds, and the cold and cached
// build times, and one world per round trip against batched round trips. A script, never a timed test. Writes reports/bench-realc.json.
// Knobs: BENCH_CASES (default 5000); MPROTECT_KERNEL_TU=FILE benches an
// extracted tree's translation unit instead of the batched C fixture.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { FIXTURES, fixtureTU } from '../properties/realc/fixture_tu.js';
import { change_protection_spec } from '../spec/index.js';
import { worldArb } from '../src/arbitraries/index.js';
import { archWorldArb } from '../src/cli/arch.js';
import { getVariant } from '../src/kernel/index.js';
import { batchAwareSpec, compareExact } from '../src/observe/index.js';
import type { KernelOutcome, World } from '../src/pte/index.js';
import { buildKernel } from '../src/realc/harness/build.js';
import { BATCH_CASES, kernelTarget } from '../src/realc/target.js';

const CASES = Number(process.env.BENCH_CASES ?? 5000);
const SEED = 20_260_401;
const tuFile = process.env.MPROTECT_KERNEL_TU;
const tu = tuFile ? readFileSync(tuFile, 'utf8') : fixtureTU(join(FIXTURES, 'batched'));
const label = tuFile ?? 'properties/realc/fixtures/batched';
const perSec = (n: number, ms: number) => Math.round((n / ms) * 1000);

/** Best of ROUNDS for each, the contenders interleaved: the machine is shared, so both see the same disturbances. */
const ROUNDS = 5;
function bestInterleaved(fns: readonly (() => void)[]): number[] {
  const ms = fns.map(() => Number.POSITIVE_INFINITY);
  for (let round = 0; round < ROUNDS; round++)
    // the order turns each round, so no contender always runs after the same one (GC debt, caches)
    fns.forEach((_, k) => {
      const i = (k + round) % fns.length;
      const t0 = performance.now();
      (fns[i] as () => void)();
      ms[i] = Math.min(ms[i] as number, performance.now() - t0);
    });
  return ms;
}

console.log(`mprotect-spec bench:realc: ${CASES} worlds (seed ${SEED}), TU ${label}, node ${process.version}\n`);

// Cold and cached builds in a fresh cache directory (the compile is the cost).
const cacheDir = mkdtempSync(join(tmpdir(), 'mprotect-bench-cache-'));
const defines = ['SHIM_V6_19', 'SHIM_HUGE_NUMA_V6_19'];
const cold = buildKernel({ tu, cacheDir, defines });
const warm = buildKernel({ tu, cacheDir, defines });
// A new TU (another tree or patch) with the shim object already cached.
const newTu = buildKernel({ tu: `${tu}\n/* another patch */\n`, cacheDir, defines });
rmSync(cacheDir, { recursive: true, force: true });

const target = kernelTarget({ tu, name: 'C' });
const ts = getVariant('falcato-v3');
const spec = (w: World) => change_protection_spec(w);

const rows: { what: string; worlds: string; cases: number; ms: number; perSec: number }[] = [];
for (const [worlds, arb] of [
  ['all arches', worldArb()],
  ['x86-64', archWorldArb({}, 'x86-64')],
] as const) {
  const sample = fc.sample(arb, { seed: SEED, numRuns: CASES });
  let sink = 0;
  const runAll = (run: (w: World) => KernelOutcome) => () => {
    for (const w of sample) sink += run(w).count;
  };
  const checkAll = (run: (w: World) => KernelOutcome) => () => {
    for (const w of sample) sink += compareExact(w, batchAwareSpec(w, spec), run(w)).length;
  };
  // runMany: BATCH_CASES worlds per round trip to the child instead of one
  // (a batch at a time, its outcomes dropped as runAll drops them, so both keep the same garbage)
  const runBatched = () => {
    for (let i = 0; i < sample.length; i += BATCH_CASES)
      for (const r of target.runMany(sample.slice(i, i + BATCH_CASES))) sink += r.ok ? r.outcome.count : 0;
  };
  const contenders = [
    ['TS falcato-v3 run', runAll(ts.run)],
    ['C target run (1 world per trip)', runAll(target.run)],
    [`C target runMany (${BATCH_CASES} per trip)`, runBatched],
    ['TS falcato-v3 run + exact check', checkAll(ts.run)],
    ['C target run + exact check', checkAll(target.run)],
  ] as const;
  const times = bestInterleaved(contenders.map(([, fn]) => fn));
  contenders.forEach(([what], i) => {
    const ms = times[i] as number;
    rows.push({ what, worlds, cases: sample.length, ms, perSec: perSec(sample.length, ms) });
  });
  void sink;
}
target.dispose();

console.log('what                                  worlds       cases/s      ms');
for (const r of rows)
  console.log(`${r.what.padEnd(38)}${r.worlds.padEnd(13)}${String(r.perSec).padStart(7)}  ${r.ms.toFixed(0).padStart(6)}`);
console.log(
  `\ncold build ${cold.ms.toFixed(0)} ms (target <= 10000); new TU with the shim object cached ${newTu.ms.toFixed(0)} ms; cached build ${warm.ms.toFixed(1)} ms`,
);

mkdirSync('reports', { recursive: true });
writeFileSync(
  'reports/bench-realc.json',
  `${JSON.stringify({ cases: CASES, seed: SEED, tu: label, rows, coldBuildMs: cold.ms, newTuBuildMs: newTu.ms, cachedBuildMs: warm.ms }, null, 2)}\n`,
);
