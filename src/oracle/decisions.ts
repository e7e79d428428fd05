// SPDX-License-Identifier: GPL-2.0-only
// Which decision of change_protection() a walk made for each slot, named from
// the slot's state before the walk and the caller's cp_flags (never from the
// spec's answer, so a wrong spec still gets the same label). A later read or
// write of that page is the probe whose outcome the decision determines: the
// campaign counts such decisive probes per decision and gates on a minimum.
//
// Kernel reading (v6.18 mm/mprotect.c): change_pte_range() sends present
// entries through change_present_ptes() (pte_modify, uffd-wp set/clear, then
// the write upgrade when MM_CP_TRY_CHANGE_WRITABLE is set and the new entry is
// read-only: can_change_pte_writable() with its uffd-wp and soft-dirty gate,
// the shared dirty rule and the private PageAnonExclusive rule); empty slots
// get a uffd-wp marker under MM_CP_UFFD_WP when userfaultfd_wp_use_markers();
// markers: guard and poison stay, uffd-wp markers go on MM_CP_UFFD_WP_RESOLVE.
import type { CallerOutcome } from '../../spec/index.js';
import {
  _PAGE_RW,
  _PAGE_SPECIAL,
  MM_CP_TRY_CHANGE_WRITABLE,
  MM_CP_UFFD_WP,
  MM_CP_UFFD_WP_RESOLVE,
  PTE_MARKER_GUARD,
  PTE_MARKER_UFFD_WP,
  page_anon_exclusive,
  pte_dirty,
  pte_uffd_wp,
  VM_SHARED,
  VM_UFFD_WP,
  vm_normal_folio,
} from '../pte/index.js';

export const DECISIONS = [
  'try:granted:anon-exclusive',
  'try:refused:anon-not-exclusive',
  'try:refused:zero-page',
  'try:refused:private-file-page',
  'try:granted:shared-dirty',
  'try:refused:shared-clean',
  'try:refused:uffd-wp',
  'shared:writable-prot',
  'prot-none',
  'uffd:protect',
  'uffd:resolve',
  'marker:install',
  'marker:resolve',
  'marker:kept',
  'guard:kept',
  'thp:whole',
  'thp:split',
] as const;
export type Decision = (typeof DECISIONS)[number];

/**
 * The accesses whose outcome a decision determines: a write for the write-bit decisions, any access for
 * the ones that decide presence or a SIGSEGV.
 */
export function decidesAccess(d: Decision, access: 'read' | 'write'): boolean {
  switch (d) {
    case 'prot-none':
    case 'guard:kept':
    case 'thp:whole':
    case 'thp:split':
    case 'marker:install':
    case 'marker:resolve':
    case 'marker:kept':
      return true;
    default:
      return access === 'write';
  }
}

/** The decision per vpn that one caller's walk made; vpns outside the walk get none. */
export function decisionsOfWalk(out: CallerOutcome, protNone: boolean): Map<number, Decision> {
  const res = new Map<number, Decision>();
  const world = out.world;
  if (!world || out.cp_flags === null) return res;
  const cp = out.cp_flags;
  const { vma, range } = world;
  const hugeWhole = world.pmds.some((p) => p.kind === 'huge');
  for (let vpn = range.start; vpn < range.end; vpn++) {
    if (hugeWhole) {
      res.set(vpn, 'thp:whole');
      continue;
    }
    const pte = world.ptes[vpn - vma.start];
    if (!pte) continue;
    if (pte.kind === 'none') {
      // userfaultfd_wp_use_markers(): registered for uffd-wp, and file-backed or WP_UNPOPULATED.
      if (cp & MM_CP_UFFD_WP && vma.flags & VM_UFFD_WP && (!vma.anonymous || vma.uffdWpUnpopulated))
        res.set(vpn, 'marker:install');
      continue;
    }
    if (pte.kind === 'softleaf') {
      if (pte.type !== 'marker') continue;
      if (pte.offset & PTE_MARKER_GUARD) res.set(vpn, 'guard:kept');
      else if (pte.offset & PTE_MARKER_UFFD_WP) res.set(vpn, cp & MM_CP_UFFD_WP_RESOLVE ? 'marker:resolve' : 'marker:kept');
      continue;
    }
    if (protNone) {
      res.set(vpn, 'prot-none');
      continue;
    }
    if (cp & MM_CP_UFFD_WP) {
      res.set(vpn, 'uffd:protect');
      continue;
    }
    const writableProt = (vma.vm_page_prot & _PAGE_RW) !== 0;
    if (vma.flags & VM_SHARED && writableProt) {
      res.set(vpn, 'shared:writable-prot');
      continue;
    }
    if (!(cp & MM_CP_TRY_CHANGE_WRITABLE) || pte.flags & _PAGE_RW) {
      if (cp & MM_CP_UFFD_WP_RESOLVE) res.set(vpn, 'uffd:resolve');
      continue;
    }
    // The upgrade is considered: name the rule that decides it, in the kernel's order.
    if (!(cp & MM_CP_UFFD_WP_RESOLVE) && pte_uffd_wp(pte)) {
      res.set(vpn, 'try:refused:uffd-wp');
      continue;
    }
    if (vma.flags & VM_SHARED) {
      res.set(vpn, pte_dirty(pte) ? 'try:granted:shared-dirty' : 'try:refused:shared-clean');
      continue;
    }
    if (pte.flags & _PAGE_SPECIAL) {
      res.set(vpn, 'try:refused:zero-page');
      continue;
    }
    const folio = vm_normal_folio(world, pte);
    if (!folio?.anon) res.set(vpn, 'try:refused:private-file-page');
    else res.set(vpn, page_anon_exclusive(folio, pte.pfn) ? 'try:granted:anon-exclusive' : 'try:refused:anon-not-exclusive');
  }
  return res;
}
