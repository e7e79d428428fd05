// SPDX-License-Identifier: GPL-2.0-only
// Softleaf (non-present, non-none) entries: constructors and predicates with
// kernel names (include/linux/leafops.h, include/linux/swapops.h). SEMANTICS §3.5.
import { PTE_MARKER_GUARD, PTE_MARKER_POISONED, PTE_MARKER_UFFD_WP, SWP_EXCLUSIVE, SWP_SOFT_DIRTY, SWP_UFFD_WP } from './bits.js';
import type { Pte, SoftleafPte, SoftleafType } from './types.js';

/** Every softleaf type, once (the C harness numbers them in this order, src/realc/harness/codec.ts). */
export const SOFTLEAF_TYPES = [
  'swap',
  'migration_read',
  'migration_read_exclusive',
  'migration_write',
  'device_private_read',
  'device_private_write',
  'device_exclusive',
  'hwpoison',
  'marker',
] as const satisfies readonly SoftleafType[];
// Compile-time: the list names every SoftleafType.
const _everySoftleafType: Exclude<SoftleafType, (typeof SOFTLEAF_TYPES)[number]> extends never ? true : never = true;
void _everySoftleafType;

export function mk_softleaf(type: SoftleafType, offset: number, flags = 0): SoftleafPte {
  return { kind: 'softleaf', type, offset, flags };
}

function with_swp_flags(entry: SoftleafPte, flags: number): SoftleafPte {
  return flags === entry.flags ? entry : { kind: 'softleaf', type: entry.type, offset: entry.offset, flags };
}

/** Types whose offset is a pfn (softleaf_has_pfn). */
export function softleaf_has_pfn(entry: SoftleafPte): boolean {
  return entry.type !== 'swap' && entry.type !== 'marker';
}

export const softleaf_is_migration = (e: SoftleafPte): boolean =>
  e.type === 'migration_read' || e.type === 'migration_read_exclusive' || e.type === 'migration_write';
export const softleaf_is_migration_write = (e: SoftleafPte): boolean => e.type === 'migration_write';
export const softleaf_is_device_private_write = (e: SoftleafPte): boolean => e.type === 'device_private_write';
export const softleaf_is_marker = (e: SoftleafPte): boolean => e.type === 'marker';
export const softleaf_is_uffd_wp_marker = (e: SoftleafPte): boolean =>
  e.type === 'marker' && (e.offset & PTE_MARKER_UFFD_WP) !== 0;
/** The POISONED/GUARD tests are bit-mask tests on the marker (leafops.h). */
export const softleaf_is_poison_marker = (e: SoftleafPte): boolean =>
  e.type === 'marker' && (e.offset & PTE_MARKER_POISONED) !== 0;
export const softleaf_is_guard_marker = (e: SoftleafPte): boolean => e.type === 'marker' && (e.offset & PTE_MARKER_GUARD) !== 0;

export const make_readable_migration_entry = (offset: number): SoftleafPte => mk_softleaf('migration_read', offset);
export const make_readable_exclusive_migration_entry = (offset: number): SoftleafPte =>
  mk_softleaf('migration_read_exclusive', offset);
export const make_readable_device_private_entry = (offset: number): SoftleafPte => mk_softleaf('device_private_read', offset);
export const make_pte_marker = (marker: number): SoftleafPte => mk_softleaf('marker', marker);

export const pte_swp_soft_dirty = (e: SoftleafPte): boolean => (e.flags & SWP_SOFT_DIRTY) !== 0;
export const pte_swp_uffd_wp = (e: SoftleafPte): boolean => (e.flags & SWP_UFFD_WP) !== 0;
export const pte_swp_exclusive = (e: SoftleafPte): boolean => (e.flags & SWP_EXCLUSIVE) !== 0;
export const pte_swp_mksoft_dirty = (e: SoftleafPte): SoftleafPte => with_swp_flags(e, e.flags | SWP_SOFT_DIRTY);
export const pte_swp_mkuffd_wp = (e: SoftleafPte): SoftleafPte => with_swp_flags(e, e.flags | SWP_UFFD_WP);
export const pte_swp_clear_uffd_wp = (e: SoftleafPte): SoftleafPte => with_swp_flags(e, e.flags & ~SWP_UFFD_WP);

/**
 * MODEL: a migration entry's young/dirty live in its offset in the kernel; here
 * they are SWP_MIG_* flags. Rebuilding an entry "with the same offset" must
 * keep them, so constructors that take an offset also take these bits.
 */
export function with_same_offset_bits(from: SoftleafPte, to: SoftleafPte, keepMask: number): SoftleafPte {
  return with_swp_flags(to, to.flags | (from.flags & keepMask));
}

export function pte_same(a: Pte, b: Pte): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind === 'none') return true;
  if (a.kind === 'present') return a.pfn === (b as typeof a).pfn && a.flags === (b as typeof a).flags;
  const s = b as SoftleafPte;
  return a.type === s.type && a.offset === s.offset && a.flags === s.flags;
}
