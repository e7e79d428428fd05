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
  lines.push(...wrap(`cost per PTE: A = ${report.a}`, 78));
  lines.push(...wrap(`B = ${report.b}`, 64).map((l, i) => (i === 0 ? ' '.repeat(14) + l : l)));
  lines.push('(primitive calls per PTE of a 512-entry table; mean PTEs per batch)');
  if (report.compared.length < OP_NAMES.length) lines.push(...wrap(`calls summed over: ${report.compared.join(', ')}`, 78));
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
        if (row.a.ops[op] === row.b.ops[op] || !report.compared.includes(op)) continue;
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
  lines.push(...timingLines(report));
  return `${lines.join('\n')}\n`;
}

function wrap(text: string, width: number): string[] {
  const out: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      out.push(line);
      line = `  ${word}`;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) out.push(line);
  return out;
}

const ns = (x: number | undefined): string => (x === undefined ? '-' : x.toFixed(2));

/** Real C sides: userspace ns per PTE, minimum and median of the timed runs. */
function timingLines(report: CostReport): string[] {
  const timed = report.rows.some((r) => r.a.nsPerPte || r.b.nsPerPte);
  if (!timed) return [];
  const reps = report.rows.find((r) => r.a.nsPerPte ?? r.b.nsPerPte);
  const n = reps?.a.nsPerPte?.reps ?? reps?.b.nsPerPte?.reps ?? 0;
  const lines = [
    '',
    `userspace ns per PTE in the C child (min / median of ${n} runs; shim included)`,
    `${pad('shape', 34)}${lpad('A min', 8)}${lpad('A med', 8)}${lpad('B min', 8)}${lpad('B med', 8)}${lpad('A/B', 7)}`,
  ];
  for (const row of report.rows) {
    const a = row.a.nsPerPte;
    const b = row.b.nsPerPte;
    const ratio = a && b && b.median > 0 ? (a.median / b.median).toFixed(2) : '-';
    lines.push(
      pad(row.title, 34) +
        lpad(ns(a?.min), 8) +
        lpad(ns(a?.median), 8) +
        lpad(ns(b?.min), 8) +
        lpad(ns(b?.median), 8) +
        lpad(ratio, 7),
    );
  }
  lines.push('(measured on this machine at this load: compare medians, repeat to confirm)');
  return lines;
}
