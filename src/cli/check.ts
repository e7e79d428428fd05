// SPDX-License-Identifier: GPL-2.0-only
// `mprotect-spec check`: every chosen property on every chosen target, as
// independent units run by job workers (one per core by default) or, with
// --in-process, in this thread. Findings are printed in unit order as soon as
// they are known, then saved; the summary and the coverage table close the
// report. Pieces: check/targets.ts (what runs), check/pool.ts and
// check/unit.ts (running), check/sink.ts (the corpus and output files),
// check/json.ts and check/junit.ts (machine formats).

import { writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { buildWorld, layoutOf } from '../arbitraries/index.js';
import { type CheckTarget, getProperty, PROPERTIES, type PropertyDef } from '../check/index.js';
import { CoverageCounter, coverageRows } from '../coverage/index.js';
import type { Variant } from '../kernel/index.js';
import type { Arch, World } from '../pte/index.js';
import { renderCounterexample } from '../report/counterexample.js';
import { renderCoverage, renderSummary, type SummaryRow } from '../report/summary.js';
import { paintFor, wrap } from '../report/text.js';
import { CORPUS_DIR_NAME } from '../store/index.js';
import { labelsFor } from './arch.js';
import { CandidateHang, type CandidateTarget } from './candidate.js';
import { checkJson } from './check/json.js';
import { junitXml } from './check/junit.js';
import { prepareKernel } from './check/kernel.js';
import type { TargetSpec, Unit, UnitOutcome } from './check/plan.js';
import { runPool } from './check/pool.js';
import { erred, failed, type RunRecord, resultWord } from './check/records.js';
import { assertWritableDir, assertWritableFile, saveFinding } from './check/sink.js';
import { inProcessTargets, type TargetChoice, targetSpecs } from './check/targets.js';
import { runUnit } from './check/unit.js';
import { EXIT_DIVERGENCE, EXIT_OK, EXIT_USAGE, UsageError } from './errors.js';
import type { Io } from './io.js';
import { randomSeed, type Shard, shardSeed } from './options.js';
import { poolProgressFor } from './progress.js';

/** Exit code of a run stopped by SIGINT (128 + SIGINT), after its partial summary. */
export const EXIT_SIGINT = 130;

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
  /** Run registered variants in this thread, one unit after another (a hang then hangs the tool). */
  readonly inProcess?: boolean;
  /** Job workers (default: the available cores). Results do not depend on it. */
  readonly jobs?: number;
  /** Where variant names are looked up (default: the registry); tests pass their own. */
  readonly lookup?: (name: string) => Variant;
  /** A kernel tree to check its own C (--kernel), with patches applied in a temporary copy. */
  readonly kernel?: string;
  readonly patches?: readonly string[];
  /** The shim directory (default: src/realc/shim). */
  readonly shim?: string;
  /** Build the C target with -fsanitize=address,undefined. */
  readonly sanitize?: boolean;
  /** The x86 pmd_modify() the TypeScript kernel model uses: the fixed one (default) or v6.6's as shipped. */
  readonly x86PmdModify?: 'fixed' | 'v6.6';
}

export const defaultJobs = (): number => Math.max(1, availableParallelism());

function plan(o: CheckOptions, props: readonly PropertyDef[], specs: readonly TargetSpec[], seed: number): Unit[] {
  const units: Unit[] = [];
  for (const target of specs)
    for (const prop of props)
      units.push({
        index: units.length,
        target,
        property: prop.id,
        seed,
        runs: o.runs,
        ...(o.arch ? { arch: o.arch } : {}),
        ...(o.path ? { path: o.path } : {}),
        coverage: prop.id === 'agree' && target === specs[0],
        ...(o.x86PmdModify ? { x86PmdModify: o.x86PmdModify } : {}),
      });
  return units;
}

/** The reported world rebuilt from its layout, so it carries the layout again (see UnitOutcome.layout). */
function withLayout(u: UnitOutcome): UnitOutcome {
  if (!u.layout || !u.view || layoutOf(u.view.world)) return u;
  const world = buildWorld(u.layout);
  const failure = u.result.failure ? { ...u.result.failure, world } : null;
  return { ...u, view: { ...u.view, world }, result: { ...u.result, failure } };
}

/** Per-unit share of what is left of --time-limit, decided when the unit starts. */
function timeShare(deadline: number | null, unitsLeft: number, jobs: number): number | undefined {
  if (deadline === null) return undefined;
  const rounds = Math.max(1, Math.ceil(unitsLeft / jobs));
  return Math.max(1, Math.floor((deadline - Date.now()) / rounds));
}

