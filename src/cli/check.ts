// `mprotect-spec check`: the properties against the chosen variants or a
// candidate module, with a summary, the coverage table, and on divergence the
// shrunk counterexample rendered and saved to the corpus.
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type fc from 'fast-check';
import {
  type CheckTarget,
  getProperty,
  PROPERTIES,
  type PropertyDef,
  registryVerdicts,
  runGuarded,
  spec,
  variantTarget,
} from '../check/index.js';
import { type PropertyResult, runProperty } from '../check/run.js';
import { CoverageCounter, coverageRows } from '../coverage/index.js';
import { BASELINE_VARIANT, getVariant, type Variant } from '../kernel/index.js';
import type { Mismatch } from '../observe/index.js';
import type { Arch, KernelOutcome, SpecOutcome, World } from '../pte/index.js';
import { type CounterexampleView, counterexampleJson, fieldDiff, renderCounterexample } from '../report/counterexample.js';
import { renderCoverage, renderSummary, type SummaryRow } from '../report/summary.js';
import { paintFor } from '../report/text.js';
import {
  DEFAULT_CORPUS_DIR,
  displayPath,
  FAST_CHECK_VERSION,
  PROJECT_ROOT,
  PROJECT_VERSION,
  saveCounterexample,
  signatureOf,
} from '../store/index.js';
import { archWorldArb, labelsFor } from './arch.js';
import { CandidateHang, type CandidateTarget, loadCandidate } from './candidate.js';
import { EXIT_DIVERGENCE, EXIT_OK, EXIT_USAGE, UsageError } from './errors.js';
import type { Io } from './io.js';
import { randomSeed, type Shard, shardSeed, shellWord } from './options.js';
import { progressFor } from './progress.js';

export interface CheckOptions {
  readonly variants: readonly string[];
  readonly impl?: string;
  readonly runs: number;
  readonly seed?: number;
  readonly timeLimitS?: number;
  readonly arch?: Arch;
  readonly json: boolean;
  readonly junit?: string;
  readonly shard?: Shard;
  readonly save: boolean;
  readonly properties: readonly string[];
  readonly path?: string;
  readonly corpus?: string;
  readonly caseTimeoutMs: number;
  readonly quiet: boolean;
  readonly batching: CheckTarget['batching'];
  /** Run registered variants in this process (faster; a hang then hangs the tool). */
  readonly inProcess?: boolean;
  /** Where variant names are looked up (default: the registry); tests pass their own. */
  readonly lookup?: (name: string) => Variant;
}

interface Found {
  readonly view: CounterexampleView;
  readonly text: string;
}

interface RunRecord {
  readonly result: PropertyResult;
  readonly found: Found | null;
}

interface TargetSet {
  readonly targets: CheckTarget[];
  /** The generated world of the case in which an isolated target first hung (since its last reset). */
  readonly hungWorld: (target: CheckTarget) => World | null;
  /** Forget a target's hang before its next property. */
  readonly reset: (target: CheckTarget) => void;
  /** Records the case being run (called from onCase). */
  readonly setCurrent: (world: World) => void;
  readonly close: () => Promise<void>;
}

interface Isolated {
  hung: World | null;
  readonly candidate: CandidateTarget;
}

/**
 * The targets of a check. Registered variants (unless --in-process) and an
 * --impl module each run in a worker, so a patch ported into a variant that
 * loops, throws or writes its input is reported as a divergence, not a hang.
 */
