// SPDX-License-Identifier: GPL-2.0-only
// NUMA-hinting helpers: folio_can_map_prot_numa() (mm/mempolicy.c, B'/C),
// vma_is_single_threaded_private() (mm/internal.h), and the memory-tier /
// sysctl facts they read. R-PRES.2. Read from Diangang/linux mm/mempolicy.c
// @ 2e25d8a222024b6f7a545178189ea3967f454080.
import { type Folio, VM_MAYWRITE, VM_SHARED } from '../../pte/index.js';
import { current_mm, type vm_area_struct } from './context.js';
import {
  folio_is_file_lru,
  folio_is_zone_device,
  folio_maybe_dma_pinned,
  folio_maybe_mapped_shared,
  folio_nid,
  folio_test_dirty,
  folio_test_ksm,
} from './memmap.js';

export const NUMA_NO_NODE = -1;

/** is_cow_mapping(flags): private and may-write. */
export const is_cow_mapping = (flags: number): boolean => (flags & (VM_SHARED | VM_MAYWRITE)) === VM_MAYWRITE;

/** numa_node_id(): the node of the CPU running the walk. */
export const numa_node_id = (): number => current_mm().numa.currentNid;

/** node_is_toptier(nid) */
export const node_is_toptier = (nid: number): boolean => current_mm().numa.topTierNids.includes(nid);

/** sysctl_numa_balancing_mode & NUMA_BALANCING_NORMAL */
export const numa_balancing_normal = (): boolean => current_mm().numa.balancingNormal;

/** folio_use_access_time(): memory tiering on and the folio on a lower tier. */
export function folio_use_access_time(folio: Folio): boolean {
  return current_mm().numa.memoryTiering && !node_is_toptier(folio_nid(folio));
}

/** folio_xchg_access_time(folio, now): the only folio write (INV-17); recorded as the head pfn. */
export function folio_xchg_access_time(folio: Folio, _time: number): void {
  current_mm().numaStamps.push(folio.pfn);
}

/** jiffies_to_msecs(jiffies): MODEL: time is not modelled. */
export const jiffies_now = (): number => 0;

/** vma_is_single_threaded_private(vma) */
export function vma_is_single_threaded_private(vma: vm_area_struct): boolean {
  if (vma.vm_flags & VM_SHARED) return false;
  return vma.vm_mm.state.singleThreaded;
}

/**
 * folio_can_map_prot_numa(folio, vma, is_private_single_threaded): false
 * means "skip" (R-PRES.2 table, B'/C order; DMA-pinned tested for every
 * mapping). Stamps the access time on success when tiering applies.
 */
export function folio_can_map_prot_numa(folio: Folio | null, vma: vm_area_struct, is_private_single_threaded: boolean): boolean {
  if (!folio || folio_is_zone_device(folio) || folio_test_ksm(folio)) return false;

  /* COW mappings: skip folios another process may still map. */
  if (is_cow_mapping(vma.vm_flags) && folio_maybe_mapped_shared(folio)) return false;

  /* A DMA-pinned folio cannot move, so a hinting fault on it is wasted. */
  if (folio_maybe_dma_pinned(folio)) return false;

  /* Dirty page-cache folios are skipped: asynchronous migration cannot move every one of them. */
  if (folio_is_file_lru(folio) && folio_test_dirty(folio)) return false;

  /* Skip folios already on the node of the one thread that uses them. */
  const nid = folio_nid(folio);
  if (is_private_single_threaded && nid === numa_node_id()) return false;

  /* With only memory-tiering balancing on, folios on a top-tier node are left alone. */
  if (!numa_balancing_normal() && node_is_toptier(nid)) return false;

  if (folio_use_access_time(folio)) folio_xchg_access_time(folio, jiffies_now());

  return true;
}
