/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * mprotect-spec shim: the x86-64 page-table entry (arch/x86/include/asm/
 * pgtable_types.h, pgtable.h, pgtable_64.h, tlbflush.h), in the LOGICAL bit
 * layout of src/pte/bits.ts: the flag bits sit at the positions bits.ts gives
 * them and the pfn sits above bit PFN_PTE_SHIFT, so a value maps back to the
 * TypeScript world without translation. pte_t, pmd_t and pgprot_t are
 * one-field structs as on x86, so integer misuse does not compile.
 * Another architecture goes in its own arch_<name>.h with the same names.
 */
#ifndef MPROTECT_SHIM_ARCH_X86_H
#define MPROTECT_SHIM_ARCH_X86_H

typedef unsigned long pteval_t;
typedef unsigned long pmdval_t;
typedef unsigned long pgprotval_t;

typedef struct { pteval_t pte; } pte_t;
typedef struct { pmdval_t pmd; } pmd_t;
typedef struct { unsigned long pud; } pud_t;
typedef struct { unsigned long p4d; } p4d_t;
typedef struct { unsigned long pgd; } pgd_t;
typedef struct pgprot { pgprotval_t pgprot; } pgprot_t;

#define pte_val(x) ((x).pte)
#define pmd_val(x) ((x).pmd)
#define pgprot_val(x) ((x).pgprot)
static inline pte_t __pte(pteval_t val) { return (pte_t){ val }; }
static inline pmd_t __pmd(pmdval_t val) { return (pmd_t){ val }; }
#define __pgprot(x) ((pgprot_t){ (x) })

/* Address geometry: x86-64 with 4 KiB pages, 512 entries per table. */
#define PAGE_SHIFT 12
#define PAGE_SIZE (1UL << PAGE_SHIFT)
#define PAGE_MASK (~(PAGE_SIZE - 1))
#define PTRS_PER_PTE 512
#define PMD_SHIFT 21
#define PMD_SIZE (1UL << PMD_SHIFT)
#define PMD_MASK (~(PMD_SIZE - 1))
#define PUD_SHIFT 30
#define PUD_SIZE (1UL << PUD_SHIFT)
#define PUD_MASK (~(PUD_SIZE - 1))
#define HPAGE_PMD_SHIFT PMD_SHIFT
#define HPAGE_PMD_ORDER (HPAGE_PMD_SHIFT - PAGE_SHIFT)
#define HPAGE_PMD_NR (1 << HPAGE_PMD_ORDER)
#define HPAGE_PMD_SIZE PMD_SIZE
#define HPAGE_PUD_NR (1 << (PUD_SHIFT - PAGE_SHIFT))

/* The pfn field (x86: bits 12..51; here above the logical flags). */
#define PFN_PTE_SHIFT 32

/* Present-PTE flag bits: positions of src/pte/bits.ts, meanings of x86-64. */
#define _PAGE_PRESENT (1UL << 0)
#define _PAGE_RW (1UL << 1)
#define _PAGE_USER (1UL << 2)
#define _PAGE_PWT (1UL << 3)
#define _PAGE_PCD (1UL << 4)
#define _PAGE_ACCESSED (1UL << 5)
#define _PAGE_DIRTY (1UL << 6)
#define _PAGE_PAT (1UL << 7)
#define _PAGE_PROTNONE (1UL << 8) /* x86: the GLOBAL position with PRESENT clear */
#define _PAGE_GLOBAL 0UL /* user mappings never carry it in the model */
#define _PAGE_SPECIAL (1UL << 9)
#define _PAGE_UFFD_WP (1UL << 10)
/* CONFIG_MEM_SOFT_DIRTY is a per-world switch: without it the bit is 0, as in the kernel. */
#define _PAGE_SOFT_DIRTY_BIT (1UL << 11)
#define _PAGE_SOFT_DIRTY (shim_mem_soft_dirty() ? _PAGE_SOFT_DIRTY_BIT : 0UL)
#define _PAGE_SAVED_DIRTY (1UL << 12)
#define _PAGE_NX (1UL << 13)
#define _PAGE_PKEY_SHIFT 14
#define _PAGE_PKEY_MASK (0xfUL << _PAGE_PKEY_SHIFT)
#define _PAGE_CC (1UL << 18)
/* PMD-only: a leaf PMD (huge page); 1 << 19 is outside every PTE flag. */
#define _PAGE_PSE (1UL << 19)
#define _PAGE_DIRTY_BITS (_PAGE_DIRTY | _PAGE_SAVED_DIRTY)
#define _PAGE_FLAGS_MASK ((1UL << 19) - 1)
#define PTE_PFN_MASK (~((1UL << PFN_PTE_SHIFT) - 1))

