// SPDX-License-Identifier: GPL-2.0-only
// Judge spec engines against one live run of a default campaign's scenarios,
// the way judgeEngines() (src/oracle/index.ts) does, with two more things the
// held-out measurement needs: scenarios where the SPEC itself disagrees with the
// kernel (a transient under load: a reuse refused for a passing folio reference)
// are set aside as noise, so no engine is credited with a kill the spec also
// "makes"; and a kill by an observed difference is told apart from a kill by a
// refusal (the engine produced a world the model's next spec call rejects).
import fc from 'fast-check';
import type { FieldDiff } from '../../src/oracle/compare.js';
import {
  ALL_FEATURES,
  compareScenario,
  environmentLimits,
  modelSettings,
  type OpResult,
  observedOps,
  predict,
  readEnvironment,
  runScenarios,
  type Scenario,
  type SpecEngine,
  scenarioArb,
  scenarioSkipReason,
  scenariosTheSpecFails,
} from '../../src/oracle/index.js';

export interface HeldOutVerdict {
  /** Scenarios (noise excluded) with an observed difference. */
  readonly disagreeing: number;
  /** Scenarios (noise excluded) where the engine's world was refused (a campaign failure too). */
  readonly refused: number;
  /** First scenario with an observed difference, or -1. */
  readonly firstByObservation: number;
  /** First scenario failing in any way, or -1 (survived). */
  readonly first: number;
  readonly firstDiff: string | null;
  /** The first scenario with an observed difference (for the report). */
  readonly firstScenario: Scenario | null;
}

export const showDiff = (d: FieldDiff): string =>
  `op ${d.op} ${d.field}: predicted ${String(d.predicted)}, kernel ${String(d.observed)}`;

/** Judge engines on given scenarios and their observations; `noise` lists scenarios the spec fails. */
export function judgeObserved(
  scenarios: readonly Scenario[],
  observed: readonly (readonly OpResult[] | null)[],
  engines: Readonly<Record<string, SpecEngine>>,
  settings = modelSettings(readEnvironment()),
): { readonly noise: number[]; readonly verdicts: Record<string, HeldOutVerdict> } {
  const noise = scenariosTheSpecFails(scenarios, observed, settings);
  const verdicts: Record<string, HeldOutVerdict> = {};
  for (const [name, engine] of Object.entries(engines)) {
    let disagreeing = 0;
    let refused = 0;
    let first = -1;
    let firstByObservation = -1;
    let firstDiff: string | null = null;
    let firstScenario: Scenario | null = null;
    scenarios.forEach((s, i) => {
      const ob = observed[i];
      if (!ob || noise.includes(i)) return;
      const p = predict(s, { engine, settings });
      const diffs = compareScenario(s, p.ops, ob).diffs;
      const isRefused = p.notes.specErrors.length > 0;
      if (isRefused) refused++;
      if (diffs.length > 0) disagreeing++;
      if (diffs.length > 0 && firstByObservation < 0) {
        firstByObservation = i;
        firstScenario = s;
        if (first < 0 || first === i) firstDiff = showDiff(diffs[0]!);
      }
      if ((isRefused || diffs.length > 0) && first < 0) {
        first = i;
        firstDiff = diffs[0] ? showDiff(diffs[0]) : `refused: ${p.notes.specErrors[0]}`;
      }
    });
    verdicts[name] = { disagreeing, refused, firstByObservation, first, firstDiff, firstScenario };
  }
  return { noise, verdicts };
}

/** The default campaign's scenarios at `seed` (environment skips applied, as judgeEngines() does), run once. */
export async function observeDefaultCampaign(
  runs: number,
  seed: number,
  /** Another generator (to measure a proposed generator change on the same footing). */
  arb: fc.Arbitrary<Scenario> = scenarioArb({ features: ALL_FEATURES, largeFileFolios: false, writeback: false }),
) {
  const limits = environmentLimits(readEnvironment());
  const scenarios = fc.sample(arb, { seed, numRuns: runs }).filter((s) => scenarioSkipReason(s, limits) === null);
  const observed: (OpResult[] | null)[] = [];
  for (let i = 0; i < scenarios.length; i += 200) {
    const part = scenarios.slice(i, i + 200);
    const raw = await runScenarios(part);
    part.forEach((s, k) => {
      observed.push(observedOps(s, raw[k]!));
    });
  }
  return { scenarios, observed };
}

/** Observe hand scenarios once on the kernel. */
export async function observeScenarios(scenarios: readonly Scenario[]) {
  const raw = await runScenarios(scenarios);
  return scenarios.map((s, k) => observedOps(s, raw[k]!));
}
