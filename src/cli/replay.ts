// `mprotect-spec replay [FILE|DIR ...]`: stored counterexamples against the
// spec and every variant, no randomness. Per file and variant: does the
// recorded expectation still hold?
import { resolve } from 'node:path';
import { type ReplayResult, replayEntry } from '../check/index.js';
import { paintFor } from '../report/text.js';
import { CorpusError, corpusFiles, DEFAULT_CORPUS_DIR, displayPath, readCorpusFile } from '../store/index.js';
import { EXIT_DIVERGENCE, EXIT_OK, EXIT_USAGE, UsageError } from './errors.js';
import type { Io } from './io.js';

export interface ReplayOptions {
  readonly paths: readonly string[];
  readonly json: boolean;
  readonly verbose: boolean;
}

export function runReplay(o: ReplayOptions, io: Io): number {
  const paint = paintFor(io.outIsTTY, io.env);
  const paths = o.paths.length ? o.paths.map((p) => resolve(io.cwd, p)) : [DEFAULT_CORPUS_DIR];
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
      results.push(replayEntry(readCorpusFile(file)));
    } catch (error) {
      if (!(error instanceof CorpusError)) throw error;
      bad.push({ file, message: error.message });
    }
  }
  const show = (f: string) => displayPath(f, io.cwd);
  if (o.json) {
    const doc = {
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
