// SPDX-License-Identifier: GPL-2.0-only
// The rulebook: the decision functions the walk calls, gathered in one object
// so that spec/testing/broken.ts can swap ONE of them for a deliberately wrong
// copy and show that a property catches it. Normal callers never see this:
// change_protection_spec() always uses DEFAULT_RULES.
import type { Folio, KConfig, NonePte, Pgprot, PresentPte, SoftleafPte, World } from '../src/pte/index.js';
import { changeNoneEntry, type NoneResult } from './none.js';
import { type NumaDecision, numaHintingDecision } from './numa.js';
import type { ResolvedSpecOptions } from './options.js';
import { applyUffdWp, modifyProtection } from './present.js';
import { changeSoftleafEntry, type SoftleafResult } from './softleaf.js';
import { protectionToApply } from './vma.js';
import { makeWritable, passesWriteGate, privateMayBecomeWritable, sharedMayBecomeWritable } from './write_upgrade.js';

export interface SpecRules {
  /** V2 (R-CP.2, R-VMA.4) */
  readonly protectionToApply: (world: World) => Pgprot;
  /** M1-M3 (R-PRES.2) */
  readonly numaHintingDecision: (world: World, isProtNone: boolean, folio: Folio | null) => NumaDecision;
  /** P2 (R-PRES.4, R-PTE.1/2) */
  readonly modifyProtection: (pte: PresentPte, newprot: Pgprot) => PresentPte;
  /** P3 (R-PRES.5) */
  readonly applyUffdWp: (cp_flags: number, pte: PresentPte) => PresentPte;
  /** W2 (R-WR.2) */
  readonly passesWriteGate: (world: World, next: PresentPte) => boolean;
  /** W3 (R-WR.3) */
  readonly sharedMayBecomeWritable: (gate: boolean, next: PresentPte) => boolean;
  /** W4 (R-WR.4) */
  readonly privateMayBecomeWritable: (gate: boolean, folio: Folio | null, pfn: number) => boolean;
  /** W6 (R-COMMIT.1) */
  readonly makeWritable: (next: PresentPte, config: KConfig) => PresentPte;
  /** S1-S6 (R-SL.1-5) */
  readonly changeSoftleafEntry: (world: World, entry: SoftleafPte, options: ResolvedSpecOptions) => SoftleafResult;
  /** N1-N2 (R-NONE.1/2) */
  readonly changeNoneEntry: (world: World, entry: NonePte) => NoneResult;
  /** K1 (R-WALK.1): one past the last vpn the walk visits. */
  readonly walkEnd: (world: World) => number;
}

export const DEFAULT_RULES: SpecRules = Object.freeze({
  protectionToApply,
  numaHintingDecision,
  modifyProtection,
  applyUffdWp,
  passesWriteGate,
  sharedMayBecomeWritable,
  privateMayBecomeWritable,
  makeWritable: (next: PresentPte) => makeWritable(next),
  changeSoftleafEntry,
  changeNoneEntry,
  walkEnd: (world: World) => world.range.end,
});
