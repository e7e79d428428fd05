/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * mprotect-spec shim: the huge-PMD path, which lives in mm/huge_memory.c,
 * outside the three files the extractor reads: change_huge_pmd(),
 * can_change_pmd_writable() and __split_huge_pmd(), following
 * src/kernel/lib/huge_memory.ts. The NUMA skip has two forms: v6.16/v6.17
 * (top-tier test and access-time stamp only) and late 2025 on
 * (folio_can_map_prot_numa()); the harness defines SHIM_HUGE_NUMA_V6_19 when
 * the tree uses the newer helper.
 */
#ifndef MPROTECT_SHIM_HUGE_PMD_H
#define MPROTECT_SHIM_HUGE_PMD_H

static inline struct folio *pmd_folio(pmd_t pmd) { return pfn_folio(pmd_pfn(pmd)); }
/* is_huge_zero_pmd(): the world has no huge zero page. */
static inline bool is_huge_zero_pmd(pmd_t pmd) { (void)pmd; return false; }

/* can_change_pmd_writable(): the PTE rules on the head page. */
static inline bool can_change_pmd_writable(struct vm_area_struct *vma, unsigned long addr, pmd_t pmd)
{
	struct page *page;

	if (WARN_ON_ONCE(!(vma->vm_flags & VM_WRITE)))
		return false;
	if (pmd_protnone(pmd))
		return false;
	if (pmd_needs_soft_dirty_wp(vma, pmd))
		return false;
	if (userfaultfd_huge_pmd_wp(vma, pmd))
		return false;
	if (!(vma->vm_flags & VM_SHARED)) {
		page = vm_normal_page_pmd(vma, addr, pmd);
		return page && PageAnon(page) && PageAnonExclusive(page);
	}
	return pmd_dirty(pmd);
}

/* The PROT_NUMA skip of change_huge_pmd(): true means leave the PMD alone. */
static inline bool shim_huge_pmd_numa_skip(struct vm_area_struct *vma, pmd_t pmd)
{
	struct folio *folio;

	if (is_huge_zero_pmd(pmd))
		return true;
	if (pmd_protnone(pmd))
		return true;
	folio = pmd_folio(pmd);
#ifdef SHIM_HUGE_NUMA_V6_19
	return !folio_can_map_prot_numa(folio, vma, vma_is_single_threaded_private(vma));
#else
	(void)vma;
	if (!(sysctl_numa_balancing_mode & NUMA_BALANCING_NORMAL) && node_is_toptier(folio_nid(folio)))
		return true;
	if (folio_use_access_time(folio))
		folio_xchg_access_time(folio, jiffies_to_msecs(jiffies));
	return false;
#endif
}

/* change_huge_pmd(): 0 when the PMD is no longer huge, 1 when skipped, HPAGE_PMD_NR when changed. */
static inline int change_huge_pmd(struct mmu_gather *tlb, struct vm_area_struct *vma, pmd_t *pmd,
				  unsigned long addr, pgprot_t newprot, unsigned long cp_flags)
{
	bool prot_numa = cp_flags & MM_CP_PROT_NUMA;
	bool uffd_wp = cp_flags & MM_CP_UFFD_WP;
	bool uffd_wp_resolve = cp_flags & MM_CP_UFFD_WP_RESOLVE;
	pmd_t oldpmd, entry;

	tlb_change_page_size(tlb, HPAGE_PMD_SIZE);
	if (!pmd_trans_huge(shim_pmdp_get(pmd)))
		return 0;
	if (prot_numa && shim_huge_pmd_numa_skip(vma, shim_pmdp_get(pmd)))
		return 1;
	oldpmd = shim_pmdp_get(pmd);
	entry = pmd_modify(oldpmd, newprot);
	if (uffd_wp)
		entry = pmd_mkuffd_wp(entry);
	else if (uffd_wp_resolve)
		entry = pmd_clear_uffd_wp(entry);
	if ((cp_flags & MM_CP_TRY_CHANGE_WRITABLE) && !pmd_write(entry) && can_change_pmd_writable(vma, addr, entry))
		entry = pmd_mkwrite(entry, vma);
	set_pmd_at(vma->vm_mm, addr, pmd, entry);
	if (huge_pmd_needs_flush(oldpmd, entry))
		tlb_flush_pmd_range(tlb, addr, HPAGE_PMD_SIZE);
	return HPAGE_PMD_NR;
}

/*
 * __split_huge_pmd() (freeze false): a file-backed PMD is zapped (left none);
 * an anonymous one becomes a PTE table built from vm_page_prot plus the
 * PMD's write/young/dirty/soft-dirty/uffd-wp, and the head page's
 * PageAnonExclusive spreads to every page. The argument list changed across
 * versions (a folio argument came and went): the variadic form takes both.
 */
void shim_split_huge_pmd(struct vm_area_struct *vma, pmd_t *pmd, unsigned long address);
#define __split_huge_pmd(vma, pmd, address, ...) shim_split_huge_pmd((vma), (pmd), (address))
#define split_huge_pmd(vma, pmd, address) shim_split_huge_pmd((vma), (pmd), (address))

#endif /* MPROTECT_SHIM_HUGE_PMD_H */