function resolveTargets(o: CheckOptions): TargetSet {
  const names = o.variants.length || o.impl ? o.variants : [BASELINE_VARIANT];
  const targets: CheckTarget[] = [];
  const isolated = new Map<CheckTarget, Isolated>();
  let current: World | null = null;
  const isolate = (candidate: CandidateTarget): CheckTarget => {
    const entry: Isolated = { hung: null, candidate };
    const target: CheckTarget = {
      name: candidate.name,
      batching: candidate.batching,
      ...(candidate.drift ? { drift: candidate.drift } : {}),
      run: (world) => {
        try {
          return candidate.run(world);
        } catch (error) {
          if (error instanceof CandidateHang && entry.hung === null) entry.hung = current;
          throw error;
        }
      },
    };
    isolated.set(target, entry);
    return target;
  };
  const root = fileURLToPath(PROJECT_ROOT);
  const close = async () => {
    await Promise.all([...isolated.values()].map((e) => e.candidate.close()));
  };
  try {
    for (const name of names) {
      let variant: Variant;
      try {
        variant = (o.lookup ?? getVariant)(name);
      } catch (error) {
        throw new UsageError((error as Error).message.replace(/^unknown kernel variant/, 'unknown variant'));
      }
      if (o.inProcess) targets.push(variantTarget(variant));
      else
        targets.push(
          isolate(
            loadCandidate(join(root, variant.file), {
              caseTimeoutMs: o.caseTimeoutMs,
              batching: variant.batching,
              name: variant.name,
              ...(variant.drift ? { drift: variant.drift } : {}),
              label: `--variant ${name} (${variant.file})`,
            }),
          ),
        );
    }
    if (o.impl) targets.push(isolate(loadCandidate(o.impl, { caseTimeoutMs: o.caseTimeoutMs, batching: o.batching })));
  } catch (error) {
    void close();
    throw error;
  }
  return {
    targets,
    hungWorld: (target) => isolated.get(target)?.hung ?? null,
    reset: (target) => {
      const entry = isolated.get(target);
      if (!entry) return;
      entry.hung = null;
      entry.candidate.reset();
    },
    setCurrent: (world) => {
      current = world;
    },
    close,
  };
}

function replayCommand(o: CheckOptions, target: CheckTarget, prop: PropertyDef, seed: number, path: string): string {
  const who = o.impl && target.name.startsWith('impl:') ? `--impl ${shellWord(o.impl)}` : `--variant ${shellWord(target.name)}`;
  const arch = o.arch ? ` --arch ${o.arch}` : '';
  return `npx mprotect-spec check ${who} \\\n  --property ${prop.id}${arch} --seed ${seed} \\\n  --path ${shellWord(path)}`;
}

function safeSpec(world: World): SpecOutcome | null {
  try {
    return spec(world);
  } catch {
    return null;
  }
}

/** Builds the report of one failure (or hang) and saves it to the corpus. */
function foundOf(
  o: CheckOptions,
  prop: PropertyDef,
  target: CheckTarget,
  r: PropertyResult,
  hang: World | null,
  corpusDir: string,
  io: Io,
): Found | null {
  let world: World;
  let mismatches: readonly Mismatch[];
  let actual: KernelOutcome | null = null;
  let replay: string | undefined;
  if (hang) {
    world = hang;
    mismatches = [
      {
        rule: 'REL-CRASH',
        message: `no progress after ${o.caseTimeoutMs} ms (per-case time limit, --case-timeout): the candidate hung on the world below`,
      },
    ];
  } else if (r.failure) {
    world = r.failure.world;
    mismatches = r.failure.mismatches;
    const g = runGuarded(target, world);
    actual = g.ok ? g.outcome : null;
    replay = replayCommand(o, target, prop, r.failure.seed, r.failure.path);
  } else return null;
  const view: CounterexampleView = {
    target: target.name,
    property: prop,
    world,
    mismatches,
    spec: safeSpec(world),
    actual,
    ...(r.failure && !hang
      ? { seed: r.failure.seed, path: r.failure.path, shrinks: r.failure.shrinks, narrowed: r.failure.narrowed }
      : {}),
    ...(replay ? { replay } : {}),
  };
  let corpus: CounterexampleView['corpus'];
  if (o.save) {
    const signature = signatureOf(prop.id, target.name, mismatches, fieldDiff);
    const expected: Record<string, 'holds' | 'fails'> = {};
    for (const [name, v] of registryVerdicts(prop.id, world)) if (v.verdict !== 'excluded') expected[name] = v.verdict;
    expected[target.name] = 'fails';
    const saved = saveCounterexample(corpusDir, {
      property: prop.id,
      signature,
      world,
      mismatches,
      actual,
      expected,
      provenance: {
        variant: target.name,
        rule: mismatches[0]?.rule ?? 'REL-CRASH',
        seed: r.failure?.seed ?? 0,
        path: hang ? '' : (r.failure?.path ?? ''),
        shrinks: hang ? 0 : (r.failure?.shrinks ?? 0),
        narrowed: hang ? 0 : (r.failure?.narrowed ?? 0),
        numRuns: o.runs,
        arch: o.arch ?? null,
        fastCheckVersion: FAST_CHECK_VERSION,
        projectVersion: PROJECT_VERSION,
        date: new Date().toISOString(),
        command: replay?.replace(/ \\\n {2}/g, ' ') ?? `check --impl ${o.impl ?? target.name} --property ${prop.id}`,
      },
    });
    corpus = { file: displayPath(saved.file, io.cwd), status: saved.status };
  }
  const full = corpus ? { ...view, corpus } : view;
  return { view: full, text: renderCounterexample(full) };
}

