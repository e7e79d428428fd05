// The fidelity oracle: generated userspace scenarios run on the live kernel and
// on the process model (whose mprotect/uffd-wp go through the spec), compared
// per probe. runOracleCampaign() is the entry point for the CLI's `oracle`
// command; emitC() writes a stand-alone reproducer.
import fc from 'fast-check';
import { ALL_FEATURES, scenarioArb } from './arbitrary.js';
import { compareScenario, FEATURES, type Feature, type FieldDiff, observedOps, renderTable } from './compare.js';
import type { OpResult, PredictedOpResult } from './observation.js';
import { predict } from './predict.js';
import { buildRunner, kernelRelease, runScenarios } from './runner.js';
import type { Scenario } from './scenario.js';
import { saveCounterexample } from './store.js';

export { ALL_FEATURES, buildScenario, scenarioArb } from './arbitrary.js';
export { compareScenario, FEATURES, type Feature, featuresOf, observedOps, renderTable } from './compare.js';
export { emitC } from './emit_c.js';
export type { OpResult, PredictedOpResult, Probe } from './observation.js';
export { predict } from './predict.js';
export { buildRunner, kernelRelease, runScenarios } from './runner.js';
export { assertValidScenario, type Op, type Scenario, ScenarioError, scenarioProblems, showOp } from './scenario.js';
export { KernelCounterexampleError, loadCounterexamples, readCounterexample, saveCounterexample } from './store.js';

export interface CampaignOptions {
  readonly runs: number;
  readonly seed?: number;
  readonly features?: readonly Feature[];
  /** Also generate order-4 ext4 file folios, where Δ4 batching makes the spec and the kernel differ. */
  readonly largeFileFolios?: boolean;
  /** Shrink at most this many disagreements (default 3). */
  readonly shrinkLimit?: number;
  /** Store shrunk disagreements under counterexamples/kernel/ (default true). */
  readonly store?: boolean;
  readonly batchSize?: number;
  readonly onProgress?: (done: number, total: number) => void;
}

export interface FeatureCounts {
  probes: number;
  agree: number;
  disagree: number;
  /** Probes with at least one field the model declared unknown (known fields still compared). */
  unknown: number;
}

export interface CampaignDisagreement {
  readonly index: number;
  readonly scenario: Scenario;
  readonly diffs: readonly FieldDiff[];
  /** The disagreement as first seen, before shrinking (the original scenario and its diffs). */
  readonly original: { readonly scenario: Scenario; readonly diffs: readonly FieldDiff[] };
  readonly table: string;
  /** Of 3 replays of the shrunk scenario on the kernel, how many disagreed again. */
  readonly reproduced: number;
  readonly file?: string;
}

export interface CampaignResult {
  readonly kernel: string;
  readonly skipped?: string;
  readonly seed: number;
  readonly scenarios: number;
  readonly failedRuns: number;
  readonly probes: number;
  readonly agreeProbes: number;
  readonly disagreeProbes: number;
  readonly fields: number;
  readonly unknownFields: number;
  /** unknownFields / fields */
  readonly unknownShare: number;
  readonly perFeature: Record<Feature, FeatureCounts>;
  readonly elapsedMs: number;
  readonly scenariosPerSecond: number;
  readonly disagreeingScenarios: number;
  readonly disagreements: readonly CampaignDisagreement[];
  readonly unknownReasons: readonly string[];
  readonly specErrors: readonly string[];
  readonly runErrors: readonly string[];
}

/** Predict, run and compare scenarios; one verdict per scenario (null observed = the run failed). */
export async function checkScenarios(scenarios: readonly Scenario[], batchSize = 200) {
  const out: {
    predicted: PredictedOpResult[];
    observed: OpResult[] | null;
    error?: string;
    notes: ReturnType<typeof predict>['notes'];
  }[] = [];
  for (let i = 0; i < scenarios.length; i += batchSize) {
    const batch = scenarios.slice(i, i + batchSize);
    const runs = await runScenarios(batch);
    batch.forEach((s, k) => {
      const p = predict(s);
      const run = runs[k]!;
      out.push({ predicted: [...p.ops], observed: observedOps(s, run), error: run.error, notes: p.notes });
    });
  }
  return out;
}

async function disagrees(s: Scenario): Promise<FieldDiff[] | null> {
  const [r] = await checkScenarios([s]);
  if (!r?.observed) return null;
  const v = compareScenario(s, r.predicted, r.observed);
  return v.diffs.length > 0 ? [...v.diffs] : null;
}

