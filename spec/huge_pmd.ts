// SPDX-License-Identifier: GPL-2.0-only
// Huge PMDs (PMD-mapped THPs, the huge zero page, and non-present huge PMDs):
// handled whole when the range covers them and nothing forces a split;
// otherwise split first and handled per PTE. SEMANTICS §7.3 (R-WALK.3);
// mm/huge_memory.c change_huge_pmd(), change_non_present_huge_pmd(),
// __split_huge_pmd_locked(), __split_huge_zero_page_pmd() (Diangang/linux @ 35ce50121a22).

import {
  _PAGE_SPECIAL,
  HPAGE_PMD_NR,
  huge_pmd_needs_flush,
  MAX_FOLIO_ORDER,
  MM_CP_PROT_NUMA,
  mk_pte,
  mk_softleaf,
  type Pgprot,
  type PmdSlot,
  type PresentPte,
  PTRS_PER_PTE,
  type Pte,
  pfn_folio,
  pmd_index_of,
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
  type SoftleafPte,
  softleaf_is_migration,
  type World,
} from '../src/pte/index.js';
import { HUGE_ZERO_PFN, ZERO_PFN } from '../src/pte/types.js';
import { SpecPreconditionError } from './errors.js';
import type { ResolvedSpecOptions } from './options.js';
import { upgradeWrite } from './present.js';
import type { SpecRules } from './rules.js';
import { downgradeMigrationWrite, uffdTail } from './softleaf.js';
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
  const zero = isHugeZeroPmd(pmd);
  if (zero) assertHugeZeroPmd(world, pmd);
  else if (pte_special(pmd)) throw new SpecPreconditionError('H5', 'special huge PMDs (DAX, PFNMAP) are not modelled');
  // H6: the huge zero page has no normal page (vm_normal_page_pmd() is NULL), so W4 never upgrades it.
  const folio = zero ? null : pfn_folio(world.folios, pmd.pfn);
  let stamp: number | null = null;
  if (world.cp_flags & MM_CP_PROT_NUMA) {
    if (zero) return { pmd, count: 0, flush: false, stamp: null, rule: 'H6 M:zero' };
    const decision = rules.numaHintingDecision(world, pte_protnone(pmd), folio);
    if (decision.skip !== null) return { pmd, count: 0, flush: false, stamp: null, rule: `H4 M:${decision.skip}` };
    if (decision.stamp && folio !== null) stamp = folio.pfn;
  }
  let next = rules.modifyProtection(pmd, newprot);
  next = rules.applyUffdWp(world.cp_flags, next);
  next = upgradeWrite(world, rules, next, folio, pmd.pfn);
  return { pmd: next, count: HPAGE_PMD_NR, flush: huge_pmd_needs_flush(pmd, next, world.config), stamp, rule: 'H4' };
}

/** H2/H3/H6 dispatch: the PMD slot and the 512 slots under it after the split. */
export function splitHugePmd(world: World, pmd: PresentPte): { readonly pmd: PmdSlot; readonly ptes: readonly Pte[] | null } {
  if (!world.vma.anonymous) return { pmd: splitFileHugePmd(), ptes: null };
  if (isHugeZeroPmd(pmd)) {
    assertHugeZeroPmd(world, pmd);
    return { pmd: { kind: 'table' }, ptes: splitHugeZeroPmd(world, pmd) };
  }
  return { pmd: { kind: 'table' }, ptes: splitAnonHugePmd(world, pmd) };
}

/**
 * H6 (R-WALK.3, R-PRES.2) The huge zero page: a read fault in an anonymous VMA may map one shared, special,
 * read-only PMD of zeroes (the huge zero folio) instead of allocating a THP. Fully covered it follows H4
 * with no page behind it: NUMA hinting skips it (count 0, unchanged: hinting faults on shared zeroes tell
 * nothing), and the write upgrade never applies (W4 has no page). Split, it becomes 512 special PTEs of the
 * 4 KiB zero page with the mapping's current protection; only the PMD's uffd-wp bit carries over (nothing
 * of young, dirty or soft-dirty, unlike H2).
 * Models: change_huge_pmd(): `is_huge_zero_pmd()` -> unlock under prot_numa; vm_normal_page_pmd() NULL for
 * a special PMD; __split_huge_pmd_locked() -> __split_huge_zero_page_pmd(): pfn_pte(zero_pfn(addr),
 * vm_page_prot), pte_mkspecial(), pte_mkuffd_wp() if pmd_uffd_wp(old).
 * Kernel detail: set_huge_zero_folio() marks the PMD special since 2025; earlier kernels left the bit clear
 * but recognised the PMD by pfn all the same, which is what is_huge_zero_pmd() still does. In a
 * non-anonymous VMA a split just clears the PMD (H3); the huge zero page only appears in anonymous VMAs.
 */
