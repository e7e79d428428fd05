// SPDX-License-Identifier: GPL-2.0-only
// arm64 arch semantics over the logical bit layout (the model maps arm64's
// PTE onto the x86 logical bits, SEMANTICS §12.2). Only what differs from
// x86 lives here: the flush rule and pmd_modify().
//   arch/arm64/include/asm/tlbflush.h: __pte_flags_need_flush(), added by
//     c320dbb7c80d "arm64/mm: Elide TLB flush in certain pte protection
//     transitions" (Dev Jain, v6.19); before it the generic helpers always flush.
//   arch/arm64/include/asm/pgtable.h: pmd_modify() is pte_modify() on the PMD
//     seen as a PTE, so it keeps dirty exactly as pte_modify() does.
import { _PAGE_PRESENT, _PAGE_SAVED_DIRTY, _PAGE_SOFT_DIRTY, _PAGE_SPECIAL, _PAGE_UFFD_WP } from '../bits.js';
import type { Pgprot, PresentPte } from '../types.js';
import { pte_modify } from './x86.js';

/**
 * PTE_SWBITS_MASK (bit 63 and bits 55-58) in the logical layout: software
 * dirty (a read-only PTE's dirtiness, SAVED_DIRTY here), special, uffd-wp, and
 * soft-dirty (which arm64 never sets: no CONFIG_MEM_SOFT_DIRTY, W-CFG.2). A
 * writable PTE's dirtiness is the hardware DBM/RDONLY state (DIRTY here), and
 * the access flag is hardware too: both flush.
 */
export const ARM64_SOFTWARE_FLAGS = _PAGE_SPECIAL | _PAGE_UFFD_WP | _PAGE_SOFT_DIRTY | _PAGE_SAVED_DIRTY;

/** __pte_flags_need_flush() (v6.19+): old entry invalid (PTE_VALID clear, incl. PROT_NONE) -> no; else any non-software change. */
export function arm64_needs_flush(oldpte: PresentPte, newpte: PresentPte): boolean {
  if (!(oldpte.flags & _PAGE_PRESENT)) return false;
  if (oldpte.pfn !== newpte.pfn) return true;
  return ((oldpte.flags ^ newpte.flags) & ~ARM64_SOFTWARE_FLAGS) !== 0;
}

/** arm64 pmd_modify(): pte_pmd(pte_modify(pmd_pte(pmd), newprot)). */
export function arm64_pmd_modify(pmd: PresentPte, newprot: Pgprot): PresentPte {
  return pte_modify(pmd, newprot);
}
