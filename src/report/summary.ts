// SPDX-License-Identifier: GPL-2.0-only
// The summary table of a check run and the coverage table.
import type { CoverageRow } from '../coverage/index.js';
import { table } from './text.js';

export interface SummaryRow {
  readonly property: string;
  readonly target: string;
  readonly cases: number;
  readonly excluded: number;
  readonly result: string;
  readonly ms: number;
}

const seconds = (ms: number) => (ms < 10_000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms / 1000)} s`);

export function renderSummary(rows: readonly SummaryRow[], paint: (result: string) => string = (s) => s): string[] {
  const body = rows.map((r) => [
    r.property,
    r.target,
    String(r.cases) + (r.excluded ? ` (-${r.excluded})` : ''),
    r.result,
    seconds(r.ms),
  ]);
  const lines = table(['property', 'target', 'cases', 'result', 'time'], body, [false, false, true, false, true]);
  // colour after layout so padding is computed on the plain text
  return lines.map((line, i) => (i === 0 ? line : line.replace(rows[i - 1]?.result ?? '\u0000', (m) => paint(m))));
}

export function renderCoverage(rows: readonly CoverageRow[], total: number): string[] {
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  const body = rows.map((r) => [r.label.id, String(r.count), pct(r.share), pct(r.label.min), r.ok ? 'ok' : 'LOW']);
  return [
    `coverage over ${total} passing 'agree' cases (LOW: confidently below min):`,
    ...table(['label', 'cases', 'share', 'min', ''], body, [false, true, true, true, false]).map((l) => `  ${l}`),
  ];
}
