// SPDX-License-Identifier: GPL-2.0-only
// Shared helpers of the kernel-model tests.
import type { Variant } from '../../src/kernel/registry.js';
import { driftIn } from '../../src/observe/index.js';
import type { PageRun, World } from '../../src/pte/index.js';

/** The union of flush runs as an ascending list of vpns. */
export function flushedPages(runs: readonly PageRun[]): number[] {
  const pages = new Set<number>();
  for (const run of runs) for (let i = 0; i < run.nr; i++) pages.add(run.start + i);
  return [...pages].sort((a, b) => a - b);
}

/** True when one of the variant's documented drifts (not batching) applies to `world` (src/observe/drift.ts). */
export function hasDrift(variant: Variant, world: World): boolean {
  return driftIn(world, variant.drift) !== null;
}
