// SPDX-License-Identifier: GPL-2.0-only
// `mprotect-spec prove --bound K`: the bounded exhaustive check (src/prove/).
// "No counterexample found" becomes "none exists within the bound".
// `--variant NAME` picks registered variants; `--impl FILE` checks a candidate
// module (each job loads it, isolated exactly as `check --impl` loads it).
// `--jobs N` splits the enumeration over worker threads, `--shard I/N` over
// machines (`prove merge` combines the shard files); the result does not
// depend on N. Progress goes to stderr; SIGINT prints what was covered.
import { writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { loadErrorOf, VARIANTS } from '../kernel/index.js';
import {
  type ConfigName,
  countDomain,
  DEFAULT_CHUNK,
  type DomainFilter,
  domainFingerprint,
  formatProveResult,
  mergeProveFiles,
  type Partition,
  PROVE_CONFIGS,
  type ProveFile,
  type ProveResult,
  parseProveFile,
  runJobs,
  shardSize,
  toProveFile,
  VMA_KINDS,
  type VmaKind,
} from '../prove/index.js';
import { REAL_CP_FLAGS } from '../pte/index.js';
import { wrap } from '../report/text.js';
import { loadCandidate } from './candidate.js';
import { EXIT_DIVERGENCE, EXIT_OK, EXIT_USAGE, UsageError } from './errors.js';
import type { Io } from './io.js';
import type { Shard } from './options.js';
import { VERSION_STRING } from './version.js';

/** Exit code of a run stopped by SIGINT without a counterexample (128 + SIGINT), as `check`. */
export const EXIT_SIGINT = 130;

export interface ProveCliOptions {
  readonly bound: number;
  readonly timeLimitMs?: number;
  readonly variants: readonly string[];
  /** A candidate module exporting change_protection(world). */
  readonly impl?: string;
  /** Per-world time limit for the candidate. */
  readonly caseTimeoutMs?: number;
  readonly json: boolean;
  /** Worker threads (default: the available cores). */
  readonly jobs?: number;
  /** This machine's share of the campaign. */
  readonly shard?: Shard;
  /** Write the result file here (text summary on stdout). */
  readonly out?: string;
  readonly stopAtFirstFailure?: boolean;
  /** A sub-domain: only these configurations, VMA kinds, cp_flags. */
  readonly configs?: readonly string[];
  readonly kinds?: readonly string[];
  readonly cpFlags?: readonly number[];
  /** Worlds per chunk of the partition (tests use small chunks). */
  readonly chunk?: number;
  /** Seconds between progress lines outside a terminal (default 10). */
  readonly progressEveryS?: number;
}

const int = (n: number): string => n.toLocaleString('en-US');

function duration(s: number): string {
  if (!Number.isFinite(s)) return '?';
  if (s < 60) return `${Math.round(s)}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

function filterOf(o: ProveCliOptions): DomainFilter {
  const configs = o.configs?.length ? o.configs : undefined;
  const kinds = o.kinds?.length ? o.kinds : undefined;
  const cpFlags = o.cpFlags?.length ? o.cpFlags : undefined;
  for (const c of configs ?? [])
    if (!(c in PROVE_CONFIGS)) throw new UsageError(`unknown --config '${c}' (known: ${Object.keys(PROVE_CONFIGS).join(', ')})`);
  for (const k of kinds ?? [])
    if (!VMA_KINDS.includes(k as VmaKind)) throw new UsageError(`unknown --kind '${k}' (known: ${VMA_KINDS.join(', ')})`);
  for (const f of cpFlags ?? [])
    if (!REAL_CP_FLAGS.includes(f))
      throw new UsageError(`--cp-flags ${f} is not a real caller's combination (known: ${REAL_CP_FLAGS.join(', ')})`);
  return {
    ...(configs ? { configs: configs as ConfigName[] } : {}),
    ...(kinds ? { kinds: kinds as VmaKind[] } : {}),
    ...(cpFlags ? { cpFlags } : {}),
  };
}

/** Checks that the result file can be written before the run (a finding must not be lost at the end). */
function checkWritable(path: string): void {
  try {
    writeFileSync(path, '', { flag: 'a' });
  } catch (error) {
    throw new UsageError(`--out ${path}: cannot write there (${(error as NodeJS.ErrnoException).code ?? error})`);
  }
}

export async function runProve(o: ProveCliOptions, io: Io): Promise<number> {
  if (!Number.isInteger(o.bound) || o.bound < 1) throw new UsageError(`bound must be a positive integer, got ${o.bound}`);
  for (const v of o.variants) {
    if (!VARIANTS.some((x) => x.name === v))
      throw new UsageError(
        `unknown variant '${v}'; known (see \`list\`):\n${wrap(`  ${VARIANTS.map((x) => x.name).join(', ')}`, 78, '  ').join('\n')}`,
      );
    const failed = loadErrorOf(v);
    if (failed !== null) throw new UsageError(`--variant ${v} failed to load: ${failed}`);
  }
  const filter = filterOf(o);
  const jobs = Math.max(1, o.jobs ?? availableParallelism());
  const chunk = o.chunk ?? DEFAULT_CHUNK;
  const shard = o.shard ?? { index: 1, count: 1 };
  if (o.out) checkWritable(o.out);
  // Fail fast on a candidate that does not load or has the wrong export (exit 2), before any job starts.
  if (o.impl) await loadCandidate(o.impl, { caseTimeoutMs: o.caseTimeoutMs ?? 10_000 }).close();

  // The exact size of the domain, up front (counted block by block, no world built).
  const count = countDomain({ bound: o.bound, ...filter });
  const partition: Partition = { shard: shard.index - 1, shards: shard.count, job: 0, jobs: 1, chunk };
  const mine = shardSize(partition, count.total);
  const by = count.bySlots.map((n, i) => `${i + 1} slot(s): ${int(n)}`).join(', ');
  const head =
    `prove --bound ${o.bound}: the domain holds ${int(count.total)} worlds (${by})` +
    (shard.count > 1 ? `; shard ${shard.index}/${shard.count} holds ${int(mine)} of them` : '') +
    `; ${jobs} job(s)\n`;
  if (o.json) io.err(head);
  else io.out(head);

  const { control, done } = runJobs(
    {
      options: {
        bound: o.bound,
        ...filter,
        ...(o.timeLimitMs ? { timeLimitMs: o.timeLimitMs } : {}),
        ...(o.variants.length ? { variants: o.variants } : {}),
        ...(o.stopAtFirstFailure ? { stopAtFirstFailure: true } : {}),
        partition,
      },
      ...(o.impl ? { impl: { path: o.impl, caseTimeoutMs: o.caseTimeoutMs ?? 10_000 } } : {}),
    },
    jobs,
  );
  const t0 = performance.now();
  let lastLine = t0;
  const line = (): string => {
    const n = control.checked();
    const s = (performance.now() - t0) / 1000;
    const rate = s > 0 ? n / s : 0;
    const pct = mine > 0 ? ((100 * n) / mine).toFixed(1) : '100.0';
    return `prove: ${int(n)} / ${int(mine)} worlds (${pct}%), ${int(Math.round(rate))} worlds/s, ETA ${duration(rate > 0 ? (mine - n) / rate : Number.POSITIVE_INFINITY)}`;
  };
  const every = (o.progressEveryS ?? 10) * 1000;
  const ticker = setInterval(
    () => {
      if (io.errIsTTY) io.err(`\r${line()}\x1b[K`);
      else if (performance.now() - lastLine >= every - 50) {
        lastLine = performance.now();
        io.err(`${line()}\n`);
      }
    },
    io.errIsTTY ? 1000 : Math.min(every, 1000),
  );
  let sigint = false;
  const onSigint = () => {
    sigint = true;
    Atomics.store(control.stop, 0, 1);
  };
  process.on('SIGINT', onSigint);
  let result: ProveResult;
  let hang: Awaited<typeof done>['hang'];
  try {
    ({ result, hang } = await done);
  } catch (error) {
    const e = error as Error & { errorName?: string };
    if (e.errorName === 'UsageError') throw new UsageError(e.message);
    throw error;
  } finally {
    clearInterval(ticker);
    process.off('SIGINT', onSigint);
    if (io.errIsTTY) io.err('\n');
  }
  if (sigint || result.stoppedBy === 'sigint') sigint = true;

  const domain = {
    fingerprint: domainFingerprint({
      bound: o.bound,
      filter,
      chunk,
      total: count.total,
      bySlots: count.bySlots,
      version: VERSION_STRING,
    }),
    total: count.total,
    bySlots: count.bySlots,
    filter,
  };
  const file = toProveFile(result, domain, { index: shard.index, count: shard.count, chunk, worlds: mine, keep: 3 });
  const json = `${JSON.stringify(file, null, 2)}\n`;
  // The report first; then the file (nothing found is lost if writing fails).
  if (o.json) io.out(json);
  else io.out(`${formatProveResult(result, { ofWorlds: mine, shard })}\n`);
  if (sigint && !o.json)
    io.out(`STOPPED by SIGINT: ${int(result.worlds)} of ${int(mine)} worlds checked; the summary above is partial.\n`);
  if (hang) io.out(`the candidate hung (no answer within ${hang.ms} ms) on a world; it was counted as a failure\n`);
  if (o.out) {
    writeFileSync(o.out, json);
    if (!o.json) io.out(`result written to ${o.out}${shard.count > 1 ? ' (combine the shards with `prove merge`)' : ''}\n`);
  }
  if (result.failures.length) return EXIT_DIVERGENCE;
  return sigint ? EXIT_SIGINT : EXIT_OK;
}

/** `prove merge FILE...`: one verdict from the shard files of a campaign. */
export function runProveMerge(
  paths: readonly string[],
  o: { readonly json: boolean },
  io: Io,
  read: (p: string) => string,
): number {
  if (paths.length === 0) throw new UsageError('prove merge needs the shard result files (FILE...)');
  const files: { name: string; file: ProveFile }[] = [];
  for (const p of paths) {
    let text: string;
    try {
      text = read(p);
    } catch (error) {
      throw new UsageError(`${p}: cannot read (${(error as NodeJS.ErrnoException).code ?? error})`);
    }
    try {
      files.push({ name: p, file: parseProveFile(text, p) });
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
  }
  let merged: ReturnType<typeof mergeProveFiles>;
  try {
    merged = mergeProveFiles(files);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const r = merged.result;
  const complete = merged.missing.length === 0 && r.complete;
  const verdict = r.failures.length ? 'diverges' : complete ? 'agrees' : 'incomplete';
  if (o.json)
    io.out(
      `${JSON.stringify({ formatVersion: 1, kind: 'mprotect-spec prove merge', verdict, shards: merged.shards, missing: merged.missing, domain: merged.domain, ...r, complete }, null, 2)}\n`,
    );
  else {
    io.out(`prove merge: ${files.length} of ${merged.shards} shard(s) of domain ${merged.domain.fingerprint}\n`);
    io.out(`${formatProveResult({ ...r, complete }, { ofWorlds: merged.domain.total, timeLabel: ' (the longest shard)' })}\n`);
    if (merged.missing.length)
      io.out(
        `INCOMPLETE: shard(s) ${merged.missing.map((i) => `${i}/${merged.shards}`).join(', ')} missing; ${int(merged.covered)} of ${int(merged.domain.total)} worlds covered.\n`,
      );
    io.out(`verdict: ${verdict}\n`);
  }
  if (r.failures.length) return EXIT_DIVERGENCE;
  return merged.missing.length ? EXIT_USAGE : EXIT_OK;
}
