// SPDX-License-Identifier: GPL-2.0-only
// Runs one unit (one property on one target) where it stands: inside a job
// worker, or in the tool's own thread with --in-process. Builds the report of
// a failure but saves nothing: the main thread prints, then saves.
import { layoutOf } from '../../arbitraries/index.js';
import { type CheckTarget, getProperty, type PropertyDef, runGuarded, spec, worldAfter } from '../../check/index.js';
import { runProperty } from '../../check/run.js';
import { CoverageCounter } from '../../coverage/index.js';
import { batchAwareSpec, type Mismatch } from '../../observe/index.js';
import { archHelpersFromFlag, type KernelOutcome, type SpecOutcome, type World, withArchHelpers } from '../../pte/index.js';
import type { CounterexampleView } from '../../report/counterexample.js';
import { archWorldArb } from '../arch.js';
import { compressPath } from '../options.js';
import type { Unit, UnitOutcome } from './plan.js';
import type { CaseTracker } from './tracker.js';

export interface UnitHooks {
  readonly tracker?: CaseTracker;
  /** Every world tried (the in-process runner remembers it for hang reports). */
  readonly onCase?: (world: World) => void;
  /** A world the target hung on, if the target itself detected the hang (isolated --impl). */
  readonly hungWorld?: () => World | null;
  readonly caseTimeoutMs: number;
}

export function safeSpec(world: World): SpecOutcome | null {
  try {
    return spec(world);
  } catch {
    return null;
  }
}

export function replayCommand(unit: Unit, seed: number, path: string): string {
  const arch = unit.arch ? ` --arch ${unit.arch}` : '';
  return `npx mprotect-spec check ${unit.target.replayAs} \\\n  --property ${unit.property}${arch} --seed ${seed} \\\n  --path ${compressPath(path)}`;
}

export const propertyView = (prop: PropertyDef) => ({ id: prop.id, title: prop.title, cites: prop.cites });

/** The report of a world the target never finished. */
export function hangView(unit: Unit, world: World, message: string, path?: string): CounterexampleView {
  const prop = getProperty(unit.property);
  const mismatches: Mismatch[] = [{ rule: 'REL-CRASH', message }];
  return {
    target: unit.target.name,
    property: propertyView(prop),
    world,
    mismatches,
    spec: safeSpec(world),
    actual: null,
    ...(path !== undefined ? { seed: unit.seed, path, replay: replayCommand(unit, unit.seed, path) } : {}),
  };
}

/** What the property compared the target with, when it is not the plain spec. */
function comparedWith(
  prop: PropertyDef,
  target: CheckTarget,
  world: World,
  first: KernelOutcome | null,
): Partial<Pick<CounterexampleView, 'reference' | 'firstCall' | 'actual'>> {
  if (prop.id === 'agree-exact' && target.batching === 'batched') {
    try {
      return { reference: { label: 'batch-aware spec', ptes: batchAwareSpec(world, spec).ptes } };
    } catch {
      return {};
    }
  }
  if (prop.id === 'idempotent' && first) {
    const second = runGuarded(target, worldAfter(world, first));
    return { firstCall: first, actual: second.ok ? second.outcome : null, reference: { label: '1st call', ptes: first.ptes } };
  }
  return {};
}

/** The target run with the arch helpers the unit asks for (the spec keeps its own). */
function withHelpers(unit: Unit, target: CheckTarget): CheckTarget {
  if (unit.x86PmdModify === undefined || unit.x86PmdModify === 'fixed') return target;
  const helpers = archHelpersFromFlag(unit.x86PmdModify);
  return { ...target, run: (world) => withArchHelpers(helpers, () => target.run(world)) };
}

export function runUnit(unit: Unit, given: CheckTarget, hooks: UnitHooks): UnitOutcome {
  const target = withHelpers(unit, given);
  const prop = getProperty(unit.property);
  const coverage = unit.coverage ? new CoverageCounter() : undefined;
  const tracker = hooks.tracker;
  const result = runProperty(prop, target, spec, {
    seed: unit.seed,
    numRuns: unit.runs,
    arb: archWorldArb({ ...prop.worldOptions }, unit.arch),
    onCase: (w) => {
      tracker?.onCase();
      hooks.onCase?.(w);
    },
    ...(tracker ? { onResult: (ok: boolean) => tracker.onResult(ok), onNarrow: () => tracker.onNarrow() } : {}),
    ...(unit.path ? { path: unit.path } : {}),
    ...(unit.timeLimitMs ? { timeLimitMs: unit.timeLimitMs } : {}),
    ...(coverage ? { coverage } : {}),
  });
  tracker?.done();
  let view: CounterexampleView | null = null;
  const hung = hooks.hungWorld?.() ?? null;
  if (hung) {
    view = hangView(
      unit,
      hung,
      `no progress after ${hooks.caseTimeoutMs} ms (per-case time limit, --case-timeout): the candidate hung on the world below`,
    );
  } else if (result.failure && !result.internalError) {
    const { world, mismatches, seed, path, shrinks, narrowed } = result.failure;
    const g = runGuarded(target, world);
    const actual: KernelOutcome | null = g.ok ? g.outcome : null;
    const compared = comparedWith(prop, target, world, actual);
    view = {
      target: target.name,
      property: propertyView(prop),
      world,
      mismatches,
      spec: safeSpec(world),
      ...compared,
      actual: compared.actual ?? actual,
      seed,
      path,
      shrinks,
      narrowed,
      replay: replayCommand(unit, seed, path),
    };
  }
  return {
    index: unit.index,
    result,
    view,
    coverage: coverage ? { total: coverage.total, counts: [...coverage.counts] } : null,
    layout: view ? (layoutOf(view.world) ?? null) : null,
  };
}
