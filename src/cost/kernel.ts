// SPDX-License-Identifier: GPL-2.0-only
// A kernel tree's own C as one side of `cost`: the shim counts the API
// primitives the C calls on each shape (OP_COUNTS, src/realc/shim/world.h
// enum shim_count), the batch trace and the flushes come from the outcome, and
// the child times change_protection() on fresh copies of the shape (OP_TIME).
// Counts are exact and deterministic; nanoseconds are measurements (minimum
// and median), which tests never assert.
import { type OpName, zeroOpCounts } from '../kernel/lib/opcount.js';
import { SHIM_COUNT_NAMES } from '../realc/harness/codec.js';
import type { KernelTarget } from '../realc/target.js';
import type { CostSide } from './compare.js';
import { type ShapeCost, shapeCostOf } from './count.js';
import type { CostShape } from './shapes.js';

/** What the shim counts (enum shim_count, src/realc/shim/world.h), under the names the TypeScript models count them by. */
export const KERNEL_COUNTED: readonly OpName[] = SHIM_COUNT_NAMES;

export const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((x, y) => x - y);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

export interface KernelSideOptions {
  readonly name: string;
  readonly target: KernelTarget;
  /** Timed runs per shape; 0 skips timing (counts only). */
  readonly reps: number;
}

export function measureKernelShape(target: KernelTarget, shape: CostShape, reps: number): ShapeCost {
  const { outcome, counts } = target.runCounted(shape.world);
  const ops = zeroOpCounts();
  for (const op of KERNEL_COUNTED) ops[op] = counts[op as keyof typeof counts] ?? 0;
  const cost = shapeCostOf(shape, ops, KERNEL_COUNTED, outcome);
  if (reps <= 0) return cost;
  const ns = target.timeCase(shape.world, reps);
  return { ...cost, nsPerPte: { min: Math.min(...ns) / cost.ptes, median: median(ns) / cost.ptes, reps } };
}

export function kernelCostSide(o: KernelSideOptions): CostSide {
  return {
    name: o.name,
    run: o.target.run,
    counted: KERNEL_COUNTED,
    measure: (shape) => measureKernelShape(o.target, shape, o.reps),
  };
}
