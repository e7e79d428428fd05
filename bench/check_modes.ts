// SPDX-License-Identifier: GPL-2.0-only
// The README's default `check`, run as a user runs it (the CLI in a child
// process), in each execution mode, side by side in one run (issue 15 item 2,
// issue 13 item 9):
//   (a) bare fast-check generation of the same worlds (each property's
//       arbitrary, the same seed and runs) against `check` throughput;
//   (b) job workers (the default) against --in-process;
//   (c) --jobs 1 against --jobs 2: wall time and speed-up, at the default runs
//       (start-up bound) and (d) at BENCH_CHECK_LONG_RUNS runs per property
//       (default 10000; 0 skips it), where the second core pays.
// Each mode is timed twice: the full check, and the same check with --runs 1
// (start-up: tsx, module loading, worker threads); "net" rates leave start-up
// out. Modes are interleaved and the best of BENCH_CHECK_ROUNDS rounds kept,
// as the machine is shared. Also confirms that --jobs 1 and --jobs 2 print
// the same --json. A benchmark, never a timed test.
import { spawnSync } from 'node:child_process';
import { availableParallelism, loadavg } from 'node:os';
import fc from 'fast-check';
import { PROPERTIES } from '../src/check/index.js';
import { archWorldArb } from '../src/cli/arch.js';

export interface ModeRow {
  readonly mode: string;
  readonly args: readonly string[];
  readonly cases: number;
  /** Best wall time of the full check, ms. */
  readonly wallMs: number;
  /** Best wall time of the same check with --runs 1, ms. */
  readonly startupMs: number;
  readonly casesPerSec: number;
  readonly netCasesPerSec: number;
}

export interface CheckModesReport {
  readonly runs: number;
  readonly seed: number;
  readonly rounds: number;
  readonly cores: number;
  readonly loadBefore: readonly number[];
  readonly loadAfter: readonly number[];
  readonly generation: { readonly cases: number; readonly ms: number; readonly casesPerSec: number };
  readonly modes: readonly ModeRow[];
  /** (a) net check throughput (best mode, and in-process) over bare generation. */
  readonly checkOverGeneration: { readonly inProcess: number; readonly bestMode: number };
  /** (b) worker-mode net throughput over in-process net throughput (target >= 0.75). */
  readonly workerOverInProcess: number;
  /** (c) wall time of --jobs 1 over --jobs 2. */
  readonly speedup2: number;
  /** (d) the same at a long run (runs per property), or null when skipped. */
  readonly long: { readonly runs: number; readonly jobs1Ms: number; readonly jobs2Ms: number; readonly speedup2: number } | null;
  readonly jsonIdentical: boolean;
}

const CLI = 'bin/mprotect-spec.js';

function runCli(args: readonly string[]): { ms: number; stdout: string } {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [CLI, 'check', ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`check ${args.join(' ')} exited ${r.status}: ${r.stderr.slice(0, 400)}`);
  return { ms, stdout: r.stdout };
}

const casesOf = (json: string): number =>
  (JSON.parse(json) as { results: { cases: number }[] }).results.reduce((n, r) => n + r.cases, 0);

/** Bare generation of the worlds the default check draws: every property's arbitrary, its seed and runs. */
function generationMs(runs: number, seed: number): { cases: number; ms: number } {
  let best = Number.POSITIVE_INFINITY;
  let cases = 0;
  for (let round = 0; round < 3; round++) {
    cases = 0;
    const t0 = performance.now();
    for (const p of PROPERTIES)
      cases += fc.sample(archWorldArb({ ...p.worldOptions }, undefined), { seed, numRuns: runs }).length;
    best = Math.min(best, performance.now() - t0);
  }
  return { cases, ms: best };
}

