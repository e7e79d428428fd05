// SPDX-License-Identifier: GPL-2.0-only
// SEMANTICS §14 invariants on the per-entry spec alone, each shown to hold on
// the spec and to FAIL on a copy of the spec with one rule broken
// (spec/testing/broken.ts). The global seed comes from vitest.setup.ts; the
// broken-spec checks use a fixed seed so they are deterministic.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { change_protection_spec, type SpecOptions } from '../../spec/index.js';
import { BROKEN_SPECS, type BrokenSpecId, brokenSpec } from '../../spec/testing/broken.js';
import { worldArb } from '../../src/arbitraries/index.js';
import {
  MM_CP_TRY_CHANGE_WRITABLE,
  MM_CP_UFFD_WP_RESOLVE,
  mkWorld,
  type SpecOutcome,
  VM_WRITE,
  type World,
} from '../../src/pte/index.js';
import {
  type Check,
  inv1,
  inv2,
  inv3,
  inv4,
  inv5,
  inv6,
  inv7,
  inv8,
  inv9,
  inv10,
  inv11,
  inv17,
  inv18,
  inv20,
} from './invariants.js';

type SpecFn = (world: World, options?: SpecOptions) => SpecOutcome;
type Run = (spec: SpecFn) => (world: World) => string | null;

const simple =
  (check: Check): Run =>
  (spec) =>
  (world) =>
    check(world, spec(world));

const runInv17: Run = (spec) => (world) => {
  const snapshot = JSON.stringify(world);
  return inv17(snapshot)(world, spec(world));
};

const runInv20: Run = (spec) => (world) => {
  if (!(world.vma.flags & VM_WRITE) || (world.cp_flags !== 0 && world.cp_flags !== MM_CP_UFFD_WP_RESOLVE)) return null;
  const withTry = spec(mkWorld({ ...world, cp_flags: world.cp_flags | MM_CP_TRY_CHANGE_WRITABLE }));
  return inv20(withTry)(world, spec(world));
};

interface Invariant {
  readonly name: string;
  readonly run: Run;
  readonly broken: BrokenSpecId;
}

const INVARIANTS: readonly Invariant[] = [
  { name: 'INV-1 no write to shared COW pages', run: simple(inv1), broken: 'private-upgrade-ignores-exclusive' },
  { name: 'INV-2 writenotify respected', run: simple(inv2), broken: 'shared-upgrade-ignores-dirty' },
  { name: 'INV-3 no write without VM_WRITE', run: simple(inv3), broken: 'modify-keeps-write' },
  { name: 'INV-4 soft-dirty respected', run: simple(inv4), broken: 'gate-ignores-soft-dirty' },
  { name: 'INV-5 uffd-wp respected', run: simple(inv5), broken: 'gate-ignores-uffd-wp' },
  { name: 'INV-6 resolve clears everything uffd', run: simple(inv6), broken: 'resolve-keeps-markers' },
  { name: 'INV-7 PROT_NONE never upgraded', run: simple(inv7), broken: 'modify-keeps-write' },
  { name: 'INV-8 NUMA hinting', run: simple(inv8), broken: 'numa-uses-vm-page-prot' },
  { name: 'INV-9 frames never change', run: simple(inv9), broken: 'migration-write-dropped' },
  { name: 'INV-10 sticky attribute bits', run: simple(inv10), broken: 'migration-write-loses-soft-dirty' },
  { name: 'INV-11 no writable non-present entries survive', run: simple(inv11), broken: 'device-private-write-kept' },
  { name: 'INV-17 folio state untouched', run: runInv17, broken: 'stamps-without-tiering' },
  { name: 'INV-18 locality', run: simple(inv18), broken: 'walk-overruns-range-end' },
  { name: 'INV-20 TRY monotonicity', run: runInv20, broken: 'upgrade-marks-dirty' },
];

/** The one world builder (src/arbitraries) serves the spec's own properties too. */
const arbWorld = worldArb();
const BROKEN_SEED = 20260402;
/** Runs per invariant on the real spec; raise with SPEC_RUNS=5000 for a deeper local search. */
const RUNS = Number(process.env.SPEC_RUNS ?? 150);

describe.each(INVARIANTS)('$name', ({ run, broken }) => {
  it('holds on change_protection_spec()', () => {
    const check = run(change_protection_spec);
    fc.assert(
      fc.property(arbWorld, (world) => {
        const why = check(world);
        if (why !== null) throw new Error(why);
      }),
      { numRuns: RUNS },
    );
  });

  it(`fails on the broken spec '${broken}' (${BROKEN_SPECS[broken].breaks})`, () => {
    const check = run(brokenSpec(broken));
    const result = fc.check(
      fc.property(arbWorld, (world) => check(world) === null),
      { seed: BROKEN_SEED, numRuns: 2000, endOnFailure: true },
    );
    expect(result.failed).toBe(true);
    // A real violation, not a crash of the broken copy.
    const [world] = result.counterexample ?? [];
    expect(world).toBeDefined();
    expect(check(world as World)).toEqual(expect.any(String));
  });
});
