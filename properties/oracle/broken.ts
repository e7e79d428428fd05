// SPDX-License-Identifier: GPL-2.0-only
// TEST ONLY. Deliberately broken spec engines for the oracle's adequacy test
// (issue 12 item 2): each one is the real spec with ONE small, realistic
// mistake in a different rule, handed to the process model through the
// SpecEngine hook. The oracle never names any of them; the live-kernel
// campaign has to find each one from its own probes.

import { type CallerOutcome, mprotect_fixup_spec, uffd_wp_range_spec } from '../../spec/index.js';
import { resolveSpecOptions } from '../../spec/options.js';
import { DEFAULT_RULES, type SpecRules } from '../../spec/rules.js';
import { BROKEN_SPECS } from '../../spec/testing/broken.js';
import { runSpec } from '../../spec/walk.js';
import type { SpecEngine } from '../../src/oracle/engine.js';
import {
  MM_CP_TRY_CHANGE_WRITABLE,
  MM_CP_UFFD_WP_RESOLVE,
  NONE_PTE,
  PTE_MARKER_GUARD,
  pte_clear_uffd_wp,
  pte_modify,
  type World,
} from '../../src/pte/index.js';

export interface BrokenEngine {
  /** The spec rule (spec/*.ts, SEMANTICS) the mistake breaks. */
  readonly breaks: string;
  readonly description: string;
  readonly engine: SpecEngine;
}

/** The callers decide as the spec does; the walk runs the given rulebook (and optionally other cp_flags). */
function withWalk(
  rules: SpecRules,
  flags: (out: CallerOutcome, caller: 'mprotect' | 'uffd') => number | null = (o) => o.cp_flags,
) {
  const rerun = (out: CallerOutcome, caller: 'mprotect' | 'uffd'): CallerOutcome => {
    if (!out.world) return out;
    const cp_flags = flags(out, caller) ?? 0;
    const world: World = Object.freeze({ ...out.world, cp_flags });
    return { ...out, cp_flags, world, outcome: runSpec(world, resolveSpecOptions(undefined), rules).outcome };
  };
  return Object.freeze({
    mprotect: (w: World, access: number) => rerun(mprotect_fixup_spec(w, access), 'mprotect'),
    uffdWp: (w: World, enable: boolean) => rerun(uffd_wp_range_spec(w, enable), 'uffd'),
  });
}

const rules = (override: Partial<SpecRules>): SpecRules => Object.freeze({ ...DEFAULT_RULES, ...override });
const fromGallery = (id: keyof typeof BROKEN_SPECS): BrokenEngine => ({
  breaks: BROKEN_SPECS[id].breaks,
  description: BROKEN_SPECS[id].description,
  engine: withWalk(BROKEN_SPECS[id].rules),
});

export const BROKEN_ENGINES = {
  /** After fork the parent's page is shared: mprotect(r) + mprotect(rw) must not make it writable. */
  'private-upgrade-ignores-exclusive': fromGallery('private-upgrade-ignores-exclusive'),
  /** A clean page of a shared ext4 mapping still owes page_mkwrite its notification. */
  'shared-upgrade-ignores-dirty': fromGallery('shared-upgrade-ignores-dirty'),
  /** A uffd-wp protected page made writable by mprotect: the next write loses its uffd fault. */
  'gate-ignores-uffd-wp': fromGallery('gate-ignores-uffd-wp'),
  /** UFFDIO_WRITEPROTECT off leaves uffd-wp markers on empty slots. */
  'resolve-keeps-markers': fromGallery('resolve-keeps-markers'),
  /** The walk treats one slot past the range end (seen through a partial UFFDIO_WRITEPROTECT). */
  'walk-overruns-range-end': fromGallery('walk-overruns-range-end'),
  'protect-installs-no-markers': {
    breaks: 'N1 (R-NONE.1)',
    description: 'write-protecting an empty slot never installs a uffd-wp marker',
    engine: withWalk(rules({ changeNoneEntry: (_world, entry) => ({ pte: entry, count: 0, rule: 'N1-broken' }) })),
  },
  'resolve-keeps-uffd-bit': {
    breaks: 'P3 (R-PRES.5)',
    description: 'resolving uffd-wp leaves the uffd-wp bit on present entries',
    engine: withWalk(
      rules({ applyUffdWp: (cp, pte) => (cp & MM_CP_UFFD_WP_RESOLVE ? pte : DEFAULT_RULES.applyUffdWp(cp, pte)) }),
    ),
  },
  'modify-drops-uffd-wp': {
    breaks: 'P2 (R-PTE.2)',
    description: 'pte_modify loses the uffd-wp bit (it is not in the kept mask)',
    engine: withWalk(rules({ modifyProtection: (pte, newprot) => pte_clear_uffd_wp(pte_modify(pte, newprot)) })),
  },
  'mprotect-never-tries': {
    breaks: 'C1 (R-VMA.6)',
    description: 'mprotect_fixup never asks for MM_CP_TRY_CHANGE_WRITABLE',
    engine: withWalk(DEFAULT_RULES, (o, caller) =>
      caller === 'mprotect' && o.cp_flags !== null ? o.cp_flags & ~MM_CP_TRY_CHANGE_WRITABLE : o.cp_flags,
    ),
  },
  'uffd-resolve-never-tries': {
    breaks: 'C3 (R-VMA.6)',
    description: 'resolving uffd-wp never asks for the write upgrade',
    engine: withWalk(DEFAULT_RULES, (o, caller) =>
      caller === 'uffd' && o.cp_flags !== null ? o.cp_flags & ~MM_CP_TRY_CHANGE_WRITABLE : o.cp_flags,
    ),
  },
  'mprotect-drops-guard-markers': {
    breaks: 'S3 (R-SL.3)',
    description: 'a protection change clears guard markers like other markers',
    engine: withWalk(
      rules({
        changeSoftleafEntry: (world, entry, options) =>
          entry.type === 'marker' && entry.offset & PTE_MARKER_GUARD
            ? { pte: NONE_PTE, count: 1, rule: 'S3-broken' }
            : DEFAULT_RULES.changeSoftleafEntry(world, entry, options),
      }),
    ),
  },
} satisfies Record<string, BrokenEngine>;

export type BrokenEngineId = keyof typeof BROKEN_ENGINES;
