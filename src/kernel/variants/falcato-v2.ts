// SPDX-License-Identifier: GPL-2.0-only
// Variant falcato-v2 (version C, v2): the PTE-level functions of mm/mprotect.c
// after Pedro Falcato's "[PATCH v2 0/2] mm/mprotect: micro-optimization work"
// (24 Mar 2026, lkml.iu.edu/2603.3/01509.html). Reconstructed from falcato-v3
// by reversing Andrew Morton's v2->v3 interdiff (lkml.iu.edu/2604.0/04135.html,
// the seed): no change_present_ptes() (present-PTE logic inline in
// change_pte_range()), an order-0 fast path inside commit_anon_folio_batch(),
// and v2's inline attributes.
//
// Same function names, parameter order, branch order and loop shape as the C.
// A `pte_t *` is a vpn and a `struct page *` a pfn (lib/context.ts);
// `/* __always_inline */` marks the C attribute. Other liberties: `// MODEL:`.
import {
  type Folio,
  type KernelOutcome,
  MM_CP_PROT_NUMA,
  MM_CP_TRY_CHANGE_WRITABLE,
  MM_CP_UFFD_WP,
  MM_CP_UFFD_WP_RESOLVE,
  type Pgprot,
  type PresentPte,
  PTE_MARKER_UFFD_WP,
  type Pte,
  VM_SHARED,
  VM_WRITE,
  type World,
} from '../../pte/index.js';
import {
  change_huge_pmd,
  EAGAIN,
  FPB_RESPECT_SOFT_DIRTY,
  FPB_RESPECT_WRITE,
  folio_can_map_prot_numa,
  folio_pte_batch_flags,
  folio_test_anon,
  folio_test_large,
  type fpb_t,
  likely,
  make_pte_marker,
  make_readable_device_private_entry,
  make_readable_exclusive_migration_entry,
  make_readable_migration_entry,
  type mmu_gather,
  modify_prot_commit_ptes,
  modify_prot_start_ptes,
  PAGE_SHIFT,
  PAGE_SIZE,
  PageAnon,
  PageAnonExclusive,
  page_folio,
  type page_t,
  pte_advance_pfn,
  pte_clear,
  pte_clear_uffd_wp,
  pte_dirty,
  pte_mkuffd_wp,
  pte_mkwrite,
  pte_modify,
  pte_needs_flush,
  pte_needs_soft_dirty_wp,
  pte_none,
  pte_offset_map_lock,
  pte_present,
  pte_protnone,
  pte_same,
  pte_swp_clear_uffd_wp,
  pte_swp_mksoft_dirty,
  pte_swp_mkuffd_wp,
  pte_swp_soft_dirty,
  pte_swp_uffd_wp,
  pte_write,
  ptep_get,
  run_change_protection,
  set_pte_at,
  softleaf_from_pte,
  softleaf_is_device_private_write,
  softleaf_is_guard_marker,
  softleaf_is_marker,
  softleaf_is_migration_write,
  softleaf_is_poison_marker,
  softleaf_to_folio,
  swp_entry_to_pte,
  swp_offset,
  tlb_change_page_size,
  tlb_flush_pte_range,
  trace_batch,
  trace_sub_run,
  userfaultfd_pte_wp,
  userfaultfd_wp_use_markers,
  type vm_area_struct,
  vm_normal_page,
  vma_is_single_threaded_private,
  WARN_ON_ONCE,
} from '../lib/index.js';

function maybe_change_pte_writable(vma: vm_area_struct, pte: PresentPte): boolean {
  if (WARN_ON_ONCE(!(vma.vm_flags & VM_WRITE), 'WARN_ON_ONCE(!(vma->vm_flags & VM_WRITE)) in maybe_change_pte_writable()'))
    return false;

  /* PROT_NONE (NUMA-hinting) entries are never made writable. */
  if (pte_protnone(pte)) return false;

  /* Soft-dirty tracking still needs the write fault on a clean entry (R-WR.2). */
  if (pte_needs_soft_dirty_wp(vma, pte)) return false;

  /* A uffd-wp protected entry keeps faulting on write (R-WR.2). */
  if (userfaultfd_pte_wp(vma, pte)) return false;

  return true;
}

