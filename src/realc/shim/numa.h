/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * mprotect-spec shim: NUMA-balancing facts read from the world's NumaState and
 * MmState (include/linux/sched/sysctl.h, memory-tiers.h, mm/internal.h,
 * mm/mempolicy.c), in the old open-coded form (v6.16, v6.17) and the newer
 * helpers (folio_can_map_prot_numa(), vma_is_single_threaded_private()), as
 * src/kernel/lib/numa.ts models them.
 */
#ifndef MPROTECT_SHIM_NUMA_H
#define MPROTECT_SHIM_NUMA_H

#define NUMA_NO_NODE (-1)
#define NUMA_BALANCING_DISABLED 0x0
#define NUMA_BALANCING_NORMAL 0x1
#define NUMA_BALANCING_MEMORY_TIERING 0x2

/* sysctl_numa_balancing_mode: the mode bits the world switches on. */
static inline int shim_numa_balancing_mode(void)
{
	return (shim_world.balancing_normal ? NUMA_BALANCING_NORMAL : 0) |
	       (shim_world.memory_tiering ? NUMA_BALANCING_MEMORY_TIERING : 0);
}
#define sysctl_numa_balancing_mode (shim_numa_balancing_mode())

/* numa_node_id(): the node of the CPU running the walk. */
static inline int numa_node_id(void) { return shim_world.current_nid; }
/* node_is_toptier() */
static inline bool node_is_toptier(int nid) { return nid >= 0 && nid < 32 && (shim_world.toptier_mask >> nid) & 1; }
/* folio_use_access_time(): memory tiering on and the folio on a lower tier. */
static inline bool folio_use_access_time(struct folio *folio)
{
	return (sysctl_numa_balancing_mode & NUMA_BALANCING_MEMORY_TIERING) && !node_is_toptier(folio_nid(folio));
}
/* Time is not modelled. */
#define jiffies 0UL
static inline unsigned int jiffies_to_msecs(unsigned long j) { (void)j; return 0; }
/* folio_xchg_access_time(): the only folio write (INV-17), recorded as the head pfn. */
static inline int folio_xchg_access_time(struct folio *folio, int time)
{
	(void)time;
	shim_record_stamp(folio->pfn);
	return 0;
}

/* vma_is_single_threaded_private() (mm/internal.h). */
static inline bool vma_is_single_threaded_private(struct vm_area_struct *vma)
{
	if (vma->vm_flags & VM_SHARED)
		return false;
	return atomic_read(&vma->vm_mm->mm_users) == 1;
}

/*
 * folio_can_map_prot_numa() (mm/mempolicy.c, late 2025 on): false means skip.
 * Order of the tests as src/kernel/lib/numa.ts has it.
 */
static inline bool folio_can_map_prot_numa(struct folio *folio, struct vm_area_struct *vma,
					   bool is_private_single_threaded)
{
	int nid;

	if (!folio || folio_is_zone_device(folio) || folio_test_ksm(folio))
		return false;
	if (is_cow_mapping(vma->vm_flags) && folio_maybe_mapped_shared(folio))
		return false;
	if (folio_maybe_dma_pinned(folio))
		return false;
	if (folio_is_file_lru(folio) && folio_test_dirty(folio))
		return false;
	nid = folio_nid(folio);
	if (is_private_single_threaded && nid == numa_node_id())
		return false;
	if (!(sysctl_numa_balancing_mode & NUMA_BALANCING_NORMAL) && node_is_toptier(nid))
		return false;
	if (folio_use_access_time(folio))
		folio_xchg_access_time(folio, jiffies_to_msecs(jiffies));
	return true;
}

#endif /* MPROTECT_SHIM_NUMA_H */
