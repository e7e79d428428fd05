// SPDX-License-Identifier: GPL-2.0-only
// mprotect-spec: the per-entry specification of change_protection().
// Version A semantics (one entry at a time, no batching), version C rules
// (NUMA order, softleaf table). See spec/README.md for the rule index.
import type { SpecOutcome, World } from '../src/pte/index.js';
import { resolveSpecOptions, type SpecOptions } from './options.js';
import { DEFAULT_RULES } from './rules.js';
import { runSpec, type SpecExplanation } from './walk.js';

export type { CallerOutcome, PkeyState } from './callers.js';
export {
  ARCH_DEFAULT_PKEY,
  change_prot_numa_spec,
  mprotect_fixup_spec,
  mprotectPkey,
  restrictToRange,
  uffd_wp_range_spec,
  VM_ACCESS_FLAGS,
} from './callers.js';
export { SpecPreconditionError } from './errors.js';
export { splitAnonHugePmd } from './huge_pmd.js';
export type { NumaSkipReason } from './numa.js';
export type { SpecOptions } from './options.js';
export { usesUffdWpMarkers, wantsManualWriteUpgrade } from './vma.js';
export type { SlotNote, SpecExplanation } from './walk.js';

/** The per-entry (version A semantics, no batching) reading of change_protection(vma, range.start, range.end, cp_flags). Never mutates its input. Throws SpecPreconditionError (with the rule id, e.g. R-CP.1) for worlds that violate preconditions. */
export function change_protection_spec(world: World, options?: SpecOptions): SpecOutcome {
  return runSpec(world, resolveSpecOptions(options), DEFAULT_RULES).outcome;
}

/** change_protection_spec() plus which local rule decided each visited slot. */
export function explain_change_protection(world: World, options?: SpecOptions): SpecExplanation {
  return runSpec(world, resolveSpecOptions(options), DEFAULT_RULES);
}
