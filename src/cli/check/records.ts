// SPDX-License-Identifier: GPL-2.0-only
// One finished unit as the reporters see it: its result, its report, and
// what became of saving it.
import type { PropertyResult } from '../../check/run.js';
import type { CounterexampleView } from '../../report/counterexample.js';
import type { SaveResult } from './sink.js';

export interface RunRecord {
  readonly result: PropertyResult;
  readonly view: CounterexampleView | null;
  /** The report text as printed (without the corpus line). */
  readonly text: string | null;
  readonly saved: SaveResult | null;
  /** Stopped by SIGINT before it finished. */
  readonly sigint?: boolean;
}

export const failed = (r: RunRecord): boolean => r.view !== null;
export const erred = (r: RunRecord): boolean => r.view === null && r.result.internalError !== undefined;

export function resultWord(r: RunRecord): string {
  if (r.view) return `FAIL ${[...new Set(r.view.mismatches.map((m) => m.rule))].join(',')}`;
  if (r.result.internalError) return 'ERROR';
  if (r.sigint) return 'stopped';
  if (r.result.interrupted) return 'ok (cut)';
  return 'ok';
}
