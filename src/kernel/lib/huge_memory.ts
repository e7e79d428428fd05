// SPDX-License-Identifier: GPL-2.0-only
// PMD-mapped THP handling (mm/huge_memory.c): change_huge_pmd(),
// change_non_present_huge_pmd(), can_change_pmd_writable(), __split_huge_pmd().
// R-WALK.3. Read from Diangang/linux mm/huge_memory.c @ 35ce50121a22 (C); the
// A/B forms are cited where they differ. MODEL: a non-present PMD of an
// anonymous VMA is never split (the world builder does not make that shape).

import {
  _PAGE_SPECIAL,
  huge_pmd_needs_flush as huge_pmd_needs_flush_cfg,
  huge_pmd_needs_flush_pre_v6_19 as huge_pmd_needs_flush_pre_v6_19_cfg,
  MM_CP_PROT_NUMA,
  MM_CP_TRY_CHANGE_WRITABLE,
  MM_CP_UFFD_WP,
  MM_CP_UFFD_WP_RESOLVE,
  type Pgprot,
  type PresentPte,
  pmd_modify_as_built,
  type SoftleafPte,
  VM_SHARED,
  VM_WRITE,
} from '../../pte/index.js';
import { HUGE_ZERO_PFN, ZERO_PFN } from '../../pte/types.js';
import { VM_BUG_ON, VM_WARN_ON, WARN_ON_ONCE } from './bug.js';
import { current_mm, type mm_struct, type vm_area_struct } from './context.js';
import {
  folio_nid,
  folio_set_all_anon_exclusive,
  folio_test_anon,
  PageAnon,
  PageAnonExclusive,
  page_folio,
  pfn_to_folio,
} from './memmap.js';
import type { mmu_gather } from './mmu_gather.js';
import { tlb_change_page_size, tlb_flush_pmd_range } from './mmu_gather.js';
import {
  folio_can_map_prot_numa,
  folio_use_access_time,
  folio_xchg_access_time,
  jiffies_now,
  node_is_toptier,
  numa_balancing_normal,
  vma_is_single_threaded_private,
} from './numa.js';
import { HPAGE_PMD_NR, HPAGE_PMD_SIZE, PAGE_SIZE } from './page.js';
import { set_pte_at } from './pgtable.js';
import { pmd_is_huge, pmd_is_valid_softleaf, pmdp_get, set_pmd_at } from './pmd.js';
import {
  pte_clear_uffd_wp,
  pte_dirty,
  pte_mkdirty,
  pte_mkold,
  pte_mksoft_dirty,
  pte_mkuffd_wp,
  pte_mkwrite,
  pte_protnone,
  pte_soft_dirty,
  pte_special,
  pte_uffd_wp,
  pte_write,
  pte_young,
} from './pte_ops.js';
import {
  make_readable_device_private_entry,
  make_readable_exclusive_migration_entry,
  make_readable_migration_entry,
  pte_swp_clear_uffd_wp,
  pte_swp_mksoft_dirty,
  pte_swp_mkuffd_wp,
  pte_swp_soft_dirty,
  softleaf_is_device_private_write,
  softleaf_is_migration_write,
  softleaf_to_folio,
  swp_offset,
} from './swapops.js';
import { userfaultfd_huge_pmd_wp, vma_is_anonymous, vma_soft_dirty_enabled } from './userfaultfd.js';

/*
 * pmd_modify(): arch/x86/include/asm/pgtable.h, the fixed helper (f7491d7c81db) unless the run is
 * inside withArchHelpers(SHIPPED_ARCH_HELPERS_V6_6), then the v6.6..fix one that drops dirty (src/pte/arch).
 */
export const pmd_modify = (pmd: PresentPte, newprot: Pgprot): PresentPte =>
  pmd_modify_as_built(pmd, newprot, current_mm().config);
/* A huge PMD value has the PTE's logical fields; the other pmd_* helpers are the pte_* ones. */
export const pmd_protnone = pte_protnone;
export const pmd_write = pte_write;
export const pmd_dirty = pte_dirty;
export const pmd_young = pte_young;
export const pmd_soft_dirty = pte_soft_dirty;
export const pmd_uffd_wp = pte_uffd_wp;
export const pmd_mkuffd_wp = pte_mkuffd_wp;
export const pmd_clear_uffd_wp = pte_clear_uffd_wp;
export const pmd_mkwrite = pte_mkwrite;

