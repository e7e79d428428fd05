// SPDX-License-Identifier: GPL-2.0-only
// VMA-level rules: which protection is applied, which flag combinations are
// allowed, and when the callers ask for the write upgrade. SEMANTICS §5, §6.
// R-VMA.1 (vma_set_page_prot) and R-VMA.5 (vma_wants_writenotify) are world
// facts and live in src/pte/vma.ts; the rules here read them.
import {
  type KConfig,
  MM_CP_PROT_NUMA,
  MM_CP_UFFD_WP,
  MM_CP_UFFD_WP_RESOLVE,
  PAGE_NONE,
  type Pgprot,
  pgprot_write,
  userfaultfd_wp,
  VM_SHARED,
  VM_WRITE,
  type Vma,
  vm_pgprot_modify,
  vma_wants_writenotify,
  type World,
} from '../src/pte/index.js';
import { SpecPreconditionError } from './errors.js';

/**
 * V1 (R-CP.1) Protecting and resolving uffd-wp in the same call is a caller bug.
 * Models: change_protection(): BUG_ON when both MM_CP_UFFD_WP and MM_CP_UFFD_WP_RESOLVE are set.
 * Kernel detail: versions A-C crash; the helpers would let "set" win, but that code is unreachable,
 * so the spec refuses the input rather than pick a winner.
 */
export function assertUffdFlagsExclusive(cp_flags: number): void {
  if (cp_flags & MM_CP_UFFD_WP && cp_flags & MM_CP_UFFD_WP_RESOLVE)
    throw new SpecPreconditionError(
      'R-CP.1',
      'MM_CP_UFFD_WP and MM_CP_UFFD_WP_RESOLVE together hit BUG_ON() in change_protection()',
    );
}

/**
 * V2 (R-CP.2, R-VMA.4) Every touched present entry gets the VMA's current protection, except that NUMA
 * hinting makes entries inaccessible.
 * Models: change_protection(): newprot = vma->vm_page_prot; newprot = PAGE_NONE under MM_CP_PROT_NUMA.
 */
export function protectionToApply(world: World): Pgprot {
  return world.cp_flags & MM_CP_PROT_NUMA ? PAGE_NONE : world.vma.vm_page_prot;
}

/**
 * V3 (R-VMA.2) A private mapping's protection is never writable: write access comes back only through
 * copy-on-write faults or, per page, through the write upgrade (W-rules).
 * Models: protection_map[] (PAGE_COPY for private + VM_WRITE) as vma_set_page_prot() uses it.
 */
export function privateProtectionIsReadOnly(vma: Vma): boolean {
  return (vma.flags & VM_SHARED) !== 0 || !pgprot_write(vma.vm_page_prot);
}

/**
 * V4 (R-VMA.3) A shared mapping's protection is writable exactly when VM_WRITE is set and writenotify
 * is not wanted.
 * Models: vma_set_page_prot(): the protection map lookup is repeated without VM_SHARED when
 * vma_wants_writenotify(vma, vm_page_prot) holds.
 * Kernel detail: vm_page_prot is the fresh full prot here, so rule 3 of vma_wants_writenotify does not fire.
 */
export function sharedProtectionMatchesWritenotify(vma: Vma, config: KConfig): boolean {
  if (!(vma.flags & VM_SHARED)) return true;
  const full = vm_pgprot_modify(vma.vm_page_prot, vma.flags, vma.pkey);
  const expectWritable = (vma.flags & VM_WRITE) !== 0 && !vma_wants_writenotify({ ...vma, vm_page_prot: full }, full, config);
  return pgprot_write(vma.vm_page_prot) === expectWritable;
}

/** V3 + V4 as one entry check; the world validation (R-VMA.1) already implies both. */
export function assertProtectionConsistent(world: World): void {
  if (!privateProtectionIsReadOnly(world.vma))
    throw new SpecPreconditionError('R-VMA.2', 'a private VMA with a writable vm_page_prot');
  if (!sharedProtectionMatchesWritenotify(world.vma, world.config))
    throw new SpecPreconditionError('R-VMA.3', 'a shared VMA whose vm_page_prot disagrees with VM_WRITE and writenotify');
}

/**
 * V5 (R-VMA.6) The callers ask for the write upgrade (MM_CP_TRY_CHANGE_WRITABLE) on private VM_WRITE
 * mappings, and on shared mappings when writenotify is wanted for the prot the VMA holds at that moment.
 * Models: vma_wants_manual_pte_write_upgrade() (mm/vma.h).
 * Kernel detail (§5.4): the shared case passes vma->vm_page_prot as it is *now*. mprotect_fixup() calls
 * this after setting the new flags but before vma_set_page_prot(), so the prot is stale; and
 * uffd_wp_range() passes the already downgraded prot. In both cases rule 3 of vma_wants_writenotify()
 * usually answers false, so only shared VMAs with page_mkwrite/pfn_mkwrite get TRY.
 */
export function wantsManualWriteUpgrade(vma: Vma, config: KConfig): boolean {
  if (vma.flags & VM_SHARED) return vma_wants_writenotify(vma, vma.vm_page_prot, config);
  return (vma.flags & VM_WRITE) !== 0;
}

/**
 * V6 (R-NONE.1 helper) Empty slots must remember a uffd-wp protection when the mapping is uffd-wp
 * registered and either file-backed (the page may live in the page cache) or registered with
 * UFFD_FEATURE_WP_UNPOPULATED.
 * Models: userfaultfd_wp_use_markers() (include/linux/userfaultfd_k.h).
 */
export function usesUffdWpMarkers(vma: Vma): boolean {
  if (!userfaultfd_wp(vma)) return false;
  if (!vma.anonymous) return true;
  return vma.uffdWpUnpopulated;
}

/**
 * V7 (R-WALK.2) Page tables are populated before the walk exactly when uffd-wp protection needs markers,
 * so every empty slot of the range exists and can receive one.
 * Models: pgtable_populate_needed(): MM_CP_UFFD_WP and userfaultfd_wp_use_markers().
 */
export function populatesPageTables(world: World): boolean {
  return (world.cp_flags & MM_CP_UFFD_WP) !== 0 && usesUffdWpMarkers(world.vma);
}

/**
 * V8 (R-WALK.3) A huge PMD is split before uffd-wp protection of a non-anonymous mapping, because
 * markers only exist at PTE level.
 * Models: pgtable_split_needed(): MM_CP_UFFD_WP and !vma_is_anonymous(vma).
 * Kernel detail: only MM_CP_UFFD_WP, not MM_CP_UFFD_WP_RESOLVE, forces the split.
 */
export function uffdWpForcesSplit(world: World): boolean {
  return (world.cp_flags & MM_CP_UFFD_WP) !== 0 && !world.vma.anonymous;
}
