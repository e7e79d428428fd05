// SPDX-License-Identifier: GPL-2.0-only
// The walk: which slots change_protection() visits, in which order, and how the
// per-entry results add up to the outcome. SEMANTICS §7 (R-WALK.1-3), §13.
import {
  checkWorld,
  HPAGE_PMD_NR,
  type PmdSlot,
  PTRS_PER_PTE,
  type Pte,
  pmd_index_of,
  type SpecOutcome,
  type World,
  WorldError,
} from '../src/pte/index.js';
import { SpecPreconditionError } from './errors.js';
import {
  assertNonPresentHugePmd,
  changeHugePmd,
  changeNonPresentHugePmd,
  hugePmdNeedsSplit,
  splitFileHugePmd,
  splitHugePmd,
} from './huge_pmd.js';
import type { ResolvedSpecOptions } from './options.js';
import { changePresentEntry } from './present.js';
import type { SpecRules } from './rules.js';
import { assertProtectionConsistent, assertUffdFlagsExclusive, populatesPageTables } from './vma.js';

/** Which local rule decided a slot (or a huge PMD, reported at its first in-range vpn). */
export interface SlotNote {
  readonly vpn: number;
  readonly rule: string;
}

/** The outcome plus a per-slot account of the rules applied (for tests and reports). */
export interface SpecExplanation {
  readonly outcome: SpecOutcome;
  readonly notes: readonly SlotNote[];
}

/**
 * K0 Preconditions, checked before anything is read: R-CP.1 first (so it is named even when other problems
 * exist), then the world validation of src/pte (wrapped, see errors.ts), then R-VMA.2/3.
 */
export function assertSpecPreconditions(world: World): void {
  if (VALIDATED.has(world)) return;
  assertUffdFlagsExclusive(world.cp_flags);
  let problems: ReturnType<typeof checkWorld>;
  try {
    problems = checkWorld(world);
  } catch (err) {
    throw new SpecPreconditionError('W-WORLD', `world validation crashed: ${String(err)}`, [], { cause: err });
  }
  if (problems.length > 0) {
    const first = problems[0]!;
    throw new SpecPreconditionError(first.rule, `invalid world: ${first.field}: ${first.message}`, problems, {
      cause: new WorldError(problems),
    });
  }
  assertProtectionConsistent(world);
  if (isFrozenWorld(world)) VALIDATED.add(world);
}

/**
 * Frozen worlds already found valid. A frozen world cannot change, so checking it once is enough;
 * validation was 80 % of the spec's time per case (docs/strength.md). Mutable worlds are checked
 * every time.
 */
const VALIDATED = new WeakSet<World>();

const isFrozenWorld = (w: World): boolean =>
  [w, w.vma, w.ptes, w.pmds, w.folios, w.range, w.config].every((part) => Object.isFrozen(part));

/**
 * K1 (R-WALK.1) The walk visits the range [start, end) in ascending order, one PMD's worth of slots at a
 * time; entries outside the range are never touched (INV-18).
 * Models: change_protection_range() -> ... -> change_pmd_range(): next = pmd_addr_end(addr, end);
 * change_pte_range(addr, next).
 * K2 (R-WALK.2) An empty PMD is skipped, unless page tables are populated (V7): then it gets a PTE table and
 * its in-range slots are treated as empty slots (N1 installs markers).
 * Models: change_pmd_range(): change_pmd_prepare() -> pte_alloc(); `pmd_none(*pmd)` -> next.
 * Kernel detail: allocation failure (-ENOMEM) is not modelled.
 * K3 (R-PRES.1) Each slot is dispatched on its kind: present (P1), none (N1/N2), softleaf (S1-S6).
 * Models: change_pte_range(): pte_present() / pte_none() / else change_softleaf_pte().
 */
