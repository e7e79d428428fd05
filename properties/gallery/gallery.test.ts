// SPDX-License-Identifier: GPL-2.0-only
// The known-bug gallery (issue 6 item 1): every entry of GALLERY is caught by
// the check engine at a fixed seed within 2,000 cases of one property, the
// shrunk counterexample names the rule the bug breaks (or a more direct one,
// documented below) and is small; the same runs do not flag the baseline; and
// on worlds that cannot trigger the bug the variant equals falcato-v3 exactly.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { change_protection_spec } from '../../spec/index.js';
import { worldArb } from '../../src/arbitraries/index.js';
import { getProperty, type PropertyResult, runProperty } from '../../src/check/index.js';
import { GALLERY, GALLERY_KIND } from '../../src/kernel/gallery.js';
import type { Variant } from '../../src/kernel/registry.js';
import * as falcato_v3 from '../../src/kernel/variants/falcato-v3.js';
import type { World } from '../../src/pte/index.js';
import { explainFailure, runs } from '../budget.js';
import { CASES, CATCH, FIXED_SEED } from './catch_plan.js';

const spec = (w: World) => change_protection_spec(w);
const baseline = { name: 'falcato-v3', run: falcato_v3.change_protection, batching: 'batched' as const };

const rulesOf = (r: PropertyResult) => [...new Set(r.failure?.mismatches.map((m) => m.rule) ?? [])];

describe('the gallery', () => {
  it('has at least 8 entries beyond the head-page bug, each described, with a known-bad verdict and a catch plan', () => {
    expect(GALLERY.length).toBeGreaterThanOrEqual(8);
    expect(new Set(GALLERY.map((v) => v.name)).size).toBe(GALLERY.length);
    expect(GALLERY.map((v) => v.name)).not.toContain('v6.17-cac1db8c3aad');
    for (const v of GALLERY) {
      expect([v.verdict, v.baseline, v.batching]).toEqual(['known-bad', 'falcato-v3', 'batched']);
      expect(v.breaks).toMatch(/^(INV|R)-/);
      expect(v.file).toBe(`src/kernel/.gallery/${v.name}.ts`);
      expect(v.patch).toBe(`src/kernel/variants/bad/${v.name}.patch`);
      expect(v.upstream.length).toBeGreaterThan(20);
      expect(v.description.length).toBeGreaterThan(100);
      expect(GALLERY_KIND[v.name]).toBeDefined();
      const c = CATCH[v.name];
      expect(c, `no catch plan for ${v.name}`).toBeDefined();
      // The reported rule is the broken one, or the note says why it is a more direct one.
      if (!c!.rules.includes(v.breaks!)) expect(c!.note, `${v.name}: rule differs from breaks without a note`).toBeDefined();
    }
    expect(Object.keys(CATCH).sort()).toEqual(GALLERY.map((v) => v.name).sort());
    const real = GALLERY.filter((v) => GALLERY_KIND[v.name] !== 'realistic mistake');
    expect(real.length).toBeGreaterThanOrEqual(8);
  });
});

describe.each(GALLERY.map((v) => [v.name, v] as const))('%s', (name, variant: Variant) => {
  const c = CATCH[name]!;
  const target = { name, run: variant.run, batching: 'batched' as const };

  it(`is caught at seed ${FIXED_SEED} within ${CASES} cases, naming the broken rule, on a small world`, () => {
    const r = runProperty(getProperty(c.property), target, spec, { seed: FIXED_SEED, numRuns: CASES });
    expect(r.failure, `${name} was not caught by '${c.property}'`).not.toBeNull();
    const f = r.failure!;
    const inRange = f.world.range.end - f.world.range.start;
    console.log(
      `${name}: '${c.property}' after ${r.cases} cases, ${f.shrinks} shrinks; shrunk to ${inRange} slot(s) in range; rules ${rulesOf(r).join(', ')}`,
    );
    expect(rulesOf(r), explainFailure(r)).toContain(c.rules[0]);
    expect(inRange, explainFailure(r)).toBeLessThanOrEqual(c.maxRange);
  });

  it('equals falcato-v3 exactly on worlds that cannot trigger the bug', () => {
    let checked = 0;
    fc.assert(
      fc.property(worldArb(c.quiet.options ?? {}), (world) => {
        fc.pre(c.quiet.when?.(world) ?? true);
        checked++;
        const a = variant.run(world);
        const b = falcato_v3.change_protection(world);
        expect(a).toEqual(b);
      }),
      { seed: FIXED_SEED, numRuns: runs(150) },
    );
    expect(checked).toBeGreaterThan(0);
  });
});

describe('the catch is due to the bug', () => {
  it.each(['agree', 'invariants'] as const)(`falcato-v3 passes '%s' at seed ${FIXED_SEED} over ${CASES} cases`, (prop) => {
    const r = runProperty(getProperty(prop), baseline, spec, { seed: FIXED_SEED, numRuns: CASES });
    expect(r.failure, explainFailure(r)).toBeNull();
    expect(r.cases).toBe(CASES);
  });
});
