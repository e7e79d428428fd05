// SPDX-License-Identifier: GPL-2.0-only
// NUMA hinting (MM_CP_PROT_NUMA): which present entries are left alone, and
// the one folio write change_protection() ever makes. SEMANTICS §8.2 (version C order).
import { type Folio, VM_MAYWRITE, VM_SHARED, type World } from '../src/pte/index.js';

/** Why an entry was left untouched by NUMA hinting; the row of SEMANTICS §8.2 is in the comment. */
export type NumaSkipReason =
  | 'already-prot-none' // step 1
  | 'no-normal-folio' // row 1: folio NULL
  | 'zone-device' // row 1
  | 'ksm' // row 1
  | 'shared-cow' // row 2
  | 'dma-pinned' // row 3
  | 'dirty-file' // row 4
  | 'already-local' // row 5
  | 'top-tier-without-normal-balancing'; // row 6

export interface NumaDecision {
  /** null: the entry is made PROT_NONE; otherwise why it is skipped (not modified, not counted). */
  readonly skip: NumaSkipReason | null;
  /** The folio's access time is stamped (only when skip is null). */
  readonly stamp: boolean;
}

/**
 * M1 (R-PRES.2 step 1) An entry that is already PROT_NONE is already in the state NUMA hinting wants.
 * Models: change_pte_range(): `prot_numa && pte_protnone(oldpte)` -> continue (one PTE, not counted);
 * change_huge_pmd(): pmd_protnone() -> unlock (returns 1, adds 0).
 */
export const alreadyHinted = (isProtNone: boolean): boolean => isProtNone;

/**
 * M2 (R-PRES.2 rows 1-6) A folio is worth a NUMA hinting fault only if the fault could lead to a useful
 * migration: a normal, non-device, non-KSM folio, not a shared COW folio, not DMA-pinned, not a dirty
 * page-cache folio, not already on the node a single-threaded private process runs on, and not on a
 * top-tier node when only tiering (not normal balancing) is on.
 * Models: folio_can_map_prot_numa() (mm/mempolicy.c), version C: the DMA-pinned test applies to every
 * mapping (Δ9); is_cow_mapping() = private and VM_MAYWRITE; the single-threaded-private flag is
 * vma_is_single_threaded_private() (not VM_SHARED and mm_users == 1).
 */
export function numaSkipReasonForFolio(world: World, folio: Folio | null): NumaSkipReason | null {
  if (folio === null) return 'no-normal-folio';
  if (folio.zoneDevice) return 'zone-device';
  if (folio.ksm) return 'ksm';
  if (isCowMapping(world.vma.flags) && folio.maybeMappedShared) return 'shared-cow';
  if (folio.maybeDmaPinned) return 'dma-pinned';
  if (folio.fileLru && folio.dirty) return 'dirty-file';
  if (isSingleThreadedPrivate(world) && folio.nid === world.numa.currentNid) return 'already-local';
  if (!world.numa.balancingNormal && isTopTier(world, folio.nid)) return 'top-tier-without-normal-balancing';
  return null;
}

/**
 * M3 (R-PRES.2, "when none fires") With memory tiering on, a folio on a lower-tier node that is about to
 * be hinted gets its access time stamped; this is the only folio state change_protection() writes (INV-17).
 * Models: folio_can_map_prot_numa() tail: folio_use_access_time() -> folio_xchg_access_time().
 * Kernel detail: once per call of the helper, i.e. once per batch in B'/C; the per-entry spec stamps once
 * per PTE (Δ8) and once per huge PMD.
 */
export function stampsAccessTime(world: World, folio: Folio): boolean {
  return world.numa.memoryTiering && !isTopTier(world, folio.nid);
}

/** M1-M3 in the kernel's order for one present entry (PTE or huge PMD). */
export function numaHintingDecision(world: World, isProtNone: boolean, folio: Folio | null): NumaDecision {
  if (alreadyHinted(isProtNone)) return { skip: 'already-prot-none', stamp: false };
  const skip = numaSkipReasonForFolio(world, folio);
  if (skip !== null || folio === null) return { skip: skip ?? 'no-normal-folio', stamp: false };
  return { skip: null, stamp: stampsAccessTime(world, folio) };
}

/** is_cow_mapping(): private and may be written. */
function isCowMapping(vm_flags: number): boolean {
  return (vm_flags & (VM_SHARED | VM_MAYWRITE)) === VM_MAYWRITE;
}

function isSingleThreadedPrivate(world: World): boolean {
  return (world.vma.flags & VM_SHARED) === 0 && world.mm.singleThreaded;
}

const isTopTier = (world: World, nid: number): boolean => world.numa.topTierNids.includes(nid);