function junitXml(records: readonly RunRecord[]): string {
  const esc = (s: string) => s.replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c] ?? c);
  const byTarget = new Map<string, RunRecord[]>();
  for (const r of records) byTarget.set(r.result.target, [...(byTarget.get(r.result.target) ?? []), r]);
  const suites = [...byTarget].map(([target, rs]) => {
    const failures = rs.filter((r) => r.result.failure || r.result.internalError).length;
    const time = rs.reduce((s, r) => s + r.result.ms, 0) / 1000;
    const cases = rs.map((r) => {
      const head = `    <testcase classname="mprotect-spec.${esc(target)}" name="${esc(r.result.property)}" time="${(r.result.ms / 1000).toFixed(3)}">`;
      const body = r.found
        ? `\n      <failure message="${esc(r.found.view.mismatches[0]?.rule ?? 'failure')}">${esc(r.found.text)}</failure>\n    `
        : r.result.internalError
          ? `\n      <error message="internal error">${esc(r.result.internalError)}</error>\n    `
          : '';
      return `${head}${body}</testcase>`;
    });
    return `  <testsuite name="${esc(target)}" tests="${rs.length}" failures="${failures}" time="${time.toFixed(3)}">\n${cases.join('\n')}\n  </testsuite>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites>\n${suites.join('\n')}\n</testsuites>\n`;
}

export async function runCheck(o: CheckOptions, io: Io): Promise<number> {
  if (o.path !== undefined && (o.seed === undefined || o.properties.length !== 1))
    throw new UsageError('--path replays one failure: give it with --seed and exactly one --property');
  let props: PropertyDef[];
  try {
    props = o.properties.length ? o.properties.map(getProperty) : [...PROPERTIES];
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const resolved = resolveTargets(o);
  const { targets } = resolved;
  const paint = paintFor(io.outIsTTY, io.env);
  const progress = progressFor(io, o.quiet || false);
  const base = o.seed ?? (o.shard ? 0 : randomSeed());
  const seed = o.shard ? shardSeed(base, o.shard.index) : base;
  const corpusDir = resolve(io.cwd, o.corpus ?? DEFAULT_CORPUS_DIR);
  const shardNote = o.shard ? `, shard ${o.shard.index}/${o.shard.count} of base seed ${base}` : '';
  const header = `mprotect-spec check: ${props.length} ${props.length === 1 ? 'property' : 'properties'} x ${targets.map((t) => t.name).join(', ')}; ${o.runs} runs each; seed ${seed}${shardNote}${o.arch ? `; arch ${o.arch}` : ''}`;
  progress.note(header);

  const coverage = new CoverageCounter();
  const records: RunRecord[] = [];
  const deadline = o.timeLimitS ? Date.now() + o.timeLimitS * 1000 : null;
  const planned = targets.length * props.length;
  try {
    for (const target of targets) {
      for (const prop of props) {
        resolved.reset(target);
        const left = planned - records.length;
        const timeLimitMs = deadline ? Math.max(1, Math.floor((deadline - Date.now()) / left)) : undefined;
        const arb: fc.Arbitrary<World> = archWorldArb({ ...prop.worldOptions }, o.arch);
        progress.start(`${prop.id} on ${target.name}`, o.runs);
        const result = runProperty(prop, target, spec, {
          seed,
          numRuns: o.runs,
          arb,
          onCase: (w) => {
            resolved.setCurrent(w);
            progress.tick();
          },
          ...(o.path ? { path: o.path } : {}),
          ...(timeLimitMs ? { timeLimitMs } : {}),
          ...(prop.id === 'agree' && target === targets[0] ? { coverage } : {}),
        });
        const hung = resolved.hungWorld(target);
        const found =
          hung || (result.failure && !result.internalError) ? foundOf(o, prop, target, result, hung, corpusDir, io) : null;
        records.push({ result, found });
        progress.finish(found ? 'FAIL' : result.internalError ? 'ERROR' : 'ok', result.ms);
        if (found?.view.corpus)
          progress.note(`  ${found.view.corpus.status === 'saved' ? 'saved' : 'already stored'}: ${found.view.corpus.file}`);
      }
    }
  } finally {
    await resolved.close();
  }

  const internal = records.filter((r) => r.result.internalError);
  const failed = records.filter((r) => r.found);
  const labels = labelsFor(o.arch);
  const covRows = coverageRows(coverage, labels);
  const resultOf = (r: RunRecord) =>
    r.found
      ? `FAIL ${[...new Set(r.found.view.mismatches.map((m) => m.rule))].join(',')}`
      : r.result.internalError
        ? 'ERROR'
        : 'ok';

  if (o.junit) writeFileSync(resolve(io.cwd, o.junit), junitXml(records));

  if (o.json) {
    const doc = {
      tool: 'mprotect-spec',
      version: PROJECT_VERSION,
      fastCheck: FAST_CHECK_VERSION,
      seed,
      ...(o.shard ? { shard: { ...o.shard, baseSeed: base } } : {}),
      runs: o.runs,
      arch: o.arch ?? null,
      targets: targets.map((t) => t.name),
      results: records.map((r) => ({
        property: r.result.property,
        target: r.result.target,
        cases: r.result.cases,
        excluded: r.result.excluded,
        interrupted: r.result.interrupted,
        result: r.found ? 'fail' : r.result.internalError ? 'error' : 'ok',
        ...(r.result.internalError ? { error: r.result.internalError.split('\n')[0] } : {}),
        counterexample: r.found ? counterexampleJson(r.found.view) : null,
      })),
      coverage: {
        total: coverage.total,
        labels: covRows.map((c) => ({ label: c.label.id, count: c.count, min: c.label.min, ok: c.ok })),
      },
      verdict: internal.length ? 'error' : failed.length ? 'diverges' : 'agrees',
    };
    io.out(`${JSON.stringify(doc, null, 2)}\n`);
  } else {
    const out: string[] = [header, ''];
    for (const r of failed) out.push(r.found!.text, '');
    for (const r of internal)
      out.push(`internal error while checking '${r.result.property}' on ${r.result.target}:`, r.result.internalError!, '');
    const rows: SummaryRow[] = records.map((r) => ({
      property: r.result.property,
      target: r.result.target,
      cases: r.result.cases,
      excluded: r.result.excluded,
      result: resultOf(r),
      ms: r.result.ms,
    }));
    out.push(...renderSummary(rows, (s) => (s === 'ok' ? paint.ok(s) : paint.bad(s))));
    const excluded = records.reduce((s, r) => s + r.result.excluded, 0);
    if (excluded) out.push(`(-N: cases left out because they show a documented version drift, e.g. Δ9)`);
    out.push('');
    if (coverage.total) out.push(...renderCoverage(covRows, coverage.total), '');
    const cases = records.reduce((s, r) => s + r.result.cases, 0);
    if (internal.length) out.push(paint.bad(`ERROR: the checker itself failed on ${internal.length} run(s); see above.`));
    else if (failed.length)
      out.push(
        paint.bad(
          `DIVERGENCE: ${failed.length} of ${records.length} property runs fail (${[...new Set(failed.map((r) => r.result.target))].join(', ')}).`,
        ),
      );
    else
      out.push(
        paint.ok(
          `AGREEMENT: ${targets.map((t) => t.name).join(', ')}: all ${records.length} property runs pass (${cases} cases).`,
        ),
      );
    io.out(`${out.join('\n')}\n`);
  }
  return internal.length ? EXIT_USAGE : failed.length ? EXIT_DIVERGENCE : EXIT_OK;
}
