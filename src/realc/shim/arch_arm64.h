/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * mprotect-spec shim: what differs for arm64 worlds. The model keeps one
 * logical PTE layout for both architectures (src/pte/bits.ts); only the
 * flush rule differs (src/pte/tlbflush.ts): since v6.19 (c320dbb7c80d,
 * arch/arm64/include/asm/tlbflush.h) an invalid old entry never needs a
 * flush and only non-software changes do; before that arm64 used the
 * generic rule, which always flushes. The harness defines SHIM_V6_19 for
 * trees of that era (those using folio_can_map_prot_numa()).
 */
#ifndef MPROTECT_SHIM_ARCH_ARM64_H
#define MPROTECT_SHIM_ARCH_ARM64_H

bool shim_arch_arm64(void);

/* arm64 software bits in the logical layout: they never need a flush. */
#define SHIM_ARM64_SOFTWARE (_PAGE_SPECIAL | _PAGE_UFFD_WP | _PAGE_SOFT_DIRTY_BIT | _PAGE_SAVED_DIRTY)

static inline bool shim_arm64_needs_flush(pteval_t oldv, pteval_t newv)
{
#ifdef SHIM_V6_19
	if (!(oldv & _PAGE_PRESENT))
		return false;
	if ((oldv >> PFN_PTE_SHIFT) != (newv >> PFN_PTE_SHIFT))
		return true;
	return ((oldv ^ newv) & _PAGE_FLAGS_MASK & ~_PAGE_PSE & ~SHIM_ARM64_SOFTWARE) != 0;
#else
	(void)oldv; (void)newv;
	return true;
#endif
}

#endif /* MPROTECT_SHIM_ARCH_ARM64_H */
