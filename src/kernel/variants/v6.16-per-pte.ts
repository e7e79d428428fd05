// Variant v6.16-per-pte (version A): the per-PTE change_pte_range() before
// large-folio batching, with the NUMA filter and the softleaf handling inline.
// Read from torvalds/linux mm/mprotect.c @ 003fde4492c88ac3a1fee3d97b3834a679780af3
// (between v6.15 and v6.16: has folio_maybe_mapped_shared() and pmd_devmap()).
//
// Same function names, parameter order, branch order and loop shape as the C.
// A `pte_t *` is a vpn and a `struct page *` a pfn (lib/context.ts). Other
// liberties are marked `// MODEL:`.
import {
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
  change_huge_pmd_v6_16,
  EAGAIN,
  folio_is_file_lru,
  folio_is_zone_device,
  folio_maybe_dma_pinned,
  folio_maybe_mapped_shared,
  folio_nid,
  folio_test_anon,
  folio_test_dirty,
  folio_test_ksm,
  folio_use_access_time,
  folio_xchg_access_time,
  is_cow_mapping,
  is_guard_swp_entry,
  is_poisoned_swp_entry,
  is_pte_marker_entry,
  is_swap_pte,
  is_writable_device_private_entry,
  is_writable_migration_entry,
  jiffies_now,
  likely,
  make_pte_marker,
  make_readable_device_private_entry,
  make_readable_exclusive_migration_entry,
  make_readable_migration_entry,
  type mmu_gather,
  NUMA_NO_NODE,
  node_is_toptier,
  numa_balancing_normal,
  numa_node_id,
  PAGE_SIZE,
  PageAnon,
  PageAnonExclusive,
  pfn_swap_entry_folio,
  pte_clear,
  pte_clear_uffd_wp,
  pte_dirty,
  pte_mkuffd_wp,
  pte_mkwrite,
  pte_modify,
  // MODEL: this kernel predates arm64's pte_needs_flush() (c320dbb7c80d, v6.19): arm64 always flushed.
  pte_needs_flush_pre_v6_19 as pte_needs_flush,
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
  pte_to_swp_entry,
  pte_write,
  ptep_get,
  ptep_modify_prot_commit,
  ptep_modify_prot_start,
  run_change_protection,
  set_pte_at,
  swp_entry_to_pte,
  swp_offset,
  tlb_change_page_size,
  tlb_flush_pte_range,
  trace_batch,
  trace_sub_run,
  userfaultfd_pte_wp,
  userfaultfd_wp_use_markers,
  type vm_area_struct,
  vm_normal_folio,
  vm_normal_page,
  WARN_ON_ONCE,
} from '../lib/index.js';