/** --in-process: the units one after another in this thread. */
async function runInProcess(
  o: Omit<CheckOptions, 'kernel'> & TargetChoice,
  units: readonly Unit[],
  deadline: number | null,
  onDone: (u: UnitOutcome) => void,
) {
  const { targets, close } = inProcessTargets(o, o.caseTimeoutMs);
  try {
    const perTarget = units.length / Math.max(1, targets.length);
    for (const unit of units) {
      const target = targets[Math.floor(unit.index / perTarget)] as CheckTarget;
      const candidate = target as Partial<CandidateTarget>;
      candidate.reset?.();
      let current: World | null = null;
      let hungOn: World | null = null;
      const limit = timeShare(deadline, units.length - unit.index, 1);
      const guarded: CheckTarget = {
        ...target,
        run: (world) => {
          try {
            return target.run(world);
          } catch (error) {
            if (error instanceof CandidateHang && hungOn === null) hungOn = current;
            throw error;
          }
        },
      };
      onDone(
        runUnit(limit ? { ...unit, timeLimitMs: limit } : unit, guarded, {
          caseTimeoutMs: o.caseTimeoutMs,
          onCase: (w) => {
            current = w;
          },
          hungWorld: () => hungOn,
        }),
      );
    }
  } finally {
    await close();
  }
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
  // Outputs are checked before the run: a long run must not end in a write error.
  const corpusDir = resolve(io.cwd, o.corpus ?? CORPUS_DIR_NAME);
  if (o.save) assertWritableDir('--corpus', corpusDir);
  if (o.junit) assertWritableFile('--junit', resolve(io.cwd, o.junit));

  if (o.kernel !== undefined && (o.variants.length > 0 || o.impl !== undefined))
    throw new UsageError('--kernel checks a tree on its own: give it without --variant or --impl');
  if (o.kernel !== undefined && o.x86PmdModify === 'v6.6')
    throw new UsageError('--x86-pmd-modify applies to the TypeScript kernel model; a --kernel tree uses the shim');
  if (o.kernel === undefined && (o.patches?.length || o.shim !== undefined || o.sanitize))
    throw new UsageError('--patch, --shim and --sanitize go with --kernel DIR');
  const kernel = o.kernel !== undefined ? await prepareKernel({ ...o, kernel: o.kernel, patches: o.patches ?? [] }, io) : null;
  const choice = kernel ? { ...o, kernel: kernel.choice } : { ...o, kernel: undefined };
  const specs = targetSpecs(choice, io.cwd, o.caseTimeoutMs);
  const targetNames = specs.map((t) => t.name);
  const paint = paintFor(io.outIsTTY, io.env);
  const progress = poolProgressFor(io, o.quiet);
  const base = o.seed ?? (o.shard ? 0 : randomSeed());
  const seed = o.shard ? shardSeed(base, o.shard.index) : base;
  const jobs = o.inProcess ? 1 : Math.max(1, o.jobs ?? defaultJobs());
  const shardNote = o.shard ? `, shard ${o.shard.index}/${o.shard.count} of base seed ${base}` : '';
  const header = `mprotect-spec check: ${props.length} ${props.length === 1 ? 'property' : 'properties'} x ${targetNames.join(', ')}; ${o.runs} runs each; seed ${seed}${shardNote}${o.arch ? `; arch ${o.arch}` : ''}`;
  progress.note(header);
  if (!o.json) io.out(`${[header, ...(kernel?.describe ?? [])].join('\n')}\n\n`);

  const units = plan(o, props, specs, seed);
  const labelOf = (u: Unit) => `${u.property} on ${u.target.name}`;
  const records: (RunRecord | undefined)[] = new Array(units.length);
  const coverage = new CoverageCounter();
  let coverageOk = true;
  let printed = 0;
  const deadline = o.timeLimitS ? Date.now() + o.timeLimitS * 1000 : null;

  // Findings are printed in unit order, then saved: the same output whatever the number of jobs.
  const flush = () => {
    while (printed < units.length && records[printed] !== undefined) {
      const r = records[printed] as RunRecord;
      if (r.text !== null && !o.json) {
        progress.clear();
        io.out(`${r.text}\n`);
      }
      if (r.view && o.save) {
        const saved = saveFinding(r.view, corpusDir, o.runs, o.arch ?? null, io.cwd);
        records[printed] = { ...r, saved };
        if (!saved.ok) io.err(`mprotect-spec: ${saved.error}\n`);
        if (!o.json)
          io.out(saved.ok ? `${saved.status === 'saved' ? 'saved to' : 'already in the corpus:'} ${saved.file}\n\n` : '\n');
      } else if (r.text !== null && !o.json) io.out('\n');
      printed++;
    }
  };
  const onDone = (received: UnitOutcome) => {
    const u = withLayout(received);
    const unit = units[u.index] as Unit;
    const text = u.view ? renderCounterexample(u.view) : null;
    records[u.index] = { result: u.result, view: u.view, text, saved: null };
    if (u.coverage) {
      if (u.view || u.result.internalError) coverageOk = false;
      coverage.total += u.coverage.total;
      for (const [id, n] of u.coverage.counts) coverage.counts.set(id, (coverage.counts.get(id) ?? 0) + n);
    }
    progress.done(labelOf(unit), resultWord(records[u.index] as RunRecord), u.result.cases, u.result.ms);
    flush();
  };

  let sigint = false;
  if (o.inProcess) await runInProcess(choice, units, deadline, onDone);
  else {
    let started = 0;
    const pool = await runPool(units, {
      jobs,
      caseTimeoutMs: o.caseTimeoutMs,
      prepare: (unit) => {
        const limit = timeShare(deadline, units.length - started++, jobs);
        return limit ? { ...unit, timeLimitMs: limit } : unit;
      },
      onDone,
      onPoll: (running) => progress.poll(new Map([...running].map(([i, n]) => [labelOf(units[i] as Unit), n]))),
    });
    if (pool.loadError) throw new UsageError(pool.loadError);
    for (const { unit, cases } of pool.interrupted) {
      sigint = true;
      records[unit.index] = {
        result: {
          property: unit.property,
          target: unit.target.name,
          cases,
          ms: 0,
          failure: null,
          interrupted: true,
          excluded: 0,
        },
        view: null,
        text: null,
        saved: null,
        sigint: true,
      };
    }
    if (pool.interrupted.length || pool.outcomes.length < units.length) sigint = true;
    flush();
  }
  progress.clear();

  const done = records.filter((r): r is RunRecord => r !== undefined);
  const internal = done.filter(erred);
  const fails = done.filter(failed);
  const covRows = coverageRows(coverage, labelsFor(o.arch));
  const cut = done.filter((r) => r.result.interrupted && !r.sigint);

  if (o.junit) writeFileSync(resolve(io.cwd, o.junit), junitXml(done));

  if (o.json) {
    const doc = checkJson({
      seed,
      base,
      ...(o.shard ? { shard: o.shard } : {}),
      runs: o.runs,
      arch: o.arch ?? null,
      targets: targetNames,
      records: done,
      coverageTotal: coverage.total,
      coverageRows: coverageOk ? covRows : [],
      sigint,
    });
    io.out(`${JSON.stringify(doc, null, 2)}\n`);
  } else {
    const out: string[] = [];
    for (const r of internal)
      out.push(`internal error while checking '${r.result.property}' on ${r.result.target}:`, r.result.internalError ?? '', '');
    const rows: SummaryRow[] = done.map((r) => ({
      property: r.result.property,
      target: r.result.target,
      cases: r.result.cases,
      excluded: r.result.excluded,
      result: resultWord(r),
      ms: r.result.ms,
    }));
    out.push(...renderSummary(rows, (s) => (s.startsWith('ok') ? paint.ok(s) : paint.bad(s))));
    if (done.some((r) => r.result.excluded))
      out.push(`(-N: cases left out because they show a documented version drift, e.g. Δ9)`);
    out.push('');
    if (coverage.total && coverageOk) out.push(...renderCoverage(covRows, coverage.total), '');
    else if (coverage.total)
      out.push(...wrap(`(coverage not shown: 'agree' on ${targetNames[0]}, which collects it, failed)`, 80, '  '), '');
    const cases = done.reduce((s, r) => s + r.result.cases, 0);
    if (sigint)
      out.push(
        ...wrap(
          `STOPPED by SIGINT: ${done.length - done.filter((r) => r.sigint).length} of ${units.length} property runs finished; the summary above is partial.`,
          80,
          '  ',
        ).map(paint.bad),
      );
    if (cut.length)
      out.push(
        ...wrap(
          `INTERRUPTED by --time-limit: ${cut.length} of ${done.length} property runs were cut short (marked "ok (cut)"); they ran fewer cases than asked.`,
          80,
          '  ',
        ),
      );
    if (internal.length) out.push(paint.bad(`ERROR: the checker itself failed on ${internal.length} run(s); see above.`));
    else if (fails.length)
      out.push(
        paint.bad(
          `DIVERGENCE: ${fails.length} of ${done.length} property runs fail (${[...new Set(fails.map((r) => r.result.target))].join(', ')}).`,
        ),
      );
    else if (!sigint)
      out.push(
        paint.ok(
          `AGREEMENT: ${targetNames.join(', ')}: ${cut.length ? `no divergence in the ${cases} cases run` : `all ${done.length} property runs pass (${cases} cases)`}.`,
        ),
      );
    io.out(`${out.map((l) => l).join('\n')}\n`);
  }
  if (internal.length) return EXIT_USAGE;
  if (fails.length) return EXIT_DIVERGENCE;
  return sigint ? EXIT_SIGINT : EXIT_OK;
}
