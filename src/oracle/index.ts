// SPDX-License-Identifier: GPL-2.0-only
// The fidelity oracle: generated userspace scenarios run on the live kernel and
// on the process model (whose mprotect/uffd-wp go through the spec), compared
// per probe. runOracleCampaign() is the entry point for the CLI's `oracle`
// command; emitC() writes a stand-alone reproducer.
import fc from 'fast-check';
import { ALL_FEATURES, scenarioArb } from './arbitrary.js';
import { compareScenario, FEATURES, type Feature, type FieldDiff, observedOps, renderTable } from './compare.js';
import { DECISIONS, type Decision } from './decisions.js';
import { SPEC_ENGINE, type SpecEngine } from './engine.js';
import {
  environmentLimits,
  formatEnvironment,
  modelSettings,
  type OracleEnvironment,
  readEnvironment,
  scenarioSkipReason,
} from './environment.js';
import type { ModelSettings } from './model/state.js';
import type { OpResult, PredictedOpResult } from './observation.js';
import { predict } from './predict.js';
import { buildRunner, kernelRelease, RunAborted, runScenarios } from './runner.js';
import type { Scenario } from './scenario.js';
import { saveCounterexample } from './store.js';

export { ALL_FEATURES, buildScenario, OPT_IN_FEATURES, type OptInFeature, scenarioArb } from './arbitrary.js';
export {
  compareScenario,
  FEATURES,
  type Feature,
  type FieldDiff,
  featuresOf,
  observedOps,
  renderTable,
} from './compare.js';
export { DECISIONS, type Decision } from './decisions.js';
export { emitC } from './emit_c.js';
export { SPEC_ENGINE, type SpecEngine } from './engine.js';
export {
  environmentLimits,
  formatEnvironment,
  modelSettings,
  type OracleEnvironment,
  readEnvironment,
  scenarioSkipReason,
} from './environment.js';
export { lifecycleArb } from './lifecycle.js';
export type { OpResult, PredictedOpResult, Probe } from './observation.js';
export { type ModelSettings, predict } from './predict.js';
export { buildRunner, kernelRelease, RunAborted, runScenarios } from './runner.js';
export {
  assertValidScenario,
  type Op,
  type Scenario,
  ScenarioError,
  scenarioProblems,
  showOp,
  toRunnerLines,
} from './scenario.js';
export { KernelCounterexampleError, loadCounterexamples, readCounterexample, saveCounterexample } from './store.js';

export interface CampaignOptions {
  readonly runs: number;
  readonly seed?: number;
  readonly features?: readonly Feature[];
  /** Also generate order-4 ext4 file folios, where Δ4 batching makes the spec and the kernel differ. */
  readonly largeFileFolios?: boolean;
  /** Also generate guard installs over uffd-wp registered shared memory (known to hang on 6.18). */
  readonly guardOverUffdShmem?: boolean;
  /** Also generate msync(MS_SYNC) writeback (the `writeback` opt-in). */
  readonly writeback?: boolean;
  /** Shrink at most this many disagreements (default 3). */
  readonly shrinkLimit?: number;
  /** Store shrunk disagreements under counterexamples/kernel/ (default true). */
  readonly store?: boolean;
  /** Scenarios per runner process (default 50). */
  readonly batchSize?: number;
  /**
   * Runner processes at work at once (default 1). Each scenario already runs in its own forked worker, and
   * no scenario touches system-wide state, so batches may run side by side; the report is assembled in
   * scenario order, so it is the same for any number of jobs.
   */
  readonly jobs?: number;
  /** Called after every finished batch. */
  readonly onProgress?: (p: CampaignProgress) => void;
  /**
   * Stop early (SIGINT): running batches are killed, no new one starts, nothing is shrunk or stored, and
   * the result covers the scenarios that finished, marked `interrupted`.
   */
  readonly signal?: AbortSignal;
  /** The spec entry points the model calls (default: the spec). The adequacy test hands in broken copies. */
  readonly engine?: SpecEngine;
}

