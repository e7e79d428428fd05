// SPDX-License-Identifier: GPL-2.0-only
// The write upgrade (MM_CP_TRY_CHANGE_WRITABLE): when an entry may be made
// writable right away instead of waiting for a write fault. SEMANTICS §8.5.
// Per entry, version A reading: every decision looks at the entry's OWN bits
// and its OWN page (no batch merging, Δ4/Δ5 do not exist here).
import {
  type Folio,
  MM_CP_TRY_CHANGE_WRITABLE,
  type PresentPte,
  page_anon_exclusive,
  pte_dirty,
  pte_mkwrite,
  pte_protnone,
  pte_soft_dirty,
  pte_uffd_wp,
  pte_write,
  userfaultfd_wp,
  VM_SHARED,
  VM_WRITE,
  vma_soft_dirty_enabled,
  type World,
} from '../src/pte/index.js';

/**
 * W1 (R-WR.1) The upgrade is considered only when the caller asked for it and the new entry is not
 * already writable (a writable shared protection already made it so).
 * Models: change_present_ptes(): `(cp_flags & MM_CP_TRY_CHANGE_WRITABLE) && !pte_write(ptent)`;
 * change_huge_pmd(): the same test on the PMD.
 */
export function upgradeConsidered(world: World, next: PresentPte): boolean {
  return (world.cp_flags & MM_CP_TRY_CHANGE_WRITABLE) !== 0 && !pte_write(next);
}

/**
 * W2 (R-WR.2) Common gate: never make writable an entry of a mapping without VM_WRITE (2.1), an
 * inaccessible entry (2.2), an entry whose write must still be seen by soft-dirty tracking (2.3), or an
 * entry userfaultfd write-protects (2.4). Checked in this order.
 * Models: maybe_change_pte_writable() (mm/mprotect.c); can_change_pmd_writable() first part
 * (mm/huge_memory.c). 2.3 is pte_needs_soft_dirty_wp(): tracking on (VM_SOFTDIRTY clear, built in) and
 * the entry's soft-dirty bit clear. 2.4 is userfaultfd_pte_wp(): VMA registered and entry's uffd-wp set.
 * Kernel detail: 2.1 is a WARN (callers never pass TRY without VM_WRITE) and 2.2 is unreachable from the
 * real flag combinations (TRY never comes with PROT_NUMA, and PAGE_NONE protection means no VM_WRITE);
 * both are kept because the kernel keeps them.
 */
export function passesWriteGate(world: World, next: PresentPte): boolean {
  if (!(world.vma.flags & VM_WRITE)) return false; // 2.1
  if (pte_protnone(next)) return false; // 2.2
  if (vma_soft_dirty_enabled(world.vma, world.config) && !pte_soft_dirty(next)) return false; // 2.3
  if (userfaultfd_wp(world.vma) && pte_uffd_wp(next)) return false; // 2.4
  return true;
}

/**
 * W3 (R-WR.3) In a shared mapping an entry may become writable only if it is already dirty: a clean page
 * may still owe the filesystem its write notification; a dirty one has been notified.
 * Models: can_change_shared_pte_writable(): gate && pte_dirty(ptent) (DIRTY or SAVED_DIRTY on x86).
 * Kernel detail: no folio or page is consulted. The per-entry spec uses the entry's OWN dirty bit (the
 * batched kernel uses the batch's merged bit, Δ4).
 */
export function sharedMayBecomeWritable(gate: boolean, next: PresentPte): boolean {
  return gate && pte_dirty(next);
}

/**
 * W4 (R-WR.4, R-WR.6) In a private mapping an entry may become writable only if it maps an anonymous page
 * that is exclusive to this process (PageAnonExclusive): that is exactly when the write-fault handler would
 * reuse the page without copying. No dirty bit is needed (R-WR.6).
 * Models: can_change_private_pte_writable() (version A) = set_write_prot_commit_flush_ptes() +
 * commit_anon_folio_batch() for one PTE (R-WR.5): gate, vm_normal_page() non-NULL, folio_test_anon(),
 * PageAnonExclusive() of the entry's OWN page.
 * Kernel detail: KSM folios are anon but their pages are never exclusive; NULL folio (special PTE, zero
 * page) stays read-only; file/shmem folios in a private mapping are never upgraded.
 */
export function privateMayBecomeWritable(gate: boolean, folio: Folio | null, pfn: number): boolean {
  if (!gate || folio === null) return false;
  return folio.anon && page_anon_exclusive(folio, pfn);
}

/**
 * W5 (R-WR.2-4) One entry's whole upgrade decision: the gate, then the shared or the private rule.
 * Models: can_change_pte_writable() (version A); can_change_pmd_writable() for a huge PMD, where the
 * page is the head page (vm_normal_page_pmd()).
 */
export function mayBecomeWritableWithoutFault(world: World, next: PresentPte, folio: Folio | null, pfn: number): boolean {
  const gate = passesWriteGate(world, next);
  if (world.vma.flags & VM_SHARED) return sharedMayBecomeWritable(gate, next);
  return privateMayBecomeWritable(gate, folio, pfn);
}

/**
 * W6 (R-COMMIT.1) Making an entry writable sets only the write bit (x86: SAVED_DIRTY moves back to DIRTY,
 * the logical dirty bit is unchanged); it does not mark the entry dirty or young.
 * Models: prot_commit_flush_ptes(): pte_mkwrite(ptent, vma) when set_write; change_huge_pmd(): pmd_mkwrite().
 */
export function makeWritable(next: PresentPte): PresentPte {
  return pte_mkwrite(next);
}
