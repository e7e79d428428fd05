// SPDX-License-Identifier: GPL-2.0-only
// The `check --json` document and its schema. formatVersion changes when a
// field changes meaning or disappears; new fields may appear within a version.
import { z } from 'zod';
import type { CoverageRow } from '../../coverage/index.js';
import { counterexampleJson } from '../../report/counterexample.js';
import { FAST_CHECK_VERSION, PROJECT_VERSION } from '../../store/index.js';
import type { Shard } from '../options.js';
import { erred, failed, type RunRecord } from './records.js';

export const CHECK_JSON_FORMAT_VERSION = 1;

const counterexampleSchema = z
  .object({
    target: z.string(),
    property: z.string(),
    slots: z.number().int(),
    world: z.unknown(),
    mismatches: z.array(z.object({ rule: z.string(), message: z.string() }).passthrough()),
    reference: z.string(),
    differing: z.array(z.object({ vpn: z.number().int(), fields: z.array(z.string()) })),
    seed: z.number().int().nullable(),
    path: z.string().nullable(),
    replay: z.string().nullable(),
    corpusFile: z.string().nullable(),
  })
  .passthrough();

/** The schema of `mprotect-spec check --json` output. */
export const checkReportSchema = z.object({
  formatVersion: z.literal(CHECK_JSON_FORMAT_VERSION),
  tool: z.literal('mprotect-spec'),
  version: z.string(),
  fastCheck: z.string(),
  seed: z.number().int(),
  shard: z.object({ index: z.number().int(), count: z.number().int(), baseSeed: z.number().int() }).optional(),
  runs: z.number().int(),
  arch: z.enum(['x86-64', 'arm64']).nullable(),
  targets: z.array(z.string()),
  results: z.array(
    z.object({
      property: z.string(),
      target: z.string(),
      cases: z.number().int(),
      excluded: z.number().int(),
      interrupted: z.boolean(),
      result: z.enum(['ok', 'fail', 'error', 'stopped']),
      error: z.string().optional(),
      saveError: z.string().optional(),
      counterexample: counterexampleSchema.nullable(),
    }),
  ),
  coverage: z.object({
    total: z.number().int(),
    labels: z.array(z.object({ label: z.string(), count: z.number().int(), min: z.number(), ok: z.boolean() })),
  }),
  interrupted: z.boolean(),
  verdict: z.enum(['agrees', 'diverges', 'error', 'interrupted']),
});

export type CheckReport = z.infer<typeof checkReportSchema>;

export interface JsonInput {
  readonly seed: number;
  readonly base: number;
  readonly shard?: Shard;
  readonly runs: number;
  readonly arch: 'x86-64' | 'arm64' | null;
  readonly targets: readonly string[];
  readonly records: readonly RunRecord[];
  readonly coverageTotal: number;
  readonly coverageRows: readonly CoverageRow[];
  readonly sigint: boolean;
}

export function checkJson(i: JsonInput): CheckReport {
  const anyErr = i.records.some(erred);
  const anyFail = i.records.some(failed);
  const cut = i.sigint || i.records.some((r) => r.result.interrupted);
  return {
    formatVersion: CHECK_JSON_FORMAT_VERSION,
    tool: 'mprotect-spec',
    version: PROJECT_VERSION,
    fastCheck: FAST_CHECK_VERSION,
    seed: i.seed,
    ...(i.shard ? { shard: { ...i.shard, baseSeed: i.base } } : {}),
    runs: i.runs,
    arch: i.arch,
    targets: [...i.targets],
    results: i.records.map((r) => ({
      property: r.result.property,
      target: r.result.target,
      cases: r.result.cases,
      excluded: r.result.excluded,
      interrupted: r.result.interrupted || Boolean(r.sigint),
      result: r.view ? 'fail' : r.result.internalError ? 'error' : r.sigint ? 'stopped' : 'ok',
      ...(r.result.internalError && !r.view ? { error: r.result.internalError.split('\n')[0] ?? '' } : {}),
      ...(r.saved && !r.saved.ok ? { saveError: r.saved.error } : {}),
      counterexample: r.view
        ? (counterexampleJson(
            r.saved?.ok ? { ...r.view, corpus: { file: r.saved.file, status: r.saved.status } } : r.view,
          ) as z.infer<typeof counterexampleSchema>)
        : null,
    })),
    coverage: {
      total: i.coverageTotal,
      labels: i.coverageRows.map((c) => ({ label: c.label.id, count: c.count, min: c.label.min, ok: c.ok })),
    },
    interrupted: cut,
    verdict: anyErr ? 'error' : anyFail ? 'diverges' : i.sigint ? 'interrupted' : 'agrees',
  };
}
