// SPDX-License-Identifier: GPL-2.0-only
// INV-19: the variant's own batch trace is well formed and complete. Checked
// against the world, not against the spec: every batch lies where a batch can
// lie, and (for batched targets) every PTE-table slot whose present entry the
// call changed, or whose page it flushed, lies in a committed batch, so a
// candidate cannot pass by returning no trace.
import {
  folio_nr_pages,
  type KernelOutcome,
  type PresentPte,
  type Pte,
  page_anon_exclusive,
  pmd_index_of,
  pmd_of,
  pte_same,
  VM_SHARED,
  vm_normal_folio,
  type World,
} from '../pte/index.js';
import { batchRuns, runIndex } from './batch_runs.js';
import { flushedPages } from './compare_common.js';
import type { Mismatch } from './mismatch.js';

/**
 * INV-19 for one outcome. `batching` is the target's: a per-PTE target (the
 * spec as a target among them) has no batch trace to be complete, so only the
 * batches it does report are checked.
 */
export function checkTrace(world: World, kern: KernelOutcome, batching: 'per-pte' | 'batched' = 'batched'): Mismatch[] {
  const out = checkBatches(world, kern);
  if (batching === 'batched') out.push(...checkComplete(world, kern));
  return out;
}

/**
 * Completeness: change_pte_range() commits every present PTE it modifies, and
 * flushes only through a committed run (prot_commit_flush_ptes(), mm/mprotect.c
 * since v6.17), so each such slot must lie in a traced 'commit' batch. Slots
 * under a huge PMD before the call are left out: change_huge_pmd() and the
 * split have their own paths (R-WALK.3). One mismatch, at the first slot.
 */
function checkComplete(world: World, kern: KernelOutcome): Mismatch[] {
  const committed = new Set<number>();
  for (const batch of kern.trace)
    if (batch.action === 'commit') for (let k = 0; k < batch.nr; k++) committed.add(batch.start + k);
  const flushed = flushedPages(kern);
  const missing: number[] = [];
  for (let vpn = world.range.start; vpn < world.range.end; vpn++) {
    if (pmd_of(world, vpn).kind !== 'table') continue;
    const i = vpn - world.vma.start;
    const [b, a] = [world.ptes[i], kern.ptes[i]] as [Pte, Pte | undefined];
    if (b.kind !== 'present') continue;
    const changed = a === undefined || !pte_same(a, b);
    if ((changed || flushed.has(vpn)) && !committed.has(vpn)) missing.push(vpn);
  }
  if (missing.length === 0) return [];
  const vpn = missing[0] as number;
  const i = vpn - world.vma.start;
  return [
    {
      rule: 'INV-19',
      vpn,
      message: `${missing.length} changed or flushed present PTE(s) lie in no committed batch of the trace`,
      before: world.ptes[i],
      ...(kern.ptes[i] ? { variant: kern.ptes[i] } : {}),
    },
  ];
}

function checkBatches(world: World, kern: KernelOutcome): Mismatch[] {
  const out: Mismatch[] = [];
  const runs = runIndex(batchRuns(world));
  const bad = (vpn: number, message: string) => out.push({ rule: 'INV-19', vpn, message });
  for (const batch of kern.trace) {
    const { start, nr } = batch;
    if (nr < 1) {
      bad(start, `batch of length ${nr}`);
      continue;
    }
    if (start < world.range.start || start + nr > world.range.end) bad(start, 'batch leaves the range');
    // A first slot outside the VMA has no entry to check the rest against (and may lie outside its PMDs).
    if (start < world.vma.start || start >= world.vma.end) continue;
    if (pmd_index_of(start) !== pmd_index_of(start + nr - 1)) bad(start, 'batch crosses a PTE-table boundary');
    if (pmd_of(world, start).kind === 'huge') continue; // PTEs made by a split: no before-value to check against
    const first = world.ptes[start - world.vma.start] as Pte | undefined;
    if (first?.kind !== 'present') {
      bad(start, 'batch starts on a non-present slot');
      continue;
    }
    const folio = vm_normal_folio(world, first);
    if (nr > 1 && (!folio || first.pfn + nr > folio.pfn + folio_nr_pages(folio))) bad(start, 'batch leaves its folio');
    if (batch.action !== 'commit') continue; // skips are sized without respect flags (R-BATCH.4; B skips PROT_NONE that way too)
    const run = runs.get(start);
    if (!run || start + nr > run.start + run.nr) bad(start, `batch of ${nr} is not inside one batchable run`);
    let covered = 0;
    for (const sub of batch.subRuns) {
      if (sub.idx !== covered) bad(start + sub.idx, 'sub-runs do not tile the batch');
      covered = sub.idx + sub.len;
    }
    if (batch.action === 'commit' && covered !== nr) bad(start, 'sub-runs do not cover the batch');
    const isPrivate = (world.vma.flags & VM_SHARED) === 0;
    for (const sub of batch.subRuns) {
      if (!sub.setWrite || !isPrivate) continue;
      for (let k = sub.idx; k < sub.idx + sub.len; k++) {
        const pfn = (first as PresentPte).pfn + k;
        if (!folio || !page_anon_exclusive(folio, pfn))
          bad(start + k, 'set_write on a page that is not PageAnonExclusive (R-WR.4)');
      }
    }
    if (batch.subRuns.length > 1 && folio) {
      for (const sub of batch.subRuns.slice(1)) {
        const pfn = (first as PresentPte).pfn + sub.idx;
        if (page_anon_exclusive(folio, pfn) === page_anon_exclusive(folio, pfn - 1))
          bad(start + sub.idx, 'sub-run split without a PageAnonExclusive change');
      }
    }
  }
  return out;
}
