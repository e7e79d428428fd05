// SPDX-License-Identifier: GPL-2.0-only
// The rules a failure can name. The allowances of SEMANTICS §11 (Δ1-Δ8) are
// not rules of their own: the relation derives them from the batch-aware
// spec (relation.ts), and a value outside them breaks the kernel rule they
// rest on (R-PRES.3 for the A/D merge, R-WR.* for write, R-PRES.2 stamps).
export interface RelationRule {
  readonly id: string;
  readonly title: string;
  readonly reason: string;
}

const rule = (id: string, title: string, reason: string): RelationRule => ({ id, title, reason });

export const RULES = {
  'INV-18': rule('INV-18', 'slots outside the range are unchanged', 'change_protection() walks [start, end) only'),
  'REL-ENTRY': rule(
    'REL-ENTRY',
    'entry kind, pfn and softleaf value agree',
    'batching changes no entry kind, pfn or softleaf rule (§11)',
  ),
  'REL-PERM': rule(
    'REL-PERM',
    'permission and attribute bits agree',
    'accessibility, exec/user/pkey, uffd-wp, special and cache bits are uniform within a batch (R-BATCH.3) and set per PTE',
  ),
  'REL-LOST': rule(
    'REL-LOST',
    'no dirty, young or soft-dirty bit is lost',
    'modify_prot_start_ptes() only ORs bits into the merged PTE (R-PRES.3)',
  ),
  'R-PRES.3': rule(
    'R-PRES.3',
    "extra dirty, young or soft-dirty only from the batch merge of the slot's own batch",
    'modify_prot_start_ptes() ORs dirty and young over a batch of n >= 2 (x86 pte_mkdirty() adds soft-dirty from a dirty later PTE); the bound is the batch-aware spec (Δ1-Δ3)',
  ),
  'R-WR.1': rule(
    'R-WR.1',
    'no write upgrade without MM_CP_TRY_CHANGE_WRITABLE',
    'the upgrade path runs only for TRY callers and a read-only new entry',
  ),
  'R-WR.2.1': rule('R-WR.2.1', 'no write upgrade without VM_WRITE', 'maybe_change_pte_writable() refuses a VMA without VM_WRITE'),
  'R-WR.2.2': rule('R-WR.2.2', 'no write upgrade of a PROT_NONE entry', 'maybe_change_pte_writable() refuses pte_protnone()'),
  'R-WR.2.3': rule(
    'R-WR.2.3',
    'no write upgrade of an entry without soft-dirty while tracking is on',
    'pte_needs_soft_dirty_wp() keeps the write fault that records soft-dirty; batching may only raise soft-dirty through the merge (Δ5)',
  ),
  'R-WR.2.4': rule(
    'R-WR.2.4',
    'no write upgrade of a uffd-wp entry',
    'userfaultfd_pte_wp() keeps the write fault userfaultfd waits for; batching never changes uffd-wp',
  ),
  'R-WR.3': rule(
    'R-WR.3',
    'a shared entry is upgraded only when it, or a mate in its own batch of n >= 2, is dirty',
    'can_change_shared_pte_writable() reads pte_dirty() of the merged entry (Δ4)',
  ),
  'R-WR.4': rule(
    'R-WR.4',
    'a private entry is upgraded only on an exclusive anonymous page',
    'commit_anon_folio_batch() sets write per PageAnonExclusive() sub-run of an anon folio',
  ),
  'REL-WRITE': rule(
    'REL-WRITE',
    'no write upgrade the spec grants is missed',
    'the batched path makes the same per-page decision (R-WR.5)',
  ),
  'R-PTE.2': rule(
    'R-PTE.2',
    'dirty is encoded as DIRTY on writable, SAVED_DIRTY on read-only PTEs',
    'x86 saved-dirty shift (§3.3)',
  ),
  'REL-COUNT': rule('REL-COUNT', 'the returned count agrees', 'present PTEs are counted batched or not (R-PRES.6, INV-16)'),
  'REL-PMD': rule('REL-PMD', 'PMD slots agree', 'change_huge_pmd() and splits are not batched (R-WALK.3)'),
  'R-PRES.2': rule(
    'R-PRES.2',
    'the same folios get NUMA access-time stamps',
    'stamped once per batch instead of per PTE, same folios (Δ8)',
  ),
  'INV-15': rule(
    'INV-15',
    'every page that needs a flush lies in a recorded flush range, and ranges stay inside [start, end)',
    'flush decisions are per run but cover the same pages (Δ6, R-COMMIT.2)',
  ),
  'INV-19': rule(
    'INV-19',
    'batches are well formed',
    'a batch lies in one folio, one table and the range, maps consecutive pfns, and sub-runs split exactly at PageAnonExclusive changes',
  ),
  EXACT: rule('EXACT', 'equal to the reference outcome', 'exact mode: no allowance'),
  'INV-1': rule(
    'INV-1',
    'no write to shared COW pages',
    'private newprot is never writable (R-VMA.2); only R-WR.4 restores write, per exclusive anon page',
  ),
  'INV-2': rule('INV-2', 'writenotify respected', 'a shared PTE is upgraded only when dirty (R-WR.3)'),
  'INV-3': rule('INV-3', 'no write without VM_WRITE', 'newprot has no write and TRY is never passed (R-VMA.1, R-WR.2.1)'),
  'INV-4': rule('INV-4', 'soft-dirty respected', 'the gate refuses PTEs without soft-dirty while tracking is on (R-WR.2.3)'),
  'INV-5': rule(
    'INV-5',
    'uffd-wp respected',
    'uffd-wp PTEs are never made writable; MM_CP_UFFD_WP marks every entry (R-WR.2.4, R-PRES.5, R-NONE.1, R-SL tail)',
  ),
  'INV-6': rule(
    'INV-6',
    'resolve clears everything uffd',
    'MM_CP_UFFD_WP_RESOLVE clears PTE and swap bits and removes uffd-wp markers (R-PRES.5, R-SL.3)',
  ),
  'INV-7': rule('INV-7', 'PROT_NONE never writable', 'the gate refuses PROT_NONE (R-WR.2.2)'),
  'INV-8': rule(
    'INV-8',
    'NUMA hinting only makes PTEs PROT_NONE',
    'newprot is PAGE_NONE; skipped PTEs are untouched (R-VMA.4, R-PRES.2)',
  ),
  'INV-9': rule('INV-9', 'frames never change', 'mprotect changes protections, never mappings (§3, §10)'),
  'INV-10': rule(
    'INV-10',
    'sticky attribute bits',
    'pte_modify keeps _PAGE_CHG_MASK bits (R-PTE.1); softleaf bits change only by R-SL rules',
  ),
  'INV-11': rule(
    'INV-11',
    'no writable non-present entries survive',
    'migration-write and device-private-write are always downgraded (R-SL.1, R-SL.2)',
  ),
  'INV-12': rule('INV-12', 'idempotence', 'a second identical call finds every entry already in its target state'),
  'INV-13': rule(
    'INV-13',
    'range splitting',
    'change_pte_range() works per PMD; batches never cross a table boundary (R-BATCH.2)',
  ),
  'INV-16': rule('INV-16', 'count formula', 'present PTEs processed + softleaf changed + markers + 512 per huge PMD (§13.2)'),
  'INV-20': rule('INV-20', 'TRY monotonicity', 'MM_CP_TRY_CHANGE_WRITABLE only ever adds write (R-WR.1)'),
  'REL-INPUT': rule(
    'REL-INPUT',
    'the candidate must not write to its input',
    'inputs are shared with the spec and other variants',
  ),
  'REL-CRASH': rule(
    'REL-CRASH',
    'the candidate must return an outcome',
    'a throw, a hang or a malformed outcome is a divergence',
  ),
} as const;

export type RuleId = keyof typeof RULES;