/** huge_pmd_needs_flush(): like pte_needs_flush() but accessed is not ignored. */
export const huge_pmd_needs_flush = (oldpmd: PresentPte, newpmd: PresentPte, vma: vm_area_struct): boolean =>
  huge_pmd_needs_flush_cfg(oldpmd, newpmd, vma.vm_mm.config);
/** MODEL: before v6.19 arm64 had no huge_pmd_needs_flush() override (always flush); used by the A/B form. */
const huge_pmd_needs_flush_pre_v6_19 = (oldpmd: PresentPte, newpmd: PresentPte, vma: vm_area_struct): boolean =>
  huge_pmd_needs_flush_pre_v6_19_cfg(oldpmd, newpmd, vma.vm_mm.config);

/** vm_normal_page_pmd(vma, addr, pmd) */
export function vm_normal_page_pmd(_vma: vm_area_struct, _addr: number, pmd: PresentPte): number | null {
  if (pte_special(pmd)) return null;
  return pfn_to_folio(pmd.pfn) === null ? null : pmd.pfn;
}

/** pmd_folio(pmd) */
export const pmd_folio = (pmd: PresentPte) => page_folio(pmd.pfn);

/** is_huge_zero_pmd(pmd): a present PMD whose pfn is the huge zero folio's (the kernel compares pfns too). */
export const is_huge_zero_pmd = (pmd: PresentPte): boolean => pmd.pfn === HUGE_ZERO_PFN;

/* The swap-format helpers at PMD level are the PTE ones (the world keeps one softleaf encoding). */
export const softleaf_from_pmd = (pmd: SoftleafPte): SoftleafPte => pmd;
export const swp_entry_to_pmd = (entry: SoftleafPte): SoftleafPte => entry;
export const pmd_swp_soft_dirty = pte_swp_soft_dirty;
export const pmd_swp_mksoft_dirty = pte_swp_mksoft_dirty;
export const pmd_swp_mkuffd_wp = pte_swp_mkuffd_wp;
export const pmd_swp_clear_uffd_wp = pte_swp_clear_uffd_wp;
const pmd_same = (a: SoftleafPte, b: SoftleafPte): boolean => a.type === b.type && a.offset === b.offset && a.flags === b.flags;

/**
 * change_non_present_huge_pmd() (C; mm/huge_memory.c): a PMD-level migration
 * or device-private entry. A writable migration entry becomes readable
 * (read-exclusive for an anon folio) and keeps soft-dirty; a writable
 * device-private entry becomes readable and keeps neither soft-dirty nor
 * uffd-wp (the PTE path, change_softleaf_pte(), carries uffd-wp over); then the
 * uffd-wp flag of the call is applied. The caller counts nothing for it.
 * `device_private` is false for the A/B form, where the code sat inline in
 * change_huge_pmd() and asserted a migration entry (VM_BUG_ON(!is_pmd_migration_entry)):
 * PMD-level device-private entries did not exist yet.
 */
