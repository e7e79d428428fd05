// SPDX-License-Identifier: GPL-2.0-only
// Runs one property against one target with fast-check and returns what a
// person (or the CLI, or a test) needs: cases, time, and on failure the shrunk
// world, its mismatches, and the seed and path that replay it.
import fc from 'fast-check';
import { type WorldArbOptions, worldArb } from '../arbitraries/index.js';
import { type CoverageCounter, labelsOf } from '../coverage/index.js';
import { type Mismatch, unrelaxedDrift } from '../observe/index.js';
import type { World } from '../pte/index.js';
import { describeThrow } from './guard.js';
import { narrowFailure } from './narrow.js';
import type { PropertyDef } from './properties.js';
import type { CheckTarget, SpecFn } from './target.js';

export interface RunOptions {
  readonly seed: number;
  readonly numRuns: number;
  /** Stop early after this long (counts as success if no failure was found). */
  readonly timeLimitMs?: number;
  /** Replay one failure: with seed, runs only that case. */
  readonly path?: string;
  /** Worlds tried before the random ones (stored counterexamples). */
  readonly examples?: readonly World[];
  readonly worldOptions?: WorldArbOptions;
  /** Labels of every passing generated case are added here. */
  readonly coverage?: CoverageCounter;
  /** The worlds to draw from (default: worldArb of the property's options), e.g. restricted to one arch. */
  readonly arb?: fc.Arbitrary<World>;
  /** Called with every world fast-check tries, before the check (progress; the world a hung candidate got). */
  readonly onCase?: (world: World) => void;
  /** Called after each fast-check case with whether it passed (tracks the replay path of the case in progress). */
  readonly onResult?: (passed: boolean) => void;
  /** Called once when shrinking is over and the narrowing pass begins. */
  readonly onNarrow?: () => void;
}

export interface Failure {
  readonly world: World;
  readonly mismatches: readonly Mismatch[];
  readonly seed: number;
  readonly path: string;
  readonly shrinks: number;
  /** Steps of the range-narrowing pass after shrinking (narrow.ts); the world is the narrowed one. */
  readonly narrowed: number;
}

export interface PropertyResult {
  readonly property: string;
  readonly target: string;
  readonly cases: number;
  readonly ms: number;
  readonly failure: Failure | null;
  readonly interrupted: boolean;
  /** Cases not compared with the spec because they show a declared drift no relaxation expresses. */
  readonly excluded: number;
  /** Set when fast-check failed for a reason other than a mismatch: a fault of the checker itself. */
  readonly internalError?: string;
}

/** The property's check, with any throw from the spec or relation turned into a mismatch. */
function safeCheck(prop: PropertyDef, world: World, target: CheckTarget, spec: SpecFn): Mismatch[] {
  try {
    return prop.check(world, target, spec);
  } catch (error) {
    return [describeThrow(error)];
  }
}

/**
 * The property on one world as every runner judges it: null when the world
 * shows a declared drift that no field-level relaxation expresses (not
 * compared with the spec; src/observe/drift.ts), otherwise the mismatches,
 * a throw included. Other declared drift is relaxed inside the properties.
 */
export function checkCase(prop: PropertyDef, world: World, target: CheckTarget, spec: SpecFn): Mismatch[] | null {
  if (prop.needsReference && unrelaxedDrift(world, target.drift) !== null) return null;
  return safeCheck(prop, world, target, spec);
}

export function runProperty(prop: PropertyDef, target: CheckTarget, spec: SpecFn, options: RunOptions): PropertyResult {
  const arb = options.arb ?? worldArb({ ...options.worldOptions, ...prop.worldOptions });
  let failed = false;
  let excluded = 0;
  const predicate = fc.property(arb, (world) => {
    options.onCase?.(world);
    const mismatches = checkCase(prop, world, target, spec);
    if (mismatches === null) {
      if (!failed) excluded++;
      options.onResult?.(true);
      return true;
    }
    const ok = mismatches.length === 0;
    if (!ok) failed = true;
    if (ok && !failed && options.coverage) options.coverage.add(labelsOf(world));
    options.onResult?.(ok);
    return ok;
  });
  const t0 = performance.now();
  const details = fc.check(predicate, {
    seed: options.seed,
    numRuns: options.numRuns,
    ...(options.path ? { path: options.path, endOnFailure: true } : {}),
    ...(options.examples?.length ? { examples: options.examples.map((w) => [w] as [World]) } : {}),
    ...(options.timeLimitMs ? { interruptAfterTimeLimit: options.timeLimitMs } : {}),
  });
  const ms = performance.now() - t0;
  let failure: Failure | null = null;
  let internalError: string | undefined;
  if (details.failed && details.counterexample) {
    const shrunk = details.counterexample[0];
    options.onNarrow?.();
    const firstMismatches = safeCheck(prop, shrunk, target, spec);
    const check = (w: World) => {
      options.onCase?.(w);
      return checkCase(prop, w, target, spec) ?? []; // a drift world does not show the failure
    };
    const narrowed = firstMismatches.length ? narrowFailure(shrunk, firstMismatches, check) : null;
    const world = narrowed?.world ?? shrunk;
    const mismatches = narrowed?.mismatches ?? firstMismatches;
    if (mismatches.length === 0) {
      // A throw outside the property's own check: the checker failed, not the target.
      const e = details.errorInstance;
      internalError = e instanceof Error ? (e.stack ?? e.message) : String(e ?? 'the property failed without a mismatch');
    }
    failure = {
      world,
      mismatches,
      seed: details.seed,
      path: details.counterexamplePath ?? '',
      shrinks: details.numShrinks,
      narrowed: narrowed?.steps ?? 0,
    };
  }
  // fast-check reports a run cut by the time limit before its first case as failed; it is only interrupted
  if (details.failed && !details.counterexample && !details.interrupted)
    internalError = String(details.errorInstance ?? 'fast-check failed without a counterexample');
  return {
    property: prop.id,
    target: target.name,
    cases: details.numRuns,
    ms,
    failure,
    interrupted: details.interrupted,
    excluded,
    ...(internalError ? { internalError } : {}),
  };
}