/** Where a running campaign stands. */
export interface CampaignProgress {
  /** Scenarios run and judged so far (in any order when jobs > 1). */
  readonly done: number;
  /** Scenarios the campaign will run (after environment skips). */
  readonly total: number;
  /** Of those done, how many disagree with the kernel on some probe (before shrinking). */
  readonly disagreeing: number;
  /** Of those done, how many the spec refused. */
  readonly specFailures: number;
  readonly elapsedMs: number;
}

/** Decisive probes of one walk decision: reads or writes whose outcome that decision determines. */
export interface DecisionCounts {
  probes: number;
  agree: number;
  disagree: number;
}

/**
 * The fewest decisive probes per decision a 500-scenario default campaign must reach (scaled down
 * linearly for shorter campaigns); soft-dirty is not built on the target kernel, so it has no row.
 * Set at about half of the lowest count seen at seeds 1, 2 and 3 (docs/strength.md).
 */
export const DECISIVE_MINIMUM_AT_500: Readonly<Record<Decision, number>> = Object.freeze({
  'try:granted:anon-exclusive': 100,
  'try:refused:anon-not-exclusive': 45,
  'try:refused:zero-page': 10,
  'try:refused:private-file-page': 8,
  'try:granted:shared-dirty': 40,
  'try:refused:shared-clean': 12,
  'try:refused:uffd-wp': 4,
  'shared:writable-prot': 20,
  'prot-none': 25,
  'uffd:protect': 16,
  'uffd:resolve': 16,
  'marker:install': 5,
  'marker:resolve': 8,
  'marker:kept': 5,
  'guard:kept': 45,
  'thp:whole': 5,
  'thp:split': 15,
});

/**
 * The fewest decisive probes a 500-scenario default campaign must make in regions of each feature (scaled
 * down linearly), so that no feature row is filled by pagemap looks alone. Set at about half of the
 * lowest count seen at seeds 1, 2 and 3 (docs/strength.md section 4).
 */
export const FEATURE_DECISIVE_MINIMUM_AT_500: Readonly<Record<Feature, number>> = Object.freeze({
  'anon-cow': 160,
  'exclusive-reuse': 240,
  shmem: 150,
  'file-writenotify': 100,
  thp: 100,
  'uffd-wp': 155,
  'guard-markers': 80,
  'prot-none': 200,
  'two-mappings': 22,
  'wp-async': 50,
});

/** The features under their decisive minimum for a campaign of `runs` scenarios. */
export function featureShortfalls(r: Pick<CampaignResult, 'scenarios' | 'perFeature'>): string[] {
  const out: string[] = [];
  for (const f of FEATURES) {
    const need = Math.floor((FEATURE_DECISIVE_MINIMUM_AT_500[f] * r.scenarios) / 500);
    if (r.perFeature[f].decisive < need) out.push(`${f}: ${r.perFeature[f].decisive} decisive probes, need ${need}`);
  }
  return out;
}

/** A probe whose every field the model declared unknown may make up at most this share of all probes. */
export const MAX_ALL_UNKNOWN_SHARE = 0.02;

/** The decisions under their minimum for a campaign of `runs` scenarios. */
export function decisiveShortfalls(r: Pick<CampaignResult, 'scenarios' | 'decisive'>): string[] {
  const out: string[] = [];
  for (const d of DECISIONS) {
    const need = Math.floor((DECISIVE_MINIMUM_AT_500[d] * r.scenarios) / 500);
    if (r.decisive[d].probes < need) out.push(`${d}: ${r.decisive[d].probes} decisive probes, need ${need}`);
  }
  return out;
}

export interface FeatureCounts {
  probes: number;
  /** Of those, decisive probes: a read or write whose outcome a walk decision settles (not a look). */
  decisive: number;
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
  /** The campaign was interrupted before this one was shrunk and replayed: `scenario` is the original. */
  readonly notShrunk?: true;
  readonly file?: string;
}

