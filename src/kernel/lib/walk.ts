// SPDX-License-Identifier: GPL-2.0-only
// The walk above the PTE level (mm/mprotect.c): change_protection() ->
// change_protection_range() -> change_pmd_range() -> the variant's
// change_pte_range() / change_huge_pmd(). Shared by every variant; read from
// Diangang/linux mm/mprotect.c @ 567be9fb402d (identical in A, B, B' for
// the parts modelled). R-WALK.1-4.
//
// MODEL: the PGD/P4D/PUD loops are collapsed (every upper level is present
// and no PUD is huge), hugetlb VMAs are out of scope, and allocations never
// fail, so change_prepare() is a no-op above the PMD level.
import {
  type KernelOutcome,
  MM_CP_PROT_NUMA,
  MM_CP_UFFD_WP,
  MM_CP_UFFD_WP_ALL,
  PAGE_NONE,
  type Pgprot,
  type World,
} from '../../pte/index.js';
import { VM_BUG_ON } from './bug.js';
import { mk_mm, mk_vma, type vm_area_struct, with_mm } from './context.js';
import { __split_huge_pmd } from './huge_memory.js';
import { type mmu_gather, tlb_end_vma, tlb_gather_mmu, tlb_start_vma } from './mmu_gather.js';
import { HPAGE_PMD_NR, HPAGE_PMD_SIZE } from './page.js';
import { pmd_addr_end, pmd_is_huge, pmd_none, pmd_offset, pmdp_get, pmdp_get_lockless, pte_alloc } from './pmd.js';
import { userfaultfd_wp_use_markers, vma_is_anonymous } from './userfaultfd.js';

/** The PTE-level functions a variant provides to the shared walk. */
export interface change_protection_ops {
  /** change_pte_range(tlb, vma, pmd, addr, end, newprot, cp_flags): pages, or -EAGAIN. */
  readonly change_pte_range: (
    tlb: mmu_gather,
    vma: vm_area_struct,
    pmd: number,
    addr: number,
    end: number,
    newprot: Pgprot,
    cp_flags: number,
  ) => number;
  /** change_huge_pmd(tlb, vma, pmd, addr, newprot, cp_flags): 0, 1 or HPAGE_PMD_NR. */
  readonly change_huge_pmd: (
    tlb: mmu_gather,
    vma: vm_area_struct,
    pmd: number,
    addr: number,
    newprot: Pgprot,
    cp_flags: number,
  ) => number;
}

/** pgtable_split_needed(): uffd-wp markers live at PTE level only. */
export function pgtable_split_needed(vma: vm_area_struct, cp_flags: number): boolean {
  return (cp_flags & MM_CP_UFFD_WP) !== 0 && !vma_is_anonymous(vma);
}

/** pgtable_populate_needed(): UFFDIO_WRITEPROTECT in a mode that needs markers. */
export function pgtable_populate_needed(vma: vm_area_struct, cp_flags: number): boolean {
  /* Only a uffd-wp request (MM_CP_UFFD_WP) can need new page tables... */
  if (!(cp_flags & MM_CP_UFFD_WP)) return false;

  /* ...and only when this VMA's uffd-wp works with markers. */
  return userfaultfd_wp_use_markers(vma);
}

/** change_pmd_prepare(vma, pmd, cp_flags): populate a PTE table if markers need one (R-WALK.2). */
export function change_pmd_prepare(vma: vm_area_struct, pmd: number, cp_flags: number): number {
  let err = 0;
  if (pgtable_populate_needed(vma, cp_flags)) {
    if (pte_alloc(vma.vm_mm, pmd)) err = -12; // -ENOMEM
  }
  return err;
}

