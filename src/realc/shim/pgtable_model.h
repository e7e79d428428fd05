/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * mprotect-spec shim: page-table access (include/linux/pgtable.h, mm.h,
 * arch/x86 pgtable.h), the mmu_gather (include/asm-generic/tlb.h), lazy MMU
 * mode and mmu notifiers, over the world's PMD slots and PTE tables, as
 * src/kernel/lib/pgtable.ts, pmd.ts and mmu_gather.ts model them. The
 * levels above the PMD are folded: every one is present and one entry wide.
 * Every PTE access is checked: the pointer stays in its table and in the
 * VMA, the table lock is held, the address matches the pointer.
 */
#ifndef MPROTECT_SHIM_PGTABLE_MODEL_H
#define MPROTECT_SHIM_PGTABLE_MODEL_H

#define pte_index(addr) (((addr) >> PAGE_SHIFT) & (PTRS_PER_PTE - 1))
#define pmd_index(addr) ((addr) >> PMD_SHIFT)

/* Folded upper levels: a single always-present entry each. */
extern pgd_t shim_pgd;
extern p4d_t shim_p4d;
extern pud_t shim_pud;
static inline pgd_t *pgd_offset(struct mm_struct *mm, unsigned long addr) { (void)mm; (void)addr; return &shim_pgd; }
static inline p4d_t *p4d_offset(pgd_t *pgd, unsigned long addr) { (void)pgd; (void)addr; return &shim_p4d; }
static inline pud_t *pud_offset(p4d_t *p4d, unsigned long addr) { (void)p4d; (void)addr; return &shim_pud; }
#define pgd_addr_end(addr, end) (end)
#define p4d_addr_end(addr, end) (end)
#define pud_addr_end(addr, end) (end)
static inline int pgd_none_or_clear_bad(pgd_t *pgd) { (void)pgd; return 0; }
static inline int p4d_none_or_clear_bad(p4d_t *p4d) { (void)p4d; return 0; }
static inline int pud_none_or_clear_bad(pud_t *pud) { (void)pud; return 0; }
static inline pud_t pudp_get(pud_t *pudp) { return *pudp; }
static inline int pud_none(pud_t pud) { (void)pud; return 0; }
static inline int pud_leaf(pud_t pud) { (void)pud; return 0; }
static inline int pud_trans_huge(pud_t pud) { (void)pud; return 0; }
static inline int pud_devmap(pud_t pud) { (void)pud; return 0; }
static inline int pud_present(pud_t pud) { (void)pud; return 1; }
static inline p4d_t *p4d_alloc(struct mm_struct *mm, pgd_t *pgd, unsigned long addr) { (void)mm; return p4d_offset(pgd, addr); }
static inline pud_t *pud_alloc(struct mm_struct *mm, p4d_t *p4d, unsigned long addr) { (void)mm; return pud_offset(p4d, addr); }
struct mmu_gather;
/* PUD-level huge pages are not modelled: pud_leaf() is always false. */
static inline void __split_huge_pud(struct vm_area_struct *vma, pud_t *pud, unsigned long address)
{
	(void)vma; (void)pud; (void)address;
	BUG();
}
static inline int change_huge_pud(struct mmu_gather *tlb, struct vm_area_struct *vma, pud_t *pudp,
				  unsigned long addr, pgprot_t newprot, unsigned long cp_flags)
{
	(void)tlb; (void)vma; (void)pudp; (void)addr; (void)newprot; (void)cp_flags;
	BUG();
}