function __change_non_present_huge_pmd(
  mm: mm_struct,
  addr: number,
  pmd: number,
  uffd_wp: boolean,
  uffd_wp_resolve: boolean,
  device_private: boolean,
): void {
  const cur = pmdp_get(mm, pmd);
  if (device_private)
    VM_WARN_ON(!pmd_is_valid_softleaf(cur), 'VM_WARN_ON(!pmd_is_valid_softleaf(*pmd)) in change_non_present_huge_pmd()');
  else
    VM_BUG_ON(
      !pmd_is_valid_softleaf(cur) || !cur.pmd.type.startsWith('migration_'),
      'VM_BUG_ON(!is_pmd_migration_entry(*pmd)) in change_huge_pmd()',
    );
  const old = (cur as Extract<typeof cur, { kind: 'softleaf' }>).pmd;
  let entry = softleaf_from_pmd(old);
  const folio = softleaf_to_folio(entry);
  let newpmd: SoftleafPte;

  if (softleaf_is_migration_write(entry)) {
    if (folio_test_anon(folio)) entry = make_readable_exclusive_migration_entry(swp_offset(entry));
    else entry = make_readable_migration_entry(swp_offset(entry));
    newpmd = swp_entry_to_pmd(entry);
    if (pmd_swp_soft_dirty(old)) newpmd = pmd_swp_mksoft_dirty(newpmd);
  } else if (device_private && softleaf_is_device_private_write(entry)) {
    entry = make_readable_device_private_entry(swp_offset(entry));
    newpmd = swp_entry_to_pmd(entry);
  } else {
    newpmd = old;
  }

  if (uffd_wp) newpmd = pmd_swp_mkuffd_wp(newpmd);
  else if (uffd_wp_resolve) newpmd = pmd_swp_clear_uffd_wp(newpmd);
  if (!pmd_same(old, newpmd)) set_pmd_at(mm, addr, pmd, { kind: 'softleaf', pmd: newpmd });
}

/** change_non_present_huge_pmd(mm, addr, pmd, uffd_wp, uffd_wp_resolve) (C). */
export function change_non_present_huge_pmd(
  mm: mm_struct,
  addr: number,
  pmd: number,
  uffd_wp: boolean,
  uffd_wp_resolve: boolean,
): void {
  __change_non_present_huge_pmd(mm, addr, pmd, uffd_wp, uffd_wp_resolve, true);
}

/** can_change_pmd_writable(vma, addr, pmd): the PTE rules on the head page (R-WR.2-4). */
export function can_change_pmd_writable(vma: vm_area_struct, addr: number, pmd: PresentPte): boolean {
  if (WARN_ON_ONCE(!(vma.vm_flags & VM_WRITE), 'WARN_ON_ONCE(!(vma->vm_flags & VM_WRITE)) in can_change_pmd_writable()'))
    return false;

  /* A PROT_NONE (NUMA-hinting) huge PMD is never made writable. */
  if (pmd_protnone(pmd)) return false;

  /* Soft-dirty tracking still needs the write fault on a clean entry (R-WR.2). */
  if (vma_soft_dirty_enabled(vma) && !pmd_soft_dirty(pmd)) return false;

  /* A uffd-wp protected entry keeps faulting on write (R-WR.2). */
  if (userfaultfd_huge_pmd_wp(vma, pmd)) return false;

  if (!(vma.vm_flags & VM_SHARED)) {
    /* See can_change_pte_writable(). */
    const page = vm_normal_page_pmd(vma, addr, pmd);
    return page !== null && PageAnon(page) && PageAnonExclusive(page);
  }

  /* See can_change_pte_writable(). */
  return pmd_dirty(pmd);
}

type PmdNumaSkip = (vma: vm_area_struct, pmd: PresentPte) => boolean;

/** B'/C (v6.19+): protnone, then folio_can_map_prot_numa(). */
const numa_skip_v6_19: PmdNumaSkip = (vma, pmd) => {
  if (is_huge_zero_pmd(pmd)) return true;
  if (pmd_protnone(pmd)) return true;
  return !folio_can_map_prot_numa(pmd_folio(pmd), vma, vma_is_single_threaded_private(vma));
};

/** A/B (v6.16/v6.17): protnone, then only the top-tier test and the access-time stamp. */
const numa_skip_v6_16: PmdNumaSkip = (_vma, pmd) => {
  if (is_huge_zero_pmd(pmd)) return true;
  if (pmd_protnone(pmd)) return true;
  const folio = pmd_folio(pmd);
  const toptier = node_is_toptier(folio_nid(folio));
  /* With only memory-tiering balancing on, folios on a top-tier node are left alone. */
  if (!numa_balancing_normal() && toptier) return true;
  if (folio_use_access_time(folio)) folio_xchg_access_time(folio, jiffies_now());
  return false;
};

