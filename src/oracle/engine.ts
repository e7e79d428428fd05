// SPDX-License-Identifier: GPL-2.0-only
// The two spec entry points the process model calls, gathered in one object so
// that a caller (the adequacy test) can hand the model another rulebook. The
// oracle itself always uses SPEC_ENGINE; it never names any other engine.
import { type CallerOutcome, mprotect_fixup_spec, uffd_wp_range_spec } from '../../spec/index.js';
import type { World } from '../pte/index.js';

export interface SpecEngine {
  /** mprotect_fixup() on one VMA run: see spec/callers.ts mprotect_fixup_spec. */
  readonly mprotect: (world: World, access: number) => CallerOutcome;
  /** uffd_wp_range(): see spec/callers.ts uffd_wp_range_spec. */
  readonly uffdWp: (world: World, enable: boolean) => CallerOutcome;
}

export const SPEC_ENGINE: SpecEngine = Object.freeze({
  mprotect: (world: World, access: number) => mprotect_fixup_spec(world, access),
  uffdWp: (world: World, enable: boolean) => uffd_wp_range_spec(world, enable),
});