/* pmd_addr_end(): the next PMD boundary, capped at end. */
static inline unsigned long pmd_addr_end(unsigned long addr, unsigned long end)
{
	unsigned long boundary = (addr + PMD_SIZE) & PMD_MASK;

	return (boundary - 1 < end - 1) ? boundary : end;
}
#define pmd_addr_end pmd_addr_end
/* pmd_offset(): the world's PMD slot for addr. */
static inline pmd_t *pmd_offset(pud_t *pud, unsigned long addr)
{
	unsigned long i = pmd_index(addr) - shim_world.pmd_base;

	(void)pud;
	SHIM_ASSERT(pmd_index(addr) >= shim_world.pmd_base && i < shim_world.npmds, "pmd_offset: address outside the VMA's PMD span");
	return &shim_world.pmds[i];
}
static inline pmd_t *pmd_alloc(struct mm_struct *mm, pud_t *pud, unsigned long addr) { (void)mm; return pmd_offset(pud, addr); }
/* pmdp_get() / pmdp_get_lockless() */
static inline pmd_t shim_pmdp_get(pmd_t *pmdp) { shim_check_pmdp(pmdp, "pmdp_get"); return *pmdp; }
#define pmdp_get(pmdp) SHIM_AT(shim_pmdp_get(pmdp))
static inline pmd_t pmdp_get_lockless(pmd_t *pmdp) { return shim_pmdp_get(pmdp); }
/* The value of a PMD that points to a PTE table (x86 _PAGE_TABLE, no PSE). */
#define SHIM_PMD_TABLE (_PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED | _PAGE_DIRTY)
static inline int pmd_bad(pmd_t pmd) { return !pmd_none(pmd) && !pmd_trans_huge(pmd) && pmd_val(pmd) != SHIM_PMD_TABLE; }
static inline int pmd_none_or_clear_bad(pmd_t *pmd) { return pmd_none(shim_pmdp_get(pmd)); }
static inline int pmd_none_or_trans_huge_or_clear_bad(pmd_t *pmd)
{
	pmd_t v = shim_pmdp_get(pmd);

	return pmd_none(v) || pmd_trans_huge(v);
}
static inline void set_pmd_at(struct mm_struct *mm, unsigned long addr, pmd_t *pmdp, pmd_t pmd)
{
	(void)mm; (void)addr;
	shim_check_pmdp(pmdp, "set_pmd_at");
	*pmdp = pmd;
}
/* pte_alloc(): give a none PMD an empty PTE table; allocation never fails (0). */
static inline int pte_alloc(struct mm_struct *mm, pmd_t *pmd)
{
	(void)mm;
	if (pmd_none(shim_pmdp_get(pmd))) {
		unsigned long j = shim_check_pmdp(pmd, "pte_alloc");

		for (unsigned long k = 0; k < PTRS_PER_PTE; k++)
			shim_world.tables[j * PTRS_PER_PTE + k] = __pte(0);
		*pmd = __pmd(SHIM_PMD_TABLE);
	}
	return 0;
}

/* pte_offset_map_lock(): the PTE for addr with the table lock held, or NULL without a table. */
static inline pte_t *shim_pte_offset_map_lock(struct mm_struct *mm, pmd_t *pmd, unsigned long addr, spinlock_t **ptlp)
{
	static spinlock_t ptl;
	unsigned long j = shim_check_pmdp(pmd, "pte_offset_map_lock");

	(void)mm;
	SHIM_ASSERT(pmd == pmd_offset(NULL, addr), "pte_offset_map_lock: addr is not under this PMD");
	if (pmd_val(*pmd) != SHIM_PMD_TABLE)
		return NULL;
	SHIM_ASSERT(!shim_world.ptl_held, "pte_offset_map_lock: PTE table lock taken twice");
	shim_world.ptl_held = 1;
	ptl.held = 1;
	*ptlp = &ptl;
	return &shim_world.tables[j * PTRS_PER_PTE + pte_index(addr)];
}
#define pte_offset_map_lock(mm, pmd, addr, ptlp) SHIM_AT(shim_pte_offset_map_lock((mm), (pmd), (addr), (ptlp)))
/* pte_unmap_unlock(): drops the lock; the pointer must still be in the table. */
static inline void shim_pte_unmap_unlock(pte_t *pte, spinlock_t *ptl)
{
	shim_check_ptep(pte, "pte_unmap_unlock");
	SHIM_ASSERT(shim_world.ptl_held && ptl && ptl->held, "pte_unmap_unlock without the lock");
	ptl->held = 0;
	shim_world.ptl_held = 0;
}
#define pte_unmap_unlock(pte, ptl) SHIM_AT_VOID(shim_pte_unmap_unlock((pte), (ptl)))
#define pte_unmap(pte) ((void)(pte))

