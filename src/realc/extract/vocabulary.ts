// SPDX-License-Identifier: GPL-2.0-only
// Which generation of the kernel API a tree's code speaks, from the names it
// uses: the shim models all of them, the report names the one detected.
// Spellings: swp_entry_t and is_*_migration_entry (v6.16, include/linux/swapops.h),
// leafent_* (linux-next late 2025), softleaf_t/softleaf_* (include/linux/leafops.h, 2026),
// the NUMA placement test open-coded in change_pte_range (v6.16) or behind
// prot_numa_skip()/folio_can_map_prot_numa() (later trees).

export interface VocabularyRule {
  readonly tag: string;
  readonly matches: (name: string) => boolean;
}

export const VOCABULARY_RULES: readonly VocabularyRule[] = [
  { tag: 'softleaf', matches: (n) => n === 'softleaf_t' || n.startsWith('softleaf_') },
  { tag: 'leafent', matches: (n) => n === 'leaf_entry_t' || n.startsWith('leafent_') },
  { tag: 'swp_entry', matches: (n) => n === 'swp_entry_t' || n === 'pte_to_swp_entry' || n === 'is_writable_migration_entry' },
  { tag: 'pte_marker', matches: (n) => n.startsWith('pte_marker_') || n === 'is_pte_marker_entry' },
  { tag: 'numa-skip-helper', matches: (n) => n === 'prot_numa_skip' || n === 'folio_can_map_prot_numa' },
  { tag: 'batched', matches: (n) => n === 'mprotect_folio_pte_batch' },
];

/** Tags in rule order; `numa-old` when the NUMA test is open-coded, `per-pte` when nothing batches. */
export function detectVocabulary(names: Iterable<string>, usesNuma: boolean): string[] {
  const all = [...names];
  const tags = VOCABULARY_RULES.filter((r) => all.some(r.matches)).map((r) => r.tag);
  if (usesNuma && !tags.includes('numa-skip-helper')) tags.push('numa-old');
  if (!tags.includes('batched')) tags.push('per-pte');
  return tags;
}
