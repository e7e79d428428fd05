// SPDX-License-Identifier: GPL-2.0-only
// Side-by-side cost of two targets on the standard shapes, and which shapes
// one of them makes noticeably more primitive calls on.
import type { KernelOutcome, World } from '../pte/index.js';
import { countShape, type ShapeCost } from './count.js';
import { type CostShape, costShapes } from './shapes.js';

export interface CostSide {
  readonly name: string;
  readonly run: (world: World) => KernelOutcome;
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
  readonly rows: readonly ShapeRow[];
}

/** A shape is flagged when one side calls this many times the primitives of the other. */
export const FLAG_RATIO = 1.25;

export function compareCost(a: CostSide, b: CostSide, shapes: readonly CostShape[] = costShapes()): CostReport {
  const rows = shapes.map((shape): ShapeRow => {
    const ca = countShape(a.run, shape);
    const cb = countShape(b.run, shape);
    const ratio = cb.calls === 0 ? (ca.calls === 0 ? 1 : Number.POSITIVE_INFINITY) : ca.calls / cb.calls;
    const flag = ratio >= FLAG_RATIO ? 'a-costlier' : ratio <= 1 / FLAG_RATIO ? 'b-costlier' : null;
    return { shape: shape.id, title: shape.title, a: ca, b: cb, ratio, flag };
  });
  return { formatVersion: 1, a: a.name, b: b.name, flagRatio: FLAG_RATIO, rows };
}