// MODEL: the NUMA skip, the flush rule and the non-present handling are parameters: they are what
// differs between the A/B and B'/C forms.
function __change_huge_pmd(
  skip: PmdNumaSkip,
  needs_flush: typeof huge_pmd_needs_flush,
  device_private_pmds: boolean,
  tlb: mmu_gather,
  vma: vm_area_struct,
  pmd: number,
  addr: number,
  newprot: Pgprot,
  cp_flags: number,
): number {
  const mm = vma.vm_mm;
  const prot_numa = (cp_flags & MM_CP_PROT_NUMA) !== 0;
  const uffd_wp = (cp_flags & MM_CP_UFFD_WP) !== 0;
  const uffd_wp_resolve = (cp_flags & MM_CP_UFFD_WP_RESOLVE) !== 0;
  let ret = 1;

  tlb_change_page_size(tlb, HPAGE_PMD_SIZE);

  // MODEL: thp_migration_supported() holds (x86-64 and arm64 select ARCH_ENABLE_THP_MIGRATION).
  const cur = pmdp_get(mm, pmd);
  if (!pmd_is_huge(cur)) return 0; // __pmd_trans_huge_lock() failed

  if (cur.kind === 'softleaf') {
    __change_non_present_huge_pmd(mm, addr, pmd, uffd_wp, uffd_wp_resolve, device_private_pmds);
    return ret; // goto unlock
  }

  if (prot_numa && skip(vma, cur.pmd)) return ret; // goto unlock

  const oldpmd = cur.pmd; // pmdp_invalidate_ad()
  let entry = pmd_modify(oldpmd, newprot);
  if (uffd_wp) entry = pmd_mkuffd_wp(entry);
  /*
   * Resolving uffd-wp leaves write off: the fault handler decides it
   * later, so COW stays correct.
   */ else if (uffd_wp_resolve) entry = pmd_clear_uffd_wp(entry);

  /* See change_pte_range(). */
  if (cp_flags & MM_CP_TRY_CHANGE_WRITABLE && !pmd_write(entry) && can_change_pmd_writable(vma, addr, entry))
    entry = pmd_mkwrite(entry, vma);

  ret = HPAGE_PMD_NR;
  set_pmd_at(mm, addr, pmd, { kind: 'huge', pmd: entry });

  if (needs_flush(oldpmd, entry, vma)) tlb_flush_pmd_range(tlb, addr, HPAGE_PMD_SIZE);
  return ret;
}

/** change_huge_pmd() as in B'/C (mm/huge_memory.c, v6.19+). Returns 0, 1 or HPAGE_PMD_NR. */
export function change_huge_pmd(
  tlb: mmu_gather,
  vma: vm_area_struct,
  pmd: number,
  addr: number,
  newprot: Pgprot,
  cp_flags: number,
): number {
  return __change_huge_pmd(numa_skip_v6_19, huge_pmd_needs_flush, true, tlb, vma, pmd, addr, newprot, cp_flags);
}

/** change_huge_pmd() as in A/B (v6.16/v6.17): the NUMA test is top-tier only; arm64 always flushed. */
export function change_huge_pmd_v6_16(
  tlb: mmu_gather,
  vma: vm_area_struct,
  pmd: number,
  addr: number,
  newprot: Pgprot,
  cp_flags: number,
): number {
  return __change_huge_pmd(numa_skip_v6_16, huge_pmd_needs_flush_pre_v6_19, false, tlb, vma, pmd, addr, newprot, cp_flags);
}

/**
 * __split_huge_pmd(vma, pmd, address, freeze=false) -> __split_huge_pmd_locked().
 * Non-anonymous VMA: the PMD is zapped (left none; the page cache keeps the
 * folio). Anonymous VMA: a PTE table of HPAGE_PMD_NR PTEs built from
 * vm_page_prot plus the PMD's write/young/dirty/soft-dirty/uffd-wp, and the
 * head page's PageAnonExclusive propagated to every subpage (§13.6).
 */
