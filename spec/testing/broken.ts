// SPDX-License-Identifier: GPL-2.0-only
// TEST ONLY. Copies of the spec with exactly one rule deliberately broken, so
// the property suites can show that each invariant would catch such a bug.
// Nothing in spec/index.ts reaches this file; the normal entry point always
// runs DEFAULT_RULES.
import {
  _PAGE_RW,
  MM_CP_UFFD_WP_RESOLVE,
  make_readable_exclusive_migration_entry,
  make_readable_migration_entry,
  NONE_PTE,
  type PresentPte,
  pfn_folio,
  pte_mkdirty,
  pte_mkwrite,
  pte_modify,
  pte_protnone,
  pte_same,
  pte_soft_dirty,
  pte_uffd_wp,
  type SpecOutcome,
  SWP_MIG_DIRTY,
  SWP_MIG_YOUNG,
  userfaultfd_wp,
  VM_WRITE,
  vma_soft_dirty_enabled,
  type World,
  with_same_offset_bits,
} from '../../src/pte/index.js';
import { numaHintingDecision } from '../numa.js';
import { resolveSpecOptions, type SpecOptions } from '../options.js';
import { DEFAULT_RULES, type SpecRules } from '../rules.js';
import { uffdTail } from '../softleaf.js';
import { runSpec } from '../walk.js';

export interface BrokenSpec {
  /** The spec-local and SEMANTICS rule the copy breaks. */
  readonly breaks: string;
  readonly description: string;
  readonly rules: SpecRules;
}

/** The gate W2 with one of its four checks removed. */
function gateWithout(check: 'soft-dirty' | 'uffd-wp') {
  return (world: World, next: PresentPte): boolean => {
    if (!(world.vma.flags & VM_WRITE)) return false;
    if (pte_protnone(next)) return false;
    if (check !== 'soft-dirty' && vma_soft_dirty_enabled(world.vma, world.config) && !pte_soft_dirty(next)) return false;
    if (check !== 'uffd-wp' && userfaultfd_wp(world.vma) && pte_uffd_wp(next)) return false;
    return true;
  };
}

const broken = (breaks: string, description: string, override: Partial<SpecRules>): BrokenSpec =>
  Object.freeze({ breaks, description, rules: Object.freeze({ ...DEFAULT_RULES, ...override }) });

export const BROKEN_SPECS = {
  'private-upgrade-ignores-exclusive': broken('W4 (R-WR.4)', 'private upgrade checks anon but not PageAnonExclusive', {
    privateMayBecomeWritable: (gate, folio) => gate && (folio?.anon ?? false),
  }),
  'shared-upgrade-ignores-dirty': broken('W3 (R-WR.3)', 'shared upgrade does not require the dirty bit', {
    sharedMayBecomeWritable: (gate) => gate,
  }),
  'modify-keeps-write': broken('P2 (R-PTE.1)', 'pte_modify keeps the old write bit', {
    modifyProtection: (pte, newprot) => {
      const next = pte_modify(pte, newprot);
      return pte.flags & _PAGE_RW ? pte_mkwrite(next) : next;
    },
  }),
  'gate-ignores-soft-dirty': broken('W2.3 (R-WR.2)', 'the gate forgets soft-dirty tracking', {
    passesWriteGate: gateWithout('soft-dirty'),
  }),
  'gate-ignores-uffd-wp': broken('W2.4 (R-WR.2)', 'the gate forgets uffd-wp', { passesWriteGate: gateWithout('uffd-wp') }),
  'resolve-keeps-markers': broken('S4 (R-SL.3)', 'resolving leaves uffd-wp markers in place', {
    changeSoftleafEntry: (world, entry, options) =>
      entry.type === 'marker' && world.cp_flags & MM_CP_UFFD_WP_RESOLVE
        ? { pte: entry, count: 0, rule: 'S4-broken' }
        : DEFAULT_RULES.changeSoftleafEntry(world, entry, options),
  }),
  'numa-uses-vm-page-prot': broken('V2 (R-CP.2, R-VMA.4)', 'PROT_NUMA applies vm_page_prot instead of PAGE_NONE', {
    protectionToApply: (world) => world.vma.vm_page_prot,
  }),
  'migration-write-dropped': broken('S1 (R-SL.1)', 'a writable migration entry is cleared instead of downgraded', {
    changeSoftleafEntry: (world, entry, options) =>
      entry.type === 'migration_write'
        ? { pte: NONE_PTE, count: 1, rule: 'S1-broken' }
        : DEFAULT_RULES.changeSoftleafEntry(world, entry, options),
  }),
  'migration-write-loses-soft-dirty': broken('S1 (R-SL.1)', 'the downgrade does not copy swp soft-dirty', {
    changeSoftleafEntry: (world, entry, options) => {
      if (entry.type !== 'migration_write') return DEFAULT_RULES.changeSoftleafEntry(world, entry, options);
      const anon = pfn_folio(world.folios, entry.offset)?.anon ?? false;
      const made = anon ? make_readable_exclusive_migration_entry(entry.offset) : make_readable_migration_entry(entry.offset);
      const next = uffdTail(world.cp_flags, with_same_offset_bits(entry, made, SWP_MIG_YOUNG | SWP_MIG_DIRTY));
      return { pte: next, count: 1, rule: 'S1-broken' };
    },
  }),
  'device-private-write-kept': broken('S2 (R-SL.2)', 'a writable device-private entry is not downgraded', {
    changeSoftleafEntry: (world, entry, options) => {
      if (entry.type !== 'device_private_write') return DEFAULT_RULES.changeSoftleafEntry(world, entry, options);
      const next = uffdTail(world.cp_flags, entry);
      return { pte: next, count: pte_same(entry, next) ? 0 : 1, rule: 'S2-broken' };
    },
  }),
  'stamps-without-tiering': broken('M3 (R-PRES.2)', 'access time stamped even when memory tiering is off', {
    numaHintingDecision: (world, isProtNone, folio) => {
      const d = numaHintingDecision(world, isProtNone, folio);
      return d.skip === null ? { skip: null, stamp: true } : d;
    },
  }),
  'walk-overruns-range-end': broken('K1 (R-WALK.1)', 'the walk visits one slot past the range end', {
    walkEnd: (world) => Math.min(world.range.end + 1, world.vma.end),
  }),
  'upgrade-marks-dirty': broken('W6 (R-COMMIT.1)', 'the write upgrade also marks the entry dirty', {
    makeWritable: (next, config) => pte_mkwrite(pte_mkdirty(next, config)),
  }),
} satisfies Record<string, BrokenSpec>;

export type BrokenSpecId = keyof typeof BROKEN_SPECS;

/** A change_protection_spec() look-alike running the broken rulebook. */
export function brokenSpec(id: BrokenSpecId): (world: World, options?: SpecOptions) => SpecOutcome {
  const { rules } = BROKEN_SPECS[id];
  return (world, options) => runSpec(world, resolveSpecOptions(options), rules).outcome;
}
