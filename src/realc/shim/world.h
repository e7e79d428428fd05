/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * mprotect-spec shim: the one world behind every kernel API the shim models.
 * It holds one change_protection() case decoded from a TypeScript World
 * (src/pte/types.ts): the PMD slots and their PTE tables, the memmap (a flat
 * struct page array indexed by pfn), the folios, the VMA and mm, the NUMA and
 * config switches, and what the case records (flushes, batch trace, NUMA
 * stamps, findings, lock / lazy-MMU / notifier depths). world.c fills it.
 */
#ifndef MPROTECT_SHIM_WORLD_H
#define MPROTECT_SHIM_WORLD_H

struct folio;

/* struct page: flat array indexed by pfn - shim_world.pfn_base. */
struct page {
	struct folio *folio; /* NULL: the pfn has no folio in the world */
	bool anon_exclusive; /* PageAnonExclusive() */
};

/* struct folio: the facts src/pte/types.ts Folio carries. */
struct folio {
	unsigned long pfn;
	unsigned int order;
	bool anon, ksm, zone_device, mapped_shared, dma_pinned, file_lru, dirty;
	int nid;
};

/* One recorded tlb_flush_pte_range()/tlb_flush_pmd_range() call, in pages. */
struct shim_flush { unsigned long start, nr; };
/* One committed run inside a batch (KernelOutcome.trace[].subRuns). */
struct shim_subrun { unsigned int idx, len; bool set_write; };
/* One present batch as change_pte_range() handled it (KernelOutcome.trace). */
struct shim_batch {
	unsigned long start, nr;
	unsigned int first_sub, nsub;
	bool committing; /* a commit happened: the next start opens a new batch */
};

/*
 * Calls of the API primitives the kernel code makes in one case (the `cost`
 * command, src/cost/): counted where the shim defines the primitive, reset
 * with the world. Reading them changes nothing in the case.
 */
enum shim_count {
	SHIM_COUNT_PTEP_GET,
	SHIM_COUNT_SET_PTE_AT,
	SHIM_COUNT_PROT_START,
	SHIM_COUNT_PROT_COMMIT,
	SHIM_COUNT_VM_NORMAL_PAGE,
	SHIM_COUNT_FOLIO_LOOKUP,
	SHIM_NCOUNTS,
};

struct shim_world {
	/* KConfig */
	bool mem_soft_dirty;
	/* NumaState and MmState */
	int current_nid;
	unsigned int toptier_mask; /* bit n: node n is top tier */
	bool balancing_normal, memory_tiering, single_threaded;
	/* Vma extras the API reads */
	bool uffd_wp_unpopulated, file_can_writeback;
	/* Page tables: npmds PMD slots from pmd_base, one 512-entry table each. */
	unsigned long pmd_base, npmds;
	pmd_t *pmds;
	pte_t *tables; /* npmds * PTRS_PER_PTE */
	unsigned long vma_start_vpn, vma_end_vpn;
	/* Memmap */
	unsigned long pfn_base, npages;
	struct page *pages;
	struct folio *folios;
	unsigned long nfolios;
	/* Recorded outcome */
	struct shim_flush *flushes;
	unsigned long nflushes, cap_flushes;
	struct shim_batch *batches;
	unsigned long nbatches, cap_batches;
	struct shim_subrun *subruns;
	unsigned long nsubruns, cap_subruns;
	unsigned long *stamps;
	unsigned long nstamps, cap_stamps;
	/* Run-time state the asserts watch */
	int ptl_held, lazy_mmu_depth, notifier_depth;
	pte_t *last_mkwrite_ptep; /* unused by the semantics; kept for diagnostics */
	/* Primitive calls of this case (enum shim_count) */
	unsigned long counts[SHIM_NCOUNTS];
};

extern struct shim_world shim_world;

/* Recording helpers (world.c). */
void shim_record_flush(unsigned long addr, unsigned long size);
void shim_record_start(pte_t *ptep);
void shim_record_commit(pte_t *ptep, pte_t oldpte, pte_t pte);
void shim_record_stamp(unsigned long pfn);
/* Checks a pte pointer: inside its table, inside the VMA; returns its vpn. */
unsigned long shim_check_ptep(const pte_t *ptep, const char *what);
unsigned long shim_check_pmdp(const pmd_t *pmdp, const char *what);

#endif /* MPROTECT_SHIM_WORLD_H */