export const isHugeZeroPmd = (pmd: PresentPte): boolean => pmd.pfn === HUGE_ZERO_PFN;

export function splitHugeZeroPmd(world: World, pmd: PresentPte): PresentPte[] {
  let entry = mk_pte(ZERO_PFN, world.vma.vm_page_prot | _PAGE_SPECIAL);
  if (pte_uffd_wp(pmd)) entry = pte_mkuffd_wp(entry);
  return new Array<PresentPte>(HPAGE_PMD_NR).fill(entry);
}

/** H6 preconditions: the huge zero page is special, read-only, in an anonymous VMA, backed by a non-anon folio. */
function assertHugeZeroPmd(world: World, pmd: PresentPte): void {
  const folio = pfn_folio(world.folios, pmd.pfn);
  if (!world.vma.anonymous) throw new SpecPreconditionError('H6', 'the huge zero page is mapped only in anonymous VMAs');
  if (!pte_special(pmd)) throw new SpecPreconditionError('H6', 'a huge zero PMD is special (set_huge_zero_folio)');
  if (pte_write(pmd)) throw new SpecPreconditionError('H6', 'a huge zero PMD is never writable');
  if (folio === null || folio.anon) throw new SpecPreconditionError('H6', 'the huge zero folio is an order-9, non-anon folio');
}

export interface NonPresentPmdResult {
  readonly pmd: SoftleafPte;
  /** Always 0: change_huge_pmd() returns 1 for it, which change_pmd_range() does not count. */
  readonly count: 0;
  readonly rule: string;
}

/**
 * H7 (R-WALK.3, R-SL.1-2) A non-present huge PMD (a THP under migration, or a device-private THP) that the
 * range covers whole is changed as one entry: a writable migration entry is downgraded as S1 (readable, or
 * readable-exclusive for an anon folio; offset and soft-dirty kept; the swap uffd-wp bit as S1 says), a
 * writable device-private entry becomes readable and loses BOTH soft-dirty and uffd-wp, every other entry is
 * kept; then MM_CP_UFFD_WP sets and MM_CP_UFFD_WP_RESOLVE clears the swap uffd-wp bit (S6). Unlike the PTE
 * path it counts 0 whatever changed, and no flush is owed (nothing was mapped).
 * Models: change_huge_pmd(): `pmd_is_valid_softleaf(*pmd)` -> change_non_present_huge_pmd() -> unlock with
 * ret = 1; change_pmd_range() adds only HPAGE_PMD_NR.
 * Kernel detail: the PTE path (S2) copies a device-private entry's uffd-wp bit; the PMD path does not, so a
 * call without uffd flags clears it. Versions A/B had no PMD-level device-private entries (their inline code
 * asserts a migration entry). A partly covered non-present PMD of a non-anonymous VMA is cleared (H3); of an
 * anonymous VMA it is split into 512 non-present PTEs, which is not modelled (throws).
 */
export function changeNonPresentHugePmd(world: World, pmd: SoftleafPte, options: ResolvedSpecOptions): NonPresentPmdResult {
  let base: SoftleafPte = pmd;
  let rule = 'H7';
  if (pmd.type === 'migration_write') {
    base = downgradeMigrationWrite(world, pmd, options);
    rule = 'H7 S1';
  } else if (pmd.type === 'device_private_write') {
    base = mk_softleaf('device_private_read', pmd.offset);
    rule = 'H7 dev';
  }
  return { pmd: uffdTail(world.cp_flags, base), count: 0, rule };
}

/** H7 preconditions: what a PMD-level softleaf entry can be (slot j of world.pmds). */
export function assertNonPresentHugePmd(world: World, j: number, pmd: SoftleafPte): void {
  const lo = (pmd_index_of(world.vma.start) + j) * PTRS_PER_PTE;
  if (lo < world.vma.start || lo + PTRS_PER_PTE > world.vma.end)
    throw new SpecPreconditionError('H7', 'a non-present huge PMD lies wholly inside the VMA');
  const device = pmd.type === 'device_private_read' || pmd.type === 'device_private_write';
  if (!softleaf_is_migration(pmd) && !device)
    throw new SpecPreconditionError('H7', `a PMD-level softleaf entry is a migration or device-private entry, not ${pmd.type}`);
  const folio = pfn_folio(world.folios, pmd.offset);
  if (folio === null || folio.order !== MAX_FOLIO_ORDER || folio.pfn !== pmd.offset)
    throw new SpecPreconditionError('H7', 'a non-present huge PMD names the head of an order-9 folio');
  if (device && !(folio.zoneDevice && folio.anon))
    throw new SpecPreconditionError('H7', 'a device-private huge PMD names an anon zone-device folio');
}
