/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * mprotect-spec shim: non-present ("softleaf") entries, one leaf model
 * (src/pte/softleaf.ts) under three vocabularies:
 *   - v6.16-v6.17 include/linux/swapops.h: swp_entry_t, is_*_entry(), pte markers;
 *   - late-2025 linux-next: leaf_entry_t, leafent_*();
 *   - 2026 include/linux/leafops.h: softleaf_t, softleaf_*().
 * swp_entry_t layout (ours): type above SWP_TYPE_SHIFT, offset below; a
 * migration entry's young/dirty live inside the offset, as in the kernel,
 * so rebuilding an entry from swp_offset() keeps them.
 */
#ifndef MPROTECT_SHIM_SOFTLEAF_H
#define MPROTECT_SHIM_SOFTLEAF_H

typedef struct { unsigned long val; } swp_entry_t;
typedef swp_entry_t softleaf_t;
typedef swp_entry_t leaf_entry_t;
typedef unsigned long pte_marker;

/* Entry types, in the order src/pte/types.ts SoftleafType lists them (0: none). */
enum softleaf_type {
	SOFTLEAF_NONE = 0,
	SOFTLEAF_SWAP,
	SOFTLEAF_MIGRATION_READ,
	SOFTLEAF_MIGRATION_READ_EXCLUSIVE,
	SOFTLEAF_MIGRATION_WRITE,
	SOFTLEAF_DEVICE_PRIVATE_READ,
	SOFTLEAF_DEVICE_PRIVATE_WRITE,
	SOFTLEAF_DEVICE_EXCLUSIVE,
	SOFTLEAF_HWPOISON,
	SOFTLEAF_MARKER,
};

#define SWP_TYPE_SHIFT 58
#define SWP_OFFSET_MASK ((1UL << SWP_TYPE_SHIFT) - 1)
#define SWP_MIG_YOUNG_BIT (1UL << 40)
#define SWP_MIG_DIRTY_BIT (1UL << 41)
#define SWP_PFN_MASK ((1UL << 40) - 1)

/* PTE marker bits (include/linux/swapops.h / leafops.h). */
#define PTE_MARKER_UFFD_WP (1UL << 0)
#define PTE_MARKER_POISONED (1UL << 1)
#define PTE_MARKER_GUARD (1UL << 2)
#define PTE_MARKER_MASK ((1UL << 3) - 1)

/* swp_entry(): build an entry of a type with an offset. */
static inline swp_entry_t swp_entry(unsigned long type, pgoff_t offset)
{
	return (swp_entry_t){ (type << SWP_TYPE_SHIFT) | (offset & SWP_OFFSET_MASK) };
}
static inline unsigned int swp_type(swp_entry_t entry) { return (unsigned int)(entry.val >> SWP_TYPE_SHIFT); }
static inline pgoff_t swp_offset(swp_entry_t entry) { return entry.val & SWP_OFFSET_MASK; }
static inline unsigned long swp_offset_pfn(swp_entry_t entry) { return swp_offset(entry) & SWP_PFN_MASK; }

/* pte_to_swp_entry(): the entry a non-present PTE holds (swap-format PTE bits dropped). */
static inline swp_entry_t pte_to_swp_entry(pte_t pte)
{
	pteval_t v = pte_val(pte);
	pgoff_t off = v >> PFN_PTE_SHIFT;

	if (v & _PAGE_SWP_MIG_YOUNG)
		off |= SWP_MIG_YOUNG_BIT;
	if (v & _PAGE_SWP_MIG_DIRTY)
		off |= SWP_MIG_DIRTY_BIT;
	return swp_entry((v & _PAGE_SWP_TYPE_MASK) >> _PAGE_SWP_TYPE_SHIFT, off);
}
/* swp_entry_to_pte(): a PTE holding the entry, with no swap-format PTE bits. */
static inline pte_t swp_entry_to_pte(swp_entry_t entry)
{
	pgoff_t off = swp_offset(entry);
	pteval_t v = ((pteval_t)swp_type(entry) << _PAGE_SWP_TYPE_SHIFT) | ((off & SWP_PFN_MASK) << PFN_PTE_SHIFT);

	if (off & SWP_MIG_YOUNG_BIT)
		v |= _PAGE_SWP_MIG_YOUNG;
	if (off & SWP_MIG_DIRTY_BIT)
		v |= _PAGE_SWP_MIG_DIRTY;
	return __pte(v);
}

