// SPDX-License-Identifier: GPL-2.0-only
// Combining the results of disjoint parts of one enumeration (the jobs of a
// run, or the shards of a campaign) into one: tallies add up, failures are
// ordered by world index and the first `keep` of each target are kept (each
// part kept its own first `keep`, so the merged first `keep` are among them).
import type { ProveFailure, ProveResult, VariantTally } from './prove.js';

export function mergeResults(parts: readonly ProveResult[], keep: number, ms: number): ProveResult {
  const first = parts[0];
  if (!first) throw new Error('mergeResults: no parts');
  const names = first.variants.map((v) => v.variant);
  for (const p of parts) {
    if (p.bound !== first.bound) throw new Error(`mergeResults: bounds differ (${p.bound} vs ${first.bound})`);
    if (p.variants.map((v) => v.variant).join('\n') !== names.join('\n'))
      throw new Error('mergeResults: the parts checked different targets');
  }
  const variants: VariantTally[] = first.variants.map((v, i) => {
    const all = parts.map((p) => p.variants[i] as VariantTally);
    const at = all.map((t) => t.firstFailureAt).filter((x): x is number => x !== null);
    return {
      variant: v.variant,
      verdict: v.verdict,
      checked: sum(all.map((t) => t.checked)),
      excluded: sum(all.map((t) => t.excluded)),
      failed: sum(all.map((t) => t.failed)),
      firstFailureAt: at.length ? Math.min(...at) : null,
    };
  });
  const order = new Map(names.map((n, i) => [n, i]));
  const sorted = parts
    .flatMap((p) => p.failures)
    .sort((a, b) => a.index - b.index || (order.get(a.variant) ?? 0) - (order.get(b.variant) ?? 0));
  const kept = new Map<string, number>();
  const failures: ProveFailure[] = [];
  for (const f of sorted) {
    const n = kept.get(f.variant) ?? 0;
    if (n >= keep) continue;
    kept.set(f.variant, n + 1);
    failures.push(f);
  }
  const complete = parts.every((p) => p.complete);
  const bySlots = Array.from({ length: first.bound }, (_, i) => sum(parts.map((p) => p.worldsBySlots[i] ?? 0)));
  return {
    bound: first.bound,
    worlds: sum(parts.map((p) => p.worlds)),
    checked: sum(parts.map((p) => p.checked)),
    worldsBySlots: bySlots,
    complete,
    stoppedBy: parts.find((p) => p.stoppedBy === 'sigint')?.stoppedBy ?? parts.find((p) => p.stoppedBy)?.stoppedBy ?? null,
    completedSlots: complete ? first.bound : Math.min(...parts.map((p) => p.completedSlots)),
    variants,
    failures,
    specErrors: sum(parts.map((p) => p.specErrors)),
    ms,
  };
}

const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);
