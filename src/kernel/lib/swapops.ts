// SPDX-License-Identifier: GPL-2.0-only
// Non-present ("softleaf") entries with kernel names: the softleaf_* API of
// C (include/linux/leafops.h), the leafent_* names of linux-next B', and the
// swp_entry_t names of A/B (include/linux/swapops.h). SEMANTICS §3.5, §10.
import {
  mk_softleaf,
  type Pte,
  type SoftleafPte,
  type SoftleafType,
  SWP_MIG_DIRTY,
  SWP_MIG_YOUNG,
  softleaf_is_device_private_write,
  softleaf_is_guard_marker,
  softleaf_is_marker,
  softleaf_is_migration_write,
  softleaf_is_poison_marker,
  pte_swp_clear_uffd_wp as swp_clear_uffd_wp,
  pte_swp_mksoft_dirty as swp_mksoft_dirty,
  pte_swp_mkuffd_wp as swp_mkuffd_wp,
  pte_swp_soft_dirty as swp_soft_dirty,
  pte_swp_uffd_wp as swp_uffd_wp,
} from '../../pte/index.js';
import { pfn_to_folio } from './memmap.js';

export {
  softleaf_is_device_private_write,
  softleaf_is_guard_marker,
  softleaf_is_marker,
  softleaf_is_migration_write,
  softleaf_is_poison_marker,
};

export type softleaf_t = SoftleafPte;
export type swp_entry_t = SoftleafPte;

/**
 * The swap offset. MODEL: migration entries keep young/dirty inside the offset
 * (SWP_MIG_YOUNG/DIRTY); the world keeps them as flags, so an "offset" here
 * carries them along and make_*_entry(swp_offset(entry)) keeps them, as the
 * kernel does.
 */
export interface swp_offset_t {
  readonly offset: number;
  readonly offsetBits: number;
}

export const swp_offset = (entry: SoftleafPte): swp_offset_t => ({
  offset: entry.offset,
  offsetBits: entry.flags & (SWP_MIG_YOUNG | SWP_MIG_DIRTY),
});

const make = (type: SoftleafType, off: swp_offset_t): SoftleafPte => mk_softleaf(type, off.offset, off.offsetBits);
export const make_readable_migration_entry = (off: swp_offset_t): SoftleafPte => make('migration_read', off);
export const make_readable_exclusive_migration_entry = (off: swp_offset_t): SoftleafPte => make('migration_read_exclusive', off);
/** MODEL: device-private entries carry no migration A/D bits; none are kept. */
export const make_readable_device_private_entry = (off: swp_offset_t): SoftleafPte =>
  mk_softleaf('device_private_read', off.offset);
export const make_pte_marker = (marker: number): SoftleafPte => mk_softleaf('marker', marker);

/** softleaf_from_pte() / pte_to_swp_entry() / leafent_from_pte(): the entry itself. */
export function softleaf_from_pte(pte: Pte): softleaf_t {
  if (pte.kind !== 'softleaf') throw new Error(`softleaf_from_pte on a ${pte.kind} entry`);
  return pte;
}
export const pte_to_swp_entry = softleaf_from_pte;
export const leafent_from_pte = softleaf_from_pte;

/** swp_entry_to_pte(): the entry is the PTE in the model. */
export const swp_entry_to_pte = (entry: SoftleafPte): SoftleafPte => entry;

/** softleaf_to_folio() / pfn_swap_entry_folio() / leafent_to_folio() */
export function softleaf_to_folio(entry: SoftleafPte) {
  const folio = pfn_to_folio(entry.offset);
  if (folio === null) throw new Error(`softleaf_to_folio: pfn ${entry.offset} has no folio`);
  return folio;
}
export const pfn_swap_entry_folio = softleaf_to_folio;
export const leafent_to_folio = softleaf_to_folio;

/** is_swap_pte(pte): neither none nor present (A/B naming). */
export const is_swap_pte = (pte: Pte): pte is SoftleafPte => pte.kind === 'softleaf';

/* A/B names (include/linux/swapops.h) */
export const is_writable_migration_entry = softleaf_is_migration_write;
export const is_writable_device_private_entry = softleaf_is_device_private_write;
export const is_pte_marker_entry = softleaf_is_marker;
export const is_poisoned_swp_entry = softleaf_is_poison_marker;
export const is_guard_swp_entry = softleaf_is_guard_marker;

/* B' (linux-next) names */
export const leafent_is_migration_write = softleaf_is_migration_write;
export const leafent_is_device_private_write = softleaf_is_device_private_write;
export const leafent_is_marker = softleaf_is_marker;
export const leafent_is_poison_marker = softleaf_is_poison_marker;
export const leafent_is_guard_marker = softleaf_is_guard_marker;

/* Swap-format PTE bits, taking a pte_t as the kernel does. */
export const pte_swp_soft_dirty = (pte: Pte): boolean => swp_soft_dirty(softleaf_from_pte(pte));
export const pte_swp_uffd_wp = (pte: Pte): boolean => swp_uffd_wp(softleaf_from_pte(pte));
export const pte_swp_mksoft_dirty = (pte: Pte): SoftleafPte => swp_mksoft_dirty(softleaf_from_pte(pte));
export const pte_swp_mkuffd_wp = (pte: Pte): SoftleafPte => swp_mkuffd_wp(softleaf_from_pte(pte));
export const pte_swp_clear_uffd_wp = (pte: Pte): SoftleafPte => swp_clear_uffd_wp(softleaf_from_pte(pte));
