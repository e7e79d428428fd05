// SPDX-License-Identifier: GPL-2.0-only
// Enforced coverage (issue 4 item 4): the baseline's agreement run must reach
// every label above its minimum share; the table is printed every run. A
// second test lowers a generator bias and shows the gate failing.
import { describe, expect, it } from 'vitest';
import { change_protection_spec } from '../../spec/index.js';
import { getProperty, runProperty, variantTarget } from '../../src/check/index.js';
import { CoverageCounter, coverageRows, formatCoverage } from '../../src/coverage/index.js';
import { BASELINE_VARIANT, getVariant } from '../../src/kernel/index.js';
import type { World } from '../../src/pte/index.js';
import { expectHolds, globalSeed, runs } from '../budget.js';

const spec = (w: World) => change_protection_spec(w);
const target = variantTarget(getVariant(BASELINE_VARIANT));

describe('coverage gate', () => {
  it('the default generators reach every label above its minimum share', () => {
    const coverage = new CoverageCounter();
    expectHolds(runProperty(getProperty('agree'), target, spec, { seed: globalSeed(), numRuns: runs(20_000), coverage }));
    const rows = coverageRows(coverage);
    console.log(formatCoverage(rows, coverage.total));
    expect(rows.filter((r) => !r.ok).map((r) => r.label.id)).toEqual([]);
  });

  it('fails when large folios are no longer generated (the gate is not vacuous)', () => {
    const coverage = new CoverageCounter();
    const result = runProperty(getProperty('agree'), target, spec, {
      seed: 1,
      numRuns: 5_000,
      coverage,
      worldOptions: { largeWeight: 0, hugeWeight: 0 },
    });
    expectHolds(result);
    const failing = coverageRows(coverage)
      .filter((r) => !r.ok)
      .map((r) => r.label.id);
    for (const id of ['batch-n>=2', 'batch-starts-mid-folio', 'mixed-exclusive-sub-runs', 'pmd-huge-whole'])
      expect(failing).toContain(id);
  });
});
