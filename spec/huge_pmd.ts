// Huge PMDs (PMD-mapped THPs): handled whole when the range covers them and
// nothing forces a split; otherwise split first and handled per PTE.
// SEMANTICS §7.3 (R-WALK.3); mm/huge_memory.c change_huge_pmd(),
// __split_huge_pmd_locked().
import {
  HPAGE_PMD_NR,
  huge_pmd_needs_flush,
  MM_CP_PROT_NUMA,
  mk_pte,
  type Pgprot,
  type PmdSlot,
  type PresentPte,
  type Pte,
  pfn_folio,
  pte_advance_pfn,
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
  type World,
} from '../src/pte/index.js';
import { SpecPreconditionError } from './errors.js';
import { upgradeWrite } from './present.js';
import type { SpecRules } from './rules.js';
import { uffdWpForcesSplit } from './vma.js';

/**
 * H1 (R-WALK.3) A huge PMD is handled as a whole only if the range covers all of it and uffd-wp
 * protection does not force a split (V8); otherwise it is split first and its in-range part goes through
 * the per-PTE rules.
 * Models: change_pmd_range(): `next - addr != HPAGE_PMD_SIZE || pgtable_split_needed()` -> __split_huge_pmd().
 */
export function hugePmdNeedsSplit(world: World, coveredPages: number): boolean {
  return coveredPages !== HPAGE_PMD_NR || uffdWpForcesSplit(world);
}

/**
 * H2 (R-WALK.3, §13.6) Splitting a PMD-mapped THP of an ANONYMOUS mapping replaces it by a PTE table whose
 * 512 entries map pfn+i with the mapping's current protection, carrying over the PMD's write, young,
 * dirty, soft-dirty and uffd-wp bits; every sub-page inherits the head's PageAnonExclusive (the world
 * requires it uniform, W-PT.6).
 * Models: __split_huge_pmd_locked(), present non-freeze branch: mk_pte(page, vma->vm_page_prot), then
 * pte_mkwrite if write, pte_mkold unless young, pte_mkdirty if dirty, pte_mksoft_dirty if soft-dirty,
 * pte_mkuffd_wp if uffd-wp; set_ptes() advances the pfn.
 * Kernel detail: permissions come from vm_page_prot, NOT from the PMD, so a NUMA-hinting (PROT_NONE) PMD
 * splits into accessible PTEs: the NUMA hint does not survive the split. On x86
 * pte_mkdirty also sets soft-dirty (an arch-dependent side effect). The split flushes the
 * old PMD itself (pmdp_invalidate), outside the mmu_gather, so it adds nothing to flushPages; it also marks
 * the folio dirty when the PMD was dirty (folio_set_dirty), which the spec does not report.
 */
export function splitAnonHugePmd(world: World, pmd: PresentPte): PresentPte[] {
  const { config } = world;
  let entry = mk_pte(pmd.pfn, world.vma.vm_page_prot);
  if (pte_write(pmd)) entry = pte_mkwrite(entry);
  if (!pte_young(pmd)) entry = pte_mkold(entry);
  if (pte_dirty(pmd)) entry = pte_mkdirty(entry, config);
  if (pte_soft_dirty(pmd)) entry = pte_mksoft_dirty(entry, config);
  if (pte_uffd_wp(pmd)) entry = pte_mkuffd_wp(entry);
  const out: PresentPte[] = [];
  for (let i = 0; i < HPAGE_PMD_NR; i++) out.push(pte_advance_pfn(entry, i));
  return out;
}

/**
 * H3 (R-WALK.3) Splitting a huge PMD of a NON-anonymous mapping (shmem, file) just unmaps it: the PMD
 * becomes empty and the folio stays in the page cache, to be faulted in again per PTE. If markers are
 * needed (V7) the empty table is then populated and its in-range slots get uffd-wp markers (N1).
 * Models: __split_huge_pmd_locked(): `!vma_is_anonymous(vma)` -> pmdp_huge_clear_flush() and return;
 * change_pmd_range(): change_pmd_prepare() after the split; change_pte_range() on a vanished table
 * returns -EAGAIN and the retry finds pmd_none().
 */
export function splitFileHugePmd(): PmdSlot {
  return { kind: 'none' };
}

export interface HugePmdResult {
  readonly pmd: PresentPte;
  /** 512 when updated (HPAGE_PMD_NR), 0 when NUMA hinting skipped it. */
  readonly count: number;
  /** huge_pmd_needs_flush(): all 512 pages need a flush. */
  readonly flush: boolean;
  readonly stamp: number | null;
  readonly rule: string;
}

/**
 * H4 (R-WALK.3) A fully covered huge PMD follows the present-entry rules at PMD size: NUMA filtering (M1-M3
 * on the PMD's folio), protection change (P2), uffd-wp (P3), write upgrade with the head page's
 * exclusivity (W1-W6), count 512, and a flush of all 512 pages when huge_pmd_needs_flush() says so (x86:
 * like R-COMMIT.3 but the accessed bit is not ignored; arm64: always).
 * Models: change_huge_pmd(): prot_numa checks (huge zero page, pmd_protnone, folio_can_map_prot_numa on
 * pmd_folio()), pmd_modify(), pmd_mkuffd_wp/pmd_clear_uffd_wp, can_change_pmd_writable(), set_pmd_at(),
 * huge_pmd_needs_flush() -> tlb_flush_pmd_range(); change_pmd_range() adds HPAGE_PMD_NR.
 * Kernel detail: a skipped PMD returns 1, which change_pmd_range() does not count.
 */
export function changeHugePmd(world: World, rules: SpecRules, newprot: Pgprot, pmd: PresentPte): HugePmdResult {
  if (pte_special(pmd)) throw new SpecPreconditionError('H5', 'special huge PMDs (DAX, PFNMAP, huge zero page) are not modelled');
  const folio = pfn_folio(world.folios, pmd.pfn);
  let stamp: number | null = null;
  if (world.cp_flags & MM_CP_PROT_NUMA) {
    const decision = rules.numaHintingDecision(world, pte_protnone(pmd), folio);
    if (decision.skip !== null) return { pmd, count: 0, flush: false, stamp: null, rule: `H4 M:${decision.skip}` };
    if (decision.stamp && folio !== null) stamp = folio.pfn;
  }
  let next = rules.modifyProtection(pmd, newprot);
  next = rules.applyUffdWp(world.cp_flags, next);
  next = upgradeWrite(world, rules, next, folio, pmd.pfn);
  return { pmd: next, count: HPAGE_PMD_NR, flush: huge_pmd_needs_flush(pmd, next, world.config), stamp, rule: 'H4' };
}

/** H2/H3 dispatch: the PMD slot and the 512 slots under it after the split. */
export function splitHugePmd(world: World, pmd: PresentPte): { readonly pmd: PmdSlot; readonly ptes: readonly Pte[] | null } {
  if (!world.vma.anonymous) return { pmd: splitFileHugePmd(), ptes: null };
  return { pmd: { kind: 'table' }, ptes: splitAnonHugePmd(world, pmd) };
}