/* is_swap_pte(): neither none nor present. */
static inline int is_swap_pte(pte_t pte) { return !pte_none(pte) && !pte_present(pte); }
static inline int non_swap_entry(swp_entry_t entry) { return swp_type(entry) != SOFTLEAF_SWAP; }

static inline int is_migration_entry(swp_entry_t e)
{
	unsigned int t = swp_type(e);

	return t == SOFTLEAF_MIGRATION_READ || t == SOFTLEAF_MIGRATION_READ_EXCLUSIVE || t == SOFTLEAF_MIGRATION_WRITE;
}
static inline int is_writable_migration_entry(swp_entry_t e) { return swp_type(e) == SOFTLEAF_MIGRATION_WRITE; }
static inline int is_readable_migration_entry(swp_entry_t e) { return swp_type(e) == SOFTLEAF_MIGRATION_READ; }
static inline int is_readable_exclusive_migration_entry(swp_entry_t e) { return swp_type(e) == SOFTLEAF_MIGRATION_READ_EXCLUSIVE; }
static inline int is_device_private_entry(swp_entry_t e)
{
	return swp_type(e) == SOFTLEAF_DEVICE_PRIVATE_READ || swp_type(e) == SOFTLEAF_DEVICE_PRIVATE_WRITE;
}
static inline int is_writable_device_private_entry(swp_entry_t e) { return swp_type(e) == SOFTLEAF_DEVICE_PRIVATE_WRITE; }
static inline int is_device_exclusive_entry(swp_entry_t e) { return swp_type(e) == SOFTLEAF_DEVICE_EXCLUSIVE; }
static inline int is_hwpoison_entry(swp_entry_t e) { return swp_type(e) == SOFTLEAF_HWPOISON; }
static inline int is_pfn_swap_entry(swp_entry_t e)
{
	return swp_type(e) != SOFTLEAF_SWAP && swp_type(e) != SOFTLEAF_MARKER && swp_type(e) != SOFTLEAF_NONE;
}
static inline bool is_pte_marker_entry(swp_entry_t e) { return swp_type(e) == SOFTLEAF_MARKER; }
static inline pte_marker pte_marker_get(swp_entry_t e) { return swp_offset(e) & PTE_MARKER_MASK; }
static inline bool is_pte_marker(pte_t pte) { return is_swap_pte(pte) && is_pte_marker_entry(pte_to_swp_entry(pte)); }
static inline bool pte_marker_entry_uffd_wp(swp_entry_t e) { return is_pte_marker_entry(e) && (pte_marker_get(e) & PTE_MARKER_UFFD_WP); }
static inline bool pte_marker_uffd_wp(pte_t pte) { return is_swap_pte(pte) && pte_marker_entry_uffd_wp(pte_to_swp_entry(pte)); }
/* is_poisoned_swp_entry() / is_guard_swp_entry(): bit tests on a marker. */
static inline int is_poisoned_swp_entry(swp_entry_t e) { return is_pte_marker_entry(e) && (pte_marker_get(e) & PTE_MARKER_POISONED); }
static inline int is_guard_swp_entry(swp_entry_t e) { return is_pte_marker_entry(e) && (pte_marker_get(e) & PTE_MARKER_GUARD); }
static inline bool is_migration_entry_young(swp_entry_t e) { return (swp_offset(e) & SWP_MIG_YOUNG_BIT) != 0; }
static inline bool is_migration_entry_dirty(swp_entry_t e) { return (swp_offset(e) & SWP_MIG_DIRTY_BIT) != 0; }

