// SPDX-License-Identifier: GPL-2.0-only
// What the checker runs: a variant from the registry, a patch author's
// candidate module, or the spec itself wrapped as a target.
import type { KernelOutcome, SpecOutcome, World } from '../pte/index.js';

export interface CheckTarget {
  readonly name: string;
  readonly run: (world: World) => KernelOutcome;
  /** 'per-pte' targets must equal the pure spec exactly; 'batched' ones the batch-aware spec. */
  readonly batching: 'per-pte' | 'batched';
  /** Documented version drift (SEMANTICS §11, e.g. 'Δ9'): relaxed where it lies, per field or folio (src/observe/drift.ts). */
  readonly drift?: readonly string[];
}

export type SpecFn = (world: World) => SpecOutcome;

/** The spec as a target, so invariants and metamorphic properties run on it too. */
export function specAsTarget(spec: SpecFn, name = 'spec'): CheckTarget {
  return {
    name,
    batching: 'per-pte',
    run: (world) => {
      const out = spec(world);
      return { ...out, flushes: out.flushPages.map((start) => ({ start, nr: 1 })), trace: [] };
    },
  };
}
