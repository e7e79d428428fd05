// SPDX-License-Identifier: GPL-2.0-only
// The world both the spec and the kernel model operate on. Addresses are
// virtual page numbers (vpn = address >> PAGE_SHIFT); a PTE table covers the
// 512 vpns of one PMD. SEMANTICS.md §3-§5.

/** An empty slot (pte_none). */
export interface NonePte {
  readonly kind: 'none';
}

/** A present PTE: maps `pfn`; `flags` is a mask of _PAGE_* bits (bits.ts). */
export interface PresentPte {
  readonly kind: 'present';
  readonly pfn: number;
  readonly flags: number;
}

/** include/linux/leafops.h enum softleaf_type, as the model names it. */
export type SoftleafType =
  | 'swap'
  | 'migration_read'
  | 'migration_read_exclusive'
  | 'migration_write'
  | 'device_private_read'
  | 'device_private_write'
  | 'device_exclusive'
  | 'hwpoison'
  | 'marker';

/**
 * A non-none, non-present entry. `offset` is the swap offset, the pfn for
 * pfn-carrying types, or the PTE_MARKER_* mask for markers. `flags` holds the
 * swap-format SWP_* bits (always 0 on markers).
 */
export interface SoftleafPte {
  readonly kind: 'softleaf';
  readonly type: SoftleafType;
  readonly offset: number;
  readonly flags: number;
}

export type Pte = NonePte | PresentPte | SoftleafPte;

/** A pgprot_t: the permission part of a PTE (_PAGE_* bits). */
export type Pgprot = number;

/** A folio. Folios are naturally aligned: pfn % (1 << order) === 0. */
export interface Folio {
  readonly pfn: number; // head pfn
  readonly order: number; // 0..MAX_FOLIO_ORDER
  readonly anon: boolean; // folio_test_anon (KSM folios are anon too)
  readonly ksm: boolean;
  readonly zoneDevice: boolean;
  readonly nid: number;
  readonly maybeMappedShared: boolean; // folio_maybe_mapped_shared
  readonly maybeDmaPinned: boolean; // folio_maybe_dma_pinned
  readonly fileLru: boolean; // folio_is_file_lru
  readonly dirty: boolean; // folio_test_dirty
  /** PageAnonExclusive of each page, length 1 << order. */
  readonly anonExclusive: readonly boolean[];
}

export interface VmOps {
  readonly page_mkwrite: boolean;
  readonly pfn_mkwrite: boolean;
}

export interface Vma {
  readonly start: number; // first vpn
  readonly end: number; // one past the last vpn
  readonly flags: number; // VM_* mask
  readonly pkey: number; // 0..15
  /** vma_is_anonymous(): no vm_ops. */
  readonly anonymous: boolean;
  readonly ops: VmOps;
  /** vma_fs_can_writeback(): file whose mapping writes back dirty pages. */
  readonly fileCanWriteback: boolean;
  /** UFFD_FEATURE_WP_UNPOPULATED requested at uffd registration. */
  readonly uffdWpUnpopulated: boolean;
  /** vma->vm_page_prot as vma_set_page_prot() left it (R-VMA.1). */
  readonly vm_page_prot: Pgprot;
}

/** Process and system facts read by the NUMA rules (R-PRES.2). */
export interface MmState {
  /** mm_users == 1 */
  readonly singleThreaded: boolean;
}

export interface NumaState {
  readonly currentNid: number; // node of the CPU running the walk
  readonly topTierNids: readonly number[]; // node_is_toptier
  /** NUMA_BALANCING_NORMAL mode on */
  readonly balancingNormal: boolean;
  /** NUMA_BALANCING_MEMORY_TIERING mode on */
  readonly memoryTiering: boolean;
}

export type Arch = 'x86-64' | 'arm64';

/** Build-time configuration the rules depend on. */
export interface KConfig {
  readonly arch: Arch;
  /** CONFIG_MEM_SOFT_DIRTY; x86-64 only. Without it _PAGE_SOFT_DIRTY is 0. */
  readonly memSoftDirty: boolean;
}

/**
 * One PMD entry of the VMA's span. `table` is a normal PTE table. A `softleaf`
 * PMD is a non-present huge entry (mm/huge_memory.c change_non_present_huge_pmd():
 * a PMD-level migration or device-private entry naming the head of an order-9
 * folio); only those two families exist at PMD level.
 */
export type PmdSlot =
  | { readonly kind: 'table' }
  | { readonly kind: 'none' } // no PTE table allocated: its slots are none
  | { readonly kind: 'huge'; readonly pmd: PresentPte } // PMD-mapped THP, or the huge zero page
  | { readonly kind: 'softleaf'; readonly pmd: SoftleafPte }; // non-present huge PMD (THP migration, device-private)

/**
 * The huge zero folio's head pfn (mm/huge_memory.c huge_zero_pfn; is_huge_zero_pmd()
 * compares a present PMD's pfn with it). MODEL: a fixed order-9-aligned pfn; a
 * world that maps it lists an order-9, non-anon folio there, and the PMD is
 * special (set_huge_zero_folio() marks it so).
 */
export const HUGE_ZERO_PFN = 0x7fe00;
/** The 4 KiB zero page (zero_pfn(addr); one pfn on x86-64 and arm64): special PTEs, no folio. */
export const ZERO_PFN = 0x7fdff;

/**
 * Everything one change_protection(vma, range.start, range.end, cp_flags)
 * call sees. `ptes[i]` is the slot of vpn vma.start + i. `pmds[j]` is the
 * PMD covering vpns [(p0 + j) * 512, (p0 + j + 1) * 512) with
 * p0 = floor(vma.start / 512); under a `none` or `huge` PMD the slots are none.
 */
export interface World {
  readonly config: KConfig;
  readonly vma: Vma;
  readonly mm: MmState;
  readonly numa: NumaState;
  readonly folios: readonly Folio[];
  readonly pmds: readonly PmdSlot[];
  readonly ptes: readonly Pte[];
  readonly range: { readonly start: number; readonly end: number };
  readonly cp_flags: number;
}

/** A [start, start + nr) run of pages. */
export interface PageRun {
  readonly start: number; // vpn
  readonly nr: number;
}

/** What one change_protection() call did, as both sides report it. */
export interface Outcome {
  readonly ptes: readonly Pte[]; // final slots, same indexing as World.ptes
  readonly pmds: readonly PmdSlot[]; // final PMDs ('huge' may become 'table')
  readonly count: number; // change_protection() return value
  /** NUMA tiering access-time stamps: head pfn of each folio stamped, in order. */
  readonly numaStamps: readonly number[];
}

/** The spec's outcome: per-page flush obligations (R-COMMIT.3/4). */
export interface SpecOutcome extends Outcome {
  readonly flushPages: readonly number[]; // vpns, ascending
}

/** One committed run inside a batch (prot_commit_flush_ptes call). */
export interface SubRun {
  readonly idx: number;
  readonly len: number;
  readonly setWrite: boolean;
}

/** One present batch as change_pte_range() handled it. */
export interface BatchTrace {
  readonly start: number; // vpn of the first PTE
  readonly nr: number;
  /** 'commit' when processed; otherwise why it was skipped. */
  readonly action: 'commit' | 'skip-protnone' | 'skip-numa';
  readonly subRuns: readonly SubRun[];
}

/** The kernel model's outcome: the ordered flush calls and the batch trace. */
export interface KernelOutcome extends Outcome {
  readonly flushes: readonly PageRun[]; // tlb_flush_pte_range/pmd_range calls, in order
  readonly trace: readonly BatchTrace[];
}