/* arch/x86/include/asm/pgtable_types.h _PAGE_CHG_MASK, minus the pfn field (kept apart). */
#define _PAGE_CHG_MASK (_PAGE_PCD | _PAGE_PWT | _PAGE_PAT | _PAGE_SPECIAL | _PAGE_ACCESSED | \
			_PAGE_DIRTY_BITS | _PAGE_SOFT_DIRTY_BIT | _PAGE_CC | _PAGE_UFFD_WP)

/* arch/x86/include/asm/pgtable_types.h protections, as src/pte/pgprot.ts has them. */
#define PAGE_NONE __pgprot(_PAGE_PROTNONE | _PAGE_ACCESSED)
#define PAGE_READONLY __pgprot(_PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED | _PAGE_NX)
#define PAGE_SHARED __pgprot(_PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED | _PAGE_NX)

bool shim_mem_soft_dirty(void);
#include "arch_arm64.h"

static inline pteval_t pte_flags(pte_t pte) { return pte_val(pte) & _PAGE_FLAGS_MASK; }
static inline unsigned long pte_pfn(pte_t pte) { return pte_val(pte) >> PFN_PTE_SHIFT; }
static inline pte_t pfn_pte(unsigned long pfn, pgprot_t prot)
{
	return __pte((pfn << PFN_PTE_SHIFT) | (pgprot_val(prot) & _PAGE_FLAGS_MASK));
}

/* pte_none(): all bits clear. */
static inline int pte_none(pte_t pte) { return pte_val(pte) == 0; }
/* x86 pte_present(): PRESENT or PROTNONE (PROT_NONE and NUMA-hint PTEs are present). */
static inline int pte_present(pte_t a) { return (pte_flags(a) & (_PAGE_PRESENT | _PAGE_PROTNONE)) != 0; }
/* x86 pte_protnone(): PROTNONE set, PRESENT clear. */
static inline int pte_protnone(pte_t pte)
{
	return (pte_flags(pte) & (_PAGE_PROTNONE | _PAGE_PRESENT)) == _PAGE_PROTNONE;
}
static inline bool pte_write(pte_t pte) { return (pte_flags(pte) & _PAGE_RW) != 0; }
/* x86 pte_dirty(): hardware dirty or saved dirty. */
static inline bool pte_dirty(pte_t pte) { return (pte_flags(pte) & _PAGE_DIRTY_BITS) != 0; }
static inline bool pte_young(pte_t pte) { return (pte_flags(pte) & _PAGE_ACCESSED) != 0; }
static inline bool pte_special(pte_t pte) { return (pte_flags(pte) & _PAGE_SPECIAL) != 0; }
static inline bool pte_uffd_wp(pte_t pte) { return (pte_flags(pte) & _PAGE_UFFD_WP) != 0; }
static inline bool pte_soft_dirty(pte_t pte) { return (pte_flags(pte) & _PAGE_SOFT_DIRTY) != 0; }
static inline int pte_same(pte_t a, pte_t b) { return pte_val(a) == pte_val(b); }

static inline pte_t pte_set_flags(pte_t pte, pteval_t set) { return __pte(pte_val(pte) | set); }
static inline pte_t pte_clear_flags(pte_t pte, pteval_t clear) { return __pte(pte_val(pte) & ~clear); }

/* x86 mksaveddirty_shift(): a read-only PTE keeps its dirtiness in SAVED_DIRTY. */
static inline pteval_t mksaveddirty_shift(pteval_t v)
{
	if ((v & _PAGE_RW) || !(v & _PAGE_DIRTY))
		return v;
	return (v & ~_PAGE_DIRTY) | _PAGE_SAVED_DIRTY;
}
/* x86 clear_saveddirty_shift(): a writable PTE keeps its dirtiness in DIRTY. */
static inline pteval_t clear_saveddirty_shift(pteval_t v)
{
	if (!(v & _PAGE_RW) || !(v & _PAGE_SAVED_DIRTY))
		return v;
	return (v & ~_PAGE_SAVED_DIRTY) | _PAGE_DIRTY;
}

