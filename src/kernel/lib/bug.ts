// SPDX-License-Identifier: GPL-2.0-only
// The kernel's debug assertions (include/linux/mmdebug.h, include/asm-generic/bug.h):
// BUG_ON and VM_BUG_ON_* stop the kernel; WARN_ON* and VM_WARN_ON_* log and go on.
// MODEL: both throw. A modelled function whose precondition the kernel asserts
// can only reach the assertion through a bug in its caller (a variant), so the
// run ends there and the checker reports the throw as a failure together with
// the world that triggered it (src/check/guard.ts turns it into REL-CRASH). The
// error's name says which kind fired: KernelBUG or KernelWARN.
//
// The assertions the model checks (function, file, condition):
//   PageAnonExclusive()           include/linux/page-flags.h  VM_BUG_ON_PGFLAGS(!PageAnon(page))
//   folio_pte_batch_flags()       mm/internal.h               VM_WARN_ON_FOLIO(!pte_present(pte)),
//                                                              VM_WARN_ON_FOLIO(!folio_test_large(folio) || max_nr < 1),
//                                                              VM_WARN_ON_FOLIO(page_folio(pfn_to_page(pte_pfn(pte))) != folio)
//   can_change_pmd_writable()     mm/huge_memory.c            WARN_ON_ONCE(!(vma->vm_flags & VM_WRITE))
//   maybe_change_pte_writable()   mm/mprotect.c (B'/C; A/B in can_change_pte_writable())  the same WARN_ON_ONCE
//   can_change_shared_pte_writable() mm/mprotect.c (C)        VM_WARN_ON_ONCE(is_zero_pfn(pte_pfn(pte)) && pte_dirty(pte))
//   change_non_present_huge_pmd() mm/huge_memory.c            VM_WARN_ON(!pmd_is_valid_softleaf(*pmd))
//   __split_huge_pmd_locked()     mm/huge_memory.c            VM_BUG_ON(haddr & ~HPAGE_PMD_MASK),
//                                                              VM_BUG_ON_VMA(vma->vm_start > haddr),
//                                                              VM_BUG_ON_VMA(vma->vm_end < haddr + HPAGE_PMD_SIZE)
//   change_protection()           mm/mprotect.c               BUG_ON(both MM_CP_UFFD_WP and MM_CP_UFFD_WP_RESOLVE)
//   change_protection_range()     mm/mprotect.c               BUG_ON(addr >= end)
// Not modelled: assertions about state the world does not carry (folio locks,
// reference counts, the page-table lock).

/** A BUG_ON or VM_BUG_ON_* that fired: the kernel would oops here. */
export class KernelBUG extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KernelBUG';
  }
}

/** A WARN_ON or VM_WARN_ON_* that fired: the kernel logs a splat; a kernel bug either way. */
export class KernelWARN extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KernelWARN';
  }
}

/** BUG_ON(cond) / VM_BUG_ON(cond) / VM_BUG_ON_VMA(cond, vma) / VM_BUG_ON_PGFLAGS(cond, page). */
export function VM_BUG_ON(cond: boolean, what: string): void {
  if (cond) throw new KernelBUG(what);
}

/** VM_BUG_ON_PGFLAGS(cond, page): CONFIG_DEBUG_VM_PGFLAGS; the message names the pfn. */
export function VM_BUG_ON_PGFLAGS(cond: boolean, page: number, what: string): void {
  if (cond) throw new KernelBUG(`${what} on pfn 0x${page.toString(16)}`);
}

/** WARN_ON_ONCE(cond) / VM_WARN_ON(cond) / VM_WARN_ON_FOLIO(cond, folio): returns cond as the C macro does. */
export function WARN_ON_ONCE(cond: boolean, what: string): boolean {
  if (cond) throw new KernelWARN(what);
  return cond;
}
export const VM_WARN_ON = WARN_ON_ONCE;
export const VM_WARN_ON_ONCE = WARN_ON_ONCE;
export const VM_WARN_ON_FOLIO = WARN_ON_ONCE;
