// SPDX-License-Identifier: GPL-2.0-only
// The C fixtures (written by us from the spec, in kernel style) agree with the
// spec under every default property, and each realistic broken edit of them is
// caught by the default check through the general properties.
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { change_protection_spec } from '../../spec/index.js';
import { worldArb } from '../../src/arbitraries/index.js';
import { PROPERTIES, type PropertyResult, runProperty } from '../../src/check/index.js';
import { getVariant } from '../../src/kernel/index.js';
import type { World } from '../../src/pte/index.js';
import { type KernelTarget, kernelTarget } from '../../src/realc/target.js';
import { explainFailure, globalSeed, runs } from '../budget.js';
import { FIXTURES, fixtureTU, patchedFixtureTU } from './fixture_tu.js';

const spec = (w: World) => change_protection_spec(w);
const FIXED_SEED = 20261129;
const targets: KernelTarget[] = [];
afterAll(() => {
  for (const t of targets) t.dispose();
});

function target(name: string, tu: string): KernelTarget {
  const t = kernelTarget({ tu, name });
  targets.push(t);
  return t;
}

describe.each([
  ['per-pte', 'per-pte'],
  ['batched', 'batched'],
] as const)('C fixture %s', (name, batching) => {
  const t = target(`fixture-${name}`, fixtureTU(`${FIXTURES}/${name}`));
  it(`is detected as ${batching}`, () => {
    expect(t.batching).toBe(batching);
    expect(t.generation).toBe('v6.19+');
  });
  it.each(PROPERTIES.map((p) => [p.id, p] as const))('holds %s', (_id, prop) => {
    const r = runProperty(prop, t, spec, { seed: globalSeed(), numRuns: runs(250) });
    expect(r.failure, explainFailure(r)).toBeNull();
    expect(r.internalError).toBeUndefined();
    expect(r.cases).toBeGreaterThan(0);
  });
});

describe('C fixture batched against the TypeScript model falcato-v3', () => {
  it('gives the same outcome on every world: entries, count, NUMA stamps, flushes in order, commit trace', () => {
    // The batch trace of the C target is read off ptep_modify_prot_start/commit
    // calls (world.c); falcato-v3 records it explicitly. Skip batches are not
    // visible in C, so only committed batches are compared.
    const t = target('fixture-batched-vs-ts', fixtureTU(`${FIXTURES}/batched`));
    const ts = getVariant('falcato-v3');
    fc.assert(
      fc.property(worldArb(), (w) => {
        const want = ts.run(w);
        expect(t.run(w)).toEqual({ ...want, trace: want.trace.filter((b) => b.action === 'commit') });
      }),
      { numRuns: runs(1000) },
    );
  });
});

/** The first default property that fails, in PROPERTIES order. */
function firstCatch(t: KernelTarget, seed: number, numRuns: number): PropertyResult | null {
  for (const prop of PROPERTIES) {
    const r = runProperty(prop, t, spec, { seed, numRuns });
    if (r.failure) return r;
  }
  return null;
}

describe.each([
  ['head-page-single-pte', 'batched'],
  ['flush-first-sub-batch', 'batched'],
  ['uffd-toggle', 'batched'],
  ['stale-nr-ptes', 'batched'],
  ['softleaf-write-kept', 'batched'],
  ['per-pte-skip-exclusive', 'per-pte'],
] as const)('broken edit %s.patch', (patch, tree) => {
  it(`is caught by the default check at seed ${FIXED_SEED} and shrunk`, () => {
    const t = target(`${tree}+${patch}`, patchedFixtureTU(tree, `${patch}.patch`));
    const caught = firstCatch(t, FIXED_SEED, 1000);
    expect(caught, `${patch} was not caught`).not.toBeNull();
    const f = caught!.failure!;
    console.log(
      `${patch}: caught by '${caught!.property}' after ${caught!.cases} cases; ${f.world.range.end - f.world.range.start} slot(s) in range; rules ${[...new Set(f.mismatches.map((m) => m.rule))].join(', ')}`,
    );
    expect(f.mismatches.length).toBeGreaterThan(0);
    expect(f.world.range.end - f.world.range.start).toBeLessThanOrEqual(16);
  });
});
