// SPDX-License-Identifier: GPL-2.0-only
// `mprotect-spec oracle`: the live-kernel fidelity campaign (src/oracle/), and
// C reproducers of its disagreements that run on any Linux machine.
import { writeFileSync } from 'node:fs';
import {
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
  const result = await runOracleCampaign({
    runs: o.runs,
    ...(o.seed !== undefined ? { seed: o.seed } : {}),
    ...(features.length ? { features } : {}),
    store: o.store,
    largeFileFolios: optIn.includes('large-file-folios'),
    guardOverUffdShmem: optIn.includes('guard-over-uffd-shmem'),
    ...(io.errIsTTY ? { onProgress: (done: number, total: number) => io.err(`\r${done}/${total} scenarios`) } : {}),
  });
  if (io.errIsTTY) io.err('\n');
  if (result.skipped) {
    io.err(`mprotect-spec oracle: cannot run on this machine: ${result.skipped}\n`);
    return EXIT_USAGE;
  }
  io.out(o.json ? `${JSON.stringify(result, null, 2)}\n` : `${formatCampaign(result)}\n`);
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
  return real.length || failures.length ? EXIT_DIVERGENCE : EXIT_OK;
}
