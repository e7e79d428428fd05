// SPDX-License-Identifier: GPL-2.0-only
// Bit vocabulary of the modelled world: x86-64 PTE bits (as logical positions,
// not hardware positions), VMA flags, change_protection() flags, swap-format
// bits and PTE markers. Sources: SEMANTICS.md §3.2-§3.5, §5.1, §6.1.

/** Present-PTE flag bits. Positions are ours; the meaning is x86-64's. */
export const _PAGE_PRESENT = 1 << 0; // hardware-valid
export const _PAGE_RW = 1 << 1;
export const _PAGE_USER = 1 << 2;
export const _PAGE_PWT = 1 << 3;
export const _PAGE_PCD = 1 << 4;
export const _PAGE_ACCESSED = 1 << 5; // "young"
export const _PAGE_DIRTY = 1 << 6; // hardware dirty
export const _PAGE_PAT = 1 << 7;
/** x86 stores PROTNONE in the GLOBAL position with PRESENT clear. */
export const _PAGE_PROTNONE = 1 << 8;
export const _PAGE_SPECIAL = 1 << 9; // software bit 1: no normal struct page
export const _PAGE_UFFD_WP = 1 << 10; // software bit 2
export const _PAGE_SOFT_DIRTY = 1 << 11; // software bit 3 (CONFIG_MEM_SOFT_DIRTY)
/** x86 software bit 5: dirtiness of a read-only PTE (avoids shadow-stack encodings). */
export const _PAGE_SAVED_DIRTY = 1 << 12;
export const _PAGE_NX = 1 << 13;
export const _PAGE_PKEY_SHIFT = 14;
export const _PAGE_PKEY_MASK = 0xf << _PAGE_PKEY_SHIFT;
/** Confidential-computing (encryption) bit, preserved by pte_modify. */
export const _PAGE_CC = 1 << 18;

export const _PAGE_DIRTY_BITS = _PAGE_DIRTY | _PAGE_SAVED_DIRTY;

/** Every bit a present PTE may carry. */
export const _PAGE_ALL_BITS = (1 << 19) - 1;

/** VMA flags (SEMANTICS §5.1). */
export const VM_READ = 1 << 0;
export const VM_WRITE = 1 << 1;
export const VM_EXEC = 1 << 2;
export const VM_SHARED = 1 << 3;
export const VM_MAYREAD = 1 << 4;
export const VM_MAYWRITE = 1 << 5;
export const VM_MAYEXEC = 1 << 6;
/** Soft-dirty tracking is ON for a VMA when this flag is CLEAR. */
export const VM_SOFTDIRTY = 1 << 7;
export const VM_UFFD_WP = 1 << 8;
export const VM_PFNMAP = 1 << 9;
export const VM_MIXEDMAP = 1 << 10;
export const VM_ALL_FLAGS = (1 << 11) - 1;

/** change_protection() cp_flags (SEMANTICS §6.1). */
export const MM_CP_TRY_CHANGE_WRITABLE = 1 << 0;
export const MM_CP_PROT_NUMA = 1 << 1;
export const MM_CP_UFFD_WP = 1 << 2;
export const MM_CP_UFFD_WP_RESOLVE = 1 << 3;
export const MM_CP_UFFD_WP_ALL = MM_CP_UFFD_WP | MM_CP_UFFD_WP_RESOLVE;
export const MM_CP_ALL_FLAGS = (1 << 4) - 1;

/** Swap-format bits carried next to a softleaf entry's type and offset (§3.5). */
export const SWP_SOFT_DIRTY = 1 << 0; // pte_swp_soft_dirty
export const SWP_UFFD_WP = 1 << 1; // pte_swp_uffd_wp
export const SWP_EXCLUSIVE = 1 << 2; // pte_swp_exclusive: real anon swap only
/** Migration entries encode A/D inside the offset (SWP_MIG_YOUNG/DIRTY); kept as flags here. */
export const SWP_MIG_YOUNG = 1 << 3;
export const SWP_MIG_DIRTY = 1 << 4;
export const SWP_ALL_BITS = (1 << 5) - 1;

/** PTE marker bits (include/linux/leafops.h); a marker's offset is this mask. */
export const PTE_MARKER_UFFD_WP = 1 << 0;
export const PTE_MARKER_POISONED = 1 << 1;
export const PTE_MARKER_GUARD = 1 << 2;
export const PTE_MARKER_MASK = (1 << 3) - 1;

/** x86-64, 4 KiB pages: 512 PTEs per table, one table per PMD. */
export const PAGE_SHIFT = 12;
export const PTRS_PER_PTE = 512;
export const HPAGE_PMD_NR = 512;
export const MAX_FOLIO_ORDER = 9;
