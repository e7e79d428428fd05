// The relation's rules. Each allowance of SEMANTICS §11 (Δ1-Δ8) is named with
// the kernel reason it rests on; every other difference is a mismatch whose
// rule says what broke.
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
  Δ1: rule(
    'Δ1',
    'extra dirty only from a dirty batch-mate',
    'modify_prot_start_ptes() merges dirty over the whole batch (R-PRES.3)',
  ),
  Δ2: rule(
    'Δ2',
    'extra young only from a young batch-mate',
    'modify_prot_start_ptes() merges accessed over the whole batch (R-PRES.3)',
  ),
  Δ3: rule(
    'Δ3',
    'extra soft-dirty only from a dirty non-first batch-mate on x86 with soft-dirty',
    'x86 pte_mkdirty() also sets soft-dirty while merging (R-PRES.3)',
  ),
  'Δ4/Δ5': rule(
    'Δ4/Δ5',
    'extra write only through the merged dirty (shared) or merged soft-dirty (private) bit',
    'can_change_shared_pte_writable() reads the merged dirty bit (R-WR.3); the gate sees the merged soft-dirty (R-WR.4)',
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
  Δ8: rule(
    'Δ8',
    'the same folios get NUMA access-time stamps',
    'stamped once per batch instead of per PTE, same folios (R-PRES.2)',
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
} as const;

export type RuleId = keyof typeof RULES;
