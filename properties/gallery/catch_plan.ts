// SPDX-License-Identifier: GPL-2.0-only
// The catch plan of each gallery entry: which property catches it at the
// fixed seed, which rule the shrunk counterexample reports (and why, where it
// is not the variant's `breaks`), how small it shrinks, and which generated
// worlds cannot trigger it. Used by gallery.test.ts; bench scripts may reuse it.
import type { WorldArbOptions } from '../../src/arbitraries/index.js';
import {
  MM_CP_PROT_NUMA,
  MM_CP_TRY_CHANGE_WRITABLE,
  MM_CP_UFFD_WP,
  MM_CP_UFFD_WP_RESOLVE,
  VM_SHARED,
  VM_UFFD_WP,
  type World,
} from '../../src/pte/index.js';

/** The seed of properties/agreement/known_bad.test.ts (the day v3 landed in mm-unstable). */
export const FIXED_SEED = 20260402;
/** The per-property budget a catch must fit in. */
export const CASES = 2_000;

export type PropId = 'agree' | 'invariants';

export interface Catch {
  /** The property that catches it (the cheapest one that names the broken rule). */
  readonly property: PropId;
  /** Rules the shrunk counterexample may report; the first is the one seen at FIXED_SEED. */
  readonly rules: readonly string[];
  /** Upper bound on the slots in range of the shrunk counterexample. */
  readonly maxRange: number;
  /** Worlds that cannot trigger the bug: the variant equals falcato-v3 on them. */
  readonly quiet: { readonly options?: WorldArbOptions; readonly when?: (w: World) => boolean };
  /** Why the reported rule is not `breaks`, where it is not. */
  readonly note?: string;
}

const cp = (w: World, flags: number) => (w.cp_flags & flags) !== 0;
const SMALL: Catch['quiet'] = { options: { smallFoliosOnly: true } };
const NO_NUMA: Catch['quiet'] = { when: (w) => !cp(w, MM_CP_PROT_NUMA) };

export const CATCH: Readonly<Record<string, Catch>> = {
  'b2-softdirty-polarity': {
    property: 'invariants',
    rules: ['INV-4'],
    maxRange: 3,
    quiet: { when: (w) => !cp(w, MM_CP_TRY_CHANGE_WRITABLE) || !w.config.memSoftDirty },
  },
  'b3-writenotify-ignores-uffd': {
    property: 'invariants',
    rules: ['INV-2', 'INV-5'],
    maxRange: 2,
    quiet: { when: (w) => !(w.vma.flags & VM_UFFD_WP) },
    note: 'the lost writenotify shows first on a clean PTE made writable (INV-2); INV-5 on a uffd-wp PTE (properties/gallery/hand_built.test.ts)',
  },
  'b4-poison-marker-dropped': {
    property: 'invariants',
    rules: ['INV-6'],
    maxRange: 2,
    quiet: { when: (w) => !cp(w, MM_CP_UFFD_WP_RESOLVE) },
  },
  'b5-uffd-marker-falls-through': {
    property: 'invariants',
    rules: ['INV-9'],
    maxRange: 2,
    quiet: { when: (w) => !cp(w, MM_CP_UFFD_WP) },
    note: 'R-SL.3 is a local rule; the invariant that sees the corrupted marker value is INV-9',
  },
  'b6-uffd-tail-only-migration-write': {
    property: 'invariants',
    rules: ['INV-5', 'INV-6'],
    maxRange: 2,
    quiet: { when: (w) => !cp(w, MM_CP_UFFD_WP | MM_CP_UFFD_WP_RESOLVE) },
    note: 'the same missing tail: INV-5 under MM_CP_UFFD_WP, INV-6 under resolve; the fixed seed finds MM_CP_UFFD_WP first (since the one-world-builder generator of issue 11; resolve before)',
  },
  'b7-numa-eligible-skipped': {
    property: 'agree',
    rules: ['REL-PERM', 'REL-COUNT'],
    maxRange: 2,
    quiet: NO_NUMA,
    note: 'R-PRES.2 under-hinting breaks no safety invariant (INV-8 holds); the agreement relation reports it as REL-PERM',
  },
  'b8-step-not-reset': {
    property: 'invariants',
    rules: ['REL-CRASH', 'INV-11', 'INV-16', 'INV-15', 'INV-5'],
    maxRange: 6,
    quiet: SMALL,
    note: 'the stale step usually jumps over `end` and the walk runs off the page table (REL-CRASH); INV-11 in properties/gallery/hand_built.test.ts',
  },
  'b9-batch-ignores-write': { property: 'invariants', rules: ['INV-15'], maxRange: 5, quiet: SMALL },
  'b10-batch-past-folio-end': { property: 'agree', rules: ['INV-19'], maxRange: 8, quiet: SMALL },
  'b11-tristate-collapsed': {
    property: 'invariants',
    rules: ['INV-1'],
    maxRange: 2,
    quiet: { when: (w) => !cp(w, MM_CP_TRY_CHANGE_WRITABLE) || (w.vma.flags & VM_SHARED) !== 0 },
  },
  'b12-ad-merge-drops-dirty': { property: 'invariants', rules: ['INV-10'], maxRange: 5, quiet: SMALL },
  'b13-flush-wrong-index': { property: 'invariants', rules: ['INV-15'], maxRange: 5, quiet: SMALL },
  'b14-batch-bound-wrong-limit': {
    property: 'invariants',
    rules: ['REL-CRASH'],
    maxRange: 2,
    quiet: SMALL,
    note: 'the batch overruns `end`, then the addr != end loop runs off the page table: the outcome is a crash, not a wrong slot',
  },
  'b16-softleaf-early-out': {
    property: 'invariants',
    rules: ['INV-11'],
    maxRange: 2,
    quiet: { when: (w) => cp(w, MM_CP_UFFD_WP | MM_CP_UFFD_WP_RESOLVE) },
  },
  'b17-numa-savedwrite': { property: 'invariants', rules: ['INV-7'], maxRange: 2, quiet: NO_NUMA },
  'b18-numa-null-folio-hinted': {
    property: 'agree',
    rules: ['REL-PERM', 'REL-COUNT'],
    maxRange: 2,
    quiet: NO_NUMA,
    note: 'hinting the zero page breaks no safety invariant (INV-8 allows PROT_NONE); the agreement relation reports REL-PERM',
  },
};
