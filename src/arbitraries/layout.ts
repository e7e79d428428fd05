// SPDX-License-Identifier: GPL-2.0-only
// A Layout is the plain, shrinkable description a generated world is built
// from: folio placements, not independent PTEs. build_world.ts turns it into a
// valid World; the arbitraries in this folder generate it.
import type { SoftleafType } from '../pte/index.js';

export type ConfigKind = 'x86-64' | 'x86-64-nosd' | 'arm64';
/** Who calls change_protection(), which fixes cp_flags (SEMANTICS §6.1). */
export type Caller = 'mprotect' | 'mprotect-try' | 'numa' | 'uffd-wp' | 'uffd-resolve' | 'uffd-resolve-try';
/** Shared anonymous memory is shmem to the kernel, so it is 'shmem' here. */
export type VmaKind = 'anon-private' | 'file-private' | 'file-shared' | 'shmem' | 'pfnmap';
/** A permission as a PTE (old protection) or a VMA (new protection) carries it. */
export type Perm = 'none' | 'r' | 'rx' | 'rw' | 'rwx';
/**
 * A VMA's new protection: a PTE permission, or one without VM_READ (write-only,
 * exec-only, write+exec), which mprotect() accepts and protection_map[] turns
 * into readable (x86) or execute-only (arm64) protections.
 */
export type VmaPerm = Perm | 'w' | 'x' | 'wx';

export interface VmaLayout {
  readonly kind: VmaKind;
  readonly prot: VmaPerm; // the VMA's (new) VM_READ/WRITE/EXEC
  readonly softDirtyTracking: boolean; // VM_SOFTDIRTY clear
  readonly uffdWp: boolean;
  readonly uffdWpUnpopulated: boolean;
  readonly pageMkwrite: boolean; // file-shared only
  readonly pfnShared: boolean; // pfnmap only: VM_SHARED
  readonly pkey: number;
  /**
   * Cache-attribute bits of the mapping (a subset of _PAGE_PWT=1, _PAGE_PCD=2,
   * _PAGE_PAT=4), carried by vm_page_prot and by every present entry, as a
   * driver's mmap (pgprot_noncached(), pgprot_writecombine()) leaves them.
   * Only file-backed and PFNMAP VMAs get them. Absent in older layouts: 0.
   */
  readonly cache?: number;
  /**
   * The protection key the PTEs still carry when pkey_mprotect() is changing
   * the VMA's key (pte_modify() takes the new one from newprot). Absent or
   * null: the PTEs carry the VMA's key.
   */
  readonly oldPkey?: number | null;
}

/** Bits shared by every PTE of one folio mapping (the usual case). */
export interface PteBits {
  readonly perm: Perm; // old protection; 'none' = PROT_NONE / NUMA hint
  readonly dirty: boolean;
  readonly young: boolean;
  readonly softDirty: boolean;
  readonly uffdWp: boolean;
}

export type DeviationBit = 'write' | 'dirty' | 'young' | 'softDirty' | 'uffdWp' | 'protnone';
/** One PTE of a folio mapping that differs from its mates in one bit. */
export interface Deviation {
  readonly at: number; // index into the mapped pages (mod count)
  readonly bit: DeviationBit;
}

/** PageAnonExclusive pattern: runs toggle at the given page offsets. */
export type ExclPattern =
  | { readonly kind: 'all' }
  | { readonly kind: 'none' }
  | { readonly kind: 'runs'; readonly start: boolean; readonly toggles: readonly number[] };

export interface FolioFacts {
  readonly anon: boolean; // only consulted where both are possible (file-private COW)
  readonly ksm: boolean;
  readonly zoneDevice: boolean;
  readonly nid: number;
  readonly mappedShared: boolean;
  readonly dmaPinned: boolean;
  readonly dirty: boolean; // page-cache folio dirty
}

export interface FolioSeg {
  readonly k: 'folio';
  readonly order: number;
  readonly first: number; // first mapped page inside the folio (mod nr_pages)
  readonly count: number; // pages mapped (clamped to the folio)
  readonly toFolioEnd: boolean; // map through the folio's last page
  readonly adjacent: boolean; // place the folio right after the previous one (consecutive pfns)
  readonly bits: PteBits;
  readonly devs: readonly Deviation[];
  readonly excl: ExclPattern;
  readonly facts: FolioFacts;
}
export interface NoneSeg {
  readonly k: 'none';
  readonly n: number;
}
export interface ZeroSeg {
  readonly k: 'zero'; // special PTEs: the shared zero page
  readonly n: number;
  readonly bits: PteBits;
}
export interface LeafSeg {
  readonly k: 'leaf';
  readonly type: Exclude<SoftleafType, 'marker'>;
  readonly softDirty: boolean;
  readonly uffdWp: boolean;
  readonly exclusive: boolean; // swap only
  readonly migYoung: boolean; // migration only
  readonly migDirty: boolean;
  readonly anonFolio: boolean; // the folio behind a pfn-carrying entry
}
export interface MarkerSeg {
  readonly k: 'marker';
  readonly bits: number; // PTE_MARKER_* mask, 1..7
}
export type Segment = FolioSeg | NoneSeg | ZeroSeg | LeafSeg | MarkerSeg;

/**
 * A PMD-mapped THP at the start of the VMA. Without a tail the VMA covers
 * exactly that PMD; with one, the layout's segments follow in the next PTE
 * table(s), so a range can cover the huge PMD whole, or cut it and go on into
 * PTEs. Dropping the THP while shrinking leaves those segments as a PTE world.
 */
export interface HugeLayout {
  readonly bits: PteBits;
  readonly exclusive: boolean;
  readonly facts: FolioFacts;
  /** The layout's segments follow the PMD (absent in older layouts: no). */
  readonly tail?: boolean;
}

export interface RangeLayout {
  readonly whole: boolean;
  readonly lo: number; // 0..1000, scaled to the slot count
  readonly len: number; // scaled likewise
}

export interface Layout {
  readonly config: ConfigKind;
  readonly vma: VmaLayout;
  readonly caller: Caller;
  readonly pmdOffset: number; // where the VMA starts inside its PMD (0..511)
  readonly segments: readonly Segment[];
  readonly huge: HugeLayout | null;
  readonly range: RangeLayout;
  readonly emptyTables: boolean; // a PMD whose slots are all none has no table
  readonly singleThreaded: boolean;
  readonly numa: {
    readonly currentNid: number; // 0..2 (2: a node holding none of the folios)
    readonly topTierOnlyNode0: boolean;
    /** The top tier is node 1 only (overrides topTierOnlyNode0; absent in older layouts). */
    readonly topTierOnlyNode1?: boolean;
    readonly balancingNormal: boolean;
    readonly memoryTiering: boolean;
  };
}
