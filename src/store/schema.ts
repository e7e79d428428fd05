// SPDX-License-Identifier: GPL-2.0-only
// The corpus file format, validated on read with zod. A file that does not
// match names itself and the first offending field; no other file is affected.
import { z } from 'zod';
import { SOFTLEAF_TYPES } from '../pte/softleaf.js';

const int = z.number().int();
const nat = int.nonnegative();

const presentSchema = z.object({ kind: z.literal('present'), pfn: nat, flags: nat });
export const pteSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('none') }),
  presentSchema,
  z.object({
    kind: z.literal('softleaf'),
    type: z.enum(SOFTLEAF_TYPES),
    offset: nat,
    flags: nat,
  }),
]);

const pmdSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('table') }),
  z.object({ kind: z.literal('none') }),
  z.object({ kind: z.literal('huge'), pmd: presentSchema }),
  z.object({ kind: z.literal('softleaf'), pmd: pteSchema.options[2] }),
]);

const folioSchema = z.object({
  pfn: nat,
  order: nat,
  anon: z.boolean(),
  ksm: z.boolean(),
  zoneDevice: z.boolean(),
  nid: nat,
  maybeMappedShared: z.boolean(),
  maybeDmaPinned: z.boolean(),
  fileLru: z.boolean(),
  dirty: z.boolean(),
  anonExclusive: z.array(z.boolean()),
});

export const worldSchema = z.object({
  config: z.object({ arch: z.enum(['x86-64', 'arm64']), memSoftDirty: z.boolean() }),
  vma: z.object({
    start: nat,
    end: nat,
    flags: nat,
    pkey: nat,
    anonymous: z.boolean(),
    ops: z.object({ page_mkwrite: z.boolean(), pfn_mkwrite: z.boolean() }),
    fileCanWriteback: z.boolean(),
    uffdWpUnpopulated: z.boolean(),
    vm_page_prot: nat,
  }),
  mm: z.object({ singleThreaded: z.boolean() }),
  numa: z.object({
    currentNid: nat,
    topTierNids: z.array(nat),
    balancingNormal: z.boolean(),
    memoryTiering: z.boolean(),
  }),
  folios: z.array(folioSchema),
  pmds: z.array(pmdSchema),
  ptes: z.array(pteSchema),
  range: z.object({ start: nat, end: nat }),
  cp_flags: nat,
});

export const kernelOutcomeSchema = z.object({
  ptes: z.array(pteSchema),
  pmds: z.array(pmdSchema),
  count: int,
  numaStamps: z.array(nat),
  flushes: z.array(z.object({ start: nat, nr: int })),
  trace: z.array(
    z.object({
      start: nat,
      nr: int,
      action: z.enum(['commit', 'skip-protnone', 'skip-numa']),
      subRuns: z.array(z.object({ idx: int, len: int, setWrite: z.boolean() })),
    }),
  ),
});

export const mismatchSchema = z.object({
  rule: z.string(),
  message: z.string(),
  vpn: nat.optional(),
  before: pteSchema.optional(),
  spec: pteSchema.optional(),
  variant: pteSchema.optional(),
});

export const expectationSchema = z.enum(['holds', 'fails']);
export type Expectation = z.infer<typeof expectationSchema>;

/**
 * 2: VMAs carry _PAGE_ACCESSED in vm_page_prot (W-VMA.6). Version 1 files were
 * written before the model knew that; the reader migrates them (corpus.ts).
 */
export const CORPUS_SCHEMA_VERSION = 2;

export const corpusFileSchema = z.object({
  schemaVersion: z.union([z.literal(1), z.literal(CORPUS_SCHEMA_VERSION)]),
  property: z.string().min(1),
  signature: z.object({
    hash: z.string().regex(/^[0-9a-f]{12}$/),
    variant: z.string().min(1),
    rules: z.array(z.string()),
    kinds: z.array(z.string()),
    fields: z.array(z.string()),
  }),
  /** The shrunk input itself: replays even after the generators change. */
  world: worldSchema,
  /** The generator layout the world was built from, when known (lets fast-check shrink it again). */
  layout: z.unknown().nullable(),
  mismatches: z.array(mismatchSchema),
  /** What the finding target returned (null when it threw or hung). */
  actual: kernelOutcomeSchema.nullable(),
  /** Per variant (and 'spec' for self-contained properties): does the property hold on this world? */
  expected: z.record(z.string(), expectationSchema),
  provenance: z.object({
    variant: z.string(),
    rule: z.string(),
    seed: int,
    path: z.string(),
    shrinks: nat,
    /** Steps of the range-narrowing pass after shrinking (absent in files saved before it existed). */
    narrowed: nat.optional(),
    numRuns: nat,
    arch: z.string().nullable(),
    fastCheckVersion: z.string(),
    projectVersion: z.string(),
    date: z.string(),
    command: z.string(),
  }),
  note: z.string().optional(),
});

export type CorpusFile = z.infer<typeof corpusFileSchema>;

/** "field.path: message" for the first few problems zod found. */
export function describeZodError(error: z.ZodError, max = 3): string {
  const lines = error.issues.slice(0, max).map((issue) => {
    const field = issue.path.length ? issue.path.map(String).join('.') : '(top level)';
    return `field '${field}': ${issue.message}`;
  });
  if (error.issues.length > max) lines.push(`... and ${error.issues.length - max} more`);
  return lines.join('; ');
}
