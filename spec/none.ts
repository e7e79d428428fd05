// SPDX-License-Identifier: GPL-2.0-only
// Empty slots: the only thing change_protection() ever writes into one is a
// uffd-wp marker. SEMANTICS §9.
import { MM_CP_UFFD_WP, make_pte_marker, type NonePte, PTE_MARKER_UFFD_WP, type Pte, type World } from '../src/pte/index.js';
import { usesUffdWpMarkers } from './vma.js';

export interface NoneResult {
  readonly pte: Pte;
  readonly count: number;
  readonly rule: string;
}

/**
 * N1 (R-NONE.1) Write-protecting an empty slot of a mapping that needs markers (V6) installs a uffd-wp
 * marker, so a page that later appears there (page cache, swap cache, zero page) is still protected;
 * counted 1.
 * Models: change_pte_range(): pte_none() branch, `uffd_wp && userfaultfd_wp_use_markers(vma)` ->
 * set_pte_at(make_pte_marker(PTE_MARKER_UFFD_WP)), pages++.
 */
export function installsUffdWpMarker(world: World): boolean {
  return (world.cp_flags & MM_CP_UFFD_WP) !== 0 && usesUffdWpMarkers(world.vma);
}

/**
 * N2 (R-NONE.2) In every other case (no flags, TRY, PROT_NUMA, RESOLVE, anonymous uffd-wp without
 * WP_UNPOPULATED) an empty slot stays empty and counts nothing. Removing markers is S4, not here.
 * Models: change_pte_range(): pte_none() branch, `likely(!uffd_wp)` -> continue, or no markers.
 */
export function changeNoneEntry(world: World, entry: NonePte): NoneResult {
  if (installsUffdWpMarker(world)) return { pte: make_pte_marker(PTE_MARKER_UFFD_WP), count: 1, rule: 'N1' };
  return { pte: entry, count: 0, rule: 'N2' };
}
