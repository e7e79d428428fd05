// SPDX-License-Identifier: GPL-2.0-only
// Batch detection (mm/internal.h): fpb_t flags, __pte_batch_clear_ignored()
// and folio_pte_batch_flags(). R-BATCH.1-5. Read from Diangang/linux
// mm/internal.h @ 04d639618aa5abfb50cfdeee7a0d58e73969dd1a.
import type { Folio, PresentPte } from '../../pte/index.js';
import { VM_WARN_ON_FOLIO } from './bug.js';
import type { vm_area_struct } from './context.js';
import { folio_nr_pages, folio_pfn, folio_test_large } from './memmap.js';
import { count_op } from './opcount.js';
import { ptep_get } from './pgtable.js';
import {
  pte_advance_pfn,
  pte_clear_soft_dirty,
  pte_mkclean,
  pte_mkold,
  pte_pfn,
  pte_present,
  pte_same,
  pte_wrprotect,
} from './pte_ops.js';

export type fpb_t = number;
/** Compare PTEs respecting the dirty bit. */
export const FPB_RESPECT_DIRTY: fpb_t = 1 << 0;
/** Compare PTEs respecting the soft-dirty bit. */
export const FPB_RESPECT_SOFT_DIRTY: fpb_t = 1 << 1;
/** Compare PTEs respecting the writable bit. */
export const FPB_RESPECT_WRITE: fpb_t = 1 << 2;
/** Merge flags exist upstream; mprotect never passes them (R-BATCH.5), so they are not modelled. */

/** __pte_batch_clear_ignored(): young always ignored; dirty/soft-dirty/write unless respected. */
export function __pte_batch_clear_ignored(pte: PresentPte, flags: fpb_t): PresentPte {
  if (!(flags & FPB_RESPECT_DIRTY)) pte = pte_mkclean(pte);
  if (!(flags & FPB_RESPECT_SOFT_DIRTY)) pte = pte_clear_soft_dirty(pte);
  if (!(flags & FPB_RESPECT_WRITE)) pte = pte_wrprotect(pte);
  return pte_mkold(pte);
}

/** x86 pte_batch_hint() is always 1 (arm64 CONT blocks, R-BATCH.6, are not modelled). */
export const pte_batch_hint = (_ptep: number, _pte: PresentPte): number => 1;

/**
 * folio_pte_batch_flags(folio, vma, ptep, ptentp, max_nr, flags): how many
 * consecutive present PTEs from ptep map consecutive pages of `folio` and
 * equal the first after normalisation. Capped at max_nr (range / table end)
 * and at the folio end. A non-present slot ends the batch.
 *
 * MODEL: *ptentp is taken by value; without FPB_MERGE_* flags the kernel never
 * writes it back.
 */
export function folio_pte_batch_flags(
  folio: Folio,
  _vma: vm_area_struct | null,
  ptep: number,
  ptentp: PresentPte,
  max_nr: number,
  flags: fpb_t,
): number {
  count_op('folio_pte_batch');
  let pte: PresentPte = ptentp;
  VM_WARN_ON_FOLIO(!pte_present(pte), 'folio_pte_batch_flags: bad call: VM_WARN_ON_FOLIO(!pte_present(pte))');
  VM_WARN_ON_FOLIO(
    !folio_test_large(folio) || max_nr < 1,
    'folio_pte_batch_flags: bad call: VM_WARN_ON_FOLIO(!folio_test_large(folio) || max_nr < 1)',
  );
  // The first PTE must map a page of `folio` (mm/internal.h, Diangang/linux @ 04d639618aa5).
  VM_WARN_ON_FOLIO(
    pte_pfn(pte) < folio_pfn(folio) || pte_pfn(pte) >= folio_pfn(folio) + folio_nr_pages(folio),
    'folio_pte_batch_flags: bad call: VM_WARN_ON_FOLIO(page_folio(pfn_to_page(pte_pfn(pte))) != folio)',
  );

  /* A batch never runs past the folio's last page (7b08b74f3d99). */
  max_nr = Math.min(max_nr, folio_pfn(folio) + folio_nr_pages(folio) - pte_pfn(pte));

  let nr = pte_batch_hint(ptep, pte);
  let expected_pte = __pte_batch_clear_ignored(pte_advance_pfn(pte, nr), flags);
  ptep = ptep + nr;

  while (nr < max_nr) {
    const next = ptep_get(ptep);
    // MODEL: the kernel compares the raw bits; a non-present entry never equals
    // a present expected_pte, so the batch ends there.
    if (!pte_present(next)) break;
    pte = next;

    if (!pte_same(__pte_batch_clear_ignored(pte, flags), expected_pte)) break;

    const cur_nr = pte_batch_hint(ptep, pte);
    expected_pte = pte_advance_pfn(expected_pte, cur_nr);
    ptep += cur_nr;
    nr += cur_nr;
  }

  return Math.min(nr, max_nr);
}