/* x86 pte_wrprotect(): clear RW, then move DIRTY to SAVED_DIRTY. */
static inline pte_t pte_wrprotect(pte_t pte) { return __pte(mksaveddirty_shift(pte_val(pte) & ~_PAGE_RW)); }
/* x86 pte_mkwrite_novma(): set RW, SAVED_DIRTY back to DIRTY. */
static inline pte_t pte_mkwrite_novma(pte_t pte) { return __pte(clear_saveddirty_shift(pte_val(pte) | _PAGE_RW)); }
struct vm_area_struct;
/* pte_mkwrite(pte, vma): the model has no shadow-stack VMAs, so the novma form. */
static inline pte_t pte_mkwrite(pte_t pte, struct vm_area_struct *vma) { (void)vma; return pte_mkwrite_novma(pte); }
/* x86 pte_mkdirty(): DIRTY and SOFT_DIRTY, then the saved-dirty shift. */
static inline pte_t pte_mkdirty(pte_t pte)
{
	return __pte(mksaveddirty_shift(pte_val(pte) | _PAGE_DIRTY | _PAGE_SOFT_DIRTY));
}
static inline pte_t pte_mkclean(pte_t pte) { return pte_clear_flags(pte, _PAGE_DIRTY_BITS); }
static inline pte_t pte_mkyoung(pte_t pte) { return pte_set_flags(pte, _PAGE_ACCESSED); }
static inline pte_t pte_mkold(pte_t pte) { return pte_clear_flags(pte, _PAGE_ACCESSED); }
static inline pte_t pte_mksoft_dirty(pte_t pte) { return pte_set_flags(pte, _PAGE_SOFT_DIRTY); }
static inline pte_t pte_clear_soft_dirty(pte_t pte) { return pte_clear_flags(pte, _PAGE_SOFT_DIRTY_BIT); }
static inline pte_t pte_mkspecial(pte_t pte) { return pte_set_flags(pte, _PAGE_SPECIAL); }
/* x86 pte_mkuffd_wp(): set UFFD_WP and write-protect. */
static inline pte_t pte_mkuffd_wp(pte_t pte) { return pte_wrprotect(pte_set_flags(pte, _PAGE_UFFD_WP)); }
/* x86 pte_clear_uffd_wp(): only the bit; write is left to the fault path. */
static inline pte_t pte_clear_uffd_wp(pte_t pte) { return pte_clear_flags(pte, _PAGE_UFFD_WP); }

/*
 * x86 pte_modify(): keep the _PAGE_CHG_MASK bits (and the pfn), take the rest
 * from newprot, then apply the saved-dirty shift keyed on the OLD write bit.
 */
static inline pte_t pte_modify(pte_t pte, pgprot_t newprot)
{
	pteval_t val = pte_val(pte), oldval = val;
	pteval_t keep = (val & PTE_PFN_MASK) | (val & _PAGE_CHG_MASK);

	val = keep | (pgprot_val(newprot) & _PAGE_FLAGS_MASK & ~_PAGE_CHG_MASK);
	val = (oldval & _PAGE_RW) ? mksaveddirty_shift(val) : clear_saveddirty_shift(val);
	return __pte(val);
}

/* pte_pgprot(): the flag part of a PTE. */
static inline pgprot_t pte_pgprot(pte_t pte) { return __pgprot(pte_flags(pte)); }
static inline pgprot_t pgprot_modify(pgprot_t oldprot, pgprot_t newprot)
{
	return __pgprot((pgprot_val(oldprot) & _PAGE_CHG_MASK) | (pgprot_val(newprot) & ~_PAGE_CHG_MASK));
}

/* include/linux/pgtable.h pte_advance_pfn() / pte_next_pfn(), generic forms. */
static inline pte_t pte_advance_pfn(pte_t pte, unsigned long nr)
{
	return __pte(pte_val(pte) + (nr << PFN_PTE_SHIFT));
}
#define pte_advance_pfn pte_advance_pfn
static inline pte_t pte_next_pfn(pte_t pte) { return pte_advance_pfn(pte, 1); }
#define pte_next_pfn pte_next_pfn

