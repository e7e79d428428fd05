// SPDX-License-Identifier: GPL-2.0-only
// SEMANTICS §14 invariants on one outcome, for the spec and every variant
// alike, on PTEs and on huge PMDs. INV-17 (folio state untouched) is enforced by freezing the input;
// INV-14 is the relation; INV-12/13/20 are metamorphic (src/check/).
import {
  _PAGE_CC,
  _PAGE_PAT,
  _PAGE_PCD,
  _PAGE_PRESENT,
  _PAGE_PROTNONE,
  _PAGE_PWT,
  _PAGE_SPECIAL,
  HPAGE_PMD_NR,
  type KernelOutcome,
  MM_CP_PROT_NUMA,
  MM_CP_UFFD_WP,
  MM_CP_UFFD_WP_RESOLVE,
  type Outcome,
  type PresentPte,
  PTRS_PER_PTE,
  type Pte,
  page_anon_exclusive,
  pgprot_write,
  pmd_index_of,
  pmd_of,
  pte_dirty,
  pte_protnone,
  pte_same,
  pte_soft_dirty,
  pte_swp_soft_dirty,
  pte_swp_uffd_wp,
  pte_uffd_wp,
  pte_write,
  pte_young,
  type SoftleafPte,
  type SpecOutcome,
  softleaf_is_guard_marker,
  softleaf_is_poison_marker,
  userfaultfd_wp,
  VM_SHARED,
  VM_WRITE,
  vm_normal_folio,
  vma_soft_dirty_enabled,
  type World,
} from '../pte/index.js';
import { flushedPages, flushOwed } from './compare_common.js';
import type { Mismatch } from './mismatch.js';

export interface InvariantOptions {
  /** R-SL.5: the migration-write downgrade may drop the swap uffd-wp bit (today's kernel). */
  readonly migrationDropsUffd?: boolean;
}

const STICKY = _PAGE_SPECIAL | _PAGE_PWT | _PAGE_PCD | _PAGE_PAT | _PAGE_CC;

/** Slots whose before-value is a real entry (not a placeholder under a huge or non-present huge PMD). */
function realBefore(world: World, vpn: number): boolean {
  const kind = pmd_of(world, vpn).kind;
  return kind !== 'huge' && kind !== 'softleaf';
}

function checkPresent(world: World, vpn: number, b: PresentPte, a: PresentPte, out: Mismatch[]): void {
  const m = (rule: Mismatch['rule'], message: string) => out.push({ rule, message, vpn, before: b, variant: a });
  const cp = world.cp_flags;
  const vma = world.vma;
  const newprotWritable = !(cp & MM_CP_PROT_NUMA) && pgprot_write(vma.vm_page_prot);
  // INV-2/INV-4 speak of PTEs the call made writable; a NUMA-skipped PTE was not touched.
  const processed = !(cp & MM_CP_PROT_NUMA) || !pte_same(a, b);
  if (pte_write(a) && !(vma.flags & VM_SHARED)) {
    const folio = vm_normal_folio(world, a);
    if (!folio?.anon || !page_anon_exclusive(folio, a.pfn))
      m('INV-1', 'writable in a private VMA but not an exclusive anon page');
  }
  if (processed && pte_write(a) && vma.flags & VM_SHARED && !newprotWritable && !pte_dirty(a))
    m('INV-2', 'made writable while clean in a writenotify VMA');
  if (processed && pte_write(a) && !(vma.flags & VM_WRITE)) m('INV-3', 'writable without VM_WRITE');
  if (processed && pte_write(a) && !newprotWritable && vma_soft_dirty_enabled(vma, world.config) && !pte_soft_dirty(a))
    m('INV-4', 'made writable without soft-dirty while tracking is on');
  if (pte_write(a) && pte_uffd_wp(a)) m('INV-5', 'writable with uffd-wp set');
  if (cp & MM_CP_UFFD_WP && !pte_uffd_wp(a)) m('INV-5', 'MM_CP_UFFD_WP left a PTE without uffd-wp');
  if (cp & MM_CP_UFFD_WP_RESOLVE && pte_uffd_wp(a)) m('INV-6', 'MM_CP_UFFD_WP_RESOLVE left uffd-wp set');
  if (pte_protnone(a) && pte_write(a)) m('INV-7', 'PROT_NONE and writable');
  if (cp & MM_CP_PROT_NUMA && !pte_same(a, b) && !pte_protnone(a))
    m('INV-8', 'PROT_NUMA changed a PTE without making it PROT_NONE');
  if (a.pfn !== b.pfn) m('INV-9', 'pfn changed');
  if ((a.flags ^ b.flags) & STICKY) m('INV-10', 'special or cache bits changed');
  if ((pte_dirty(b) && !pte_dirty(a)) || (pte_young(b) && !pte_young(a)) || (pte_soft_dirty(b) && !pte_soft_dirty(a)))
    m('INV-10', 'dirty, young or soft-dirty cleared');
  if (!(cp & (MM_CP_UFFD_WP | MM_CP_UFFD_WP_RESOLVE)) && pte_uffd_wp(a) !== pte_uffd_wp(b))
    m('INV-10', 'uffd-wp changed without a uffd flag');
}