function can_change_private_pte_writable(vma: vm_area_struct, addr: number, pte: PresentPte): boolean {
  if (!maybe_change_pte_writable(vma, pte)) return false;

  /*
   * Private mapping: only an exclusive anonymous page may become writable here, the one case where
   * the write-fault handler would also map it writable with no further check (R-WR.4).
   */
  const page = vm_normal_page(vma, addr, pte);
  return page !== null && PageAnon(page) && PageAnonExclusive(page);
}

function can_change_shared_pte_writable(vma: vm_area_struct, pte: PresentPte): boolean {
  if (!maybe_change_pte_writable(vma, pte)) return false;

  /*
   * Shared mapping: a dirty entry means the filesystem was already told about the write, so it may
   * become writable at once; a clean one may still owe it a write fault (vma_wants_writenotify(),
   * R-WR.3).
   */
  return pte_dirty(pte);
}

export function can_change_pte_writable(vma: vm_area_struct, addr: number, pte: PresentPte): boolean {
  if (!(vma.vm_flags & VM_SHARED)) return can_change_private_pte_writable(vma, addr, pte);

  return can_change_shared_pte_writable(vma, pte);
}

/* __always_inline */ function mprotect_folio_pte_batch(
  folio: Folio | null,
  ptep: number,
  pte: PresentPte,
  max_nr_ptes: number,
  flags: fpb_t,
): number {
  /* Without a folio (zero page, special PTE) the batch is one PTE. */
  if (!folio) return 1;

  if (!folio_test_large(folio)) return 1;

  return folio_pte_batch_flags(folio, null, ptep, pte, max_nr_ptes, flags);
}

/* Commits nr_ptes entries from batch offset idx and records the flush they need. */
/* __always_inline */ function prot_commit_flush_ptes(
  vma: vm_area_struct,
  addr: number,
  ptep: number,
  oldpte: PresentPte,
  ptent: PresentPte,
  nr_ptes: number,
  idx: number,
  set_write: boolean,
  tlb: mmu_gather,
): void {
  /* Address, PTE pointer and both PFNs move to batch offset idx; nr_ptes never reaches past the batch end. */
  addr += idx * PAGE_SIZE;
  ptep += idx;
  oldpte = pte_advance_pfn(oldpte, idx);
  ptent = pte_advance_pfn(ptent, idx);

  if (set_write) ptent = pte_mkwrite(ptent, vma);

  trace_sub_run(tlb, idx, nr_ptes, set_write); // MODEL: batch trace
  modify_prot_commit_ptes(vma, addr, ptep, oldpte, ptent, nr_ptes);
  if (pte_needs_flush(oldpte, ptent)) tlb_flush_pte_range(tlb, addr, nr_ptes * PAGE_SIZE);
}

/*
 * Length of the run from start_idx whose pages have the same PageAnonExclusive as its first; the
 * caller passes PTEs of consecutive pages of one anon large folio.
 */
function page_anon_exclusive_sub_batch(
  start_idx: number,
  max_len: number,
  first_page: page_t,
  expected_anon_exclusive: boolean,
): number {
  let idx: number;

  for (idx = start_idx + 1; idx < start_idx + max_len; ++idx) {
    if (expected_anon_exclusive !== PageAnonExclusive(first_page + idx)) break;
  }
  return idx - start_idx;
}

/*
 * Private write upgrade of a batch: PageAnonExclusive belongs to each page, not to the folio, so
 * one page cannot decide for the batch (the head-page bug of cac1db8c3aad). The batch is cut into
 * runs of equal exclusivity, each committed with its own set_write.
 */
/* __always_inline */ function commit_anon_folio_batch(
  vma: vm_area_struct,
  _folio: Folio,
  first_page: page_t,
  addr: number,
  ptep: number,
  oldpte: PresentPte,
  ptent: PresentPte,
  nr_ptes: number,
  tlb: mmu_gather,
): void {
  let expected_anon_exclusive: boolean;
  let sub_batch_idx = 0;
  let len: number;

  /* Order-0 fast path of v2: does what the general loop does for one PTE. */
  if (likely(nr_ptes === 1)) {
    prot_commit_flush_ptes(vma, addr, ptep, oldpte, ptent, 1, 0, PageAnonExclusive(first_page), tlb);
    return;
  }

  while (nr_ptes) {
    expected_anon_exclusive = PageAnonExclusive(first_page + sub_batch_idx);
    len = page_anon_exclusive_sub_batch(sub_batch_idx, nr_ptes, first_page, expected_anon_exclusive);
    prot_commit_flush_ptes(vma, addr, ptep, oldpte, ptent, len, sub_batch_idx, expected_anon_exclusive, tlb);
    sub_batch_idx += len;
    nr_ptes -= len;
  }
}

