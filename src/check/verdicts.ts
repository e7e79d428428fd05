// SPDX-License-Identifier: GPL-2.0-only
// What a property says about one stored world, per registered variant: the
// verdicts a corpus file records when saved and checks when replayed. No
// randomness. Judged exactly as the random runs judge a case (checkCase), so
// a replay and a check cannot disagree on the same world, and a variant that
// declares an unknown drift id throws here as it does there.
import { change_protection_spec } from '../../spec/index.js';
import { VARIANTS } from '../kernel/index.js';
import { type Mismatch, unrelaxedDrift } from '../observe/index.js';
import type { World } from '../pte/index.js';
import type { Expectation } from '../store/schema.js';
import { getProperty, type PropertyDef } from './properties.js';
import { variantTarget } from './registry_targets.js';
import { checkCase } from './run.js';
import { type CheckTarget, type SpecFn, specAsTarget } from './target.js';

export const spec: SpecFn = (world) => change_protection_spec(world);

/** A stored expectation, or 'excluded' when the world shows a drift the target declares. */
export type CaseVerdict = Expectation | 'excluded';

export interface TargetVerdict {
  readonly verdict: CaseVerdict;
  readonly mismatches: readonly Mismatch[];
  /** The drift id that excluded the world, if any. */
  readonly drift?: string;
}

/** One property on one world and target, through checkCase (a throw is a REL-CRASH mismatch). */
export function verdictOf(prop: PropertyDef, target: CheckTarget, world: World): TargetVerdict {
  const mismatches = checkCase(prop, world, target, spec);
  if (mismatches === null) return { verdict: 'excluded', mismatches: [], drift: unrelaxedDrift(world, target.drift) ?? '' };
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
