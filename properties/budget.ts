// SPDX-License-Identifier: GPL-2.0-only
// Test budgets. MPROTECT_BUDGET scales every run count (deep runs: 10, 100).
import fc from 'fast-check';
import { expect } from 'vitest';
import type { PropertyResult } from '../src/check/index.js';
import { describeMismatch } from '../src/observe/index.js';
import { formatPte } from '../src/pte/index.js';

const scale = Number(process.env.MPROTECT_BUDGET ?? '1');
if (!(scale > 0)) throw new Error(`MPROTECT_BUDGET must be a positive number, got ${process.env.MPROTECT_BUDGET}`);

export const runs = (n: number): number => Math.max(1, Math.round(n * scale));

/**
 * A sample size for a test that asserts what a sample contains (a shape is drawn, a relaxation
 * was needed): scaled up by deep runs, never below n, so a small budget (the mutation runs' 0.02)
 * cannot make it fail for want of worlds.
 */
export const sampleRuns = (n: number): number => Math.max(n, runs(n));

/** The run's seed (vitest.setup.ts sets and prints it; FC_SEED replays it). */
export const globalSeed = (): number => fc.readConfigureGlobal().seed as number;

/** A failure message a person can act on: rule, slots, and the replay line. */
export function explainFailure(r: PropertyResult): string {
  const f = r.failure;
  if (!f) return `${r.target} / ${r.property}: holds`;
  const w = f.world;
  const slots = w.ptes.map((p, i) => `    0x${(w.vma.start + i).toString(16)} ${formatPte(p)}`).join('\n');
  return [
    `${r.target} / ${r.property} failed after ${r.cases} cases, ${f.shrinks} shrinks`,
    `replay: FC_SEED=${f.seed} (fast-check path "${f.path}")`,
    `world: vma [0x${w.vma.start.toString(16)}, 0x${w.vma.end.toString(16)}) range [0x${w.range.start.toString(16)}, 0x${w.range.end.toString(16)}) cp_flags=${w.cp_flags}`,
    slots,
    ...f.mismatches.slice(0, 6).map(describeMismatch),
  ].join('\n');
}

export function expectHolds(r: PropertyResult): void {
  expect(r.failure, explainFailure(r)).toBeNull();
  expect(r.cases).toBeGreaterThan(0);
}
