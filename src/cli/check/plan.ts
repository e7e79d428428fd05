// SPDX-License-Identifier: GPL-2.0-only
// What one check consists of: units of (target, property), each a plain,
// cloneable description a job worker can run on its own. Units are
// independent and seeded alike, so their results do not depend on how many
// workers run them or in which order they finish.
import type { Layout } from '../../arbitraries/index.js';
import type { CheckTarget } from '../../check/index.js';
import type { PropertyResult } from '../../check/run.js';
import type { Arch, World } from '../../pte/index.js';
import type { CounterexampleView } from '../../report/counterexample.js';

/** How a job worker obtains the target: a module exporting change_protection(world), or a kernel tree's C. */
export type TargetSpec = ModuleSpec | KernelSpec;

interface SpecCommon {
  readonly name: string;
  readonly batching: CheckTarget['batching'];
  readonly drift?: readonly string[];
  /** How messages name it: `--variant x (file)`, `--impl path` or `--kernel dir`. */
  readonly label: string;
  /** How the replay command names it: `--variant x`, `--impl path`, `--kernel dir --patch p`. */
  readonly replayAs: string;
}

export interface ModuleSpec extends SpecCommon {
  readonly kind: 'module';
  /** Absolute path of the module. */
  readonly file: string;
}

export interface KernelSpec extends SpecCommon {
  readonly kind: 'kernel';
  /** The extracted translation unit (src/realc/extract), compiled with the shim in each worker (cached). */
  readonly tu: string;
  readonly sanitize: boolean;
  /** Seconds the C child may spend on one case before it counts as hung. */
  readonly timeoutS: number;
}

/** A key that tells targets apart within one worker. */
export const specKey = (t: TargetSpec): string => (t.kind === 'module' ? t.file : `kernel:${t.name}`);

export interface Unit {
  /** Position in the report: target-major, property-minor. */
  readonly index: number;
  readonly target: TargetSpec;
  readonly property: string;
  readonly seed: number;
  readonly runs: number;
  readonly arch?: Arch;
  readonly path?: string;
  readonly timeLimitMs?: number;
  /** Collect coverage labels of the passing cases (the 'agree' run of the first target). */
  readonly coverage: boolean;
  /** The x86 pmd_modify() the kernel model is built with (src/pte/arch): 'fixed' unless asked. */
  readonly x86PmdModify?: 'fixed' | 'v6.6';
}

export interface CoverageCounts {
  readonly total: number;
  readonly counts: readonly (readonly [string, number])[];
}

/** A unit's result as the worker (or the in-process runner) reports it; the report before any saving. */
export interface UnitOutcome {
  readonly index: number;
  readonly result: PropertyResult;
  readonly view: CounterexampleView | null;
  readonly coverage: CoverageCounts | null;
  /**
   * The generator layout of the reported world, when it has one: a world
   * crossing a thread boundary loses the layout attached to it, and the
   * corpus keeps it so stored files replay through the generator.
   */
  readonly layout?: Layout | null;
}

/** What the case tracker knows about a unit that stopped answering. */
export interface StuckCase {
  readonly phase: 'generate' | 'shrink' | 'narrow';
  /** fast-check path of the case in progress (generate, shrink) or of the shrunk failure (narrow). */
  readonly path: string;
  readonly cases: number;
}

export type { World };
