// SPDX-License-Identifier: GPL-2.0-only
// The fixed build configuration the extractor evaluates `#if`/`#ifdef` against:
// an x86-64 kernel configured as the project's worlds assume (NUMA balancing,
// THP, soft-dirty, userfaultfd write-protect with PTE markers). Kconfig symbols
// are named as in the kernel's Kconfig files (mm/Kconfig, arch/x86/Kconfig,
// init/Kconfig, fs/Kconfig); a value is `true` for =y, `false` for unset, or a
// number for an int symbol. A CONFIG_ symbol not listed here is not guessed:
// a conditional that needs it is refused with its file and line.

export type ConfigValue = boolean | number;

export const X86_64_CONFIG: Readonly<Record<string, ConfigValue>> = {
  // arch/x86/Kconfig
  CONFIG_X86: true,
  CONFIG_X86_64: true,
  CONFIG_X86_32: false,
  CONFIG_64BIT: true,
  CONFIG_PGTABLE_LEVELS: 5,
  CONFIG_X86_5LEVEL: true,
  CONFIG_PARAVIRT: false,
  CONFIG_PARAVIRT_XXL: false,
  CONFIG_HAVE_ARCH_SOFT_DIRTY: true,
  CONFIG_HAVE_ARCH_USERFAULTFD_WP: true,
  CONFIG_HAVE_ARCH_TRANSPARENT_HUGEPAGE: true,
  CONFIG_HAVE_ARCH_TRANSPARENT_HUGEPAGE_PUD: true,
  CONFIG_ARCH_HAS_PTE_SPECIAL: true,
  CONFIG_ARCH_HAS_PTE_DEVMAP: true,
  CONFIG_ARCH_ENABLE_THP_MIGRATION: true,
  CONFIG_ARCH_HAS_NONLEAF_PMD_YOUNG: true,
  CONFIG_ARCH_WANT_BATCHED_UNMAP_TLB_FLUSH: true,
  CONFIG_ARCH_SUPPORTS_NUMA_BALANCING: true,
  CONFIG_ARCH_WANT_PMD_MKWRITE: false,
  CONFIG_HAVE_ARCH_HUGE_VMAP: true,
  CONFIG_X86_KERNEL_IBT: false,
  CONFIG_X86_USER_SHADOW_STACK: false,
  CONFIG_ARM64: false,
  CONFIG_PPC: false,
  CONFIG_PPC64: false,
  CONFIG_S390: false,
  // init/Kconfig
  CONFIG_MMU: true,
  CONFIG_NUMA_BALANCING: true,
  CONFIG_NUMA_BALANCING_DEFAULT_ENABLED: true,
  CONFIG_SMP: true,
  CONFIG_PREEMPT_RT: false,
  // mm/Kconfig
  CONFIG_NUMA: true,
  CONFIG_TRANSPARENT_HUGEPAGE: true,
  CONFIG_PGTABLE_HAS_HUGE_LEAVES: true,
  CONFIG_MEM_SOFT_DIRTY: true,
  CONFIG_USERFAULTFD: true,
  CONFIG_PTE_MARKER_UFFD_WP: true,
  CONFIG_PTE_MARKER: true,
  CONFIG_MIGRATION: true,
  CONFIG_SWAP: true,
  CONFIG_ZONE_DEVICE: true,
  CONFIG_DEVICE_PRIVATE: true,
  CONFIG_KSM: true,
  CONFIG_MEMORY_FAILURE: true,
  CONFIG_SPLIT_PTE_PTLOCKS: true,
  CONFIG_SPLIT_PMD_PTLOCKS: true,
  CONFIG_ARCH_WANT_GENERAL_HUGETLB: true,
  CONFIG_HIGHPTE: false,
  CONFIG_HIGHMEM: false,
  CONFIG_DEBUG_VM: false,
  CONFIG_DEBUG_VM_PGTABLE: false,
  CONFIG_PAGE_TABLE_CHECK: false,
  CONFIG_MEMCG: true,
  CONFIG_LRU_GEN: false,
  CONFIG_ANON_VMA_NAME: true,
  CONFIG_PER_VMA_LOCK: true,
  CONFIG_MMU_NOTIFIER: true,
  CONFIG_CMA: false,
  CONFIG_ARCH_HAS_HUGEPD: false,
  CONFIG_HUGETLB_PAGE: true,
  CONFIG_HUGETLBFS: true,
  CONFIG_SHMEM: true,
  CONFIG_FS_DAX: false,
  CONFIG_SPARSEMEM_VMEMMAP: true,
  CONFIG_PAGE_MAPCOUNT: true,
  CONFIG_NO_PAGE_MAPCOUNT: false,
  CONFIG_MM_ID: true,
  CONFIG_SYSFS: true,
  CONFIG_PROC_FS: true,
  CONFIG_ARCH_HAS_PKEYS: true,
  CONFIG_X86_INTEL_MEMORY_PROTECTION_KEYS: true,
};

/** The headers a kernel file is compiled with, as far as `#if` sees them:
 *  macros the x86-64 arch headers define (arch/x86/include/asm/pgtable*.h,
 *  asm/tlb.h ...) that the generic headers test with `#ifndef`. Every other
 *  non-CONFIG identifier is defined only if the shim or an earlier line of the
 *  same kernel files defines it, as the preprocessor would see it. */
export const X86_64_ARCH_MACROS: Readonly<Record<string, number>> = {
  __KERNEL__: 1,
  __x86_64__: 1,
  __LP64__: 1,
};

/** Identifiers the preprocessor treats as undefined on x86-64 even though a
 *  kernel header might define them for other configurations. */
export const X86_64_UNDEFINED: ReadonlySet<string> = new Set(['__ASSEMBLY__', '__CHECKER__', '__GENKSYMS__']);
