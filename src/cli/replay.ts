// SPDX-License-Identifier: GPL-2.0-only
// `mprotect-spec replay [FILE|DIR ...]`: stored counterexamples against the
// spec and every variant, no randomness. Per file and variant: does the
// recorded expectation still hold?
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  type CheckTarget,
  getProperty,
  type PropertyDef,
  type ReplayResult,
  replayEntry,
  SPEC_TARGET_NAME,
  verdictOf,
} from '../check/index.js';
import { VARIANTS } from '../kernel/index.js';
import { kernelTarget } from '../realc/index.js';
import { paintFor } from '../report/text.js';
import type { CorpusEntry } from '../store/index.js';
import { CORPUS_DIR_NAME, CorpusError, corpusFiles, displayPath, readCorpusFile } from '../store/index.js';
import { prepareKernel } from './check/kernel.js';
import { EXIT_DIVERGENCE, EXIT_OK, EXIT_USAGE, UsageError } from './errors.js';
import type { Io } from './io.js';

export interface ReplayOptions {
  readonly paths: readonly string[];
  readonly json: boolean;
  readonly verbose: boolean;
  /** Record the current verdicts of these targets in the files (after review). */
  readonly accept?: readonly string[];
}

/**
 * `--accept T`: write T's current verdict into every replayed file whose
 * recorded expectation for T differs or is missing, and list each change.
 * Files are rewritten atomically; nothing else in them changes.
 */
function acceptVerdicts(results: readonly ReplayResult[], targets: readonly string[], show: (f: string) => string): string[] {
  const lines: string[] = [];
  for (const r of results) {
    const updates: [string, 'holds' | 'fails'][] = [];
    for (const row of r.rows)
      if (
        targets.includes(row.target) &&
        (row.status === 'changed' || row.status === 'new') &&
        row.actual !== null &&
        row.actual !== 'excluded'
      )
        updates.push([row.target, row.actual]);
    if (updates.length === 0) continue;
    const data = JSON.parse(readFileSync(r.file, 'utf8')) as { expected: Record<string, string> };
    for (const [target, verdict] of updates) {
      lines.push(`accepted ${show(r.file)}: ${target} ${data.expected[target] ?? '(none)'} -> ${verdict}`);
      data.expected[target] = verdict;
    }
    const tmp = `${r.file}.${process.pid}.accept.tmp`;
    writeFileSync(tmp, `${JSON.stringify(data, null, 2)}\n`);
    renameSync(tmp, r.file);
  }
  return lines;
}

/**
 * `replay --kernel DIR [--patch F ...]`: the corpus against a kernel tree's own
 * C as well, one more row per file (its verdict; 'new' unless a file recorded
 * one for this tree).
 */
export async function runReplayCommand(o: ReplayOptions & KernelReplay, io: Io): Promise<number> {
  if (o.kernel === undefined) {
    if (o.patches?.length) throw new UsageError('--patch goes with --kernel DIR');
    return runReplay(o, io);
  }
  const kernel = await prepareKernel({ kernel: o.kernel, patches: o.patches ?? [] }, io);
  const target = kernelTarget({ tu: kernel.choice.tu, name: kernel.choice.name });
  try {
    io.err(`${kernel.describe.join('\n')}\n`);
    return runReplay(o, io, target);
  } finally {
    target.dispose();
  }
}

export interface KernelReplay {
  readonly kernel?: string;
  readonly patches?: readonly string[];
}

/** One more row: the extra target's verdict on the file's world. */
function withTarget(r: ReplayResult, entry: CorpusEntry, target: CheckTarget): ReplayResult {
  let prop: PropertyDef;
  try {
    prop = getProperty(entry.data.property);
  } catch {
    return r;
  }
  const v = verdictOf(prop, target, entry.data.world);
  const recorded = entry.data.expected[target.name] ?? null;
  const detail = v.mismatches[0] ? `${v.mismatches[0].rule}: ${v.mismatches[0].message.split('\n')[0]}` : v.drift;
  const status = v.verdict === 'excluded' ? 'excluded' : recorded === null ? 'new' : recorded === v.verdict ? 'ok' : 'changed';
  const row = { target: target.name, expected: recorded, actual: v.verdict, status, ...(detail ? { detail } : {}) } as const;
  return { ...r, rows: [...r.rows, row], ok: r.ok && status !== 'changed' };
}

