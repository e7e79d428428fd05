/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * mprotect-spec shim: struct page / struct folio queries (include/linux/mm.h,
 * page-flags.h, mm_inline.h) over the world's memmap, as src/kernel/lib/
 * memmap.ts models them.
 */
#ifndef MPROTECT_SHIM_PAGE_H
#define MPROTECT_SHIM_PAGE_H

/* pfn_to_page(): the memmap slot; the pfn must lie inside the modelled memmap. */
static inline struct page *pfn_to_page(unsigned long pfn)
{
	SHIM_ASSERT(pfn >= shim_world.pfn_base && pfn - shim_world.pfn_base < shim_world.npages,
		    "pfn_to_page: pfn outside the modelled memmap");
	return &shim_world.pages[pfn - shim_world.pfn_base];
}
/* page_to_pfn() */
static inline unsigned long page_to_pfn(const struct page *page)
{
	SHIM_ASSERT(page >= shim_world.pages && page < shim_world.pages + shim_world.npages,
		    "page_to_pfn: struct page outside the memmap");
	return shim_world.pfn_base + (unsigned long)(page - shim_world.pages);
}
/* page_folio(): the folio a page belongs to (must have one). */
static inline struct folio *page_folio(const struct page *page)
{
	page_to_pfn(page);
	shim_world.counts[SHIM_COUNT_FOLIO_LOOKUP]++;
	SHIM_ASSERT(page->folio != NULL, "page_folio: page has no folio");
	return page->folio;
}
/* folio_pfn(), folio_page(), folio_nr_pages(), folio_order() */
static inline unsigned long folio_pfn(const struct folio *folio) { return folio->pfn; }
static inline struct page *folio_page(struct folio *folio, unsigned long n) { return pfn_to_page(folio->pfn + n); }
static inline long folio_nr_pages(const struct folio *folio) { return 1L << folio->order; }
static inline unsigned int folio_order(const struct folio *folio) { return folio->order; }
static inline bool folio_test_large(const struct folio *folio) { return folio->order > 0; }
/* folio_test_anon(): KSM folios are anon too (the world says so). */
static inline bool folio_test_anon(const struct folio *folio) { return folio->anon; }
static inline bool folio_test_ksm(const struct folio *folio) { return folio->ksm; }
static inline bool folio_is_zone_device(const struct folio *folio) { return folio->zone_device; }
static inline bool folio_maybe_mapped_shared(const struct folio *folio) { return folio->mapped_shared; }
static inline bool folio_maybe_dma_pinned(const struct folio *folio) { return folio->dma_pinned; }
static inline bool folio_is_file_lru(const struct folio *folio) { return folio->file_lru; }
static inline bool folio_test_dirty(const struct folio *folio) { return folio->dirty; }
static inline int folio_nid(const struct folio *folio) { return folio->nid; }
static inline int page_to_nid(const struct page *page) { return folio_nid(page_folio(page)); }
static inline struct folio *pfn_folio(unsigned long pfn) { return page_folio(pfn_to_page(pfn)); }
/* PageAnon(): the page's folio is anonymous. */
static inline bool PageAnon(const struct page *page) { return folio_test_anon(page_folio(page)); }
/* PageAnonExclusive(): per page, not per folio. */
static inline bool PageAnonExclusive(const struct page *page)
{
	page_folio(page);
	return page->anon_exclusive;
}
/*
 * virt_addr_valid() / virt_to_page() / PageTable(): the model only needs to
 * tell page-table memory from the rest: a pointer into the world's PTE tables
 * is "a valid address on a page-table page"; nothing else is.
 */
extern struct page shim_page_table_page;
static inline bool virt_addr_valid(const void *p)
{
	return (const pte_t *)p >= shim_world.tables && (const pte_t *)p < shim_world.tables + shim_world.npmds * PTRS_PER_PTE;
}
static inline struct page *virt_to_page(const void *p) { (void)p; return &shim_page_table_page; }
static inline bool PageTable(const struct page *page) { return page == &shim_page_table_page; }

/* is_zero_pfn(): the world has no zero page. */
static inline int is_zero_pfn(unsigned long pfn) { (void)pfn; return 0; }

#endif /* MPROTECT_SHIM_PAGE_H */