export function can_change_pte_writable(vma: vm_area_struct, addr: number, pte: PresentPte): boolean {
  if (WARN_ON_ONCE(!(vma.vm_flags & VM_WRITE), 'WARN_ON_ONCE(!(vma->vm_flags & VM_WRITE)) in can_change_pte_writable()'))
    return false;

  /* Don't touch entries that are not even readable. */
  if (pte_protnone(pte)) return false;

  /* Do we need write faults for softdirty tracking? */
  if (pte_needs_soft_dirty_wp(vma, pte)) return false;

  /* Do we need write faults for uffd-wp tracking? */
  if (userfaultfd_pte_wp(vma, pte)) return false;

  if (!(vma.vm_flags & VM_SHARED)) {
    /*
     * Writable MAP_PRIVATE mapping: We can only special-case on
     * exclusive anonymous pages, because we know that our
     * write-fault handler similarly would map them writable without
     * any additional checks while holding the PT lock.
     */
    const page = vm_normal_page(vma, addr, pte);
    return page !== null && PageAnon(page) && PageAnonExclusive(page);
  }

  /*
   * Writable MAP_SHARED mapping: "clean" might indicate that the FS still
   * needs a real write-fault for writenotify
   * (see vma_wants_writenotify()). If "dirty", the assumption is that the
   * FS was already notified and we can simply mark the PTE writable
   * just like the write-fault handler would do.
   */
  return pte_dirty(pte);
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
  let target_node = NUMA_NO_NODE;
  const prot_numa = (cp_flags & MM_CP_PROT_NUMA) !== 0;
  const uffd_wp = (cp_flags & MM_CP_UFFD_WP) !== 0;
  const uffd_wp_resolve = (cp_flags & MM_CP_UFFD_WP_RESOLVE) !== 0;

  tlb_change_page_size(tlb, PAGE_SIZE);
  let pte = pte_offset_map_lock(vma.vm_mm, pmd, addr);
  if (pte === null) return -EAGAIN;

  /* Get target node for single threaded private VMAs */
  if (prot_numa && !(vma.vm_flags & VM_SHARED) && vma.vm_mm.state.singleThreaded) target_node = numa_node_id();

  // flush_tlb_batched_pending(), arch_enter_lazy_mmu_mode(): no observable effect
  do {
    oldpte = ptep_get(pte);
    if (pte_present(oldpte)) {
      let ptent: PresentPte;
      let set_write = false; // MODEL: batch trace only

      /*
       * Avoid trapping faults against the zero or KSM
       * pages. See similar comment in change_huge_pmd.
       */
      if (prot_numa) {
        /* Avoid TLB flush if possible */
        if (pte_protnone(oldpte)) {
          trace_batch(tlb, addr, 1, 'skip-protnone'); // MODEL: batch trace
          continue;
        }

        const folio = vm_normal_folio(vma, addr, oldpte);
        if (!folio || folio_is_zone_device(folio) || folio_test_ksm(folio)) {
          trace_batch(tlb, addr, 1, 'skip-numa'); // MODEL: batch trace
          continue;
        }

        /* Also skip shared copy-on-write pages */
        if (is_cow_mapping(vma.vm_flags) && (folio_maybe_dma_pinned(folio) || folio_maybe_mapped_shared(folio))) {
          trace_batch(tlb, addr, 1, 'skip-numa'); // MODEL: batch trace
          continue;
        }

        /*
         * While migration can move some dirty pages,
         * it cannot move them all from MIGRATE_ASYNC
         * context.
         */
        if (folio_is_file_lru(folio) && folio_test_dirty(folio)) {
          trace_batch(tlb, addr, 1, 'skip-numa'); // MODEL: batch trace
          continue;
        }

        /*
         * Don't mess with PTEs if page is already on the node
         * a single-threaded process is running on.
         */
        const nid = folio_nid(folio);
        if (target_node === nid) {
          trace_batch(tlb, addr, 1, 'skip-numa'); // MODEL: batch trace
          continue;
        }
        const toptier = node_is_toptier(nid);

        /*
         * Skip scanning top tier node if normal numa
         * balancing is disabled
         */
        if (!numa_balancing_normal() && toptier) {
          trace_batch(tlb, addr, 1, 'skip-numa'); // MODEL: batch trace
          continue;
        }
        if (folio_use_access_time(folio)) folio_xchg_access_time(folio, jiffies_now());
      }

      oldpte = ptep_modify_prot_start(vma, addr, pte);
      ptent = pte_modify(oldpte, newprot);

      if (uffd_wp) ptent = pte_mkuffd_wp(ptent);
      else if (uffd_wp_resolve) ptent = pte_clear_uffd_wp(ptent);

      /*
       * In some writable, shared mappings, we might want
       * to catch actual write access -- see
       * vma_wants_writenotify().
       *
       * In all writable, private mappings, we have to
       * properly handle COW.
       *
       * In both cases, we can sometimes still change PTEs
       * writable and avoid the write-fault handler, for
       * example, if a PTE is already dirty and no other
       * COW or special handling is required.
       */
      if (cp_flags & MM_CP_TRY_CHANGE_WRITABLE && !pte_write(ptent) && can_change_pte_writable(vma, addr, ptent)) {
        ptent = pte_mkwrite(ptent, vma);
        set_write = true; // MODEL: batch trace only
      }

      trace_batch(tlb, addr, 1, 'commit'); // MODEL: batch trace
      trace_sub_run(tlb, 0, 1, set_write); // MODEL: batch trace
      ptep_modify_prot_commit(vma, addr, pte, oldpte, ptent);
      if (pte_needs_flush(oldpte, ptent)) tlb_flush_pte_range(tlb, addr, PAGE_SIZE);
      pages++;
    } else if (is_swap_pte(oldpte)) {
      let entry = pte_to_swp_entry(oldpte);
      let newpte: Pte;

      if (is_writable_migration_entry(entry)) {
        const folio = pfn_swap_entry_folio(entry);

        /*
         * A protection check is difficult so
         * just be safe and disable write
         */
        if (folio_test_anon(folio)) entry = make_readable_exclusive_migration_entry(swp_offset(entry));
        else entry = make_readable_migration_entry(swp_offset(entry));
        newpte = swp_entry_to_pte(entry);
        if (pte_swp_soft_dirty(oldpte)) newpte = pte_swp_mksoft_dirty(newpte);
      } else if (is_writable_device_private_entry(entry)) {
        /*
         * We do not preserve soft-dirtiness. See
         * copy_nonpresent_pte() for explanation.
         */
        entry = make_readable_device_private_entry(swp_offset(entry));
        newpte = swp_entry_to_pte(entry);
        if (pte_swp_uffd_wp(oldpte)) newpte = pte_swp_mkuffd_wp(newpte);
      } else if (is_pte_marker_entry(entry)) {
        /*
         * Ignore error swap entries unconditionally,
         * because any access should sigbus/sigsegv
         * anyway.
         */
        if (is_poisoned_swp_entry(entry) || is_guard_swp_entry(entry)) continue;
        /*
         * If this is uffd-wp pte marker and we'd like
         * to unprotect it, drop it; the next page
         * fault will trigger without uffd trapping.
         */
        if (uffd_wp_resolve) {
          pte_clear(vma.vm_mm, addr, pte);
          pages++;
        }
        continue;
      } else {
        newpte = oldpte;
      }

      if (uffd_wp) newpte = pte_swp_mkuffd_wp(newpte);
      else if (uffd_wp_resolve) newpte = pte_swp_clear_uffd_wp(newpte);

      if (!pte_same(oldpte, newpte)) {
        set_pte_at(vma.vm_mm, addr, pte, newpte);
        pages++;
      }
    } else {
      /* It must be an none page, or what else?.. */
      WARN_ON_ONCE(!pte_none(oldpte), 'WARN_ON_ONCE(!pte_none(oldpte)) in change_pte_range()');

      /*
       * Nobody plays with any none ptes besides
       * userfaultfd when applying the protections.
       */
      if (likely(!uffd_wp)) continue;

      if (userfaultfd_wp_use_markers(vma)) {
        /*
         * For file-backed mem, we need to be able to
         * wr-protect a none pte, because even if the
         * pte is none, the page/swap cache could
         * exist.  Doing that by install a marker.
         */
        set_pte_at(vma.vm_mm, addr, pte, make_pte_marker(PTE_MARKER_UFFD_WP));
        pages++;
      }
    }
    // biome-ignore lint/complexity/noCommaOperator: the C loop's increment clause, kept verbatim
    // biome-ignore lint/suspicious/noAssignInExpressions: the C loop's increment clause, kept verbatim
  } while ((pte++, (addr += PAGE_SIZE), addr !== end));
  // arch_leave_lazy_mmu_mode(), pte_unmap_unlock()

  return pages;
}

export { change_huge_pmd_v6_16 as change_huge_pmd };

/** Entry point: one change_protection() call on a copy of `world`. */
export function change_protection(world: World): KernelOutcome {
  return run_change_protection(world, { change_pte_range, change_huge_pmd: change_huge_pmd_v6_16 });
}