export function runSpec(world: World, options: ResolvedSpecOptions, rules: SpecRules): SpecExplanation {
  assertSpecPreconditions(world);
  const newprot = rules.protectionToApply(world);
  const ptes: Pte[] = [...world.ptes];
  const pmds: PmdSlot[] = [...world.pmds];
  const numaStamps: number[] = [];
  const flushPages: number[] = [];
  const notes: SlotNote[] = [];
  let count = 0;

  const start = world.range.start;
  const end = rules.walkEnd(world);
  const p0 = pmd_index_of(world.vma.start);
  const slot = (vpn: number): number => vpn - world.vma.start;

  for (let j = 0; j < pmds.length; j++) {
    const lo = (p0 + j) * PTRS_PER_PTE;
    const a = Math.max(lo, start);
    const b = Math.min(lo + PTRS_PER_PTE, end);
    if (a >= b) continue;
    let pmd = pmds[j]!;

    if (pmd.kind === 'huge') {
      if (!hugePmdNeedsSplit(world, b - a)) {
        const r = changeHugePmd(world, rules, newprot, pmd.pmd);
        pmds[j] = { kind: 'huge', pmd: r.pmd };
        count += r.count;
        if (r.stamp !== null) numaStamps.push(r.stamp);
        if (r.flush) for (let vpn = lo; vpn < lo + HPAGE_PMD_NR; vpn++) flushPages.push(vpn);
        notes.push({ vpn: a, rule: r.rule });
        continue;
      }
      const split = splitHugePmd(world, pmd.pmd);
      pmds[j] = split.pmd;
      if (split.ptes !== null) for (const [i, pte] of split.ptes.entries()) ptes[slot(lo + i)] = pte;
      notes.push({ vpn: a, rule: split.ptes === null ? 'H3' : 'H2' });
      pmd = split.pmd;
    }

    if (pmd.kind === 'softleaf') {
      assertNonPresentHugePmd(world, j, pmd.pmd);
      if (!hugePmdNeedsSplit(world, b - a)) {
        const r = changeNonPresentHugePmd(world, pmd.pmd, options);
        pmds[j] = { kind: 'softleaf', pmd: r.pmd };
        count += r.count;
        notes.push({ vpn: a, rule: r.rule });
        continue;
      }
      if (world.vma.anonymous)
        throw new SpecPreconditionError('H7', 'splitting a non-present huge PMD of an anonymous VMA is not modelled');
      pmd = splitFileHugePmd();
      pmds[j] = pmd;
      notes.push({ vpn: a, rule: 'H3' });
    }

    if (pmd.kind === 'none') {
      if (!populatesPageTables(world)) continue;
      pmds[j] = { kind: 'table' };
    }

    for (let vpn = a; vpn < b; vpn++) {
      const i = slot(vpn);
      const pte = ptes[i];
      if (pte === undefined) throw new SpecPreconditionError('R-WALK.1', `vpn ${vpn} lies outside the VMA`);
      switch (pte.kind) {
        case 'present': {
          const r = changePresentEntry(world, rules, newprot, pte);
          ptes[i] = r.pte;
          count += r.count;
          if (r.stamp !== null) numaStamps.push(r.stamp);
          if (r.flush) flushPages.push(vpn);
          notes.push({ vpn, rule: r.rule });
          break;
        }
        case 'none': {
          const r = rules.changeNoneEntry(world, pte);
          ptes[i] = r.pte;
          count += r.count;
          notes.push({ vpn, rule: r.rule });
          break;
        }
        case 'softleaf': {
          const r = rules.changeSoftleafEntry(world, pte, options);
          ptes[i] = r.pte;
          count += r.count;
          notes.push({ vpn, rule: r.rule });
          break;
        }
        default: {
          const never: never = pte;
          throw new SpecPreconditionError('R-PRES.1', `unknown entry ${JSON.stringify(never)}`);
        }
      }
    }
  }
  return { outcome: { ptes, pmds, count, numaStamps, flushPages }, notes };
}
