// SPDX-License-Identifier: GPL-2.0-only
/**
 * mprotect-spec, the library: everything needed to write your own properties
 * about `change_protection()` in your own vitest suite.
 *
 * - **World** (`src/pte/`): the types a call sees ({@link World}, {@link Pte},
 *   {@link Folio}, {@link Vma}), constructors (`mkWorld`, `mkVma`, `mkFolio`,
 *   `X86_64`, `ARM64`), the kernel-named accessors and flag constants, `checkWorld`.
 * - **Spec**: {@link change_protection_spec}, the per-entry reading of the call.
 * - **Registry**: {@link VARIANTS}, {@link getVariant}, {@link runVariant}; each
 *   variant models one kernel version or patch of `mm/mprotect.c`.
 * - **Arbitraries**: {@link worldArb}, valid page-table worlds for fast-check.
 * - **Relation**: {@link compareRelaxed} (the §11 agreement relation),
 *   {@link compareExact}, {@link batchAwareSpec}, {@link checkInvariants},
 *   {@link describeMismatch} and the named {@link RULES}.
 * - **Engine**: {@link PROPERTIES} and {@link runProperty}, what `mprotect-spec check` runs.
 * - **Corpus**: {@link loadCorpus} and {@link corpusExamples}, the stored
 *   counterexamples, ready to be fed to fast-check as `examples`.
 *
 * @example
 * ```ts
 * import fc from 'fast-check';
 * import { change_protection_spec, compareRelaxed, corpusExamples, getVariant, worldArb } from 'mprotect-spec';
 * const variant = getVariant('falcato-v3');
 * fc.assert(
 *   fc.property(worldArb(), (world) => compareRelaxed(world, change_protection_spec(world), variant.run(world)).length === 0),
 *   { examples: corpusExamples('agree').map((w) => [w]) },
 * );
 * ```
 * @packageDocumentation
 */

// ---------------------------------------------------------------- spec
export {
  /** The spec of the callers: mprotect_fixup(), change_prot_numa(), uffd_wp_range(). */
  change_prot_numa_spec,
  /** The per-entry reading of change_protection(vma, range.start, range.end, cp_flags); never mutates its input. */
  change_protection_spec,
  /** change_protection_spec() plus the spec rule that decided each slot. */
  explain_change_protection,
  mprotect_fixup_spec,
  type SpecExplanation,
  type SpecOptions,
  /** Thrown for worlds that violate a precondition; carries the rule id. */
  SpecPreconditionError,
  uffd_wp_range_spec,
} from '../spec/index.js';
// ---------------------------------------------------------------- arbitraries
export {
  /** Builds the world a layout describes (valid by construction). */
  buildWorld,
  /** Build-time configurations by name. */
  CONFIGS,
  type Layout,
  /** The layout arbitrary behind worldArb (plain, shrinkable data). */
  layoutArb,
  /** The layout a generated world was built from (undefined for hand-built worlds). */
  layoutOf,
  type WorldArbOptions,
  /** fast-check arbitrary of valid worlds; stored worlds given as `examples` shrink again. */
  worldArb,
} from './arbitraries/index.js';
// ---------------------------------------------------------------- engine
/** Replays one stored counterexample against the spec and every variant. */
export {
  type CheckTarget,
  type Failure,
  /** One property by id; throws listing the known ids. */
  getProperty,
  /** The properties `mprotect-spec check` runs. */
  PROPERTIES,
  type PropertyDef,
  type PropertyResult,
  replayEntry,
  /** Runs a target on a world, turning a throw or a write to the frozen input into a mismatch. */
  runGuarded,
  /** Runs one property on one target with fast-check: cases, time, and the shrunk failure. */
  runProperty,
  /** The spec wrapped as a target (for self-contained properties). */
  specAsTarget,
  /** A registry variant as a target. */
  variantTarget,
} from './check/index.js';
// ---------------------------------------------------------------- kernel model
export {
  /** The name of the baseline variant (what `check` runs by default). */
  BASELINE_VARIANT,
  /** The variant called `name`; throws listing the known names. */
  getVariant,
  /** Runs one variant on a world (the world is never written). */
  runVariant,
  /** Every modelled kernel version or patch, with its expected verdict. */
  VARIANTS,
  type Variant,
  type Verdict,
} from './kernel/index.js';
// ---------------------------------------------------------------- relation
export {
  /** The spec's outcome with each batch's dirty/young merge applied (exact comparison for batched models). */
  batchAwareSpec,
  /** The safety invariants (INV-1..INV-11, INV-15, INV-16, INV-18) on one outcome. */
  checkInvariants,
  /** INV-19: the model's batch trace is well formed. */
  checkTrace,
  /** Exact equality of entries, count, PMDs, stamps and flushed pages. */
  compareExact,
  /** The §11 agreement relation: equal up to the named batching allowances. Empty = agree. */
  compareRelaxed,
  /** A mismatch as text: rule, title, kernel reason and the three entries. */
  describeMismatch,
  type Mismatch,
  /** The relation's rules: id -> title and kernel reason. */
  RULES,
  type RuleId,
} from './observe/index.js';
// ---------------------------------------------------------------- world
/** World model: types, constructors, kernel-named accessors, flag constants, validation and formatting. */
export * from './pte/index.js';
// ---------------------------------------------------------------- corpus
export {
  type CorpusEntry,
  type CorpusLoad,
  type CorpusReadError,
  /** Stored worlds of one property (or all), ready for fast-check `examples`. */
  corpusExamples,
  /** The repository's counterexamples/ directory. */
  DEFAULT_CORPUS_DIR,
  /** A stored world in its shrinkable form when the generators still build it. */
  exampleWorld,
  /** Every stored counterexample under a directory; malformed files come back in `errors`. */
  loadCorpus,
  /** One corpus file, validated; throws CorpusError naming the file and the field. */
  readCorpusFile,
} from './store/index.js';
