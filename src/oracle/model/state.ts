// SPDX-License-Identifier: GPL-2.0-only
// The process model's state types and constants, shared by the layers in
// this folder (folios, regions, page table, protection changes, faults,
// fork, madvise). See src/oracle/predict.ts for how they fit together.
import { type PresentPte, type Pte, X86_64_NO_SOFT_DIRTY } from '../../pte/index.js';
import { isFile, type Prot, type RegionKind } from '../scenario.js';

export const CONFIG = X86_64_NO_SOFT_DIRTY; // CONFIG_MEM_SOFT_DIRTY is not set on the target kernel
export const PMD_PAGES = 512;
export const FAULT_AROUND_PAGES = 16; // fault_around_bytes = 64 KiB
export const ZERO_PFN = 1; // the 4 KiB zero page: a special PTE, no folio
export const EINVAL = 22;
export const EBADF = 9;

export interface FolioState {
  readonly pfn: number;
  readonly order: number;
  readonly anon: boolean;
  readonly pae: boolean[]; // PageAnonExclusive per page
  readonly maps: number[]; // mapcount per page, this process and every live child
  inCache: boolean; // held by a page cache (file/shmem)
  /**
   * An mTHP folio (order 1-8) that fork() shared while a single page of it was mapped: observed on 6.18
   * (16 KiB mTHP), a later write to that page copies it even after the child exited, where a folio
   * shared with two or more pages mapped is reused. The kernel's reason is not pinned down (the large
   * folio reuse check, __wp_can_reuse_large_anon_folio(), and its mm-id tracking): recorded as observed.
   */
  sharedWhileSingle?: boolean;
}

export type PmdState = { kind: 'none' } | { kind: 'table' } | { kind: 'huge'; pmd: PresentPte } | { kind: 'hugezero' };

export interface RegionState {
  readonly kind: RegionKind;
  readonly pages: number;
  readonly thp: boolean;
  readonly base: number; // vpn of page 0 (PMD-aligned)
  readonly prot: Prot[];
  readonly av: number[]; // anon_vma id of the page's VMA, 0 = none
  /** The page's VMA had guard markers installed: fork copies its page table (observed on 6.18, any mapping kind). */
  readonly guardCopy: boolean[];
  /**
   * VM_ACCOUNT of the page's VMA: set at mmap for a private writable mapping, set again when mprotect()
   * makes a private VMA writable, dropped when it makes an anonymous VMA without anon_vma read-only
   * (mprotect_fixup(), v6.18 mm/mprotect.c). VMAs that differ in it do not merge.
   */
  readonly acct: boolean[];
  readonly ptes: Pte[];
  pmd: PmdState;
  /**
   * Page-cache pfn per file offset (shared-memory and file kinds). A second mapping of the same file or
   * memfd (op map_alias) holds the very same array, so both see one page cache.
   */
  readonly cache: (number | null)[];
  /** The region this one maps the file of again (map_alias), or null. */
  readonly aliasOf: number | null;
  /**
   * The userfaultfd registration: `unpopulated` = UFFD_FEATURE_WP_UNPOPULATED (also on whenever `async` is,
   * userfaultfd_api(), v6.18 fs/userfaultfd.c); `async` = UFFD_FEATURE_WP_ASYNC: a write fault on a uffd-wp
   * entry clears the bit itself and goes on with the usual write-fault handling, with no message
   * (do_wp_page(), v6.18 mm/memory.c).
   */
  uffd: { readonly unpopulated: boolean; readonly async: boolean } | null;
  /** Set when the model met something it does not model; later predictions in this region are unknown. */
  unknownWhy: string | null;
}

export interface ChildState {
  readonly pfns: number[]; // one entry per page it maps (a PMD counts 512 pages)
  alive: boolean;
}

export interface ModelNotes {
  /** Why predictions became unknown, one entry per distinct reason. */
  readonly unknownReasons: string[];
  /** Spec preconditions that refused a world the model built (a model or spec gap): a failure of the scenario. */
  readonly specErrors: string[];
}

/**
 * What the machine's settings let the model do (from the recorded environment). `anonMthpOrders`: the
 * folio orders below PMD order an anonymous write fault may allocate (alloc_anon_folio(), v6.18
 * mm/memory.c, through thp_vma_allowable_orders()): `all` in every VMA, `hugepage` (a superset) in a
 * MADV_HUGEPAGE VMA.
 */
export interface ModelSettings {
  readonly anonMthpOrders: { readonly all: readonly number[]; readonly hugepage: readonly number[] };
  /**
   * Whether an anonymous fault may map a PMD-size THP (the same order mask of thp_vma_allowable_orders(),
   * v6.18 include/linux/huge_mm.h, for the PMD order): `all` in every VMA, `hugepage` in a MADV_HUGEPAGE one.
   */
  readonly anonPmd: { readonly all: boolean; readonly hugepage: boolean };
  /**
   * transparent_hugepage/use_zero_page: a read fault in a THP-eligible range maps the huge zero page;
   * without it the read allocates a THP (do_huge_pmd_anonymous_page(), v6.18 mm/huge_memory.c).
   */
  readonly useZeroPage: boolean;
  /**
   * The folio orders below PMD order a shmem fault (memfd or shared anonymous memory) may allocate in the
   * page cache: `all` in every VMA, `hugepage` in a MADV_HUGEPAGE one (shmem_allowable_huge_orders(), v6.18
   * mm/shmem.c, as measured on 6.18.44: see modelSettings()).
   */
  readonly shmemOrders: { readonly all: readonly number[]; readonly hugepage: readonly number[] };
}

/** The machine's defaults: THP `madvise`, no other size, the huge zero page in use. */
export const DEFAULT_SETTINGS: ModelSettings = Object.freeze({
  anonMthpOrders: { all: [], hugepage: [] },
  anonPmd: { all: false, hugepage: true },
  useZeroPage: true,
  shmemOrders: { all: [], hugepage: [] },
});

export { isFile, isPrivate, isShmem } from '../scenario.js';

export const LARGE_FILE_ORDER = 4; // 64 KiB writes -> order-4 ext4 folios (observed)
export const canUffdWp = (k: RegionKind): boolean => !isFile(k);
