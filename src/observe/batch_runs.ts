// SPDX-License-Identifier: GPL-2.0-only
// The batch partition a correct batched kernel uses, computed here from the
// world alone (R-BATCH.1-3), so that an allowance is never justified by the
// trace of the variant under test. A run is a maximal sequence of present
// PTEs in one table and inside the range, mapping consecutive pages of one
// large folio, equal in every bit but dirty and young.
import {
  _PAGE_ACCESSED,
  _PAGE_DIRTY_BITS,
  type Folio,
  folio_nr_pages,
  type PresentPte,
  type Pte,
  pmd_addr_end,
  pmd_of,
  vm_normal_folio,
  type World,
} from '../pte/index.js';

export interface Run {
  readonly start: number; // vpn
  readonly nr: number;
  readonly folio: Folio | null;
}

/** Bits a batch may differ in: dirty (R-BATCH.3, no FPB_RESPECT_DIRTY) and young (always ignored). */
const IGNORED_IN_BATCH = _PAGE_DIRTY_BITS | _PAGE_ACCESSED;

function joins(prev: PresentPte, next: Pte, folio: Folio): next is PresentPte {
  if (next.kind !== 'present') return false;
  if (next.pfn !== prev.pfn + 1 || next.pfn >= folio.pfn + folio_nr_pages(folio)) return false;
  return (next.flags & ~IGNORED_IN_BATCH) === (prev.flags & ~IGNORED_IN_BATCH);
}

/** Runs of frozen worlds, computed once: the relation, the trace check, the batch-aware spec and the coverage labels all ask. */
const MEMO = new WeakMap<World, readonly Run[]>();

/** Runs over the present PTEs of [range.start, range.end) that sit in PTE tables. */
export function batchRuns(world: World): readonly Run[] {
  const known = MEMO.get(world);
  if (known) return known;
  const runs = computeRuns(world);
  if (Object.isFrozen(world) && Object.isFrozen(world.ptes)) MEMO.set(world, Object.freeze(runs));
  return runs;
}

function computeRuns(world: World): Run[] {
  const runs: Run[] = [];
  const { vma, range } = world;
  let vpn = range.start;
  while (vpn < range.end) {
    const tableEnd = pmd_addr_end(vpn, range.end);
    if (pmd_of(world, vpn).kind !== 'table') {
      vpn = tableEnd;
      continue;
    }
    while (vpn < tableEnd) {
      const pte = world.ptes[vpn - vma.start] as Pte;
      if (pte.kind !== 'present') {
        vpn++;
        continue;
      }
      const folio = vm_normal_folio(world, pte);
      let nr = 1;
      if (folio && folio.order > 0) {
        let prev = pte;
        while (vpn + nr < tableEnd) {
          const next = world.ptes[vpn + nr - vma.start] as Pte;
          if (!joins(prev, next, folio)) break;
          prev = next;
          nr++;
        }
      }
      runs.push({ start: vpn, nr, folio });
      vpn += nr;
    }
  }
  return runs;
}

/** Map from vpn to the run that contains it. */
export function runIndex(runs: readonly Run[]): Map<number, Run> {
  const index = new Map<number, Run>();
  for (const run of runs) for (let k = 0; k < run.nr; k++) index.set(run.start + k, run);
  return index;
}