/* ptep_get(): read a PTE under the lock. */
static inline pte_t shim_ptep_get(pte_t *ptep)
{
	shim_check_ptep(ptep, "ptep_get");
	SHIM_ASSERT(shim_world.ptl_held, "ptep_get without the PTE table lock");
	return *ptep;
}
#define ptep_get(ptep) (shim_world.counts[SHIM_COUNT_PTEP_GET]++, SHIM_AT(shim_ptep_get(ptep)))
static inline pte_t ptep_get_lockless(pte_t *ptep) { return shim_ptep_get(ptep); }
/* set_pte_at(): store a PTE under the lock, at the address the pointer stands for. */
static inline void shim_set_pte_at(struct mm_struct *mm, unsigned long addr, pte_t *ptep, pte_t pte)
{
	unsigned long vpn = shim_check_ptep(ptep, "set_pte_at");

	(void)mm;
	SHIM_ASSERT(shim_world.ptl_held, "set_pte_at without the PTE table lock");
	SHIM_ASSERT(vpn == addr >> PAGE_SHIFT, "set_pte_at: address and pte pointer disagree");
	*ptep = pte;
}
#define set_pte_at(mm, addr, ptep, pte) \
	((void)shim_world.counts[SHIM_COUNT_SET_PTE_AT]++, SHIM_AT_VOID(shim_set_pte_at((mm), (addr), (ptep), (pte))))
/* set_ptes(): nr consecutive PTEs, pfn advancing by one. */
static inline void set_ptes(struct mm_struct *mm, unsigned long addr, pte_t *ptep, pte_t pte, unsigned int nr)
{
	for (;;) {
		shim_set_pte_at(mm, addr, ptep, pte);
		if (--nr == 0)
			break;
		ptep++;
		addr += PAGE_SIZE;
		pte = pte_next_pfn(pte);
	}
}
static inline void shim_pte_clear(struct mm_struct *mm, unsigned long addr, pte_t *ptep) { shim_set_pte_at(mm, addr, ptep, __pte(0)); }
#define pte_clear(mm, addr, ptep) SHIM_AT_VOID(shim_pte_clear((mm), (addr), (ptep)))
/* ptep_get_and_clear(): x86 native xchg with 0. */
static inline pte_t ptep_get_and_clear(struct mm_struct *mm, unsigned long addr, pte_t *ptep)
{
	pte_t old = shim_ptep_get(ptep);

	shim_pte_clear(mm, addr, ptep);
	return old;
}

/*
 * x86 ptep_modify_prot_start(): get and clear, so the hardware cannot set
 * A/D behind our back. MODEL: also opens or extends the traced batch.
 */
static inline pte_t shim_ptep_modify_prot_start(struct vm_area_struct *vma, unsigned long addr, pte_t *ptep)
{
	pte_t old = shim_ptep_get(ptep);

	SHIM_ASSERT(pte_present(old), "ptep_modify_prot_start on a non-present PTE");
	shim_record_start(ptep);
	shim_pte_clear(vma->vm_mm, addr, ptep);
	return old;
}
#define ptep_modify_prot_start(vma, addr, ptep) \
	(shim_world.counts[SHIM_COUNT_PROT_START]++, SHIM_AT(shim_ptep_modify_prot_start((vma), (addr), (ptep))))
