// SPDX-License-Identifier: GPL-2.0-only
// Replaying one stored counterexample against the spec and every variant,
// without randomness: does each recorded expectation still hold?
import { VARIANTS } from '../kernel/index.js';
import type { CorpusEntry } from '../store/corpus.js';
import { getProperty } from './properties.js';
import { type CaseVerdict, registryVerdicts, SPEC_TARGET_NAME, spec } from './verdicts.js';

export type ReplayStatus =
  | 'ok' // the verdict is the recorded one
  | 'changed' // the verdict differs from the recorded one
  | 'new' // no expectation recorded (a known-bad variant added later): reported only
  | 'excluded' // the world shows a drift the variant declares
  | 'gone'; // recorded for a target no longer in the registry (e.g. an --impl candidate)

export interface ReplayRow {
  readonly target: string;
  readonly expected: 'holds' | 'fails' | null;
  readonly actual: CaseVerdict | null;
  readonly status: ReplayStatus;
  readonly detail?: string;
}

export interface ReplayResult {
  readonly file: string;
  readonly property: string;
  readonly rows: readonly ReplayRow[];
  /** Problems with the file itself (unknown property, spec refuses the world). */
  readonly problems: readonly string[];
  readonly ok: boolean;
}

export function replayEntry(entry: CorpusEntry): ReplayResult {
  const { property, world, expected } = entry.data;
  const problems: string[] = [];
  try {
    getProperty(property);
  } catch (error) {
    problems.push(`field 'property': ${(error as Error).message}`);
    return { file: entry.file, property, rows: [], problems, ok: false };
  }
  try {
    spec(world);
  } catch (error) {
    problems.push(`the spec refuses the stored world: ${(error as Error).message}`);
  }
  const rows: ReplayRow[] = [];
  const verdicts = registryVerdicts(property, world);
  for (const [target, v] of verdicts) {
    const registered = VARIANTS.find((x) => x.name === target);
    const recorded = expected[target] ?? null;
    const exp = recorded ?? (target === SPEC_TARGET_NAME || registered?.verdict === 'equivalent' ? 'holds' : null);
    const detail = v.mismatches[0] ? `${v.mismatches[0].rule}: ${v.mismatches[0].message.split('\n')[0]}` : v.drift;
    const status: ReplayStatus =
      v.verdict === 'excluded' ? 'excluded' : exp === null ? 'new' : exp === v.verdict ? 'ok' : 'changed';
    rows.push({ target, expected: exp, actual: v.verdict, status, ...(detail ? { detail } : {}) });
  }
  for (const [target, exp] of Object.entries(expected))
    if (!verdicts.has(target)) rows.push({ target, expected: exp, actual: null, status: 'gone' });
  const ok = problems.length === 0 && rows.every((r) => r.status !== 'changed');
  return { file: entry.file, property, rows, problems, ok };
}