export async function runOracleCampaign(opts: CampaignOptions): Promise<CampaignResult> {
  const seed = opts.seed ?? Date.now() % 2 ** 31;
  const kernel = kernelRelease();
  const perFeature = Object.fromEntries(FEATURES.map((f) => [f, { probes: 0, agree: 0, disagree: 0, unknown: 0 }])) as Record<
    Feature,
    FeatureCounts
  >;
  const empty = {
    kernel,
    seed,
    scenarios: 0,
    failedRuns: 0,
    probes: 0,
    agreeProbes: 0,
    disagreeProbes: 0,
    fields: 0,
    unknownFields: 0,
    unknownShare: 0,
    perFeature,
    elapsedMs: 0,
    scenariosPerSecond: 0,
    disagreeingScenarios: 0,
    disagreements: [],
    unknownReasons: [],
    specErrors: [],
    runErrors: [],
  };
  const avail = buildRunner();
  if (!avail.ok) return { ...empty, skipped: `oracle runner unavailable: missing ${avail.missing}` };
  const arb = scenarioArb({ features: opts.features ?? ALL_FEATURES, largeFileFolios: opts.largeFileFolios ?? false });
  const scenarios = fc.sample(arb, { seed, numRuns: opts.runs });
  const t0 = performance.now();
  const batch = opts.batchSize ?? 200;
  const results: Awaited<ReturnType<typeof checkScenarios>> = [];
  for (let i = 0; i < scenarios.length; i += batch) {
    results.push(...(await checkScenarios(scenarios.slice(i, i + batch), batch)));
    opts.onProgress?.(Math.min(i + batch, scenarios.length), scenarios.length);
  }
  const elapsedMs = performance.now() - t0;
  let probes = 0;
  let agreeProbes = 0;
  let disagreeProbes = 0;
  let fields = 0;
  let unknownFields = 0;
  let failedRuns = 0;
  const failing: number[] = [];
  const firstDiffs = new Map<number, readonly FieldDiff[]>();
  const unknownReasons = new Set<string>();
  const specErrors = new Set<string>();
  const runErrors = new Set<string>();
  results.forEach((r, i) => {
    for (const x of r.notes.unknownReasons) unknownReasons.add(x);
    for (const x of r.notes.specErrors) specErrors.add(x);
    if (!r.observed) {
      failedRuns++;
      runErrors.add(r.error ?? 'unknown');
      return;
    }
    const v = compareScenario(scenarios[i]!, r.predicted, r.observed);
    if (v.diffs.length > 0) {
      failing.push(i);
      firstDiffs.set(i, v.diffs);
    }
    for (const p of v.probes) {
      probes++;
      fields += p.fields;
      unknownFields += p.unknownFields;
      const bad = p.diffs.length > 0;
      if (bad) disagreeProbes++;
      else agreeProbes++;
      for (const f of p.features) {
        const c = perFeature[f];
        c.probes++;
        if (bad) c.disagree++;
        else c.agree++;
        if (p.unknownFields > 0) c.unknown++;
      }
    }
  });
  const disagreements: CampaignDisagreement[] = [];
  for (const index of failing.slice(0, opts.shrinkLimit ?? 3)) {
    // Replay the failing value through fast-check (same seed, same path) and shrink it on the kernel.
    const check = await fc.check(
      fc.asyncProperty(arb, async (s) => (await disagrees(s)) === null),
      { seed, path: String(index), numRuns: 1, endOnFailure: false },
    );
    const shrunk: Scenario = check.counterexample?.[0] ?? scenarios[index]!;
    let reproduced = 0;
    let last: FieldDiff[] = [];
    for (let k = 0; k < 3; k++) {
      const d = await disagrees(shrunk);
      if (d) {
        reproduced++;
        last = d;
      }
    }
    const [r] = await checkScenarios([shrunk]);
    const table = r?.observed ? renderTable(shrunk, r.predicted, r.observed) : '(run failed)';
    let file: string | undefined;
    if ((opts.store ?? true) && r?.observed && reproduced > 0)
      file = saveCounterexample({
        kind: 'kernel-oracle',
        scenario: shrunk,
        predicted: r.predicted,
        observed: r.observed,
        diffs: last,
        table,
        provenance: { kernel, seed, fastCheck: fc.__version, date: new Date().toISOString(), engine: 'spec' },
      });
    const original = { scenario: scenarios[index]!, diffs: firstDiffs.get(index) ?? [] };
    disagreements.push({ index, scenario: shrunk, diffs: last, original, table, reproduced, ...(file ? { file } : {}) });
  }
  return {
    kernel,
    seed,
    scenarios: scenarios.length,
    failedRuns,
    probes,
    agreeProbes,
    disagreeProbes,
    fields,
    unknownFields,
    unknownShare: fields === 0 ? 0 : unknownFields / fields,
    perFeature,
    elapsedMs,
    scenariosPerSecond: scenarios.length / (elapsedMs / 1000),
    disagreeingScenarios: failing.length,
    disagreements,
    unknownReasons: [...unknownReasons],
    specErrors: [...specErrors],
    runErrors: [...runErrors],
  };
}

/** Human summary of a campaign. */
export function formatCampaign(r: CampaignResult): string {
  if (r.skipped) return `oracle skipped: ${r.skipped}`;
  const lines = [
    `kernel ${r.kernel}, seed ${r.seed}: ${r.scenarios} scenarios (${r.failedRuns} failed runs), ${r.scenariosPerSecond.toFixed(0)} scenarios/s`,
    `scenarios disagreeing ${r.disagreeingScenarios}; probes ${r.probes}: agree ${r.agreeProbes}, disagree ${r.disagreeProbes}; unknown fields ${(100 * r.unknownShare).toFixed(2)}%`,
    'feature            probes   agree  disagree  with-unknown',
  ];
  for (const f of FEATURES) {
    const c = r.perFeature[f];
    lines.push(
      `${f.padEnd(18)} ${String(c.probes).padStart(6)} ${String(c.agree).padStart(7)} ${String(c.disagree).padStart(9)} ${String(c.unknown).padStart(13)}`,
    );
  }
  for (const d of r.disagreements) {
    lines.push(`\ndisagreement (scenario #${d.index}, reproduced ${d.reproduced}/3)${d.file ? ` -> ${d.file}` : ''}\n${d.table}`);
    if (d.reproduced === 0) {
      const first = d.original.diffs.map(
        (x) => `op ${x.op} ${x.field}: predicted ${String(x.predicted)}, kernel ${String(x.observed)}`,
      );
      lines.push(`not reproduced; first seen as: ${first.join('; ')}`);
    }
  }
  if (r.unknownReasons.length) lines.push(`unknown because: ${r.unknownReasons.join('; ')}`);
  if (r.specErrors.length) lines.push(`spec refused: ${r.specErrors.join('; ')}`);
  if (r.runErrors.length) lines.push(`run errors: ${r.runErrors.join('; ')}`);
  return lines.join('\n');
}