function checkSoftleaf(world: World, vpn: number, b: SoftleafPte, a: Pte, opts: InvariantOptions, out: Mismatch[]): void {
  const m = (rule: Mismatch['rule'], message: string) => out.push({ rule, message, vpn, before: b, variant: a });
  const cp = world.cp_flags;
  if (b.type === 'marker') {
    const special = softleaf_is_guard_marker(b) || softleaf_is_poison_marker(b);
    if (special && !pte_same(a, b)) m('INV-6', 'a guard or poisoned marker changed');
    if (!pte_same(a, b) && a.kind !== 'none') m('INV-9', 'a marker became something other than itself or none');
    if (!special && cp & MM_CP_UFFD_WP_RESOLVE && a.kind !== 'none')
      m('INV-6', 'a uffd-wp marker survived MM_CP_UFFD_WP_RESOLVE');
    return;
  }
  if (a.kind !== 'softleaf') return void m('INV-9', `a ${b.type} entry became ${a.kind}`);
  if (a.offset !== b.offset) m('INV-9', 'softleaf offset changed');
  if (a.type === 'migration_write' || a.type === 'device_private_write') m('INV-11', `${a.type} survived`);
  if (b.type !== 'device_private_write' && pte_swp_soft_dirty(b) !== pte_swp_soft_dirty(a)) m('INV-10', 'swp soft-dirty changed');
  if (cp & MM_CP_UFFD_WP && !pte_swp_uffd_wp(a)) m('INV-5', 'MM_CP_UFFD_WP left a swap entry without uffd-wp');
  if (cp & MM_CP_UFFD_WP_RESOLVE && pte_swp_uffd_wp(a)) m('INV-6', 'MM_CP_UFFD_WP_RESOLVE left swap uffd-wp set');
  const lossAllowed = b.type === 'migration_write' && opts.migrationDropsUffd !== false;
  if (!(cp & (MM_CP_UFFD_WP | MM_CP_UFFD_WP_RESOLVE)) && pte_swp_uffd_wp(a) !== pte_swp_uffd_wp(b) && !lossAllowed)
    m('INV-10', 'swap uffd-wp changed without a uffd flag');
}

function usesMarkers(world: World): boolean {
  return userfaultfd_wp(world.vma) && (!world.vma.anonymous || world.vma.uffdWpUnpopulated);
}

/** Does [range.start, range.end) reach PMD slot j of the VMA? */
function pmdReached(world: World, j: number): boolean {
  const lo = (pmd_index_of(world.vma.start) + j) * PTRS_PER_PTE;
  return Math.min(lo + PTRS_PER_PTE, world.range.end) > Math.max(lo, world.range.start);
}