export function runReplay(o: ReplayOptions, io: Io, extra?: CheckTarget): number {
  const paint = paintFor(io.outIsTTY, io.env);
  const defaultDir = resolve(io.cwd, CORPUS_DIR_NAME);
  if (o.paths.length === 0 && !existsSync(defaultDir)) {
    io.err(`mprotect-spec: warning: no corpus here (${CORPUS_DIR_NAME}/ does not exist in ${io.cwd}); nothing replayed\n`);
    return EXIT_OK;
  }
  const paths = o.paths.length ? o.paths.map((p) => resolve(io.cwd, p)) : [defaultDir];
  for (const name of o.accept ?? [])
    if (!VARIANTS.some((v) => v.name === name) && name !== SPEC_TARGET_NAME)
      throw new UsageError(`--accept ${name}: not a registered variant (see \`list\`)`);
  let files: string[];
  try {
    files = corpusFiles(paths);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const results: ReplayResult[] = [];
  const bad: { file: string; message: string }[] = [];
  for (const file of files) {
    try {
      const entry = readCorpusFile(file);
      const r = replayEntry(entry);
      results.push(extra ? withTarget(r, entry, extra) : r);
    } catch (error) {
      if (!(error instanceof CorpusError)) throw error;
      bad.push({ file, message: error.message });
    }
  }
  const show = (f: string) => displayPath(f, io.cwd);
  if (files.length === 0) io.err('mprotect-spec: warning: the corpus is empty; nothing replayed\n');
  const accepted = o.accept?.length ? acceptVerdicts(results, o.accept, show) : [];
  if (accepted.length) {
    // the accepted files now hold the current verdicts: replay them again so the report shows the result
    for (const [i, r] of results.entries()) results[i] = replayEntry(readCorpusFile(r.file));
  }
  if (o.json) {
    const doc = {
      accepted,
      files: results.map((r) => ({ ...r, file: show(r.file) })),
      invalid: bad.map((b) => ({ file: show(b.file), message: b.message.replace(b.file, show(b.file)) })),
    };
    io.out(`${JSON.stringify(doc, null, 2)}\n`);
  } else {
    const lines: string[] = [];
    for (const r of results) {
      lines.push(`${r.ok ? paint.ok('ok     ') : paint.bad('CHANGED')} ${show(r.file)} (${r.property})`);
      for (const p of r.problems) lines.push(`    problem: ${p}`);
      for (const row of r.rows) {
        if (!o.verbose && row.status === 'ok') continue;
        const what =
          row.status === 'changed'
            ? paint.bad(`expected ${row.expected}, now ${row.actual}`)
            : row.status === 'new'
              ? `${row.actual} (no expectation recorded)`
              : row.status === 'gone'
                ? `expected ${row.expected} (not in the registry any more)`
                : row.status === 'excluded'
                  ? `excluded (${row.detail ?? 'drift'})`
                  : `${row.actual}`;
        lines.push(
          `    ${row.target.padEnd(22)} ${what}${row.status === 'changed' && row.detail ? `\n      ${row.detail}` : ''}`,
        );
      }
    }
    for (const b of bad) lines.push(`${paint.bad('INVALID')} ${b.message.replace(b.file, show(b.file))}`);
    if (accepted.length) lines.push('', ...accepted);
    const changed = results.filter((r) => !r.ok).length;
    lines.push(
      '',
      `${results.length} file(s) replayed: ${results.length - changed} as recorded, ${changed} changed, ${bad.length} invalid.`,
    );
    io.out(`${lines.join('\n')}\n`);
  }
  if (bad.length) return EXIT_USAGE;
  return results.every((r) => r.ok) ? EXIT_OK : EXIT_DIVERGENCE;
}
