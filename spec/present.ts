// SPDX-License-Identifier: GPL-2.0-only
// Present entries, one PTE at a time (version A reading, no batching).
// SEMANTICS §8.1-§8.7.
import {
  type Folio,
  MM_CP_PROT_NUMA,
  MM_CP_UFFD_WP,
  MM_CP_UFFD_WP_RESOLVE,
  type Pgprot,
  type PresentPte,
  pte_clear_uffd_wp,
  pte_mkuffd_wp,
  pte_modify,
  pte_needs_flush,
  pte_protnone,
  VM_SHARED,
  vm_normal_folio,
  type World,
} from '../src/pte/index.js';
import type { SpecRules } from './rules.js';
import { upgradeConsidered } from './write_upgrade.js';

/** What one present entry becomes. */
export interface PresentResult {
  readonly pte: PresentPte;
  /** P5: 1 when processed, 0 when NUMA hinting skipped it. */
  readonly count: number;
  /** P6: this entry's own old/new pair needs a TLB flush. */
  readonly flush: boolean;
  /** M3: head pfn of the folio whose access time was stamped, else null. */
  readonly stamp: number | null;
  readonly rule: string;
}

/**
 * P2 (R-PRES.4, R-PTE.1, R-PTE.2) The entry takes its permission bits (accessibility, write, user, exec,
 * pkey) from the protection and keeps everything else (pfn, cache attributes, special, young, dirty,
 * soft-dirty, uffd-wp); the logical dirty bit never changes.
 * Models: change_present_ptes(): ptent = pte_modify(oldpte, newprot) (x86 _PAGE_CHG_MASK + saved-dirty
 * shift; src/pte/pte_ops.ts).
 */
export function modifyProtection(pte: PresentPte, newprot: Pgprot): PresentPte {
  return pte_modify(pte, newprot);
}

/**
 * P3 (R-PRES.5) Protecting sets uffd-wp and thereby write-protects; resolving clears uffd-wp and leaves the
 * write bit to the fault handler or to the write upgrade.
 * Models: change_present_ptes(): `if (uffd_wp) pte_mkuffd_wp() else if (uffd_wp_resolve) pte_clear_uffd_wp()`;
 * change_huge_pmd(): the pmd_ versions.
 */
export function applyUffdWp(cp_flags: number, pte: PresentPte): PresentPte {
  if (cp_flags & MM_CP_UFFD_WP) return pte_mkuffd_wp(pte);
  if (cp_flags & MM_CP_UFFD_WP_RESOLVE) return pte_clear_uffd_wp(pte);
  return pte;
}

/**
 * P4 (R-WR.1-6) The write upgrade, per entry: considered (W1), decided by the gate and the shared/private
 * rule (W2-W4) on the entry's OWN new value and OWN page, applied by W6.
 * Models: change_present_ptes() -> set_write_prot_commit_flush_ptes() for a batch of one (R-WR.5).
 */
export function upgradeWrite(world: World, rules: SpecRules, next: PresentPte, folio: Folio | null, pfn: number): PresentPte {
  if (!upgradeConsidered(world, next)) return next;
  const gate = rules.passesWriteGate(world, next);
  const allowed =
    world.vma.flags & VM_SHARED ? rules.sharedMayBecomeWritable(gate, next) : rules.privateMayBecomeWritable(gate, folio, pfn);
  return allowed ? rules.makeWritable(next, world.config) : next;
}

/**
 * P1 (R-PRES.1) One present entry: NUMA filtering (M1-M3) when hinting, then P2, P3, P4; P5 counts it and
 * P6 decides its flush obligation.
 * P5 (R-PRES.6) Every processed present entry counts 1 whether or not any bit changed; NUMA skips count 0.
 * P6 (R-COMMIT.3, R-COMMIT.4) The entry needs a TLB flush if its OWN old value and final value differ in a
 * way the architecture's rule cares about (x86: write or permission change, loss of PRESENT or DIRTY;
 * arm64: always).
 * Models: change_pte_range() present branch + change_present_ptes() + prot_commit_flush_ptes() with
 * nr_ptes = 1: pte_needs_flush(oldpte, ptent) -> tlb_flush_pte_range(); pages += nr_ptes.
 * Kernel detail: the folio is vm_normal_page(vma, addr, oldpte)'s; special entries have none (NULL folio).
 */
export function changePresentEntry(world: World, rules: SpecRules, newprot: Pgprot, pte: PresentPte): PresentResult {
  const folio = vm_normal_folio(world, pte);
  let stamp: number | null = null;
  if (world.cp_flags & MM_CP_PROT_NUMA) {
    const decision = rules.numaHintingDecision(world, pte_protnone(pte), folio);
    if (decision.skip !== null) return { pte, count: 0, flush: false, stamp: null, rule: `M:${decision.skip}` };
    if (decision.stamp && folio !== null) stamp = folio.pfn;
  }
  let next = rules.modifyProtection(pte, newprot);
  next = rules.applyUffdWp(world.cp_flags, next);
  next = upgradeWrite(world, rules, next, folio, pte.pfn);
  return { pte: next, count: 1, flush: pte_needs_flush(pte, next, world.config), stamp, rule: 'P1' };
}