static inline swp_entry_t make_readable_migration_entry(pgoff_t offset) { return swp_entry(SOFTLEAF_MIGRATION_READ, offset); }
static inline swp_entry_t make_readable_exclusive_migration_entry(pgoff_t offset)
{
	return swp_entry(SOFTLEAF_MIGRATION_READ_EXCLUSIVE, offset);
}
static inline swp_entry_t make_writable_migration_entry(pgoff_t offset) { return swp_entry(SOFTLEAF_MIGRATION_WRITE, offset); }
/* Device-private entries carry no migration young/dirty (as src/kernel/lib/swapops.ts). */
static inline swp_entry_t make_readable_device_private_entry(pgoff_t offset)
{
	return swp_entry(SOFTLEAF_DEVICE_PRIVATE_READ, offset & SWP_PFN_MASK);
}
static inline swp_entry_t make_writable_device_private_entry(pgoff_t offset)
{
	return swp_entry(SOFTLEAF_DEVICE_PRIVATE_WRITE, offset & SWP_PFN_MASK);
}
static inline swp_entry_t make_pte_marker_entry(pte_marker marker) { return swp_entry(SOFTLEAF_MARKER, marker); }
/* make_pte_marker(): a PTE holding a marker. */
static inline pte_t make_pte_marker(pte_marker marker) { return swp_entry_to_pte(make_pte_marker_entry(marker)); }

/* pfn_swap_entry_to_page() / pfn_swap_entry_folio(): the page of a pfn-carrying entry. */
static inline struct page *pfn_swap_entry_to_page(swp_entry_t entry)
{
	SHIM_ASSERT(is_pfn_swap_entry(entry), "pfn_swap_entry_to_page on an entry without a pfn");
	return pfn_to_page(swp_offset_pfn(entry));
}
static inline struct folio *pfn_swap_entry_folio(swp_entry_t entry) { return page_folio(pfn_swap_entry_to_page(entry)); }

/* ---- 2026 include/linux/leafops.h vocabulary ---- */
/* softleaf_from_pte(): the entry of a non-present PTE; a none PTE gives the none entry. */
static inline softleaf_t softleaf_from_pte(pte_t pte)
{
	if (pte_none(pte))
		return (softleaf_t){ 0 };
	SHIM_ASSERT(!pte_present(pte), "softleaf_from_pte on a present PTE");
	return pte_to_swp_entry(pte);
}
static inline pte_t softleaf_to_pte(softleaf_t entry) { return swp_entry_to_pte(entry); }
static inline enum softleaf_type softleaf_type(softleaf_t e) { return (enum softleaf_type)swp_type(e); }
static inline bool softleaf_is_none(softleaf_t e) { return swp_type(e) == SOFTLEAF_NONE; }
static inline bool softleaf_is_swap(softleaf_t e) { return swp_type(e) == SOFTLEAF_SWAP; }
static inline bool softleaf_is_migration(softleaf_t e) { return is_migration_entry(e); }
static inline bool softleaf_is_migration_write(softleaf_t e) { return is_writable_migration_entry(e); }
static inline bool softleaf_is_migration_read(softleaf_t e) { return is_readable_migration_entry(e); }
static inline bool softleaf_is_migration_read_exclusive(softleaf_t e) { return is_readable_exclusive_migration_entry(e); }
static inline bool softleaf_is_device_private(softleaf_t e) { return is_device_private_entry(e); }
static inline bool softleaf_is_device_private_write(softleaf_t e) { return is_writable_device_private_entry(e); }
static inline bool softleaf_is_device_exclusive(softleaf_t e) { return is_device_exclusive_entry(e); }
static inline bool softleaf_is_hwpoison(softleaf_t e) { return is_hwpoison_entry(e); }
static inline bool softleaf_is_marker(softleaf_t e) { return is_pte_marker_entry(e); }
static inline pte_marker softleaf_to_marker(softleaf_t e) { return pte_marker_get(e); }
static inline bool softleaf_is_poison_marker(softleaf_t e) { return is_poisoned_swp_entry(e); }
static inline bool softleaf_is_guard_marker(softleaf_t e) { return is_guard_swp_entry(e); }
static inline bool softleaf_is_uffd_wp_marker(softleaf_t e) { return pte_marker_entry_uffd_wp(e); }
static inline bool softleaf_has_pfn(softleaf_t e) { return is_pfn_swap_entry(e); }
static inline unsigned long softleaf_to_pfn(softleaf_t e) { return swp_offset_pfn(e); }
static inline struct page *softleaf_to_page(softleaf_t e) { return pfn_swap_entry_to_page(e); }
static inline struct folio *softleaf_to_folio(softleaf_t e) { return pfn_swap_entry_folio(e); }
static inline bool softleaf_is_migration_young(softleaf_t e) { return is_migration_entry_young(e); }
static inline bool softleaf_is_migration_dirty(softleaf_t e) { return is_migration_entry_dirty(e); }
static inline bool pte_is_marker(pte_t pte) { return is_pte_marker(pte); }
static inline bool pte_is_uffd_wp_marker(pte_t pte) { return pte_marker_uffd_wp(pte); }
static inline bool pte_is_uffd_marker(pte_t pte) { return pte_marker_uffd_wp(pte); }

