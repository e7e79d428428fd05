// SPDX-License-Identifier: GPL-2.0-only
// Side-by-side cost of two targets on the standard shapes, and which shapes
// one of them makes noticeably more primitive calls on.
import { OP_NAMES, type OpName } from '../kernel/lib/opcount.js';
import type { KernelOutcome, World } from '../pte/index.js';
import { countShape, type ShapeCost } from './count.js';
import { type CostShape, costShapes } from './shapes.js';

export interface CostSide {
  readonly name: string;
  readonly run: (world: World) => KernelOutcome;
  /** How this side measures a shape, when not by counting a TypeScript run (the C target). */
  readonly measure?: (shape: CostShape) => ShapeCost;
  /** The primitives this side can count (default: all of OP_NAMES). */
  readonly counted?: readonly OpName[];
}

export interface ShapeRow {
  readonly shape: string;
  readonly title: string;
  readonly a: ShapeCost;
  readonly b: ShapeCost;
  /** Calls per PTE of A over those of B. */
  readonly ratio: number;
  /** Set when one side makes at least FLAG_RATIO times the calls of the other. */
  readonly flag: 'a-costlier' | 'b-costlier' | null;
}

export interface CostReport {
  readonly formatVersion: 1;
  readonly a: string;
  readonly b: string;
  readonly flagRatio: number;
  /** The primitives both sides count; calls and ratios are summed over these. */
  readonly compared: readonly OpName[];
  readonly rows: readonly ShapeRow[];
}

/** A shape is flagged when one side calls this many times the primitives of the other. */
export const FLAG_RATIO = 1.25;

export function compareCost(a: CostSide, b: CostSide, shapes: readonly CostShape[] = costShapes()): CostReport {
  const compared = OP_NAMES.filter((op) => (a.counted ?? OP_NAMES).includes(op) && (b.counted ?? OP_NAMES).includes(op));
  const over = (c: ShapeCost): ShapeCost => ({ ...c, calls: compared.reduce((n, op) => n + c.ops[op], 0) });
  const rows = shapes.map((shape): ShapeRow => {
    const ca = over(a.measure ? a.measure(shape) : countShape(a.run, shape));
    const cb = over(b.measure ? b.measure(shape) : countShape(b.run, shape));
    const ratio = cb.calls === 0 ? (ca.calls === 0 ? 1 : Number.POSITIVE_INFINITY) : ca.calls / cb.calls;
    const flag = ratio >= FLAG_RATIO ? 'a-costlier' : ratio <= 1 / FLAG_RATIO ? 'b-costlier' : null;
    return { shape: shape.id, title: shape.title, a: ca, b: cb, ratio, flag };
  });
  return { formatVersion: 1, a: a.name, b: b.name, flagRatio: FLAG_RATIO, compared, rows };
}
