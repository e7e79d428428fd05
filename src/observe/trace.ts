// INV-19: the variant's own batch trace is well formed. Checked against the
// world, not against the spec.
import {
  folio_nr_pages,
  type KernelOutcome,
  type PresentPte,
  type Pte,
  page_anon_exclusive,
  pmd_index_of,
  pmd_of,
  VM_SHARED,
  vm_normal_folio,
  type World,
} from '../pte/index.js';
import { batchRuns, runIndex } from './batch_runs.js';
import type { Mismatch } from './mismatch.js';

export function checkTrace(world: World, kern: KernelOutcome): Mismatch[] {
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
