// SPDX-License-Identifier: GPL-2.0-only
// The batch-aware spec (SEMANTICS §11, "a cleaner option"): the per-entry
// rules applied after the batch partition and the A/D merge of R-PRES.3.
// A correct batched model equals it exactly.
import {
  deepFreeze,
  MM_CP_PROT_NUMA,
  type PresentPte,
  type Pte,
  pte_advance_pfn,
  pte_dirty,
  pte_mkdirty,
  pte_mkyoung,
  pte_same,
  pte_young,
  type SpecOutcome,
  type World,
} from '../pte/index.js';
import { batchRuns } from './batch_runs.js';

/** The spec entry point, injected so this layer depends on neither side. */
export type SpecFn = (world: World) => SpecOutcome;

/**
 * R-PRES.3 modify_prot_start_ptes(): the first PTE, with pte_mkdirty() for
 * every later dirty PTE and pte_mkyoung() for every later young one (x86
 * pte_mkdirty() also sets soft-dirty: Δ3).
 */
export function mergeBatch(world: World, members: readonly PresentPte[]): PresentPte {
  let merged = members[0] as PresentPte;
  for (const pte of members.slice(1)) {
    if (pte_dirty(pte)) merged = pte_mkdirty(merged, world.config);
    if (pte_young(pte)) merged = pte_mkyoung(merged);
  }
  return merged;
}

/**
 * The world as the per-entry rules see it after each batch's A/D merge; the
 * same world object when no batch has n >= 2. `known` is spec(world) when the
 * caller has it already (only read under PROT_NUMA).
 */
export function mergedWorld(world: World, spec: SpecFn, known?: SpecOutcome): World {
  const runs = batchRuns(world).filter((run) => run.nr > 1);
  if (runs.length === 0) return world;
  const numa = (world.cp_flags & MM_CP_PROT_NUMA) !== 0;
  const plain = numa ? (known ?? spec(world)) : undefined;
  const ptes: Pte[] = [...world.ptes];
  for (const run of runs) {
    const i0 = run.start - world.vma.start;
    // A NUMA-skipped batch is left alone: under PROT_NUMA a processed PTE always changes (INV-8).
    if (plain && pte_same(plain.ptes[i0] as Pte, world.ptes[i0] as Pte)) continue;
    const merged = mergeBatch(world, ptes.slice(i0, i0 + run.nr) as PresentPte[]);
    for (let k = 0; k < run.nr; k++) ptes[i0 + k] = pte_advance_pfn(merged, k);
  }
  return deepFreeze({ ...world, ptes });
}

/** The outcome a correct batched implementation must produce exactly. */
export function batchAwareSpec(world: World, spec: SpecFn, known?: SpecOutcome): SpecOutcome {
  const merged = mergedWorld(world, spec, known);
  return merged === world && known ? known : spec(merged);
}
