// PMD-mapped THP handling (mm/huge_memory.c): change_huge_pmd(),
// can_change_pmd_writable(), __split_huge_pmd(). R-WALK.3. Kept simple but
// real: PMD-level softleaf entries and the huge zero page are not modelled.
import {
  huge_pmd_needs_flush as huge_pmd_needs_flush_cfg,
  huge_pmd_needs_flush_pre_v6_19 as huge_pmd_needs_flush_pre_v6_19_cfg,
  MM_CP_PROT_NUMA,
  MM_CP_TRY_CHANGE_WRITABLE,
  MM_CP_UFFD_WP,
  MM_CP_UFFD_WP_RESOLVE,
  type Pgprot,
  type PresentPte,
  pmd_modify_as_built,
  VM_SHARED,
  VM_WRITE,
} from '../../pte/index.js';
import { current_mm, type vm_area_struct } from './context.js';
import { folio_nid, folio_set_all_anon_exclusive, PageAnon, PageAnonExclusive, page_folio, pfn_to_folio } from './memmap.js';
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
import { pmd_is_huge, pmdp_get, set_pmd_at } from './pmd.js';
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

/** is_huge_zero_pmd(): MODEL: the world has no huge zero page. */
export const is_huge_zero_pmd = (_pmd: PresentPte): boolean => false;

/** can_change_pmd_writable(vma, addr, pmd): the PTE rules on the head page (R-WR.2-4). */
export function can_change_pmd_writable(vma: vm_area_struct, addr: number, pmd: PresentPte): boolean {
  if (!(vma.vm_flags & VM_WRITE)) return false; // WARN_ON_ONCE

  /* Don't touch entries that are not even readable (NUMA hinting). */
  if (pmd_protnone(pmd)) return false;

  /* Do we need write faults for softdirty tracking? */
  if (vma_soft_dirty_enabled(vma) && !pmd_soft_dirty(pmd)) return false;

  /* Do we need write faults for uffd-wp tracking? */
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
  /* Skip scanning top tier node if normal numa balancing is disabled */
  if (!numa_balancing_normal() && toptier) return true;
  if (folio_use_access_time(folio)) folio_xchg_access_time(folio, jiffies_now());
  return false;
};

// MODEL: the NUMA skip and the flush rule are parameters: they are what differs between the A/B and B'/C forms.
function __change_huge_pmd(
  skip: PmdNumaSkip,
  needs_flush: typeof huge_pmd_needs_flush,
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

  const cur = pmdp_get(mm, pmd);
  if (!pmd_is_huge(cur)) return 0; // __pmd_trans_huge_lock() failed

  if (prot_numa && skip(vma, cur.pmd)) return ret; // goto unlock

  const oldpmd = cur.pmd; // pmdp_invalidate_ad()
  let entry = pmd_modify(oldpmd, newprot);
  if (uffd_wp) entry = pmd_mkuffd_wp(entry);
  /*
   * Leave the write bit to be handled by PF interrupt
   * handler, then things like COW could be properly handled.
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
  return __change_huge_pmd(numa_skip_v6_19, huge_pmd_needs_flush, tlb, vma, pmd, addr, newprot, cp_flags);
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
  return __change_huge_pmd(numa_skip_v6_16, huge_pmd_needs_flush_pre_v6_19, tlb, vma, pmd, addr, newprot, cp_flags);
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

  if (!vma_is_anonymous(vma)) {
    set_pmd_at(mm, haddr, pmd, { kind: 'none' }); // pmdp_huge_clear_flush()
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

  /* Note that NUMA hinting access restrictions are not transferred. */
  let entry: PresentPte = { kind: 'present', pfn: page, flags: vma.vm_page_prot }; // mk_pte(page, vm_page_prot)
  if (write) entry = pte_mkwrite(entry, vma);
  if (!young) entry = pte_mkold(entry);
  /* NOTE: this may set soft-dirty too on some archs */
  if (dirty) entry = pte_mkdirty(entry);
  if (soft_dirty) entry = pte_mksoft_dirty(entry);
  if (uffd_wp) entry = pte_mkuffd_wp(entry);

  set_pmd_at(mm, haddr, pmd, { kind: 'table' }); // pmd_populate()
  for (let i = 0; i < HPAGE_PMD_NR; i++) set_pte_at(mm, haddr + i * PAGE_SIZE, haddr + i, { ...entry, pfn: page + i }); // set_ptes()
}
