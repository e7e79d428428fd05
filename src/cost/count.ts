// SPDX-License-Identifier: GPL-2.0-only
// Counts what one target does on one shape: the primitives it calls
// (src/kernel/lib/opcount.ts) and the batches, sub-batches and flushes its
// outcome reports, per PTE of the shape's range.
import { OP_NAMES, type OpCounts, type OpName, with_op_counts, zeroOpCounts } from '../kernel/lib/opcount.js';
import type { KernelOutcome, World } from '../pte/index.js';
import type { CostShape } from './shapes.js';

export interface ShapeCost {
  readonly shape: string;
  readonly ptes: number;
  /** Calls of each counted primitive, whole run. */
  readonly ops: OpCounts;
  readonly batches: number;
  readonly subBatches: number;
  readonly flushRanges: number;
  readonly flushedPages: number;
  /** Sum of `ops`: every counted primitive call. */
  readonly calls: number;
  /** Real C only: userspace nanoseconds per PTE of change_protection(), over `reps` timed runs. */
  readonly nsPerPte?: { readonly min: number; readonly median: number; readonly reps: number };
}

export function countShape(run: (world: World) => KernelOutcome, shape: CostShape): ShapeCost {
  const ops = zeroOpCounts();
  const out = with_op_counts(ops, () => run(shape.world));
  return shapeCostOf(shape, ops, OP_NAMES, out);
}

/** The cost of one run of a shape: `ops` as counted, summed over `counted`, and what its outcome reports. */
export function shapeCostOf(shape: CostShape, ops: OpCounts, counted: readonly OpName[], out: KernelOutcome): ShapeCost {
  let calls = 0;
  for (const name of counted) calls += ops[name];
  return {
    shape: shape.id,
    ptes: shape.world.range.end - shape.world.range.start,
    ops,
    batches: out.trace.length,
    subBatches: out.trace.reduce((n, b) => n + b.subRuns.length, 0),
    flushRanges: out.flushes.length,
    flushedPages: out.flushes.reduce((n, f) => n + f.nr, 0),
    calls,
  };
}
