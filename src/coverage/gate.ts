// SPDX-License-Identifier: GPL-2.0-only
// Enforced coverage (QuickCheck's checkCoverage, which fast-check lacks): a
// label fails when we are confident its true share is below the minimum.
import { LABELS, type LabelDef } from './labels.js';

export class CoverageCounter {
  readonly counts = new Map<string, number>();
  total = 0;
  add(labels: Iterable<string>): void {
    this.total++;
    for (const id of labels) this.counts.set(id, (this.counts.get(id) ?? 0) + 1);
  }
}

/** Upper end of the Wilson score interval for k successes in n trials. */
export function wilsonUpper(k: number, n: number, z = 3.89 /* two-sided 99.99 % */): number {
  if (n === 0) return 1;
  const p = k / n;
  const denom = 1 + (z * z) / n;
  const centre = p + (z * z) / (2 * n);
  const margin = z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n));
  return (centre + margin) / denom;
}

export interface CoverageRow {
  readonly label: LabelDef;
  readonly count: number;
  readonly share: number;
  readonly ok: boolean;
}

export function coverageRows(counter: CoverageCounter, labels: readonly LabelDef[] = LABELS): CoverageRow[] {
  return labels.map((label) => {
    const count = counter.counts.get(label.id) ?? 0;
    return { label, count, share: counter.total ? count / counter.total : 0, ok: wilsonUpper(count, counter.total) >= label.min };
  });
}

export function formatCoverage(rows: readonly CoverageRow[], total: number): string {
  const width = Math.max(...rows.map((r) => r.label.id.length));
  const lines = [`coverage over ${total} cases (min = required share; FAIL = confidently below it)`];
  for (const r of rows) {
    const pct = (x: number) => `${(100 * x).toFixed(2).padStart(6)}%`;
    lines.push(
      `  ${r.label.id.padEnd(width)}  ${String(r.count).padStart(7)}  ${pct(r.share)}  min ${pct(r.label.min)}  ${r.ok ? 'ok' : 'FAIL'}`,
    );
  }
  return lines.join('\n');
}
