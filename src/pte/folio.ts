// SPDX-License-Identifier: GPL-2.0-only
// Folio and page lookups both sides need (mm/memory.c vm_normal_page(),
// include/linux/mm.h page_folio()/folio_page()). SEMANTICS §4.
import { pte_special } from './pte_ops.js';
import type { Folio, PresentPte, World } from './types.js';

export const folio_nr_pages = (folio: Folio): number => 1 << folio.order;
export const folio_test_large = (folio: Folio): boolean => folio.order > 0;

export function folio_contains_pfn(folio: Folio, pfn: number): boolean {
  return pfn >= folio.pfn && pfn < folio.pfn + folio_nr_pages(folio);
}

/** The folio whose pages include `pfn`, or null (pfn outside the memmap we model). */
export function pfn_folio(folios: readonly Folio[], pfn: number): Folio | null {
  for (const folio of folios) if (folio_contains_pfn(folio, pfn)) return folio;
  return null;
}

/**
 * vm_normal_page() then page_folio(): a special PTE (zero page, PFNMAP,
 * MIXEDMAP special) has no normal page; otherwise the folio holding the pfn.
 */
export function vm_normal_folio(world: World, pte: PresentPte): Folio | null {
  if (pte_special(pte)) return null;
  return pfn_folio(world.folios, pte.pfn);
}

/** PageAnonExclusive() of the page at `pfn` inside `folio`. */
export function page_anon_exclusive(folio: Folio, pfn: number): boolean {
  return folio.anonExclusive[pfn - folio.pfn] === true;
}