/* pte_batch_hint(): x86 has no contiguous-PTE hint, so 1 (generic pgtable.h form). */
static inline unsigned int pte_batch_hint(pte_t *ptep, pte_t pte) { (void)ptep; (void)pte; return 1; }
#define pte_batch_hint pte_batch_hint

/*
 * x86 pte_flags_need_flush() / pte_needs_flush() (arch/x86/include/asm/
 * tlbflush.h): bits whose clearing or change a stale TLB entry could violate;
 * the software bits never need a flush.
 */
#define _PAGE_FLUSH_ON_CLEAR (_PAGE_DIRTY | _PAGE_PRESENT | _PAGE_ACCESSED)
#define _PAGE_SOFTW_FLAGS (_PAGE_SPECIAL | _PAGE_UFFD_WP | _PAGE_SOFT_DIRTY_BIT | _PAGE_SAVED_DIRTY)
#define _PAGE_FLUSH_ON_CHANGE (_PAGE_RW | _PAGE_USER | _PAGE_PWT | _PAGE_PCD | _PAGE_PAT | \
			       _PAGE_PROTNONE | _PAGE_PKEY_MASK | _PAGE_NX)
static inline bool pte_flags_need_flush(unsigned long oldflags, unsigned long newflags, bool ignore_access)
{
	unsigned long diff = oldflags ^ newflags;

	if (ignore_access)
		diff &= ~_PAGE_ACCESSED;
	diff &= ~_PAGE_SOFTW_FLAGS;
	if (!diff)
		return false;
	if (diff & oldflags & _PAGE_FLUSH_ON_CLEAR)
		return true;
	return (diff & _PAGE_FLUSH_ON_CHANGE) != 0;
}
static inline bool pte_needs_flush(pte_t oldpte, pte_t newpte)
{
	if (shim_arch_arm64())
		return shim_arm64_needs_flush(pte_val(oldpte), pte_val(newpte));
	if (!(pte_flags(oldpte) & _PAGE_PRESENT))
		return false;
	if (pte_pfn(oldpte) != pte_pfn(newpte))
		return true;
	return pte_flags_need_flush(pte_flags(oldpte), pte_flags(newpte), true);
}
/* huge_pmd_needs_flush(): the same rule, accessed not ignored. */
static inline bool huge_pmd_needs_flush(pmd_t oldpmd, pmd_t newpmd)
{
	if (shim_arch_arm64())
		return shim_arm64_needs_flush(pmd_val(oldpmd), pmd_val(newpmd));
	if (!(pmd_val(oldpmd) & _PAGE_PRESENT))
		return false;
	if ((pmd_val(oldpmd) >> PFN_PTE_SHIFT) != (pmd_val(newpmd) >> PFN_PTE_SHIFT))
		return true;
	return pte_flags_need_flush(pmd_val(oldpmd) & _PAGE_FLAGS_MASK, pmd_val(newpmd) & _PAGE_FLAGS_MASK, false);
}

/*
 * Non-present entries (arch/x86/include/asm/pgtable_64.h swap format), in
 * the model's own layout: the swap-format PTE bits sit where no present bit
 * is set (PRESENT and PROTNONE clear), the entry type above them, the
 * offset (pfn for pfn-carrying types) above PFN_PTE_SHIFT.
 */
#define _PAGE_SWP_SOFT_DIRTY_BIT (1UL << 1)
#define _PAGE_SWP_SOFT_DIRTY (shim_mem_soft_dirty() ? _PAGE_SWP_SOFT_DIRTY_BIT : 0UL)
#define _PAGE_SWP_UFFD_WP (1UL << 2)
#define _PAGE_SWP_EXCLUSIVE (1UL << 3)
#define _PAGE_SWP_MIG_YOUNG (1UL << 4) /* part of the offset in swp_entry_t */
#define _PAGE_SWP_MIG_DIRTY (1UL << 5) /* part of the offset in swp_entry_t */
#define _PAGE_SWP_TYPE_SHIFT 9
#define _PAGE_SWP_TYPE_MASK (0xfUL << _PAGE_SWP_TYPE_SHIFT)