export interface CampaignResult {
  readonly kernel: string;
  /** What the machine allows; recorded with every campaign. */
  readonly environment: OracleEnvironment;
  /** Generated scenarios this machine cannot judge (its settings would falsify the model), by reason. */
  readonly skippedScenarios: Readonly<Record<string, number>>;
  readonly skipped?: string;
  readonly seed: number;
  /** Scenarios run and judged (fewer than `planned` when interrupted). */
  readonly scenarios: number;
  /** Scenarios the campaign meant to run (after environment skips). */
  readonly planned: number;
  /** Stopped early (SIGINT): the counts cover the scenarios that ran; nothing was shrunk or stored. */
  readonly interrupted: boolean;
  /** Runner processes used side by side. */
  readonly jobs: number;
  readonly failedRuns: number;
  readonly probes: number;
  /** Probes with no unknown field that agreed on every field. */
  readonly agreeProbes: number;
  readonly disagreeProbes: number;
  /** Probes whose every field the model declared unknown: neither agreement nor disagreement. */
  readonly allUnknownProbes: number;
  readonly decisive: Record<Decision, DecisionCounts>;
  /** Scenarios where the spec refused a world the model built: each is a failure, never a wave of unknowns. */
  readonly specFailures: readonly { readonly index: number; readonly scenario: Scenario; readonly errors: readonly string[] }[];
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

type Checked = Awaited<ReturnType<typeof checkScenarios>>[number] & {
  readonly verdict: ReturnType<typeof compareScenario> | null;
};

/** Predict, run and compare scenarios; one verdict per scenario (null observed = the run failed). */
export async function checkScenarios(
  scenarios: readonly Scenario[],
  batchSize = 200,
  engine?: SpecEngine,
  signal?: AbortSignal,
  /** What the machine allows the model (default: read from this machine's environment). */
  settings: ModelSettings = modelSettings(readEnvironment()),
) {
  const out: {
    predicted: PredictedOpResult[];
    observed: OpResult[] | null;
    error?: string;
    notes: ReturnType<typeof predict>['notes'];
    decisive: ReturnType<typeof predict>['decisive'];
  }[] = [];
  for (let i = 0; i < scenarios.length; i += batchSize) {
    const batch = scenarios.slice(i, i + batchSize);
    const runs = await runScenarios(batch, signal ? { signal } : {});
    batch.forEach((s, k) => {
      const p = predict(s, engine ? { engine, settings } : { settings });
      const run = runs[k]!;
      out.push({
        predicted: [...p.ops],
        observed: observedOps(s, run),
        error: run.error,
        notes: p.notes,
        decisive: p.decisive,
      });
    });
  }
  return out;
}

async function disagrees(s: Scenario, engine: SpecEngine | undefined, settings: ModelSettings): Promise<FieldDiff[] | null> {
  const [r] = await checkScenarios([s], 200, engine, undefined, settings);
  if (!r?.observed) return null;
  const v = compareScenario(s, r.predicted, r.observed);
  return v.diffs.length > 0 ? [...v.diffs] : null;
}

export async function runOracleCampaign(opts: CampaignOptions): Promise<CampaignResult> {
  const seed = opts.seed ?? Date.now() % 2 ** 31;
  const kernel = kernelRelease();
  // Built first: the environment asks the runner which userfaultfd features the kernel offers.
  const avail = buildRunner();
  const environment = readEnvironment();
  const limits = environmentLimits(environment);
  const settings = modelSettings(environment);
  const skippedScenarios: Record<string, number> = {};
  const perFeature = Object.fromEntries(
    FEATURES.map((f) => [f, { probes: 0, decisive: 0, agree: 0, disagree: 0, unknown: 0 }]),
  ) as Record<Feature, FeatureCounts>;
  const decisive = Object.fromEntries(DECISIONS.map((d) => [d, { probes: 0, agree: 0, disagree: 0 }])) as Record<
    Decision,
    DecisionCounts
  >;
  const empty = {
    kernel,
    environment,
    skippedScenarios,
    seed,
    scenarios: 0,
    planned: 0,
    interrupted: false,
    jobs: 1,
    failedRuns: 0,
    probes: 0,
    agreeProbes: 0,
    disagreeProbes: 0,
    allUnknownProbes: 0,
    decisive,
    specFailures: [],
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
  if (!avail.ok) return { ...empty, skipped: `oracle runner unavailable: missing ${avail.missing}` };
  const arb = scenarioArb({
    features: opts.features ?? ALL_FEATURES,
    largeFileFolios: opts.largeFileFolios ?? false,
    guardOverUffdShmem: opts.guardOverUffdShmem ?? false,
    writeback: opts.writeback ?? false,
  });
  // Scenarios the machine's settings would falsify are skipped, counted by reason; the indices of the
  // others stay those of the generated sample, so `path` replays still find them.
  const sampled = fc.sample(arb, { seed, numRuns: opts.runs });
  const kept: number[] = [];
  sampled.forEach((s, i) => {
    const why = scenarioSkipReason(s, limits);
    if (why === null) kept.push(i);
    else skippedScenarios[why] = (skippedScenarios[why] ?? 0) + 1;
  });
  const scenarios = kept.map((i) => sampled[i]!);
  const t0 = performance.now();
  const batch = opts.batchSize ?? 50;
  const jobs = Math.max(1, Math.floor(opts.jobs ?? 1));
  const signal = opts.signal;
  // One slot per scenario, filled as batches finish (in any order); unfilled when interrupted.
  const slots: (Checked | undefined)[] = new Array(scenarios.length);
  const starts: number[] = [];
  for (let i = 0; i < scenarios.length; i += batch) starts.push(i);
  let nextBatch = 0;
  let done = 0;
  let disagreeingSoFar = 0;
  let refusedSoFar = 0;
  const work = async (): Promise<void> => {
    while (nextBatch < starts.length && !signal?.aborted) {
      const from = starts[nextBatch++]!;
      const part = scenarios.slice(from, from + batch);
      let checked: Awaited<ReturnType<typeof checkScenarios>>;
      try {
        checked = await checkScenarios(part, batch, opts.engine, signal, settings);
      } catch (error) {
        if (error instanceof RunAborted) return;
        throw error;
      }
      checked.forEach((r, k) => {
        const verdict = r.observed ? compareScenario(part[k]!, r.predicted, r.observed) : null;
        slots[from + k] = { ...r, verdict };
        if (verdict && verdict.diffs.length > 0) disagreeingSoFar++;
        if (r.notes.specErrors.length > 0) refusedSoFar++;
      });
      done += part.length;
      opts.onProgress?.({
        done,
        total: scenarios.length,
        disagreeing: disagreeingSoFar,
        specFailures: refusedSoFar,
        elapsedMs: performance.now() - t0,
      });
    }
  };
  await Promise.all(Array.from({ length: Math.min(jobs, Math.max(1, starts.length)) }, work));
  const interrupted = signal?.aborted === true && done < scenarios.length;
  const elapsedMs = performance.now() - t0;
  let probes = 0;
  let agreeProbes = 0;
  let disagreeProbes = 0;
  let allUnknownProbes = 0;
  const specFailures: CampaignResult['specFailures'][number][] = [];
  let fields = 0;
  let unknownFields = 0;
  let failedRuns = 0;
  const failing: number[] = [];
  const firstDiffs = new Map<number, readonly FieldDiff[]>();
  const unknownReasons = new Set<string>();
  const specErrors = new Set<string>();
  const runErrors = new Set<string>();
  slots.forEach((r, i) => {
    if (!r) return; // not run: the campaign was interrupted
    for (const x of r.notes.unknownReasons) unknownReasons.add(x);
    for (const x of r.notes.specErrors) specErrors.add(x);
    if (r.notes.specErrors.length > 0)
      specFailures.push({ index: kept[i]!, scenario: scenarios[i]!, errors: r.notes.specErrors });
    if (!r.observed) {
      failedRuns++;
      runErrors.add(r.error ?? 'unknown');
      return;
    }
    const v = r.verdict!;
    if (v.diffs.length > 0) {
      failing.push(kept[i]!);
      firstDiffs.set(kept[i]!, v.diffs);
    }
    for (const p of v.probes) {
      probes++;
      fields += p.fields;
      unknownFields += p.unknownFields;
      const bad = p.diffs.length > 0;
      if (p.unknownFields < p.fields)
        for (const d of r.decisive[p.op] ?? []) {
          decisive[d].probes++;
          if (bad) decisive[d].disagree++;
          else decisive[d].agree++;
        }
      if (bad) disagreeProbes++;
      else if (p.unknownFields === p.fields) allUnknownProbes++;
      else agreeProbes++;
      const isDecisive = p.unknownFields < p.fields && (r.decisive[p.op]?.length ?? 0) > 0;
      for (const f of p.features) {
        const c = perFeature[f];
        c.probes++;
        if (isDecisive) c.decisive++;
        if (bad) c.disagree++;
        else c.agree++;
        if (p.unknownFields > 0) c.unknown++;
      }
    }
  });
  const disagreements: CampaignDisagreement[] = [];
  if (interrupted)
    for (const index of failing.slice(0, opts.shrinkLimit ?? 3)) {
      const r = slots[kept.indexOf(index)]!;
      const scenario = sampled[index]!;
      const diffs = firstDiffs.get(index) ?? [];
      const table = renderTable(scenario, r.predicted, r.observed!);
      disagreements.push({ index, scenario, diffs, original: { scenario, diffs }, table, reproduced: 0, notShrunk: true });
    }
  // Interrupted: nothing is shrunk or stored; the disagreements seen are reported as first seen.
  for (const index of interrupted ? [] : failing.slice(0, opts.shrinkLimit ?? 3)) {
    if (signal?.aborted) break;
    // Replay the failing value through fast-check (same seed, same path) and shrink it on the kernel.
    // After an abort every further shrink step passes at once, so the shrink ends at the next step.
    const check = await fc.check(
      fc.asyncProperty(arb, async (s) => signal?.aborted === true || (await disagrees(s, opts.engine, settings)) === null),
      { seed, path: String(index), numRuns: 1, endOnFailure: false },
    );
    const shrunk: Scenario = check.counterexample?.[0] ?? sampled[index]!;
    let reproduced = 0;
    let last: FieldDiff[] = [];
    for (let k = 0; k < 3; k++) {
      const d = await disagrees(shrunk, opts.engine, settings);
      if (d) {
        reproduced++;
        last = d;
      }
    }
    const [r] = await checkScenarios([shrunk], 200, opts.engine, undefined, settings);
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
    const original = { scenario: sampled[index]!, diffs: firstDiffs.get(index) ?? [] };
    disagreements.push({ index, scenario: shrunk, diffs: last, original, table, reproduced, ...(file ? { file } : {}) });
  }
  return {
    kernel,
    environment,
    skippedScenarios,
    seed,
    scenarios: done,
    planned: scenarios.length,
    interrupted,
    jobs,
    failedRuns,
    probes,
    agreeProbes,
    disagreeProbes,
    allUnknownProbes,
    decisive,
    specFailures,
    fields,
    unknownFields,
    unknownShare: fields === 0 ? 0 : unknownFields / fields,
    perFeature,
    elapsedMs,
    scenariosPerSecond: done / (elapsedMs / 1000),
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
    `kernel ${r.kernel}, seed ${r.seed}: ${r.scenarios} scenarios${r.interrupted ? ` of ${r.planned} (INTERRUPTED)` : ''} (${r.failedRuns} failed runs), ${r.scenariosPerSecond.toFixed(0)} scenarios/s, ${r.jobs} job${r.jobs === 1 ? '' : 's'}`,
    formatEnvironment(r.environment),
    ...Object.entries(r.skippedScenarios).map(([why, n]) => `skipped ${n} scenarios: ${why}`),
    `scenarios disagreeing ${r.disagreeingScenarios}; probes ${r.probes}: agree ${r.agreeProbes}, disagree ${r.disagreeProbes}, all fields unknown ${r.allUnknownProbes}; unknown fields ${(100 * r.unknownShare).toFixed(2)}%`,
    `spec refused a world in ${r.specFailures.length} scenarios${r.specFailures.length ? ` (first: #${r.specFailures[0]!.index})` : ''}`,
    'decision (decisive probes)        probes   agree  disagree  minimum',
  ];
  for (const d of DECISIONS) {
    const c = r.decisive[d];
    const need = Math.floor((DECISIVE_MINIMUM_AT_500[d] * r.scenarios) / 500);
    lines.push(
      `${d.padEnd(32)} ${String(c.probes).padStart(6)} ${String(c.agree).padStart(7)} ${String(c.disagree).padStart(9)} ${String(need).padStart(8)}${c.probes < need ? '  BELOW' : ''}`,
    );
  }
  lines.push('feature (any probe)  probes   agree  disagree  with-unknown  decisive  minimum');
  for (const f of FEATURES) {
    const c = r.perFeature[f];
    const need = Math.floor((FEATURE_DECISIVE_MINIMUM_AT_500[f] * r.scenarios) / 500);
    lines.push(
      `${f.padEnd(18)} ${String(c.probes).padStart(6)} ${String(c.agree).padStart(7)} ${String(c.disagree).padStart(9)} ${String(c.unknown).padStart(13)} ${String(c.decisive).padStart(9)} ${String(need).padStart(8)}${c.decisive < need ? '  BELOW' : ''}`,
    );
  }
  for (const d of r.disagreements) {
    if (d.notShrunk) {
      lines.push(
        `\ndisagreement (scenario #${d.index}, as first seen: not shrunk or replayed, the run was interrupted)\n${d.table}`,
      );
      continue;
    }
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

export interface EngineVerdict {
  /** Scenarios where the prediction disagreed with the kernel on some probe. */
  readonly disagreeing: number;
  /** Scenarios where the engine refused a world the model built (also a failure of the campaign). */
  readonly specFailures: number;
  /** Index of the first scenario that failed, or -1 when the engine survived the campaign. */
  readonly first: number;
  /** The first failing scenario's first differing field, for the report. */
  readonly firstDiff: string | null;
}

/**
 * One live run of a campaign's scenarios, judged against several spec engines: how many scenarios each
 * engine's predictions fail. Used to measure the oracle's adequacy (a campaign that cannot tell a broken
 * spec from the spec cannot vouch for the spec); the kernel runs once, however many engines are judged.
 */
/**
 * The indices of the scenarios the real spec itself fails against these observations (refused or
 * disagreeing): a kernel timing transient or a model gap, never a kill to credit a broken engine with.
 */
export function scenariosTheSpecFails(
  scenarios: readonly Scenario[],
  observed: readonly (readonly OpResult[] | null)[],
  settings: ModelSettings,
): number[] {
  const out: number[] = [];
  scenarios.forEach((s, i) => {
    const ob = observed[i];
    if (!ob) return;
    const p = predict(s, { engine: SPEC_ENGINE, settings });
    if (p.notes.specErrors.length > 0 || compareScenario(s, p.ops, ob).diffs.length > 0) out.push(i);
  });
  return out;
}

export async function judgeEngines(
  opts: Pick<CampaignOptions, 'runs' | 'seed' | 'features' | 'largeFileFolios' | 'writeback' | 'batchSize'>,
  engines: Readonly<Record<string, SpecEngine>>,
): Promise<{
  readonly seed: number;
  readonly skipped?: string;
  readonly verdicts: Record<string, EngineVerdict>;
  /**
   * Scenarios the real spec itself fails on this run (a kernel timing glitch under load, or a model gap):
   * they are set aside for every other engine, so no engine is credited with a kill the spec shares.
   */
  readonly setAside: number;
}> {
  const seed = opts.seed ?? Date.now() % 2 ** 31;
  const avail = buildRunner();
  if (!avail.ok) return { seed, skipped: `oracle runner unavailable: missing ${avail.missing}`, verdicts: {}, setAside: 0 };
  const arb = scenarioArb({
    features: opts.features ?? ALL_FEATURES,
    largeFileFolios: opts.largeFileFolios ?? false,
    writeback: opts.writeback ?? false,
  });
  // The same environment skips as the campaign: scenarios this machine's settings would falsify are left out.
  const environment = readEnvironment();
  const limits = environmentLimits(environment);
  const settings = modelSettings(environment);
  const scenarios = fc.sample(arb, { seed, numRuns: opts.runs }).filter((s) => scenarioSkipReason(s, limits) === null);
  const observed: (OpResult[] | null)[] = [];
  const batch = opts.batchSize ?? 200;
  for (let i = 0; i < scenarios.length; i += batch) {
    const part = scenarios.slice(i, i + batch);
    const runs = await runScenarios(part);
    part.forEach((s, k) => {
      observed.push(observedOps(s, runs[k]!));
    });
  }
  const specFails = new Set(scenariosTheSpecFails(scenarios, observed, settings));
  const verdicts: Record<string, EngineVerdict> = {};
  for (const [name, engine] of Object.entries(engines)) {
    let disagreeing = 0;
    let specFailures = 0;
    let first = -1;
    let firstDiff: string | null = null;
    scenarios.forEach((s, i) => {
      const ob = observed[i];
      if (!ob) return;
      if (engine !== SPEC_ENGINE && specFails.has(i)) return;
      const p = predict(s, { engine, settings });
      const refused = p.notes.specErrors.length > 0;
      const diffs = compareScenario(s, p.ops, ob).diffs;
      if (refused) specFailures++;
      if (diffs.length > 0) disagreeing++;
      if ((refused || diffs.length > 0) && first < 0) {
        first = i;
        const d = diffs[0];
        firstDiff = d
          ? `op ${d.op} ${d.field}: predicted ${String(d.predicted)}, kernel ${String(d.observed)}`
          : `spec refused: ${p.notes.specErrors[0]}`;
      }
    });
    verdicts[name] = { disagreeing, specFailures, first, firstDiff };
  }
  return { seed, verdicts, setAside: specFails.size };
}

/**
 * Why a campaign fails besides a reproduced disagreement: the spec refused a world the model built (each
 * such scenario is named), or probes whose every field is unknown exceed MAX_ALL_UNKNOWN_SHARE.
 */
export function campaignFailures(r: CampaignResult): string[] {
  const out: string[] = [];
  for (const f of r.specFailures.slice(0, 5))
    out.push(`scenario #${f.index}: the spec refused the model's world: ${f.errors.join('; ')}\n${JSON.stringify(f.scenario)}`);
  if (r.specFailures.length > 5) out.push(`... and ${r.specFailures.length - 5} more scenarios the spec refused`);
  const share = r.probes === 0 ? 0 : r.allUnknownProbes / r.probes;
  if (share > MAX_ALL_UNKNOWN_SHARE)
    out.push(
      `${r.allUnknownProbes} of ${r.probes} probes (${(100 * share).toFixed(1)}%) had every field unknown (limit ${100 * MAX_ALL_UNKNOWN_SHARE}%): ${r.unknownReasons.join('; ')}`,
    );
  return out;
}
