// SPDX-License-Identifier: GPL-2.0-only
// `cost` on real C: the fixture trees (per-PTE and batched) through the shim's
// counters. Counts only, never timings: the batched C pays a vm_normal_page()
// and a folio lookup on every order-0 PTE that the per-PTE C never makes (the
// v6.17 order-0 shape), and makes one batch of a PTE-mapped THP where the
// per-PTE C makes 512; every count is deterministic.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compareCost, costShapes, KERNEL_COUNTED, kernelCostSide, measureKernelShape } from '../../src/cost/index.js';
import { getVariant } from '../../src/kernel/registry.js';
import { PTRS_PER_PTE } from '../../src/pte/index.js';
import { type KernelTarget, kernelTarget } from '../../src/realc/target.js';
import { cli } from '../cli/helpers.js';
import { FIXTURES, fixtureTU } from '../realc/fixture_tu.js';

const cacheDir = mkdtempSync(join(tmpdir(), 'mprotect-cost-c-'));
const opened: KernelTarget[] = [];
afterAll(() => {
  for (const t of opened) t.dispose();
  rmSync(cacheDir, { recursive: true, force: true });
});
const tree = (name: 'per-pte' | 'batched') => {
  const t = kernelTarget({ tu: fixtureTU(join(FIXTURES, name)), name, cacheDir });
  opened.push(t);
  return t;
};
const shape = (id: string) => {
  const s = costShapes().find((x) => x.id === id);
  if (!s) throw new Error(`no shape ${id}`);
  return s;
};

describe('cost of real C (fixture trees, counts only)', () => {
  const batched = tree('batched');
  const perPte = tree('per-pte');

  it('order-0 to PROT_READ: the batched C looks up a page and a folio per PTE; the per-PTE C does not', () => {
    const b = measureKernelShape(batched, shape('order0-ro'), 0);
    const p = measureKernelShape(perPte, shape('order0-ro'), 0);
    expect(b.ops.vm_normal_page).toBe(PTRS_PER_PTE);
    expect(b.ops.folio_lookup).toBe(PTRS_PER_PTE);
    expect(p.ops.vm_normal_page).toBe(0);
    expect(p.ops.folio_lookup).toBe(0);
    for (const c of [b, p]) {
      expect(c.ops.ptep_modify_prot_start).toBe(PTRS_PER_PTE);
      expect(c.ops.ptep_modify_prot_commit).toBe(PTRS_PER_PTE);
      expect(c.batches).toBe(PTRS_PER_PTE); // order-0: every batch is one PTE long
      expect(c.nsPerPte).toBeUndefined();
    }
  });

  it('a PTE-mapped THP is one batch in the batched C and 512 in the per-PTE C', () => {
    expect(measureKernelShape(batched, shape('thp-pte-ro'), 0).batches).toBe(1);
    expect(measureKernelShape(perPte, shape('thp-pte-ro'), 0).batches).toBe(PTRS_PER_PTE);
    expect(measureKernelShape(batched, shape('mthp64-ro'), 0).batches).toBe(PTRS_PER_PTE / 16);
  });

  it('the comparison flags order-0 against the batched C and the PTE-mapped THP against the per-PTE C', () => {
    const report = compareCost(
      kernelCostSide({ name: 'batched', target: batched, reps: 0 }),
      kernelCostSide({ name: 'per-pte', target: perPte, reps: 0 }),
    );
    expect(report.compared).toEqual(KERNEL_COUNTED);
    const row = (id: string) => report.rows.find((r) => r.shape === id);
    expect(row('order0-ro')?.flag).toBe('a-costlier');
    expect(row('thp-pte-rw')?.flag).toBe('b-costlier');
    // calls summed over the primitives the shim counts, exactly
    const a = row('order0-ro')?.a;
    expect(a?.calls).toBe(KERNEL_COUNTED.reduce((n, op) => n + (a?.ops[op] ?? 0), 0));
  });

  it('counts are deterministic, and a C side against a TypeScript model compares only what both count', () => {
    const once = costShapes().map((s) => measureKernelShape(batched, s, 0));
    const twice = costShapes().map((s) => measureKernelShape(batched, s, 0));
    expect(twice).toEqual(once);
    const v = getVariant('v6.16-per-pte');
    const report = compareCost(kernelCostSide({ name: 'batched', target: batched, reps: 0 }), { name: v.name, run: v.run });
    expect(report.compared).toEqual(KERNEL_COUNTED);
    const order0 = report.rows.find((r) => r.shape === 'order0-ro');
    expect(order0?.a.ops.vm_normal_page).toBe(PTRS_PER_PTE);
    expect(order0?.b.ops.vm_normal_page).toBe(0);
  });

  it('with repetitions each shape carries a minimum and a median per PTE (values not asserted)', () => {
    const c = measureKernelShape(batched, shape('order0-ro'), 5);
    expect(c.nsPerPte?.reps).toBe(5);
    expect(c.nsPerPte?.min).toBeLessThanOrEqual(c.nsPerPte?.median ?? -1);
  });
});

describe('cost --kernel on the command line', () => {
  it('--kernel and --against-kernel: an 80-column table with the order-0 flag, and --json with the counts', async () => {
    const args = ['cost', '--kernel', join(FIXTURES, 'batched'), '--against-kernel', join(FIXTURES, 'per-pte'), '--reps', '3'];
    const text = await cli(args);
    expect(text.code).toBe(0);
    for (const line of text.stdout.split('\n')) expect(line.length).toBeLessThanOrEqual(80);
    expect(text.stdout).toMatch(/^order-0 anon, to PROT_READ\s+5\.00\s+3\.00\s+1\.67\s+1\.0\s+1\.0 A\+$/m);
    expect(text.stdout).toMatch(/userspace ns per PTE in the C child \(min \/ median of 3 runs/);
    const json = await cli([...args, '--json']);
    expect(json.code).toBe(0);
    const report = JSON.parse(json.stdout);
    const row = report.rows.find((r: { shape: string }) => r.shape === 'order0-ro');
    expect(row.a.ops.vm_normal_page).toBe(PTRS_PER_PTE);
    expect(row.b.ops.vm_normal_page).toBe(0);
    expect(row.a.nsPerPte.reps).toBe(3);
  });

  it.each([
    [['cost', '--patch', 'x.patch'], /--patch goes with --kernel DIR/],
    [['cost', '--against-patch', 'x.patch'], /--against-patch goes with --against-kernel DIR/],
    [['cost', '--kernel', 'k', '--variant', 'falcato-v3'], /give --kernel DIR on its own, not with --variant or --impl/],
    [['cost', '--reps', 'many'], /--reps must be a non-negative integer, got 'many'/],
    [['cost', '--kernel', '/nonexistent/tree'], /nonexistent/],
  ])('%j exits 2 with a message', async (args, message) => {
    const r = await cli(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });
});
