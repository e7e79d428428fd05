// SPDX-License-Identifier: GPL-2.0-only
// Bounded exhaustive check (`mprotect-spec prove --bound K`): every world of
// a small domain, checked against the registered variants. docs/strength.md
// describes the domain and its reductions.
export {
  type ConfigName,
  type ContextFilter,
  contexts,
  describeContext,
  PROVE_CONFIGS,
  type ProveContext,
  VMA_KINDS,
  VMA_PROTS,
  type VmaKind,
} from './context.js';
export {
  type Cursor,
  contiguityChoices,
  countDomain,
  countWorlds,
  DEFAULT_CONFIGS,
  type Edge,
  type EnumerateOptions,
  enumerateWorlds,
  type FolioShape,
  type IndexedWorld,
  PROVE_ORDERS,
  placeChains,
  type SlotShape,
  type WorldCount,
} from './enumerate.js';
export { formatProveResult } from './format.js';
export { mergeResults } from './merge.js';
export { DEFAULT_CHUNK, type Partition, shardSize, WHOLE, wantOf } from './partition.js';
export { JobError, type JobSpec, type JobsOutcome, runJobs } from './pool.js';
export { type ProveFailure, type ProveOptions, type ProveResult, prove, type StopReason, type VariantTally } from './prove.js';
export {
  type DomainFilter,
  type DomainInfo,
  domainFingerprint,
  type Merged,
  mergeProveFiles,
  PROVE_FORMAT_VERSION,
  type ProveFile,
  ProveFileSchema,
  parseProveFile,
  toProveFile,
} from './shard.js';
