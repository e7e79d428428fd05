// SPDX-License-Identifier: GPL-2.0-only
// Bounded exhaustive check (`mprotect-spec prove --bound K`): every world of
// a small domain, checked against the registered variants. docs/strength.md
// describes the domain and its reductions.
export {
  type ConfigName,
  type ContextFilter,
  contexts,
  describeContext,
  type ProveContext,
  VMA_KINDS,
  VMA_PROTS,
  type VmaKind,
} from './context.js';
export {
  contiguityChoices,
  countDomain,
  countWorlds,
  DEFAULT_CONFIGS,
  type Edge,
  type Enumerated,
  type EnumerateOptions,
  enumerateThunks,
  enumerateWorlds,
  type FolioShape,
  PROVE_ORDERS,
  placeChains,
  type SlotShape,
  type WorldCount,
  type WorldThunk,
} from './enumerate.js';
export { formatProveResult } from './format.js';
export { type ProveFailure, type ProveOptions, type ProveResult, prove, type VariantTally } from './prove.js';
