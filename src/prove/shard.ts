// SPDX-License-Identifier: GPL-2.0-only
// The result file of a prove run (`--json`, `--out FILE`) and `prove merge`:
// a run is shard I of N (a whole run is shard 1/1) of one domain, named by a
// fingerprint of everything that decides which world has which index. Merge
// accepts only shards of one domain, one bound, one chunk size and one target
// list, each shard at most once, and says which shards are missing.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { ConfigName, VmaKind } from './context.js';
import { mergeResults } from './merge.js';
import type { ProveResult } from './prove.js';

export const PROVE_FORMAT_VERSION = 1;
export const PROVE_RESULT_KIND = 'mprotect-spec prove result';

/** The sub-domain a run enumerates (the CLI's filters; absent = the whole domain). */
export interface DomainFilter {
  readonly configs?: readonly ConfigName[];
  readonly kinds?: readonly VmaKind[];
  readonly cpFlags?: readonly number[];
}

export interface DomainInfo {
  readonly fingerprint: string;
  readonly total: number;
  readonly bySlots: readonly number[];
  readonly filter: DomainFilter;
}

/** Names the domain: the same bound, filter, chunk size, tool version and world count give the same print. */
export function domainFingerprint(o: {
  readonly bound: number;
  readonly filter: DomainFilter;
  readonly chunk: number;
  readonly total: number;
  readonly bySlots: readonly number[];
  readonly version: string;
}): string {
  const canonical = JSON.stringify([
    PROVE_FORMAT_VERSION,
    o.bound,
    o.filter.configs ?? null,
    o.filter.kinds ?? null,
    o.filter.cpFlags ?? null,
    o.chunk,
    o.total,
    o.bySlots,
    o.version,
  ]);
  return createHash('sha256').update(canonical).digest('hex').slice(0, 16);
}

export interface ProveFile extends ProveResult {
  readonly formatVersion: number;
  readonly kind: string;
  readonly domain: DomainInfo;
  readonly shard: {
    readonly index: number;
    readonly count: number;
    readonly chunk: number;
    /** Worlds of the domain this shard holds. */
    readonly worlds: number;
    /** Failures kept per target. */
    readonly keep: number;
  };
}

export function toProveFile(result: ProveResult, domain: DomainInfo, shard: ProveFile['shard']): ProveFile {
  return { formatVersion: PROVE_FORMAT_VERSION, kind: PROVE_RESULT_KIND, domain, shard, ...result };
}

const tally = z.object({
  variant: z.string(),
  verdict: z.string(),
  checked: z.number().int().nonnegative(),
  excluded: z.number().int().nonnegative(),
  failed: z.number().int().nonnegative(),
  firstFailureAt: z.number().int().positive().nullable(),
});

/** The schema of a prove result file (what merge reads back). */
export const ProveFileSchema = z.object({
  formatVersion: z.literal(PROVE_FORMAT_VERSION),
  kind: z.literal(PROVE_RESULT_KIND),
  domain: z.object({
    fingerprint: z.string(),
    total: z.number().int().nonnegative(),
    bySlots: z.array(z.number().int().nonnegative()),
    filter: z.object({
      configs: z.array(z.string()).optional(),
      kinds: z.array(z.string()).optional(),
      cpFlags: z.array(z.number().int()).optional(),
    }),
  }),
  shard: z.object({
    index: z.number().int().positive(),
    count: z.number().int().positive(),
    chunk: z.number().int().positive(),
    worlds: z.number().int().nonnegative(),
    keep: z.number().int().nonnegative(),
  }),
  bound: z.number().int().positive(),
  worlds: z.number().int().nonnegative(),
  checked: z.number().int().nonnegative(),
  worldsBySlots: z.array(z.number().int().nonnegative()),
  complete: z.boolean(),
  stoppedBy: z.enum(['time-limit', 'first-failure', 'sigint']).nullable(),
  completedSlots: z.number().int().nonnegative(),
  variants: z.array(tally),
  failures: z.array(
    z.object({
      variant: z.string(),
      index: z.number().int().positive(),
      slots: z.number().int().positive(),
      world: z.record(z.string(), z.unknown()),
      mismatches: z.array(z.record(z.string(), z.unknown())),
    }),
  ),
  specErrors: z.number().int().nonnegative(),
  ms: z.number().nonnegative(),
});

/** Parses one result file; the error message names the file and what is wrong. */
export function parseProveFile(text: string, name: string): ProveFile {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new Error(`${name}: not JSON (${(error as Error).message})`);
  }
  const r = ProveFileSchema.safeParse(raw);
  if (!r.success) {
    const issue = r.error.issues[0];
    const where = issue?.path.length ? issue.path.join('.') : '(top level)';
    throw new Error(`${name}: not a prove result file of format ${PROVE_FORMAT_VERSION}: ${where}: ${issue?.message}`);
  }
  return raw as ProveFile;
}

export interface Merged {
  readonly result: ProveResult;
  readonly domain: DomainInfo;
  readonly shards: number;
  /** 1-based indices of the shards not given. */
  readonly missing: readonly number[];
  /** Worlds the given shards cover (a complete campaign: the domain's total). */
  readonly covered: number;
}

/** Merges shard files of one campaign; throws (a usage error for the CLI) when they do not belong together. */
export function mergeProveFiles(files: readonly { readonly name: string; readonly file: ProveFile }[]): Merged {
  const first = files[0];
  if (!first) throw new Error('prove merge needs at least one result file');
  const f0 = first.file;
  const targets = (f: ProveFile) => f.variants.map((v) => `${v.variant} (${v.verdict})`).join(', ');
  const seen = new Map<number, string>();
  for (const { name, file } of files) {
    const differs = (what: string, a: unknown, b: unknown) =>
      new Error(`${name} and ${first.name} are not shards of one campaign: ${what} differ (${a} vs ${b})`);
    if (file.bound !== f0.bound) throw differs('bounds', file.bound, f0.bound);
    if (file.domain.fingerprint !== f0.domain.fingerprint)
      throw differs('domains (fingerprint)', file.domain.fingerprint, f0.domain.fingerprint);
    if (file.shard.count !== f0.shard.count) throw differs('shard counts', file.shard.count, f0.shard.count);
    if (file.shard.chunk !== f0.shard.chunk) throw differs('chunk sizes', file.shard.chunk, f0.shard.chunk);
    if (file.shard.keep !== f0.shard.keep) throw differs('failures kept per target', file.shard.keep, f0.shard.keep);
    if (targets(file) !== targets(f0)) throw differs('targets', `[${targets(file)}]`, `[${targets(f0)}]`);
    const dup = seen.get(file.shard.index);
    if (dup !== undefined) throw new Error(`shard ${file.shard.index}/${file.shard.count} is given twice (${dup} and ${name})`);
    seen.set(file.shard.index, name);
  }
  const missing: number[] = [];
  for (let i = 1; i <= f0.shard.count; i++) if (!seen.has(i)) missing.push(i);
  const result = mergeResults(
    files.map((f) => f.file),
    f0.shard.keep,
    Math.max(...files.map((f) => f.file.ms)),
  );
  return {
    result,
    domain: f0.domain,
    shards: f0.shard.count,
    missing,
    covered: files.reduce((a, f) => a + f.file.shard.worlds, 0),
  };
}