/** The slot's PMD index inside world.pmds. */
const pmdSlotIndex = (world: World, vpn: number): number => pmd_index_of(vpn) - pmd_index_of(world.vma.start);

/**
 * INV-16, the count formula of §13.2, from the before/after entries: every
 * present PTE the walk processed (under PROT_NUMA: every one that changed,
 * since a processed PTE always becomes PROT_NONE), every non-present slot
 * that changed, and 512 per huge PMD the range reaches and updates. PTEs that come from a split
 * count like present ones; a zapped (file) THP's slots count only for markers.
 */
export function expectedCount(world: World, after: Outcome): number {
  const numa = (world.cp_flags & MM_CP_PROT_NUMA) !== 0;
  // A split builds PTEs from vm_page_prot (plus the PMD's write bit), so they are PROT_NONE iff the VMA is.
  const splitIsProtNone = (world.vma.vm_page_prot & (_PAGE_PROTNONE | _PAGE_PRESENT)) === _PAGE_PROTNONE;
  let count = 0;
  for (let vpn = world.range.start; vpn < world.range.end; vpn++) {
    const b = world.ptes[vpn - world.vma.start] as Pte;
    const a = after.ptes[vpn - world.vma.start] as Pte;
    const pmd = world.pmds[pmdSlotIndex(world, vpn)];
    if (pmd?.kind === 'huge') {
      // Split first: an anon THP becomes PTEs that are then processed; a file THP is zapped and
      // its slots are none again, so only a marker installed there counts.
      if (a.kind === 'present' && (!numa || (pte_protnone(a) && !splitIsProtNone))) count += 1;
      else if (a.kind === 'softleaf') count += 1;
    } else if (b.kind === 'present') {
      if (!numa || !pte_same(a, b)) count += 1;
    } else if (!pte_same(a, b)) count += 1;
  }
  // change_pmd_range() (mm/mprotect.c) visits only the PMDs [start, end) reaches: a huge PMD of the
  // VMA outside the range is never handed to change_huge_pmd() and counts nothing.
  world.pmds.forEach((pmd, j) => {
    const now = after.pmds[j];
    if (!pmdReached(world, j)) return;
    if (pmd.kind === 'huge' && now?.kind === 'huge' && !(numa && pte_same(now.pmd, pmd.pmd))) count += HPAGE_PMD_NR;
  });
  return count;
}

/**
 * INV-1, INV-3, INV-5, INV-7 and INV-9 on huge PMDs that are still huge
 * after the call (change_huge_pmd(), mm/huge_memory.c: pmd_modify(), the
 * uffd-wp marking and can_change_pmd_writable() apply the PTE rules at PMD
 * size, the write gate on the head page). PMDs the range does not reach must
 * be unchanged (INV-18). `vpn` of a mismatch is the PMD's first page.
 */
function checkHugePmds(world: World, after: Outcome, out: Mismatch[]): void {
  const { vma, cp_flags: cp } = world;
  const p0 = pmd_index_of(vma.start);
  world.pmds.forEach((slot, j) => {
    if (slot.kind !== 'huge') return;
    const vpn = (p0 + j) * PTRS_PER_PTE;
    const b = slot.pmd;
    const now = after.pmds[j];
    const m = (rule: Mismatch['rule'], message: string) =>
      out.push({ rule, message: `huge PMD: ${message}`, vpn, before: b, ...(now?.kind === 'huge' ? { variant: now.pmd } : {}) });
    if (!pmdReached(world, j)) {
      if (now?.kind !== 'huge' || !pte_same(now.pmd, b)) m('INV-18', 'changed outside the range');
      return;
    }
    if (now?.kind !== 'huge') return; // split: its PTEs are checked slot by slot
    const a = now.pmd;
    const processed = !(cp & MM_CP_PROT_NUMA) || !pte_same(a, b);
    if (a.pfn !== b.pfn) m('INV-9', 'pfn changed');
    if (pte_write(a) && !(vma.flags & VM_SHARED)) {
      const folio = vm_normal_folio(world, a);
      if (!folio?.anon || !page_anon_exclusive(folio, a.pfn))
        m('INV-1', 'writable in a private VMA but its head page is not an exclusive anon page');
    }
    if (processed && pte_write(a) && !(vma.flags & VM_WRITE)) m('INV-3', 'writable without VM_WRITE');
    if (pte_write(a) && pte_uffd_wp(a)) m('INV-5', 'writable with uffd-wp set');
    if (cp & MM_CP_UFFD_WP && processed && !pte_uffd_wp(a)) m('INV-5', 'MM_CP_UFFD_WP left the PMD without uffd-wp');
    if (pte_protnone(a) && pte_write(a)) m('INV-7', 'PROT_NONE and writable');
  });
}

