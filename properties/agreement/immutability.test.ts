// SPDX-License-Identifier: GPL-2.0-only
// Input immutability and candidate isolation at the engine level (issue 4
// item 3; the CLI adds hangs): a candidate that writes to its input, throws or
// returns garbage is reported as a divergence naming the cause.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { change_protection_spec } from '../../spec/index.js';
import { worldArb } from '../../src/arbitraries/index.js';
import { type CheckTarget, getProperty, runGuarded, runProperty } from '../../src/check/index.js';
import { BASELINE_VARIANT, getVariant } from '../../src/kernel/index.js';
import type { KernelOutcome, World } from '../../src/pte/index.js';

const spec = (w: World) => change_protection_spec(w);
const baseline = getVariant(BASELINE_VARIANT).run;

function candidate(name: string, run: (w: World) => KernelOutcome): CheckTarget {
  return { name, run, batching: 'batched' };
}

const writesSlot = candidate('writes-slot', (w) => {
  (w.ptes as { kind: string }[])[w.ptes.length - 1] = { kind: 'none' };
  return baseline(w);
});
const writesFlag = candidate('writes-flag', (w) => {
  (w.vma as { flags: number }).flags = 0;
  return baseline(w);
});
const throws = candidate('throws', () => {
  throw new RangeError('nr_ptes went negative');
});
const garbage = candidate('garbage', (w) => ({ ...baseline(w), ptes: [] }));

describe('a candidate is isolated from the inputs it shares', () => {
  it('every generated world is deeply frozen', () => {
    const r = runProperty(getProperty('agree'), writesSlot, spec, { seed: 3, numRuns: 50 });
    expect(r.failure?.mismatches[0]?.rule).toBe('REL-INPUT');
    expect(r.failure?.mismatches[0]?.message).toMatch(/^mutated slot \d+ of its input/);
  });
  it('a write to a VMA field is named', () => {
    const r = runProperty(getProperty('invariants'), writesFlag, spec, { seed: 3, numRuns: 50 });
    expect(r.failure?.mismatches[0]?.message).toMatch(/^mutated property 'flags' of its input/);
  });
  it('a throw is a divergence with its stack, not a crash', () => {
    const r = runProperty(getProperty('agree'), throws, spec, { seed: 3, numRuns: 50 });
    expect(r.failure?.mismatches[0]?.rule).toBe('REL-CRASH');
    expect(r.failure?.mismatches[0]?.message).toMatch(/threw RangeError: nr_ptes went negative/);
  });
  it('a malformed outcome is named', () => {
    const r = runProperty(getProperty('agree'), garbage, spec, { seed: 3, numRuns: 50 });
    expect(r.failure?.mismatches[0]?.message).toMatch(/ptes must be an array of \d+ entries/);
  });
  it('the baseline itself runs guarded without complaint', () => {
    const r = runProperty(getProperty('agree'), candidate('baseline', baseline), spec, { seed: 3, numRuns: 200 });
    expect(r.failure).toBeNull();
    for (const world of fc.sample(worldArb(), { numRuns: 20, seed: 3 }))
      expect(runGuarded(candidate('baseline', baseline), world).ok).toBe(true);
  });
});