function set_write_prot_commit_flush_ptes(
  vma: vm_area_struct,
  folio: Folio | null,
  page: page_t | null,
  addr: number,
  ptep: number,
  oldpte: PresentPte,
  ptent: PresentPte,
  nr_ptes: number,
  tlb: mmu_gather,
): void {
  let set_write: boolean;

  if (vma.vm_flags & VM_SHARED) {
    set_write = can_change_shared_pte_writable(vma, ptent);
    prot_commit_flush_ptes(vma, addr, ptep, oldpte, ptent, nr_ptes, /* idx = */ 0, set_write, tlb);
    return;
  }

  set_write = maybe_change_pte_writable(vma, ptent) && folio !== null && folio_test_anon(folio);
  if (!set_write) {
    prot_commit_flush_ptes(vma, addr, ptep, oldpte, ptent, nr_ptes, /* idx = */ 0, set_write, tlb);
    return;
  }
  commit_anon_folio_batch(vma, folio as Folio, page as page_t, addr, ptep, oldpte, ptent, nr_ptes, tlb);
}

function change_softleaf_pte(vma: vm_area_struct, addr: number, pte: number, oldpte: Pte, cp_flags: number): number {
  const uffd_wp = (cp_flags & MM_CP_UFFD_WP) !== 0;
  const uffd_wp_resolve = (cp_flags & MM_CP_UFFD_WP_RESOLVE) !== 0;
  let entry = softleaf_from_pte(oldpte);
  let newpte: Pte;

  if (softleaf_is_migration_write(entry)) {
    const folio = softleaf_to_folio(entry);

    /* A writable migration entry always becomes read-only; the new protection is not consulted. */
    if (folio_test_anon(folio)) entry = make_readable_exclusive_migration_entry(swp_offset(entry));
    else entry = make_readable_migration_entry(swp_offset(entry));
    newpte = swp_entry_to_pte(entry);
    if (pte_swp_soft_dirty(oldpte)) newpte = pte_swp_mksoft_dirty(newpte);
  } else if (softleaf_is_device_private_write(entry)) {
    /* Soft-dirty is dropped here on purpose, as copy_nonpresent_pte() does for device-private entries; uffd-wp is kept. */
    entry = make_readable_device_private_entry(swp_offset(entry));
    newpte = swp_entry_to_pte(entry);
    if (pte_swp_uffd_wp(oldpte)) newpte = pte_swp_mkuffd_wp(newpte);
  } else if (softleaf_is_marker(entry)) {
    /* Poison and guard markers are left alone whatever the flags: an access must keep raising SIGBUS or SIGSEGV. */
    if (softleaf_is_poison_marker(entry) || softleaf_is_guard_marker(entry)) return 0;
    /* Resolving uffd-wp removes the marker (counted), so the next fault on it is an ordinary one. */
    if (uffd_wp_resolve) {
      pte_clear(vma.vm_mm, addr, pte);
      return 1;
    }
    return 0;
  } else {
    newpte = oldpte;
  }

  if (uffd_wp) newpte = pte_swp_mkuffd_wp(newpte);
  else if (uffd_wp_resolve) newpte = pte_swp_clear_uffd_wp(newpte);

  if (!pte_same(oldpte, newpte)) {
    set_pte_at(vma.vm_mm, addr, pte, newpte);
    return 1;
  }
  return 0;
}