export function benchCheckModes(
  runs = Number(process.env.BENCH_CHECK_RUNS ?? 1000),
  rounds = Number(process.env.BENCH_CHECK_ROUNDS ?? 2),
  seed = 20_260_401,
  longRuns = Number(process.env.BENCH_CHECK_LONG_RUNS ?? 10_000),
): CheckModesReport {
  const loadBefore = loadavg();
  const cores = availableParallelism();
  const common = ['--seed', String(seed), '--no-save', '--json', '-q'];
  const modes: { mode: string; args: string[] }[] = [
    { mode: '--in-process', args: ['--in-process'] },
    { mode: `workers, default (--jobs ${cores})`, args: [] },
    { mode: 'workers, --jobs 1', args: ['--jobs', '1'] },
    { mode: 'workers, --jobs 2', args: ['--jobs', '2'] },
  ];
  const wall = modes.map(() => Number.POSITIVE_INFINITY);
  const startup = modes.map(() => Number.POSITIVE_INFINITY);
  const outputs: string[] = modes.map(() => '');
  for (let round = 0; round < rounds; round++)
    modes.forEach((m, i) => {
      const full = runCli([...common, '--runs', String(runs), ...m.args]);
      wall[i] = Math.min(wall[i] as number, full.ms);
      outputs[i] = full.stdout;
      startup[i] = Math.min(startup[i] as number, runCli([...common, '--runs', '1', ...m.args]).ms);
    });
  const gen = generationMs(runs, seed);
  let long: CheckModesReport['long'] = null;
  if (longRuns > 0) {
    const at = (jobs: string) => runCli([...common, '--runs', String(longRuns), '--jobs', jobs]).ms;
    // One round each, alternated: a long run is less sensitive to a passing disturbance.
    const jobs1Ms = at('1');
    const jobs2Ms = at('2');
    long = { runs: longRuns, jobs1Ms, jobs2Ms, speedup2: jobs1Ms / jobs2Ms };
  }
  const rows: ModeRow[] = modes.map((m, i) => {
    const cases = casesOf(outputs[i] as string);
    const w = wall[i] as number;
    const net = Math.max(1, w - (startup[i] as number));
    return {
      mode: m.mode,
      args: m.args,
      cases,
      wallMs: w,
      startupMs: startup[i] as number,
      casesPerSec: Math.round((cases / w) * 1000),
      netCasesPerSec: Math.round((cases / net) * 1000),
    };
  });
  const [inProc, dflt, jobs1, jobs2] = rows as [ModeRow, ModeRow, ModeRow, ModeRow];
  const genPerSec = Math.round((gen.cases / gen.ms) * 1000);
  const bestNet = Math.max(...rows.map((r) => r.netCasesPerSec));
  return {
    runs,
    seed,
    rounds,
    cores,
    loadBefore,
    loadAfter: loadavg(),
    generation: { cases: gen.cases, ms: gen.ms, casesPerSec: genPerSec },
    modes: rows,
    checkOverGeneration: { inProcess: inProc.netCasesPerSec / genPerSec, bestMode: bestNet / genPerSec },
    workerOverInProcess: dflt.netCasesPerSec / inProc.netCasesPerSec,
    speedup2: jobs1.wallMs / jobs2.wallMs,
    long,
    jsonIdentical: outputs[2] === outputs[3],
  };
}

export function printCheckModes(r: CheckModesReport): void {
  const pad = (s: string | number, n: number) => String(s).padStart(n);
  const load = (l: readonly number[]) => l.map((x) => x.toFixed(2)).join(' ');
  console.log(`The default check (7 properties x ${r.runs} runs, seed ${r.seed}) as a user runs it; best of ${r.rounds} rounds`);
  console.log(`  ${r.cores} cores; load average before ${load(r.loadBefore)}, after ${load(r.loadAfter)}`);
  console.log(
    `  ${'mode'.padEnd(30)} ${pad('cases', 6)} ${pad('wall s', 7)} ${pad('start s', 8)} ${pad('cases/s', 8)} ${pad('net/s', 7)}`,
  );
  for (const m of r.modes)
    console.log(
      `  ${m.mode.padEnd(30)} ${pad(m.cases, 6)} ${pad((m.wallMs / 1000).toFixed(2), 7)} ${pad((m.startupMs / 1000).toFixed(2), 8)} ${pad(m.casesPerSec, 8)} ${pad(m.netCasesPerSec, 7)}`,
    );
  console.log(
    `  ${'bare generation, same worlds'.padEnd(30)} ${pad(r.generation.cases, 6)} ${pad((r.generation.ms / 1000).toFixed(2), 7)} ${pad('-', 8)} ${pad(r.generation.casesPerSec, 8)} ${pad(r.generation.casesPerSec, 7)}`,
  );
  const pct = (x: number) => `${(x * 100).toFixed(0)}%`;
  console.log(
    `  (a) check / generation (net): in-process ${pct(r.checkOverGeneration.inProcess)}, best mode ${pct(r.checkOverGeneration.bestMode)} (target >= 50%)`,
  );
  console.log(`  (b) default workers / in-process (net): ${pct(r.workerOverInProcess)} (target >= 75%)`);
  console.log(
    `  (c) --jobs 2 speed-up over --jobs 1 (wall): ${r.speedup2.toFixed(2)}x; --json identical: ${r.jsonIdentical ? 'yes' : 'NO'}`,
  );
  if (r.long)
    console.log(
      `  (d) at ${r.long.runs} runs per property: --jobs 1 ${(r.long.jobs1Ms / 1000).toFixed(1)} s, --jobs 2 ${(r.long.jobs2Ms / 1000).toFixed(1)} s wall: ${r.long.speedup2.toFixed(2)}x`,
    );
}

if (import.meta.url === `file://${process.argv[1]}`) printCheckModes(benchCheckModes());