export function __split_huge_pmd(vma: vm_area_struct, pmd: number, address: number, _freeze: boolean): void {
  const mm = vma.vm_mm;
  const cur = pmdp_get(mm, pmd);
  if (!pmd_is_huge(cur)) return;
  const haddr = address - (address % HPAGE_PMD_SIZE);

  // __split_huge_pmd_locked()
  VM_BUG_ON(haddr % HPAGE_PMD_SIZE !== 0, 'VM_BUG_ON(haddr & ~HPAGE_PMD_MASK) in __split_huge_pmd_locked()');
  VM_BUG_ON(vma.vm_start > haddr, 'VM_BUG_ON_VMA(vma->vm_start > haddr) in __split_huge_pmd_locked()');
  VM_BUG_ON(
    vma.vm_end < haddr + HPAGE_PMD_SIZE,
    'VM_BUG_ON_VMA(vma->vm_end < haddr + HPAGE_PMD_SIZE) in __split_huge_pmd_locked()',
  );

  if (!vma_is_anonymous(vma)) {
    // Present THP, migration entry or huge zero page alike: the PMD is cleared, the folio stays.
    set_pmd_at(mm, haddr, pmd, { kind: 'none' }); // pmdp_huge_clear_flush()
    return;
  }

  if (cur.kind === 'softleaf') throw new Error('MODEL: splitting a non-present huge PMD of an anonymous VMA is not modelled');

  if (is_huge_zero_pmd(cur.pmd)) {
    __split_huge_zero_page_pmd(vma, haddr, pmd);
    return;
  }

  const old_pmd = cur.pmd; // pmdp_invalidate()
  const page = old_pmd.pfn;
  const folio = page_folio(page);
  const dirty = pmd_dirty(old_pmd);
  const write = pmd_write(old_pmd);
  const young = pmd_young(old_pmd);
  const soft_dirty = pmd_soft_dirty(old_pmd);
  const uffd_wp = pmd_uffd_wp(old_pmd);
  const anon_exclusive = PageAnonExclusive(page);
  folio_set_all_anon_exclusive(folio, anon_exclusive); // folio_add_anon_rmap_ptes(RMAP_EXCLUSIVE)

  /* A NUMA-hinting PROT_NONE PMD splits into accessible PTEs: the hint is dropped. */
  let entry: PresentPte = { kind: 'present', pfn: page, flags: vma.vm_page_prot }; // mk_pte(page, vm_page_prot)
  if (write) entry = pte_mkwrite(entry, vma);
  if (!young) entry = pte_mkold(entry);
  /* on x86 pte_mkdirty() sets soft-dirty as well */
  if (dirty) entry = pte_mkdirty(entry);
  if (soft_dirty) entry = pte_mksoft_dirty(entry);
  if (uffd_wp) entry = pte_mkuffd_wp(entry);

  set_pmd_at(mm, haddr, pmd, { kind: 'table' }); // pmd_populate()
  for (let i = 0; i < HPAGE_PMD_NR; i++) set_pte_at(mm, haddr + i * PAGE_SIZE, haddr + i, { ...entry, pfn: page + i }); // set_ptes()
}

/**
 * __split_huge_zero_page_pmd(vma, haddr, pmd): HPAGE_PMD_NR special PTEs of the
 * 4 KiB zero page with vm_page_prot; only the PMD's uffd-wp bit carries over
 * (no young, dirty or soft-dirty, unlike a THP's split).
 */
function __split_huge_zero_page_pmd(vma: vm_area_struct, haddr: number, pmd: number): void {
  const mm = vma.vm_mm;
  const old_pmd = (pmdp_get(mm, pmd) as { kind: 'huge'; pmd: PresentPte }).pmd; // pmdp_huge_clear_flush()
  set_pmd_at(mm, haddr, pmd, { kind: 'table' }); // pmd_populate() of the withdrawn table
  for (let i = 0, addr = haddr; i < HPAGE_PMD_NR; i++, addr += PAGE_SIZE) {
    let entry: PresentPte = { kind: 'present', pfn: ZERO_PFN, flags: vma.vm_page_prot }; // pfn_pte(zero_pfn(addr), vm_page_prot)
    entry = { ...entry, flags: entry.flags | _PAGE_SPECIAL }; // pte_mkspecial()
    if (pmd_uffd_wp(old_pmd)) entry = pte_mkuffd_wp(entry);
    set_pte_at(mm, addr, addr, entry);
  }
}
