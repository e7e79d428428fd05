// SPDX-License-Identifier: GPL-2.0-only
// Softleaf (non-present, non-none) entries: the decision table R-SL.1-4 and
// the uffd tail. SEMANTICS §10.
import { match, P } from 'ts-pattern';
import {
  MM_CP_UFFD_WP,
  MM_CP_UFFD_WP_RESOLVE,
  make_readable_device_private_entry,
  make_readable_exclusive_migration_entry,
  make_readable_migration_entry,
  NONE_PTE,
  PTE_MARKER_GUARD,
  PTE_MARKER_POISONED,
  type Pte,
  pfn_folio,
  pte_same,
  pte_swp_clear_uffd_wp,
  pte_swp_mksoft_dirty,
  pte_swp_mkuffd_wp,
  pte_swp_soft_dirty,
  pte_swp_uffd_wp,
  type SoftleafPte,
  SWP_MIG_DIRTY,
  SWP_MIG_YOUNG,
  type World,
  with_same_offset_bits,
} from '../src/pte/index.js';
import { SpecPreconditionError } from './errors.js';
import type { ResolvedSpecOptions } from './options.js';

export interface SoftleafResult {
  readonly pte: Pte;
  /** What the entry adds to change_protection()'s return value: 0 or 1. */
  readonly count: number;
  /** The local rule that decided (S1..S6), for explanations. */
  readonly rule: string;
}

/** Step 1 of the table: either a final answer (markers) or a base entry that the uffd tail still sees. */
type Step1 =
  | { readonly kind: 'final'; readonly pte: Pte; readonly count: number; readonly rule: string }
  | { readonly kind: 'tail'; readonly base: SoftleafPte; readonly rule: string };

/**
 * S1 (R-SL.1, R-SL.5) A writable migration entry is always downgraded: to readable-exclusive if the
 * migrating folio is anonymous, else to readable; same offset (pfn and the SWP_MIG_YOUNG/DIRTY bits);
 * soft-dirty copied; the swap uffd-wp bit is DROPPED (today's behaviour, `migrationDropsUffd`) or kept
 * (the promised fix). The uffd tail then applies.
 * Models: change_softleaf_pte(): softleaf_is_migration_write() branch; folio_test_anon(softleaf_to_folio()).
 * Kernel detail: the drop was made on purpose in 2023 (a writable migration entry cannot consistently carry
 * uffd-wp) and reported as a bug in 2026 (§10.2-10.3).
 */
export function downgradeMigrationWrite(world: World, entry: SoftleafPte, options: ResolvedSpecOptions): SoftleafPte {
  const folio = pfn_folio(world.folios, entry.offset);
  if (folio === null) throw new SpecPreconditionError('R-SL.1', `migration entry pfn ${entry.offset} has no folio`);
  const made = folio.anon ? make_readable_exclusive_migration_entry(entry.offset) : make_readable_migration_entry(entry.offset);
  let next = with_same_offset_bits(entry, made, SWP_MIG_YOUNG | SWP_MIG_DIRTY);
  if (pte_swp_soft_dirty(entry)) next = pte_swp_mksoft_dirty(next);
  if (!options.migrationDropsUffd && pte_swp_uffd_wp(entry)) next = pte_swp_mkuffd_wp(next);
  return next;
}

/**
 * S2 (R-SL.2) A writable device-private entry is always downgraded to a readable one, same offset; the swap
 * uffd-wp bit is copied and soft-dirty is dropped ON PURPOSE (the kernel makes the same choice
 * at fork, copy_nonpresent_pte()). The uffd tail then applies.
 * Models: change_softleaf_pte(): softleaf_is_device_private_write() branch.
 */
export function downgradeDevicePrivateWrite(entry: SoftleafPte): SoftleafPte {
  const next = make_readable_device_private_entry(entry.offset);
  return pte_swp_uffd_wp(entry) ? pte_swp_mkuffd_wp(next) : next;
}