static inline int pte_swp_soft_dirty(pte_t pte) { return (pte_val(pte) & _PAGE_SWP_SOFT_DIRTY) != 0; }
static inline pte_t pte_swp_mksoft_dirty(pte_t pte) { return __pte(pte_val(pte) | _PAGE_SWP_SOFT_DIRTY); }
static inline pte_t pte_swp_clear_soft_dirty(pte_t pte) { return __pte(pte_val(pte) & ~_PAGE_SWP_SOFT_DIRTY_BIT); }
static inline int pte_swp_uffd_wp(pte_t pte) { return (pte_val(pte) & _PAGE_SWP_UFFD_WP) != 0; }
static inline pte_t pte_swp_mkuffd_wp(pte_t pte) { return __pte(pte_val(pte) | _PAGE_SWP_UFFD_WP); }
static inline pte_t pte_swp_clear_uffd_wp(pte_t pte) { return __pte(pte_val(pte) & ~_PAGE_SWP_UFFD_WP); }
static inline int pte_swp_exclusive(pte_t pte) { return (pte_val(pte) & _PAGE_SWP_EXCLUSIVE) != 0; }

/* Huge PMDs carry the PTE's logical fields plus _PAGE_PSE (x86 pmd_* helpers). */
static inline pte_t shim_pmd_as_pte(pmd_t pmd) { return __pte(pmd_val(pmd) & ~_PAGE_PSE); }
static inline pmd_t shim_pte_as_pmd(pte_t pte) { return __pmd(pte_val(pte) | _PAGE_PSE); }
static inline unsigned long pmd_pfn(pmd_t pmd) { return pmd_val(pmd) >> PFN_PTE_SHIFT; }
static inline int pmd_none(pmd_t pmd) { return pmd_val(pmd) == 0; }
/* x86 pmd_present(): PRESENT, PROTNONE or PSE. */
static inline int pmd_present(pmd_t pmd) { return (pmd_val(pmd) & (_PAGE_PRESENT | _PAGE_PROTNONE | _PAGE_PSE)) != 0; }
static inline int pmd_trans_huge(pmd_t pmd) { return (pmd_val(pmd) & _PAGE_PSE) != 0; }
static inline int pmd_leaf(pmd_t pmd) { return pmd_trans_huge(pmd); }
static inline bool pmd_is_huge(pmd_t pmd) { return pmd_trans_huge(pmd); }
static inline int pmd_devmap(pmd_t pmd) { (void)pmd; return 0; }
static inline int is_swap_pmd(pmd_t pmd) { (void)pmd; return 0; } /* PMD softleaf entries are not modelled */
static inline int pmd_is_migration_entry(pmd_t pmd) { (void)pmd; return 0; }
static inline int pmd_protnone(pmd_t pmd) { return pte_protnone(shim_pmd_as_pte(pmd)); }
static inline bool pmd_write(pmd_t pmd) { return pte_write(shim_pmd_as_pte(pmd)); }
static inline bool pmd_dirty(pmd_t pmd) { return pte_dirty(shim_pmd_as_pte(pmd)); }
static inline bool pmd_young(pmd_t pmd) { return pte_young(shim_pmd_as_pte(pmd)); }
static inline bool pmd_soft_dirty(pmd_t pmd) { return pte_soft_dirty(shim_pmd_as_pte(pmd)); }
static inline bool pmd_uffd_wp(pmd_t pmd) { return pte_uffd_wp(shim_pmd_as_pte(pmd)); }
static inline pmd_t pmd_modify(pmd_t pmd, pgprot_t newprot) { return shim_pte_as_pmd(pte_modify(shim_pmd_as_pte(pmd), newprot)); }
static inline pmd_t pmd_mkuffd_wp(pmd_t pmd) { return shim_pte_as_pmd(pte_mkuffd_wp(shim_pmd_as_pte(pmd))); }
static inline pmd_t pmd_clear_uffd_wp(pmd_t pmd) { return shim_pte_as_pmd(pte_clear_uffd_wp(shim_pmd_as_pte(pmd))); }
static inline pmd_t pmd_mkwrite(pmd_t pmd, struct vm_area_struct *vma) { return shim_pte_as_pmd(pte_mkwrite(shim_pmd_as_pte(pmd), vma)); }

#endif /* MPROTECT_SHIM_ARCH_X86_H */
