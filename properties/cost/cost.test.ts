// SPDX-License-Identifier: GPL-2.0-only
// The cost command: counts are deterministic, a target compared with itself
// is never flagged, the v6.17 order-0 shape is flagged against v6.16, and
// every shape is a valid world the spec and the baseline agree on.
import { describe, expect, it } from 'vitest';
import { change_protection_spec } from '../../spec/index.js';
import { getProperty } from '../../src/check/properties.js';
import { checkCase } from '../../src/check/run.js';
import { compareCost, costShapes, countShape, renderCostText } from '../../src/cost/index.js';
import { count_op, with_op_counts, zeroOpCounts } from '../../src/kernel/lib/opcount.js';
import { getVariant } from '../../src/kernel/registry.js';
import { checkWorld } from '../../src/pte/index.js';
import { cli } from '../cli/helpers.js';

const side = (name: string) => {
  const v = getVariant(name);
  return { name: v.name, run: v.run };
};

describe('cost shapes', () => {
  it.each(costShapes().map((s) => [s.id, s] as const))('%s is a valid world the baseline agrees on', (_id, shape) => {
    expect(checkWorld(shape.world)).toEqual([]);
    const baseline = getVariant('falcato-v3');
    const target = { name: baseline.name, run: baseline.run, batching: baseline.batching };
    expect(checkCase(getProperty('agree-exact'), shape.world, target, change_protection_spec)).toEqual([]);
  });
});

describe('op counting', () => {
  it('counts only inside a window, and restores the outer window', () => {
    const outer = zeroOpCounts();
    const inner = zeroOpCounts();
    count_op('ptep_get');
    with_op_counts(outer, () => {
      count_op('ptep_get');
      with_op_counts(inner, () => count_op('ptep_get'));
      count_op('vm_normal_page');
    });
    expect(outer.ptep_get).toBe(1);
    expect(outer.vm_normal_page).toBe(1);
    expect(inner.ptep_get).toBe(1);
  });

  it('a per-PTE walk reads every present entry of the shape at least once', () => {
    for (const shape of costShapes()) {
      const c = countShape(getVariant('v6.16-per-pte').run, shape);
      expect(c.ops.ptep_get).toBeGreaterThanOrEqual(c.ptes);
    }
  });
});

describe('compareCost', () => {
  it('is deterministic', () => {
    const one = compareCost(side('falcato-v3'), side('v6.16-per-pte'));
    const two = compareCost(side('falcato-v3'), side('v6.16-per-pte'));
    expect(JSON.stringify(two)).toBe(JSON.stringify(one));
  });

  it('flags nothing when a target is compared with itself', () => {
    const r = compareCost(side('falcato-v3'), side('falcato-v3'));
    expect(r.rows.every((row) => row.flag === null && row.ratio === 1)).toBe(true);
  });

  it('flags the v6.17 order-0 shape: batching looks up a folio per PTE that v6.16 never needed', () => {
    const r = compareCost(side('v6.17-fixed'), side('v6.16-per-pte'));
    const row = r.rows.find((x) => x.shape === 'order0-ro');
    expect(row?.flag).toBe('a-costlier');
    expect(row?.a.ops.vm_normal_page).toBe(row?.a.ptes);
    expect(row?.b.ops.vm_normal_page).toBe(0);
    // and the batched code wins on a PTE-mapped THP, one batch of 512
    const thp = r.rows.find((x) => x.shape === 'thp-pte-rw');
    expect(thp?.a.batches).toBe(1);
    expect(thp?.flag).toBe('b-costlier');
  });

  it('renders within 80 columns', () => {
    const text = renderCostText(compareCost(side('v6.17-fixed'), side('v6.16-per-pte')));
    for (const line of text.split('\n')) expect(line.length).toBeLessThanOrEqual(80);
    expect(text).toContain('order-0 anon, to PROT_READ');
  });
});

describe('mprotect-spec cost', () => {
  it('prints JSON that parses and names both sides', async () => {
    const r = await cli(['cost', '--variant', 'v6.17-fixed', '--json']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as { formatVersion: number; a: string; b: string; rows: unknown[] };
    expect(doc).toMatchObject({ formatVersion: 1, a: 'v6.17-fixed', b: 'v6.16-per-pte' });
    expect(doc.rows.length).toBe(costShapes().length);
  });

  it('rejects an unknown variant and --variant with --impl (exit 2)', async () => {
    expect((await cli(['cost', '--variant', 'no-such'])).code).toBe(2);
    const both = await cli(['cost', '--variant', 'falcato-v3', '--impl', 'x.ts']);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('not both');
  });

  it('loads an --impl candidate and counts its primitives', async () => {
    const r = await cli(['cost', '--impl', 'properties/cli/fixtures/good.ts', '--json']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as { rows: { a: { calls: number } }[] };
    expect(doc.rows.every((row) => row.a.calls > 0)).toBe(true);
  });
});
