// SPDX-License-Identifier: GPL-2.0-only
// Issue 11 item 4 (invariants): INV-1, INV-3, INV-5 (and INV-7, INV-9, INV-18)
// hold on huge PMDs, for the spec and every equivalent variant, and the
// invariants property itself catches a huge-PMD write-gate bug: falcato-v3
// with one test removed from can_change_pmd_writable() (mm/huge_memory.c).
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { change_protection_spec } from '../../spec/index.js';
import { worldArb } from '../../src/arbitraries/index.js';
import {
  type CheckTarget,
  equivalentVariants,
  getProperty,
  runGuarded,
  runProperty,
  specAsTarget,
  variantTarget,
} from '../../src/check/index.js';
import { labelsOf } from '../../src/coverage/index.js';
import { getVariant } from '../../src/kernel/index.js';
import { expectedCount } from '../../src/observe/index.js';
import type { World } from '../../src/pte/index.js';
import { expectHolds, explainFailure, globalSeed, runs, sampleRuns } from '../budget.js';
import { mutant } from './mutant.js';

const spec = (w: World) => change_protection_spec(w);
const invariants = getProperty('invariants');
/** Mostly PMD-mapped THP worlds. */
const worldOptions = { hugeWeight: 20 };

describe('huge-PMD invariants hold', () => {
  for (const target of [specAsTarget(spec), ...equivalentVariants().map(variantTarget)])
    it(target.name, () => {
      expectHolds(runProperty(invariants, target, spec, { seed: globalSeed(), numRuns: runs(600), worldOptions }));
    });
});

/** falcato-v3 whose change_huge_pmd() comes from a copy of lib/huge_memory.ts with one edit. */
async function pmdMutant(name: string, from: string, to: string): Promise<CheckTarget> {
  return mutant(
    name,
    'src/kernel/variants/falcato-v3.ts',
    [{ from: 'import {\n  change_huge_pmd,\n', to: "import { change_huge_pmd } from '{{huge}}';\nimport {\n" }],
    [{ key: 'huge', file: 'src/kernel/lib/huge_memory.ts', edits: [{ from, to }] }],
  );
}

describe('the invariants property catches huge-PMD write-gate bugs', () => {
  let noExclusive: CheckTarget;
  let noUffd: CheckTarget;
  beforeAll(async () => {
    noExclusive = await pmdMutant(
      'pmd-gate-without-anon-exclusive',
      'return page !== null && PageAnon(page) && PageAnonExclusive(page);',
      'return page !== null && PageAnon(page); // BUG: exclusivity not tested',
    );
    noUffd = await pmdMutant(
      'pmd-gate-without-uffd-wp',
      '  if (userfaultfd_huge_pmd_wp(vma, pmd)) return false;\n',
      '  // BUG: uffd-wp test removed\n',
    );
  });

  for (const [rule, target] of [
    ['INV-1', () => noExclusive],
    ['INV-5', () => noUffd],
  ] as const)
    it(`${rule}`, () => {
      const r = runProperty(invariants, target(), spec, { seed: globalSeed(), numRuns: 3_000, worldOptions });
      expect(r.failure, explainFailure(r)).not.toBeNull();
      expect(r.failure!.mismatches.map((m) => m.rule)).toContain(rule);
    });
});

describe('a huge PMD the range does not reach', () => {
  it('is drawn, and the count formula leaves it out (INV-16 on the spec and the baseline)', () => {
    const seed = globalSeed();
    const idle = fc
      .sample(worldArb(worldOptions), { seed, numRuns: sampleRuns(3000) })
      .filter((w) => labelsOf(w).has('pmd-idle-beside-range'));
    expect(idle.length, `seed ${seed}: no idle huge PMD drawn`).toBeGreaterThan(0);
    const baseline = variantTarget(getVariant('falcato-v3'));
    for (const w of idle) {
      const out = spec(w);
      expect(expectedCount(w, out)).toBe(out.count);
      const run = runGuarded(baseline, w);
      expect(run.ok && run.outcome.count).toBe(out.count);
    }
  });
});