/**
 * S3 (R-SL.3) Poisoned and guard markers mean "access faults with SIGBUS/SIGSEGV"; no protection change
 * touches them, not even the uffd tail.
 * Models: change_softleaf_pte(): softleaf_is_poison_marker() || softleaf_is_guard_marker() -> return 0.
 * Kernel detail: both are bit-mask tests, so a marker carrying either bit is left alone whatever else it has.
 */
export const isErrorMarkerMask = (marker: number): boolean => (marker & (PTE_MARKER_POISONED | PTE_MARKER_GUARD)) !== 0;

/**
 * S4 (R-SL.3) Any other marker (the uffd-wp marker) is removed when uffd-wp is resolved, counting 1, and
 * left as it is otherwise (also under MM_CP_UFFD_WP, counting 0). Markers never get the swap uffd bit.
 * Models: change_softleaf_pte(): marker branch, `uffd_wp_resolve` -> pte_clear(), return 1; else return 0.
 * Kernel detail: the marker's own uffd-wp bit is not re-checked.
 */
export function markerAfterResolve(cp_flags: number): { readonly pte: Pte | null; readonly count: number } {
  return cp_flags & MM_CP_UFFD_WP_RESOLVE ? { pte: NONE_PTE, count: 1 } : { pte: null, count: 0 };
}

/**
 * S5 (R-SL.4) Every other entry (swap, readable migration, device-private read, device-exclusive,
 * hwpoison) keeps its type, offset and bits; only the uffd tail may change it.
 * Models: change_softleaf_pte(): final else, newpte = oldpte.
 */
export const keepsEntry = (entry: SoftleafPte): SoftleafPte => entry;

/**
 * S6 (R-SL tail) Protecting sets the swap uffd-wp bit, resolving clears it; the entry is written, and
 * counted 1, only if it changed.
 * Models: change_softleaf_pte() tail: pte_swp_mkuffd_wp / pte_swp_clear_uffd_wp, then !pte_same() ->
 * set_pte_at(), return 1.
 */
export function uffdTail(cp_flags: number, base: SoftleafPte): SoftleafPte {
  if (cp_flags & MM_CP_UFFD_WP) return pte_swp_mkuffd_wp(base);
  if (cp_flags & MM_CP_UFFD_WP_RESOLVE) return pte_swp_clear_uffd_wp(base);
  return base;
}

/** Step 1 as a table: softleaf type x marker bits. */
function step1(world: World, entry: SoftleafPte, options: ResolvedSpecOptions): Step1 {
  return match(entry)
    .returnType<Step1>()
    .with({ type: 'migration_write' }, (e) => ({ kind: 'tail', base: downgradeMigrationWrite(world, e, options), rule: 'S1' }))
    .with({ type: 'device_private_write' }, (e) => ({ kind: 'tail', base: downgradeDevicePrivateWrite(e), rule: 'S2' }))
    .with({ type: 'marker', offset: P.when(isErrorMarkerMask) }, (e) => ({
      kind: 'final',
      pte: e,
      count: 0,
      rule: 'S3',
    }))
    .with({ type: 'marker' }, (e) => {
      const r = markerAfterResolve(world.cp_flags);
      return { kind: 'final', pte: r.pte ?? e, count: r.count, rule: 'S4' };
    })
    .with(
      {
        type: P.union(
          'swap',
          'migration_read',
          'migration_read_exclusive',
          'device_private_read',
          'device_exclusive',
          'hwpoison',
        ),
      },
      (e) => ({ kind: 'tail', base: keepsEntry(e), rule: 'S5' }),
    )
    .exhaustive();
}

/** S1-S6: one softleaf entry. */
export function changeSoftleafEntry(world: World, entry: SoftleafPte, options: ResolvedSpecOptions): SoftleafResult {
  const first = step1(world, entry, options);
  if (first.kind === 'final') return { pte: first.pte, count: first.count, rule: first.rule };
  const next = uffdTail(world.cp_flags, first.base);
  if (pte_same(entry, next)) return { pte: entry, count: 0, rule: first.rule };
  return { pte: next, count: 1, rule: `${first.rule}+S6` };
}