/** Invariants on one outcome. Pass `flushed` (pages) to check INV-15 for a variant. */
export function checkInvariants(
  world: World,
  after: Outcome,
  flushed: ReadonlySet<number>,
  opts: InvariantOptions = {},
): Mismatch[] {
  const out: Mismatch[] = [];
  const { vma, range, cp_flags: cp } = world;
  for (let i = 0; i < world.ptes.length; i++) {
    const vpn = vma.start + i;
    const b = world.ptes[i] as Pte;
    const a = after.ptes[i] as Pte;
    if (!realBefore(world, vpn)) continue;
    if (vpn < range.start || vpn >= range.end) {
      if (!pte_same(a, b)) out.push({ rule: 'INV-18', message: 'changed outside the range', vpn, before: b, variant: a });
      continue;
    }
    if (b.kind === 'present') {
      if (a.kind !== 'present')
        out.push({ rule: 'INV-9', message: `a present PTE became ${a.kind}`, vpn, before: b, variant: a });
      else checkPresent(world, vpn, b, a, out);
    } else if (b.kind === 'softleaf') checkSoftleaf(world, vpn, b, a, opts, out);
    else if (a.kind === 'present' || (a.kind === 'softleaf' && !(a.type === 'marker' && a.offset === 1)))
      out.push({
        rule: 'INV-9',
        message: 'a none slot became something other than a uffd-wp marker',
        vpn,
        before: b,
        variant: a,
      });
    else if (cp & MM_CP_UFFD_WP && usesMarkers(world) && a.kind === 'none')
      out.push({ rule: 'INV-5', message: 'MM_CP_UFFD_WP with markers left a none slot', vpn, before: b, variant: a });
    else if (!(cp & MM_CP_UFFD_WP) && a.kind !== 'none')
      out.push({ rule: 'INV-9', message: 'marker installed without MM_CP_UFFD_WP', vpn, before: b, variant: a });
    // Only processed PTEs are committed and flushed; under PROT_NUMA a processed PTE always changes.
    const processed = !(cp & MM_CP_PROT_NUMA) || !pte_same(a, b);
    if (b.kind === 'present' && a.kind === 'present' && processed) {
      if (flushOwed(world, b, a) && !flushed.has(vpn))
        out.push({ rule: 'INV-15', message: 'needs a flush but none was recorded', vpn, before: b, variant: a });
    }
  }
  checkHugePmds(world, after, out);
  for (const vpn of flushed)
    if (vpn < range.start || vpn >= range.end) out.push({ rule: 'INV-15', message: 'a flush recorded outside the range', vpn });
  const count = expectedCount(world, after);
  if (count !== after.count) out.push({ rule: 'INV-16', message: `count ${after.count}, formula gives ${count}` });
  return out;
}

/** The pages an outcome flushes: the spec's obligations or the variant's recorded ranges. */
export const flushedOf = (o: KernelOutcome | SpecOutcome): Set<number> =>
  'flushes' in o ? flushedPages(o) : new Set((o as SpecOutcome).flushPages);
