/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * mprotect-spec shim: vm_area_struct and mm_struct (include/linux/mm_types.h,
 * mm.h, userfaultfd_k.h, mm/internal.h soft-dirty helpers) filled from the
 * world's Vma / MmState (src/pte/types.ts), with the VM_* and MM_CP_* values
 * of src/pte/bits.ts.
 */
#ifndef MPROTECT_SHIM_VMA_H
#define MPROTECT_SHIM_VMA_H

#define VM_NONE 0x0UL
#define VM_READ (1UL << 0)
#define VM_WRITE (1UL << 1)
#define VM_EXEC (1UL << 2)
#define VM_SHARED (1UL << 3)
#define VM_MAYREAD (1UL << 4)
#define VM_MAYWRITE (1UL << 5)
#define VM_MAYEXEC (1UL << 6)
#define VM_SOFTDIRTY (1UL << 7)
#define VM_UFFD_WP (1UL << 8)
#define VM_PFNMAP (1UL << 9)
#define VM_MIXEDMAP (1UL << 10)
#define VM_HUGETLB 0x0UL /* hugetlb VMAs are outside the model */
#define VM_ACCESS_FLAGS (VM_READ | VM_WRITE | VM_EXEC)

/* include/linux/mm.h change_protection() cp_flags. */
#define MM_CP_TRY_CHANGE_WRITABLE (1UL << 0)
#define MM_CP_PROT_NUMA (1UL << 1)
#define MM_CP_UFFD_WP (1UL << 2)
#define MM_CP_UFFD_WP_RESOLVE (1UL << 3)
#define MM_CP_UFFD_WP_ALL (MM_CP_UFFD_WP | MM_CP_UFFD_WP_RESOLVE)

struct mm_struct {
	atomic_t mm_users; /* 1: single-threaded */
};

struct vm_operations_struct { int unused; };

struct vm_area_struct {
	unsigned long vm_start, vm_end;
	struct mm_struct *vm_mm;
	pgprot_t vm_page_prot;
	vm_flags_t vm_flags;
	const struct vm_operations_struct *vm_ops; /* NULL: anonymous */
};

/* vma_is_anonymous(): no vm_ops. */
static inline bool vma_is_anonymous(struct vm_area_struct *vma) { return !vma->vm_ops; }
/* is_vm_hugetlb_page(): never in the model. */
static inline bool is_vm_hugetlb_page(struct vm_area_struct *vma) { (void)vma; return false; }
/* hugetlb_change_protection(): unreachable (hugetlb is out of scope). */
static inline long hugetlb_change_protection(struct vm_area_struct *vma, unsigned long start,
					     unsigned long end, pgprot_t newprot, unsigned long cp_flags)
{
	(void)vma; (void)start; (void)end; (void)newprot; (void)cp_flags;
	BUG();
}
/* is_cow_mapping(): private and may write. */
static inline bool is_cow_mapping(vm_flags_t flags) { return (flags & (VM_SHARED | VM_MAYWRITE)) == VM_MAYWRITE; }

/* include/linux/userfaultfd_k.h */
static inline bool userfaultfd_wp(struct vm_area_struct *vma) { return (vma->vm_flags & VM_UFFD_WP) != 0; }
static inline bool userfaultfd_pte_wp(struct vm_area_struct *vma, pte_t pte) { return userfaultfd_wp(vma) && pte_uffd_wp(pte); }
static inline bool userfaultfd_huge_pmd_wp(struct vm_area_struct *vma, pmd_t pmd) { return userfaultfd_wp(vma) && pmd_uffd_wp(pmd); }
/* userfaultfd_wp_use_markers(): registered, and file-backed or WP_UNPOPULATED. */
static inline bool userfaultfd_wp_use_markers(struct vm_area_struct *vma)
{
	if (!userfaultfd_wp(vma))
		return false;
	if (!vma_is_anonymous(vma))
		return true;
	return shim_world.uffd_wp_unpopulated;
}

/* mm/internal.h vma_soft_dirty_enabled(): built in and VM_SOFTDIRTY clear. */
static inline bool vma_soft_dirty_enabled(struct vm_area_struct *vma)
{
	if (!shim_mem_soft_dirty())
		return false;
	return !(vma->vm_flags & VM_SOFTDIRTY);
}
/* mm/internal.h pte_needs_soft_dirty_wp() / pmd_needs_soft_dirty_wp() */
static inline bool pte_needs_soft_dirty_wp(struct vm_area_struct *vma, pte_t pte)
{
	return vma_soft_dirty_enabled(vma) && !pte_soft_dirty(pte);
}
static inline bool pmd_needs_soft_dirty_wp(struct vm_area_struct *vma, pmd_t pmd)
{
	return vma_soft_dirty_enabled(vma) && !pmd_soft_dirty(pmd);
}

/*
 * vm_normal_page() (mm/memory.c): NULL for a special PTE (zero page, PFNMAP,
 * MIXEDMAP special) and for a pfn without a folio; else the page.
 */
static inline struct page *vm_normal_page(struct vm_area_struct *vma, unsigned long addr, pte_t pte)
{
	unsigned long pfn = pte_pfn(pte);

	(void)vma; (void)addr;
	shim_world.counts[SHIM_COUNT_VM_NORMAL_PAGE]++;
	if (pte_special(pte))
		return NULL;
	if (pfn < shim_world.pfn_base || pfn - shim_world.pfn_base >= shim_world.npages)
		return NULL;
	if (!shim_world.pages[pfn - shim_world.pfn_base].folio)
		return NULL;
	return &shim_world.pages[pfn - shim_world.pfn_base];
}
/* vm_normal_folio() */
static inline struct folio *vm_normal_folio(struct vm_area_struct *vma, unsigned long addr, pte_t pte)
{
	struct page *page = vm_normal_page(vma, addr, pte);

	return page ? page_folio(page) : NULL;
}
/* vm_normal_page_pmd() */
static inline struct page *vm_normal_page_pmd(struct vm_area_struct *vma, unsigned long addr, pmd_t pmd)
{
	return vm_normal_page(vma, addr, shim_pmd_as_pte(pmd));
}

#endif /* MPROTECT_SHIM_VMA_H */
