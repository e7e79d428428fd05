// SPDX-License-Identifier: GPL-2.0-only
// `mprotect-spec oracle`: the live-kernel fidelity campaign (src/oracle/), and
// C reproducers of its disagreements that run on any Linux machine.
import { writeFileSync } from 'node:fs';
import {
  type CampaignProgress,
  campaignFailures,
  emitC,
  FEATURES,
  type Feature,
  formatCampaign,
  OPT_IN_FEATURES,
  type OptInFeature,
  readCounterexample,
  runOracleCampaign,
} from '../oracle/index.js';
import { EXIT_SIGINT } from './check.js';
import { EXIT_DIVERGENCE, EXIT_OK, EXIT_USAGE, UsageError } from './errors.js';
import type { Io } from './io.js';

export interface OracleOptions {
  readonly runs: number;
  readonly seed?: number;
  readonly features: readonly string[];
  readonly emitC?: string;
  readonly from?: string;
  readonly json: boolean;
  readonly store: boolean;
  /** Runner processes side by side (default 1). */
  readonly jobs?: number;
  /** Outside a terminal, a progress line at least this often (default 10 s; tests shorten it). */
  readonly progressEveryMs?: number;
  /** Stop early (default: this process's SIGINT). Tests pass their own. */
  readonly signal?: AbortSignal;
}

const progressText = (p: CampaignProgress): string =>
  `oracle: ${p.done}/${p.total} scenarios, ${p.disagreeing} disagreeing, ${p.specFailures} refused by the spec, ${(p.done / Math.max(p.elapsedMs / 1000, 1e-3)).toFixed(1)} scenarios/s`;

/**
 * Progress on stderr: redrawn after every batch on a terminal; otherwise one line when the campaign starts
 * and then at least every `everyMs` (CI logs), never silent for longer.
 */
function oracleProgress(io: Io, everyMs: number) {
  let last: CampaignProgress | null = null;
  let timer: NodeJS.Timeout | null = null;
  return {
    start(total: number, seed: string, jobs: number): void {
      last = { done: 0, total, disagreeing: 0, specFailures: 0, elapsedMs: 0 };
      if (!io.errIsTTY) {
        io.err(`oracle: seed ${seed}, ${jobs} job${jobs === 1 ? '' : 's'}, progress every ${(everyMs / 1000).toFixed(1)} s\n`);
        timer = setInterval(() => {
          if (last) io.err(`${progressText(last)}\n`);
        }, everyMs);
        timer.unref();
      }
    },
    update(p: CampaignProgress): void {
      last = p;
      if (io.errIsTTY) io.err(`\r\x1b[2K${progressText(p)}`);
    },
    stop(): void {
      if (timer) clearInterval(timer);
      if (io.errIsTTY && last) io.err('\n');
      else if (last && last.done > 0) io.err(`${progressText(last)}\n`);
    },
  };
}

/** Feature names restrict the campaign; opt-in names add the regions it leaves out by default. */
function parseFeatures(raw: readonly string[]): { features: Feature[]; optIn: OptInFeature[] } {
  const names = raw.flatMap((f) => f.split(',')).filter(Boolean);
  const features: Feature[] = [];
  const optIn: OptInFeature[] = [];
  for (const f of names) {
    if ((FEATURES as readonly string[]).includes(f)) features.push(f as Feature);
    else if ((OPT_IN_FEATURES as readonly string[]).includes(f)) optIn.push(f as OptInFeature);
    else throw new UsageError(`unknown feature '${f}' (known: ${FEATURES.join(', ')}; opt-in: ${OPT_IN_FEATURES.join(', ')})`);
  }
  return { features, optIn };
}

export async function runOracle(o: OracleOptions, io: Io): Promise<number> {
  if (o.from) {
    if (!o.emitC) throw new UsageError('--from needs --emit-c FILE (what to write the reproducer to)');
    let ce: ReturnType<typeof readCounterexample>;
    try {
      ce = readCounterexample(o.from);
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
    writeFileSync(o.emitC, emitC(ce.scenario, ce.explanation ?? `stored disagreement ${o.from}`));
    io.out(`wrote a C reproducer of ${o.from} to ${o.emitC} (cc -O2 -pthread ${o.emitC} && sudo ./a.out)\n`);
    return EXIT_OK;
  }
  const { features, optIn } = parseFeatures(o.features);
  const jobs = o.jobs ?? 1;
  const seed = o.seed ?? Date.now() % 2 ** 31;
  // SIGINT stops the campaign: the partial summary is printed and the exit code says so (as `check`).
  const own = new AbortController();
  const signal = o.signal ?? own.signal;
  const onSigint = (): void => own.abort();
  if (!o.signal) process.on('SIGINT', onSigint);
  // MPROTECT_SPEC_PROGRESS_MS shortens the interval (tests, impatient logs); 10 s is the longest silence.
  const envEvery = Number(io.env.MPROTECT_SPEC_PROGRESS_MS);
  const every = o.progressEveryMs ?? (Number.isFinite(envEvery) && envEvery > 0 ? Math.min(envEvery, 10_000) : 10_000);
  const progress = oracleProgress(io, every);
  progress.start(o.runs, String(seed), jobs);
  let result: Awaited<ReturnType<typeof runOracleCampaign>>;
  try {
    result = await runOracleCampaign({
      runs: o.runs,
      seed,
      ...(features.length ? { features } : {}),
      store: o.store,
      largeFileFolios: optIn.includes('large-file-folios'),
      guardOverUffdShmem: optIn.includes('guard-over-uffd-shmem'),
      writeback: optIn.includes('writeback'),
      jobs,
      signal,
      onProgress: (p) => progress.update(p),
    });
  } finally {
    progress.stop();
    if (!o.signal) process.off('SIGINT', onSigint);
  }
  if (result.skipped) {
    io.err(`mprotect-spec oracle: cannot run on this machine: ${result.skipped}\n`);
    return EXIT_USAGE;
  }
  io.out(o.json ? `${JSON.stringify(result, null, 2)}\n` : `${formatCampaign(result)}\n`);
  if (result.interrupted && !o.json)
    io.out(
      `STOPPED by SIGINT: ${result.scenarios} of ${result.planned} scenarios ran; the summary above\n  is partial (nothing was shrunk or stored).\n`,
    );
  const real = result.disagreements.filter((d) => d.reproduced > 0);
  if (o.emitC) {
    const first = real[0];
    if (!first) io.out(`no reproducible disagreement: ${o.emitC} not written\n`);
    else {
      writeFileSync(o.emitC, emitC(first.scenario, `shrunk disagreement, seed ${result.seed}`));
      io.out(`wrote a C reproducer of the first disagreement to ${o.emitC}\n`);
    }
  }
  // Nothing hidden: a spec refusal or too many all-unknown probes fail the run like a disagreement.
  const failures = campaignFailures(result);
  for (const f of failures) io.err(`mprotect-spec oracle: ${f}\n`);
  if (result.interrupted) return result.disagreeingScenarios || failures.length ? EXIT_DIVERGENCE : EXIT_SIGINT;
  return real.length || failures.length ? EXIT_DIVERGENCE : EXIT_OK;
}