export function change_pmd_range(
  ops: change_protection_ops,
  tlb: mmu_gather,
  vma: vm_area_struct,
  pud: null,
  addr: number,
  end: number,
  newprot: Pgprot,
  cp_flags: number,
): number {
  const mm = vma.vm_mm;
  let next: number;
  let pages = 0;
  let _nr_huge_updates = 0; // count_vm_numa_events(NUMA_HUGE_PTE_UPDATES): not observed

  let pmd = pmd_offset(pud, addr);
  do {
    let ret: number;
    for (;;) {
      next = pmd_addr_end(addr, end);

      ret = change_pmd_prepare(vma, pmd, cp_flags);
      if (ret) return ret; // pages = ret; break; (unreachable: allocation never fails)

      if (pmd_none(pmdp_get(mm, pmd))) break; // goto next

      const _pmd = pmdp_get_lockless(mm, pmd);
      if (pmd_is_huge(_pmd)) {
        if (next - addr !== HPAGE_PMD_SIZE || pgtable_split_needed(vma, cp_flags)) {
          __split_huge_pmd(vma, pmd, addr, false);
          /*
           * Splitting a file-backed huge PMD may leave it empty: allocate the PTE table again if
           * markers need it, then go on at PTE level.
           */
          ret = change_pmd_prepare(vma, pmd, cp_flags);
          if (ret) return ret;
        } else {
          ret = ops.change_huge_pmd(tlb, vma, pmd, addr, newprot, cp_flags);
          if (ret) {
            if (ret === HPAGE_PMD_NR) {
              pages += HPAGE_PMD_NR;
              _nr_huge_updates++;
            }

            /* change_huge_pmd() did the whole PMD */
            break; // goto next
          }
        }
        /* split above: continue in the new PTE table */
      }

      ret = ops.change_pte_range(tlb, vma, pmd, addr, next, newprot, cp_flags);
      if (ret < 0) {
        // MODEL: -EAGAIN after a file THP split left the PMD none; the kernel
        // retries (goto again), finds pmd_none() and moves on.
        if (pmd_none(pmdp_get(mm, pmd))) break;
        continue;
      }
      pages += ret;
      break;
    }
    // next:
    // biome-ignore lint/complexity/noCommaOperator: the C loop's increment clause, kept verbatim
    // biome-ignore lint/suspicious/noAssignInExpressions: the C loop's increment clause, kept verbatim
  } while ((pmd++, (addr = next), addr !== end));

  return pages;
}

/** change_protection_range(): tlb_start_vma(), the page-table walk, tlb_end_vma(). */
export function change_protection_range(
  ops: change_protection_ops,
  tlb: mmu_gather,
  vma: vm_area_struct,
  addr: number,
  end: number,
  newprot: Pgprot,
  cp_flags: number,
): number {
  VM_BUG_ON(addr >= end, 'BUG_ON(addr >= end) in change_protection_range()');
  tlb_start_vma(tlb, vma);
  // MODEL: the pgd/p4d/pud loops collapse to one change_pmd_range() call.
  const pages = change_pmd_range(ops, tlb, vma, null, addr, end, newprot, cp_flags);
  tlb_end_vma(tlb, vma);
  return pages;
}

/** change_protection(tlb, vma, start, end, cp_flags), with the variant's PTE-level ops. */
export function change_protection(
  ops: change_protection_ops,
  tlb: mmu_gather,
  vma: vm_area_struct,
  start: number,
  end: number,
  cp_flags: number,
): number {
  let newprot = vma.vm_page_prot;

  VM_BUG_ON(
    (cp_flags & MM_CP_UFFD_WP_ALL) === MM_CP_UFFD_WP_ALL,
    'BUG_ON: MM_CP_UFFD_WP and MM_CP_UFFD_WP_RESOLVE together (R-CP.1) in change_protection()',
  );

  /* CONFIG_NUMA_BALANCING */
  if (cp_flags & MM_CP_PROT_NUMA) newprot = PAGE_NONE;

  return change_protection_range(ops, tlb, vma, start, end, newprot, cp_flags);
}

/**
 * Run one change_protection() over a world on a private copy of its page
 * tables and memmap. The input world is never written.
 */
export function run_change_protection(world: World, ops: change_protection_ops): KernelOutcome {
  const mm = mk_mm(world.config, world.mm, world.numa, world.vma, world.folios, world.ptes, world.pmds);
  const vma = mk_vma(world.vma, mm);
  const tlb = tlb_gather_mmu();
  const count = with_mm(mm, () => change_protection(ops, tlb, vma, world.range.start, world.range.end, world.cp_flags));
  return { ptes: mm.ptes, pmds: mm.pmds, count, numaStamps: mm.numaStamps, flushes: tlb.flushes, trace: tlb.trace };
}
