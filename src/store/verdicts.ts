// What a property says about one stored world, per variant: the verdicts a
// corpus file records when saved and checks when replayed. No randomness.

import { change_protection_spec } from '../../spec/index.js';
import type { CheckTarget, SpecFn } from '../check/index.js';
import { getProperty, type PropertyDef, specAsTarget, variantTarget } from '../check/index.js';
import { VARIANTS } from '../kernel/index.js';
import { type Mismatch, unrelaxedDrift } from '../observe/index.js';
import type { World } from '../pte/index.js';
import type { Expectation } from './schema.js';

export const spec: SpecFn = (world) => change_protection_spec(world);

export type Verdict = Expectation | 'excluded';

export interface TargetVerdict {
  readonly verdict: Verdict;
  readonly mismatches: readonly Mismatch[];
  /** The drift id that excluded the world, if any. */
  readonly drift?: string;
}

/** Runs one property on one world and target, turning any throw into a REL-CRASH mismatch. */
export function verdictOf(prop: PropertyDef, target: CheckTarget, world: World): TargetVerdict {
  let drift: string | null = null;
  try {
    drift = prop.needsReference ? unrelaxedDrift(world, target.drift) : null;
  } catch {
    drift = null;
  }
  if (drift !== null) return { verdict: 'excluded', mismatches: [], drift };
  let mismatches: Mismatch[];
  try {
    mismatches = prop.check(world, target, spec);
  } catch (error) {
    const err = error instanceof Error ? error : new Error(String(error));
    mismatches = [{ rule: 'REL-CRASH', message: `threw ${err.name}: ${err.message}` }];
  }
  return { verdict: mismatches.length ? 'fails' : 'holds', mismatches };
}

/** The spec as a target for properties that do not compare with it (invariants, metamorphic). */
export const SPEC_TARGET_NAME = 'spec';

/** Verdicts of every registry variant (and of the spec, for properties that do not need it as reference). */
export function registryVerdicts(propertyId: string, world: World): Map<string, TargetVerdict> {
  const prop = getProperty(propertyId);
  const out = new Map<string, TargetVerdict>();
  if (!prop.needsReference) out.set(SPEC_TARGET_NAME, verdictOf(prop, specAsTarget(spec), world));
  for (const v of VARIANTS) out.set(v.name, verdictOf(prop, variantTarget(v), world));
  return out;
}