/* ---- late-2025 linux-next leafent_* vocabulary (same model) ---- */
static inline leaf_entry_t leafent_from_pte(pte_t pte) { return softleaf_from_pte(pte); }
static inline pte_t leafent_to_pte(leaf_entry_t e) { return swp_entry_to_pte(e); }
static inline bool leafent_is_none(leaf_entry_t e) { return softleaf_is_none(e); }
static inline bool leafent_is_swap(leaf_entry_t e) { return softleaf_is_swap(e); }
static inline bool leafent_is_migration(leaf_entry_t e) { return softleaf_is_migration(e); }
static inline bool leafent_is_migration_write(leaf_entry_t e) { return softleaf_is_migration_write(e); }
static inline bool leafent_is_migration_read(leaf_entry_t e) { return softleaf_is_migration_read(e); }
static inline bool leafent_is_device_private(leaf_entry_t e) { return softleaf_is_device_private(e); }
static inline bool leafent_is_device_private_write(leaf_entry_t e) { return softleaf_is_device_private_write(e); }
static inline bool leafent_is_device_exclusive(leaf_entry_t e) { return softleaf_is_device_exclusive(e); }
static inline bool leafent_is_hwpoison(leaf_entry_t e) { return softleaf_is_hwpoison(e); }
static inline bool leafent_is_marker(leaf_entry_t e) { return softleaf_is_marker(e); }
static inline pte_marker leafent_to_marker(leaf_entry_t e) { return softleaf_to_marker(e); }
static inline bool leafent_is_poison_marker(leaf_entry_t e) { return softleaf_is_poison_marker(e); }
static inline bool leafent_is_guard_marker(leaf_entry_t e) { return softleaf_is_guard_marker(e); }
static inline bool leafent_is_uffd_wp_marker(leaf_entry_t e) { return softleaf_is_uffd_wp_marker(e); }
static inline bool leafent_has_pfn(leaf_entry_t e) { return softleaf_has_pfn(e); }
static inline unsigned long leafent_to_pfn(leaf_entry_t e) { return softleaf_to_pfn(e); }
static inline struct page *leafent_to_page(leaf_entry_t e) { return softleaf_to_page(e); }
static inline struct folio *leafent_to_folio(leaf_entry_t e) { return softleaf_to_folio(e); }

#endif /* MPROTECT_SHIM_SOFTLEAF_H */