export function change_pte_range(
  tlb: mmu_gather,
  vma: vm_area_struct,
  pmd: number,
  addr: number,
  end: number,
  newprot: Pgprot,
  cp_flags: number,
): number {
  let oldpte: Pte;
  let pages = 0;
  let is_private_single_threaded = false;
  const prot_numa = (cp_flags & MM_CP_PROT_NUMA) !== 0;
  const uffd_wp = (cp_flags & MM_CP_UFFD_WP) !== 0;
  const uffd_wp_resolve = (cp_flags & MM_CP_UFFD_WP_RESOLVE) !== 0;
  let nr_ptes: number;

  tlb_change_page_size(tlb, PAGE_SIZE);
  let pte = pte_offset_map_lock(vma.vm_mm, pmd, addr);
  if (pte === null) return -EAGAIN;

  if (prot_numa) is_private_single_threaded = vma_is_single_threaded_private(vma);

  // flush_tlb_batched_pending(), lazy_mmu_mode_enable(): no observable effect
  do {
    nr_ptes = 1;
    oldpte = ptep_get(pte);
    if (pte_present(oldpte)) {
      const flags: fpb_t = FPB_RESPECT_SOFT_DIRTY | FPB_RESPECT_WRITE;
      const max_nr_ptes = (end - addr) >> PAGE_SHIFT;
      let folio: Folio | null = null;
      let ptent: PresentPte;

      /* Already PROT_NONE: NUMA hinting has nothing to change. */
      if (prot_numa && pte_protnone(oldpte)) {
        trace_batch(tlb, addr, 1, 'skip-protnone'); // MODEL: batch trace
        continue;
      }

      const page = vm_normal_page(vma, addr, oldpte);
      if (page !== null) folio = page_folio(page);

      /*
       * NUMA filter (R-PRES.2): the zero page, KSM pages and other folios not worth a hinting fault
       * are skipped; change_huge_pmd() applies the same test to huge PMDs.
       */
      if (prot_numa && !folio_can_map_prot_numa(folio, vma, is_private_single_threaded)) {
        /* skip every PTE of this folio in one step */
        nr_ptes = mprotect_folio_pte_batch(folio, pte, oldpte, max_nr_ptes, /* flags = */ 0);
        trace_batch(tlb, addr, nr_ptes, 'skip-numa'); // MODEL: batch trace
        continue;
      }

      nr_ptes = mprotect_folio_pte_batch(folio, pte, oldpte, max_nr_ptes, flags);
      trace_batch(tlb, addr, nr_ptes, 'commit'); // MODEL: batch trace

      oldpte = modify_prot_start_ptes(vma, addr, pte, nr_ptes);
      ptent = pte_modify(oldpte, newprot);

      if (uffd_wp) ptent = pte_mkuffd_wp(ptent);
      else if (uffd_wp_resolve) ptent = pte_clear_uffd_wp(ptent);

      /*
       * MM_CP_TRY_CHANGE_WRITABLE: a shared mapping may need write notification and a private one
       * COW, but an entry that needs neither (dirty in a shared mapping, exclusive anon in a
       * private one) is made writable now and saves its write fault (R-WR).
       */
      if (cp_flags & MM_CP_TRY_CHANGE_WRITABLE && !pte_write(ptent))
        set_write_prot_commit_flush_ptes(vma, folio, page, addr, pte, oldpte, ptent, nr_ptes, tlb);
      else prot_commit_flush_ptes(vma, addr, pte, oldpte, ptent, nr_ptes, /* idx = */ 0, /* set_write = */ false, tlb);
      pages += nr_ptes;
    } else if (pte_none(oldpte)) {
      /* Of all callers only uffd-wp protection acts on an empty entry. */
      if (likely(!uffd_wp)) continue;

      if (userfaultfd_wp_use_markers(vma)) {
        /*
         * With markers (file-backed or shmem uffd-wp) an empty PTE can still have page-cache or
         * swap-cache content behind it; a PTE_MARKER_UFFD_WP marker write-protects it.
         */
        set_pte_at(vma.vm_mm, addr, pte, make_pte_marker(PTE_MARKER_UFFD_WP));
        pages++;
      }
    } else {
      pages += change_softleaf_pte(vma, addr, pte, oldpte, cp_flags);
    }
    // biome-ignore lint/complexity/noCommaOperator: the C loop's increment clause, kept verbatim
    // biome-ignore lint/suspicious/noAssignInExpressions: the C loop's increment clause, kept verbatim
  } while (((pte += nr_ptes), (addr += nr_ptes * PAGE_SIZE), addr !== end));
  // lazy_mmu_mode_disable(), pte_unmap_unlock()

  return pages;
}

export { change_huge_pmd };

/** Entry point: one change_protection() call on a copy of `world`. */
export function change_protection(world: World): KernelOutcome {
  return run_change_protection(world, { change_pte_range, change_huge_pmd });
}
