// SPDX-License-Identifier: GPL-2.0-only
// userfaultfd and soft-dirty helpers with kernel signatures
// (include/linux/userfaultfd_k.h, mm/internal.h pte_needs_soft_dirty_wp()).
// R-WR.2.3, R-WR.2.4, R-NONE.1.
import {
  type PresentPte,
  userfaultfd_wp as pte_userfaultfd_wp,
  vma_soft_dirty_enabled as soft_dirty_cfg,
} from '../../pte/index.js';
import type { vm_area_struct } from './context.js';
import { pte_soft_dirty, pte_uffd_wp } from './pte_ops.js';

/** userfaultfd_wp(vma): registered for uffd write-protect. */
export const userfaultfd_wp = (vma: vm_area_struct): boolean => pte_userfaultfd_wp(vma);

/** vma_is_anonymous(vma): no vm_ops. */
export const vma_is_anonymous = (vma: vm_area_struct): boolean => vma.anonymous;

/** userfaultfd_pte_wp(vma, pte) */
export const userfaultfd_pte_wp = (vma: vm_area_struct, pte: PresentPte): boolean => userfaultfd_wp(vma) && pte_uffd_wp(pte);

/** userfaultfd_huge_pmd_wp(vma, pmd) */
export const userfaultfd_huge_pmd_wp = userfaultfd_pte_wp;

/** userfaultfd_wp_use_markers(vma): registered, and file-backed or WP_UNPOPULATED. */
export function userfaultfd_wp_use_markers(vma: vm_area_struct): boolean {
  if (!userfaultfd_wp(vma)) return false;
  if (!vma_is_anonymous(vma)) return true;
  return vma.uffdWpUnpopulated;
}

/** vma_soft_dirty_enabled(vma): CONFIG_MEM_SOFT_DIRTY and VM_SOFTDIRTY clear. */
export const vma_soft_dirty_enabled = (vma: vm_area_struct): boolean => soft_dirty_cfg(vma, vma.vm_mm.config);

/** pte_needs_soft_dirty_wp(vma, pte) */
export const pte_needs_soft_dirty_wp = (vma: vm_area_struct, pte: PresentPte): boolean =>
  vma_soft_dirty_enabled(vma) && !pte_soft_dirty(pte);
