// SPDX-License-Identifier: GPL-2.0-only
// struct page / struct folio lookups (mm/memory.c vm_normal_page(),
// include/linux/mm.h, page-flags.h). MODEL: a `struct page *` is its pfn and
// resolves against the run's memmap copy (context.ts), so `first_page + idx`
// reads as in C. Folio facts are SEMANTICS §4.
import { type Folio, folio_nr_pages, type PresentPte, pfn_folio, pte_special } from '../../pte/index.js';
import { ZERO_PFN } from '../../pte/types.js';
import { VM_BUG_ON_PGFLAGS } from './bug.js';
import { current_mm, type vm_area_struct } from './context.js';
import { count_op } from './opcount.js';

export type page_t = number;

/** pfn_to_page() then page_folio(); null when the pfn is outside the modelled memmap. */
export function pfn_to_folio(pfn: number): Folio | null {
  count_op('folio_lookup');
  return pfn_folio(current_mm().folios, pfn);
}

/**
 * vm_normal_page(vma, addr, pte): NULL for special PTEs (zero page, PFNMAP,
 * MIXEDMAP special) and for pfns outside the memmap; else the page.
 */
export function vm_normal_page(_vma: vm_area_struct, _addr: number, pte: PresentPte): page_t | null {
  count_op('vm_normal_page');
  if (pte_special(pte)) return null;
  return pfn_to_folio(pte.pfn) === null ? null : pte.pfn;
}

/** vm_normal_folio(vma, addr, pte) */
export function vm_normal_folio(vma: vm_area_struct, addr: number, pte: PresentPte): Folio | null {
  const page = vm_normal_page(vma, addr, pte);
  return page === null ? null : page_folio(page);
}

/** page_folio(page) */
export function page_folio(page: page_t): Folio {
  const folio = pfn_to_folio(page);
  if (folio === null) throw new Error(`page_folio: pfn ${page} has no folio`);
  return folio;
}

/** folio_page(folio, n) */
export const folio_page = (folio: Folio, n: number): page_t => folio.pfn + n;
export const folio_pfn = (folio: Folio): number => folio.pfn;
export { folio_nr_pages };
export const folio_test_large = (folio: Folio): boolean => folio.order > 0;
export const folio_test_anon = (folio: Folio): boolean => folio.anon;
export const folio_test_ksm = (folio: Folio): boolean => folio.ksm;
export const folio_is_zone_device = (folio: Folio): boolean => folio.zoneDevice;
export const folio_maybe_mapped_shared = (folio: Folio): boolean => folio.maybeMappedShared;
export const folio_maybe_dma_pinned = (folio: Folio): boolean => folio.maybeDmaPinned;
export const folio_is_file_lru = (folio: Folio): boolean => folio.fileLru;
export const folio_test_dirty = (folio: Folio): boolean => folio.dirty;
export const folio_nid = (folio: Folio): number => folio.nid;

/** PageAnon(page) */
export const PageAnon = (page: page_t): boolean => page_folio(page).anon;

/**
 * PageAnonExclusive(page): per page, not per folio (R-WR.4). Asking it of a
 * page that is not anon is a kernel BUG (include/linux/page-flags.h, Diangang/linux
 * @ fe1d7c969852): PG_anon_exclusive shares its bit with PG_mappedtodisk, so on
 * a page-cache page the answer would be a filesystem flag, not exclusivity.
 */
export function PageAnonExclusive(page: page_t): boolean {
  VM_BUG_ON_PGFLAGS(!PageAnon(page), page, 'VM_BUG_ON_PGFLAGS(!PageAnon(page)) in PageAnonExclusive()');
  const folio = page_folio(page);
  return folio.anonExclusive[page - folio.pfn] === true;
}

/**
 * SetPageAnonExclusive() for every page of a folio (the __split_huge_pmd()
 * propagation). MODEL: replaces the folio in the run's memmap copy.
 */
export function folio_set_all_anon_exclusive(folio: Folio, exclusive: boolean): void {
  const mm = current_mm();
  const i = mm.folios.findIndex((f) => f.pfn === folio.pfn);
  mm.folios[i] = { ...folio, anonExclusive: new Array<boolean>(folio_nr_pages(folio)).fill(exclusive) };
}

/** is_zero_pfn(pfn): the 4 KiB zero page (include/linux/pgtable.h). */
export const is_zero_pfn = (pfn: number): boolean => pfn === ZERO_PFN;
