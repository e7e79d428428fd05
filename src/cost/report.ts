// SPDX-License-Identifier: GPL-2.0-only
// The `cost` report as text, 80 columns: one row per shape with calls per PTE
// of both sides, then, for each flagged shape, the primitives that differ.
import { OP_NAMES } from '../kernel/lib/opcount.js';
import type { CostReport, ShapeRow } from './compare.js';
import type { ShapeCost } from './count.js';

const perPte = (n: number, c: ShapeCost, digits = 2): string => (n / c.ptes).toFixed(digits);
/** Mean batch length, or '-' for a target that records no batch trace. */
const perBatch = (c: ShapeCost): string => (c.batches === 0 ? '-' : (c.ptes / c.batches).toFixed(1));

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}
function lpad(s: string, n: number): string {
  return s.length >= n ? s : ' '.repeat(n - s.length) + s;
}

function flagText(row: ShapeRow): string {
  if (row.flag === 'a-costlier') return ' A+';
  if (row.flag === 'b-costlier') return ' B+';
  return '';
}

export function renderCostText(report: CostReport): string {
  const lines: string[] = [];
  lines.push(`cost per PTE: A = ${report.a}, B = ${report.b}`);
  lines.push('(primitive calls per PTE of a 512-entry table; mean PTEs per batch)');
  lines.push('');
  lines.push(
    `${pad('shape', 34)}${lpad('calls A', 8)}${lpad('calls B', 8)}${lpad('A/B', 6)}${lpad('len A', 7)}${lpad('len B', 7)}`,
  );
  for (const row of report.rows) {
    lines.push(
      pad(row.title, 34) +
        lpad(perPte(row.a.calls, row.a), 8) +
        lpad(perPte(row.b.calls, row.b), 8) +
        lpad(Number.isFinite(row.ratio) ? row.ratio.toFixed(2) : 'inf', 6) +
        lpad(perBatch(row.a), 7) +
        lpad(perBatch(row.b), 7) +
        flagText(row),
    );
  }
  const flagged = report.rows.filter((r) => r.flag !== null);
  lines.push('');
  if (flagged.length === 0) {
    lines.push(`no shape differs by ${report.flagRatio}x or more in primitive calls`);
  } else {
    lines.push(`A+ / B+: that side makes at least ${report.flagRatio}x the calls of the other`);
    for (const row of flagged) {
      lines.push('');
      lines.push(`${row.title}: calls per PTE that differ`);
      lines.push(`  ${pad('primitive', 28)}${lpad('A', 8)}${lpad('B', 8)}`);
      for (const op of OP_NAMES) {
        if (row.a.ops[op] === row.b.ops[op]) continue;
        lines.push(`  ${pad(op, 28)}${lpad(perPte(row.a.ops[op], row.a, 3), 8)}${lpad(perPte(row.b.ops[op], row.b, 3), 8)}`);
      }
      if (row.a.subBatches !== row.b.subBatches)
        lines.push(
          `  ${pad('sub-batches', 28)}${lpad(perPte(row.a.subBatches, row.a, 3), 8)}${lpad(perPte(row.b.subBatches, row.b, 3), 8)}`,
        );
      if (row.a.flushRanges !== row.b.flushRanges)
        lines.push(
          `  ${pad('flush ranges', 28)}${lpad(perPte(row.a.flushRanges, row.a, 3), 8)}${lpad(perPte(row.b.flushRanges, row.b, 3), 8)}`,
        );
    }
  }
  return `${lines.join('\n')}\n`;
}
