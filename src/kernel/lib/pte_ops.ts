// SPDX-License-Identifier: GPL-2.0-only
// Kernel-signature wrappers over the world's x86 PTE accessors (src/pte).
// Where the world helper needs the config, the wrapper takes it from the run
// (the kernel gets it from the build). Pure accessors are re-exported as is.
import type { PresentPte, Pte } from '../../pte/index.js';
import {
  _PAGE_SOFT_DIRTY,
  pte_mkdirty as pte_mkdirty_cfg,
  pte_mkwrite as pte_mkwrite_novma,
  pte_needs_flush as pte_needs_flush_cfg,
  pte_needs_flush_pre_v6_19 as pte_needs_flush_pre_v6_19_cfg,
} from '../../pte/index.js';
import { current_mm, type vm_area_struct } from './context.js';

export {
  pte_advance_pfn,
  pte_clear_soft_dirty,
  pte_clear_uffd_wp,
  pte_dirty,
  pte_mkclean,
  pte_mkold,
  pte_mkuffd_wp,
  pte_mkyoung,
  pte_modify,
  pte_none,
  pte_pfn,
  pte_present,
  pte_protnone,
  pte_same,
  pte_soft_dirty,
  pte_special,
  pte_uffd_wp,
  pte_write,
  pte_wrprotect,
  pte_young,
} from '../../pte/index.js';

/** pte_mkwrite(pte, vma). MODEL: no shadow-stack VMAs, so vma is unused. */
export function pte_mkwrite(pte: PresentPte, _vma: vm_area_struct): PresentPte {
  return pte_mkwrite_novma(pte);
}

/** x86 pte_mkdirty(): DIRTY and (CONFIG_MEM_SOFT_DIRTY) SOFT_DIRTY, then the saved-dirty shift. */
export function pte_mkdirty(pte: PresentPte): PresentPte {
  return pte_mkdirty_cfg(pte, current_mm().config);
}

/** pte_mksoft_dirty(): _PAGE_SOFT_DIRTY is 0 without CONFIG_MEM_SOFT_DIRTY. */
export function pte_mksoft_dirty(pte: PresentPte): PresentPte {
  if (!current_mm().config.memSoftDirty) return pte;
  return { kind: 'present', pfn: pte.pfn, flags: pte.flags | _PAGE_SOFT_DIRTY };
}

/** pte_needs_flush(oldpte, newpte): the x86 rule, or arm64's since v6.19 (c320dbb7c80d). R-COMMIT.3/4. */
export function pte_needs_flush(oldpte: PresentPte, newpte: PresentPte): boolean {
  return pte_needs_flush_cfg(oldpte, newpte, current_mm().config);
}

/** pte_needs_flush() as kernels before v6.19 had it: arm64 used the generic "always flush". */
export function pte_needs_flush_pre_v6_19(oldpte: PresentPte, newpte: PresentPte): boolean {
  return pte_needs_flush_pre_v6_19_cfg(oldpte, newpte, current_mm().config);
}

/** pte_next_pfn(): advance by one page, for the generic batched helpers. */
export function pte_next_pfn(pte: PresentPte): PresentPte {
  return { kind: 'present', pfn: pte.pfn + 1, flags: pte.flags };
}

export type pte_t = Pte;