/* x86 ptep_modify_prot_commit(): a plain store. MODEL: records the committed run. */
static inline void shim_ptep_modify_prot_commit(struct vm_area_struct *vma, unsigned long addr, pte_t *ptep,
					   pte_t old_pte, pte_t pte)
{
	shim_record_commit(ptep, old_pte, pte);
	shim_set_pte_at(vma->vm_mm, addr, ptep, pte);
}
#define ptep_modify_prot_commit(vma, addr, ptep, old_pte, pte)     \
	((void)shim_world.counts[SHIM_COUNT_PROT_COMMIT]++, \
	 SHIM_AT_VOID(shim_ptep_modify_prot_commit((vma), (addr), (ptep), (old_pte), (pte))))

/* Lazy MMU mode (old and new names): only the depth is watched. */
static inline void arch_enter_lazy_mmu_mode(void) { shim_world.lazy_mmu_depth++; }
static inline void arch_leave_lazy_mmu_mode(void) { shim_world.lazy_mmu_depth--; }
static inline void lazy_mmu_mode_enable(void) { shim_world.lazy_mmu_depth++; }
static inline void lazy_mmu_mode_disable(void) { shim_world.lazy_mmu_depth--; }
static inline void flush_tlb_batched_pending(struct mm_struct *mm) { (void)mm; }
static inline void flush_cache_range(struct vm_area_struct *vma, unsigned long start, unsigned long end)
{
	(void)vma; (void)start; (void)end;
}
static inline void inc_tlb_flush_pending(struct mm_struct *mm) { (void)mm; }
static inline void dec_tlb_flush_pending(struct mm_struct *mm) { (void)mm; }

/* include/linux/mmu_notifier.h: only the nesting depth is watched. */
enum mmu_notifier_event { MMU_NOTIFY_UNMAP = 0, MMU_NOTIFY_CLEAR, MMU_NOTIFY_PROTECTION_VMA, MMU_NOTIFY_PROTECTION_PAGE };
struct mmu_notifier_range { unsigned long start, end; };
static inline void shim_mmu_notifier_range_init(struct mmu_notifier_range *r, unsigned long start, unsigned long end)
{
	r->start = start;
	r->end = end;
}
/* mmu_notifier_range_init(range, event, flags, mm, start, end) */
#define mmu_notifier_range_init(range, event, flags, mm, start, end) \
	shim_mmu_notifier_range_init((range), (start), (end))
static inline void mmu_notifier_invalidate_range_start(struct mmu_notifier_range *r) { (void)r; shim_world.notifier_depth++; }
static inline void mmu_notifier_invalidate_range_end(struct mmu_notifier_range *r) { (void)r; shim_world.notifier_depth--; }

/* include/linux/vm_event_item.h NUMA counters: not observed. */
enum vm_event_item { NUMA_PTE_UPDATES, NUMA_HUGE_PTE_UPDATES, NUMA_HINT_FAULTS };
#define count_vm_numa_events(item, delta) do { (void)(item); (void)(delta); } while (0)
#define count_vm_numa_event(item) do { (void)(item); } while (0)

/*
 * struct mmu_gather (include/asm-generic/tlb.h), reduced to the observable:
 * the ordered tlb_flush_pte_range()/tlb_flush_pmd_range() calls.
 */
struct mmu_gather { struct mm_struct *mm; };
static inline void tlb_flush_pte_range(struct mmu_gather *tlb, unsigned long address, unsigned long size)
{
	(void)tlb;
	shim_record_flush(address, size);
}
static inline void tlb_flush_pmd_range(struct mmu_gather *tlb, unsigned long address, unsigned long size)
{
	(void)tlb;
	shim_record_flush(address, size);
}
static inline void tlb_change_page_size(struct mmu_gather *tlb, unsigned int page_size) { (void)tlb; (void)page_size; }
static inline void tlb_start_vma(struct mmu_gather *tlb, struct vm_area_struct *vma) { (void)tlb; (void)vma; }
static inline void tlb_end_vma(struct mmu_gather *tlb, struct vm_area_struct *vma) { (void)tlb; (void)vma; }

#endif /* MPROTECT_SHIM_PGTABLE_MODEL_H */
