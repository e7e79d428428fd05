// SPDX-License-Identifier: GPL-2.0-only
// Where a check's findings go besides stdout: the corpus, the --junit file
// and the --json file. Every output is tested for writability before the run,
// so a long run never ends in an error that loses its verdict; a save that
// still fails is reported next to the finding, never instead of it.
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { registryVerdicts } from '../../check/index.js';
import type { CounterexampleView } from '../../report/counterexample.js';
import { fieldDiff } from '../../report/counterexample.js';
import { displayPath, FAST_CHECK_VERSION, PROJECT_VERSION, saveCounterexample, signatureOf } from '../../store/index.js';
import { UsageError } from '../errors.js';

/** The nearest existing ancestor of `path` (a directory that would be created under it). */
function nearestExisting(path: string): string {
  let p = resolve(path);
  while (!existsSync(p)) {
    const up = dirname(p);
    if (up === p) break;
    p = up;
  }
  return p;
}

function reason(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  return e.code ? `${e.code}: ${e.message.replace(/^\w+: /, '')}` : String(error);
}

/** Throws a UsageError (exit 2) unless `dir` exists as a writable directory or can be created. */
export function assertWritableDir(flag: string, dir: string): void {
  const base = nearestExisting(dir);
  try {
    if (!statSync(base).isDirectory()) throw new UsageError(`${flag} ${dir}: ${base} is not a directory`);
    accessSync(base, constants.W_OK | constants.X_OK);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`${flag} ${dir}: cannot write there (${reason(error)})`);
  }
}

/** Throws a UsageError (exit 2) unless `file` can be written: its directory exists and is writable. */
export function assertWritableFile(flag: string, file: string): void {
  const dir = dirname(resolve(file));
  if (!existsSync(dir)) throw new UsageError(`${flag} ${file}: the directory ${dir} does not exist`);
  try {
    if (existsSync(file)) {
      if (statSync(file).isDirectory()) throw new UsageError(`${flag} ${file}: is a directory`);
      accessSync(file, constants.W_OK);
    } else accessSync(dir, constants.W_OK | constants.X_OK);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`${flag} ${file}: cannot write there (${reason(error)})`);
  }
}

export type SaveResult =
  | { readonly ok: true; readonly file: string; readonly status: 'saved' | 'exists' }
  | { readonly ok: false; readonly error: string };

/** Saves one finding with every registered variant's verdict on its world. */
export function saveFinding(view: CounterexampleView, dir: string, runs: number, arch: string | null, cwd: string): SaveResult {
  try {
    const signature = signatureOf(view.property.id, view.target, view.mismatches, fieldDiff);
    const expected: Record<string, 'holds' | 'fails'> = {};
    for (const [name, v] of registryVerdicts(view.property.id, view.world))
      if (v.verdict !== 'excluded') expected[name] = v.verdict;
    expected[view.target] = 'fails';
    const saved = saveCounterexample(dir, {
      property: view.property.id,
      signature,
      world: view.world,
      mismatches: view.mismatches,
      actual: view.actual,
      expected,
      provenance: {
        variant: view.target,
        rule: view.mismatches[0]?.rule ?? 'REL-CRASH',
        seed: view.seed ?? 0,
        path: view.path ?? '',
        shrinks: view.shrinks ?? 0,
        narrowed: view.narrowed ?? 0,
        numRuns: runs,
        arch,
        fastCheckVersion: FAST_CHECK_VERSION,
        projectVersion: PROJECT_VERSION,
        date: new Date().toISOString(),
        command: view.replay?.replace(/ \\\n {2}/g, ' ') ?? `check ${view.target} --property ${view.property.id}`,
      },
    });
    return { ok: true, file: displayPath(saved.file, cwd), status: saved.status };
  } catch (error) {
    return { ok: false, error: `could not save the counterexample under ${displayPath(dir, cwd)}: ${reason(error)}` };
  }
}
