// SPDX-License-Identifier: GPL-2.0-only
// Bounded exhaustive check: every world of the domain up to `bound` slots
// (enumerate.ts) against every selected variant, under exactly the relation
// of the 'agree' and 'agree-exact' properties (src/check/properties.ts):
//   ref = driftSpec(spec, drift) (the version the target declares, per field),
//   compareRelaxed(world, ref(world), out, batchAwareSpec(world, ref))
//     + checkTrace(world, out, batching), and
//   compareExact(world, batched ? batchAwareSpec(world, ref) : ref(world), out,
//     { flushContainment: flushDriftAllowed(world, drift) }).
// Only a world whose declared drift no field-level relaxation expresses
// (unrelaxedDrift) is left out, and counted, as check does. The reference
// outcomes are computed once per world and declared drift, shared by every
// target. A partition (partition.ts) restricts the run to one shard/job.
import { change_protection_spec } from '../../spec/index.js';
import { type CheckTarget, describeThrow, runGuarded, variantTarget } from '../check/index.js';
import { VARIANTS, type Variant } from '../kernel/index.js';
import {
  batchAwareSpec,
  checkTrace,
  compareExact,
  compareRelaxed,
  driftSpec,
  flushDriftAllowed,
  type Mismatch,
  unrelaxedDrift,
} from '../observe/index.js';
import type { SpecOutcome, World } from '../pte/index.js';
import type { ConfigName, VmaKind } from './context.js';
import { enumerateWorlds } from './enumerate.js';
import { type Partition, WHOLE, wantOf } from './partition.js';

export interface ProveOptions {
  /** Largest number of PTE slots enumerated (1..bound). */
  readonly bound: number;
  /** Stop after this long; the result then says `complete: false` and which slot count was reached. */
  readonly timeLimitMs?: number;
  /** Variants (or their names) to check; default: every `equivalent` variant of the registry, unless `targets` is given. */
  readonly variants?: readonly (Variant | string)[];
  /** Further targets, e.g. a candidate module (`prove --impl FILE`); checked with their own batching and drift. */
  readonly targets?: readonly CheckTarget[];
  /** Architecture configurations; default all three (x86-64 with and without soft-dirty, arm64). */
  readonly configs?: readonly ConfigName[];
  /** Only these VMA kinds / cp_flags (a focused sub-domain). */
  readonly kinds?: readonly VmaKind[];
  readonly cpFlags?: readonly number[];
  /** Include the PMD-mapped THP worlds (default true). */
  readonly thp?: boolean;
  /** Include the PTE-table worlds (default true). */
  readonly ptes?: boolean;
  /** Include the cache-bit and protection-key attribute sets (default true). */
  readonly attrs?: boolean;
  /** Keep at most this many failing worlds per variant (all are counted). Default 3. */
  readonly keepFailures?: number;
  /** Stop checking a variant after its first failure (for "is it caught, and how early"). */
  readonly stopAtFirstFailure?: boolean;
  /** Only the worlds of this shard and job (default: all). */
  readonly partition?: Partition;
  /** Polled about every thousand worlds; true stops the run (SIGINT in the CLI). */
  readonly shouldStop?: () => boolean;
  /** Called about every thousand worlds checked: worlds checked so far, the slot count and the enumeration position reached. */
  readonly onProgress?: (p: {
    readonly worlds: number;
    readonly slots: number;
    readonly position: number;
    readonly ms: number;
  }) => void;
}

export interface ProveFailure {
  readonly variant: string;
  /** Which world (1-based position in the enumeration order) showed it. */
  readonly index: number;
  readonly slots: number;
  readonly world: World;
  readonly mismatches: readonly Mismatch[];
}

export interface VariantTally {
  readonly variant: string;
  /** The registry's verdict, or 'candidate' for a target from outside the registry. */
  readonly verdict: Variant['verdict'] | 'candidate';
  /** Worlds compared with the spec. */
  checked: number;
  /** Worlds left out for a declared drift no field-level relaxation expresses (unrelaxedDrift). */
  excluded: number;
  /** Worlds where the relation failed. */
  failed: number;
  /** Index of the first failing world, or null. */
  firstFailureAt: number | null;
}

export type StopReason = 'time-limit' | 'first-failure' | 'sigint';

export interface ProveResult {
  readonly bound: number;
  /** Worlds enumerated. */
  readonly worlds: number;
  /** World x variant comparisons made. */
  readonly checked: number;
  /** Worlds per slot count (index 0 = one slot). */
  readonly worldsBySlots: readonly number[];
  /** True when every world up to `bound` was checked. */
  readonly complete: boolean;
  /** Why the run ended early, if it did. */
  readonly stoppedBy: StopReason | null;
  /** Largest slot count whose worlds were all checked. */
  readonly completedSlots: number;
  readonly variants: readonly VariantTally[];
  readonly failures: readonly ProveFailure[];
  /** Worlds on which the spec itself threw (an enumerator or spec bug; each is also a failure). */
  readonly specErrors: number;
  readonly ms: number;
}

const spec = (w: World): SpecOutcome => change_protection_spec(w);

function resolveVariants(sel: ProveOptions['variants'], haveTargets: boolean): Variant[] {
  if (sel === undefined) return haveTargets ? [] : VARIANTS.filter((v) => v.verdict === 'equivalent');
  return sel.map((v) => {
    if (typeof v !== 'string') return v;
    const found = VARIANTS.find((x) => x.name === v);
    if (!found) throw new Error(`unknown variant '${v}' (known: ${VARIANTS.map((x) => x.name).join(', ')})`);
    return found;
  });
}

/** The reference outcomes of one world for one declared drift (the batch-aware one on first use). */
class Refs {
  private merged: SpecOutcome | undefined;
  constructor(
    private readonly world: World,
    private readonly ref: (w: World) => SpecOutcome,
    readonly plain: SpecOutcome,
  ) {}
  aware(): SpecOutcome {
    this.merged ??= batchAwareSpec(this.world, this.ref, this.plain);
    return this.merged;
  }
}

/** The 'agree' and 'agree-exact' relations for one target on one world (references precomputed). */
function agreement(world: World, target: CheckTarget, refs: Refs): Mismatch[] {
  const run = runGuarded(target, world);
  if (!run.ok) return [run.mismatch];
  const out = run.outcome;
  try {
    const aware = refs.aware();
    return [
      ...compareRelaxed(world, refs.plain, out, aware),
      ...checkTrace(world, out, target.batching),
      ...compareExact(world, target.batching === 'batched' ? aware : refs.plain, out, {
        flushContainment: flushDriftAllowed(world, target.drift),
      }),
    ];
  } catch (error) {
    return [describeThrow(error)];
  }
}

export function prove(options: ProveOptions): ProveResult {
  const bound = options.bound;
  if (!Number.isInteger(bound) || bound < 1) throw new RangeError(`bound must be a positive integer, got ${bound}`);
  const variants = resolveVariants(options.variants, (options.targets?.length ?? 0) > 0);
  const targets = [
    ...variants.map((v) => ({ target: variantTarget(v), verdict: v.verdict as VariantTally['verdict'] })),
    ...(options.targets ?? []).map((target) => ({ target, verdict: 'candidate' as const })),
  ].map((t) => ({ ...t, driftKey: (t.target.drift ?? []).join(',') }));
  const keep = options.keepFailures ?? 3;
  const tallies: VariantTally[] = targets.map(({ target, verdict }) => ({
    variant: target.name,
    verdict,
    checked: 0,
    excluded: 0,
    failed: 0,
    firstFailureAt: null,
  }));
  const failures: ProveFailure[] = [];
  const bySlots: number[] = new Array<number>(bound).fill(0);
  const t0 = performance.now();
  const deadline = options.timeLimitMs === undefined ? Number.POSITIVE_INFINITY : t0 + options.timeLimitMs;
  let worlds = 0;
  let checked = 0;
  let specErrors = 0;
  let complete = true;
  let stoppedBy: ProveResult['stoppedBy'] = null;
  let currentSlots = 0;

  const domain = {
    bound,
    ...(options.configs ? { configs: options.configs } : {}),
    ...(options.kinds ? { kinds: options.kinds } : {}),
    ...(options.cpFlags ? { cpFlags: options.cpFlags } : {}),
    ...(options.thp === false ? { thp: false } : {}),
    ...(options.ptes === false ? { ptes: false } : {}),
    ...(options.attrs === false ? { attrs: false } : {}),
  };
  const partition = options.partition ?? WHOLE;
  // One reference function per declared drift (the plain spec under ''), one cache of outcomes per world.
  const refFns = new Map<string, (w: World) => SpecOutcome>([['', spec]]);
  for (const t of targets) if (!refFns.has(t.driftKey)) refFns.set(t.driftKey, driftSpec(spec, t.target.drift));
  const refs = new Map<string, Refs | Mismatch>();
  let current: World | null = null;
  const refsFor = (key: string): Refs | Mismatch => {
    let r = refs.get(key);
    if (r) return r;
    const world = current as World;
    const ref = refFns.get(key) as (w: World) => SpecOutcome;
    try {
      r = new Refs(world, ref, ref(world));
    } catch (error) {
      r = describeThrow(error);
    }
    refs.set(key, r);
    return r;
  };
  const fail = (i: number, index: number, slots: number, world: World, mismatches: Mismatch[]) => {
    const t = tallies[i] as VariantTally;
    t.failed++;
    t.firstFailureAt ??= index;
    if (t.failed <= keep) failures.push({ variant: t.variant, index, slots, world, mismatches });
  };
  for (const { world, slots, index: at } of enumerateWorlds(domain, wantOf(partition))) {
    if ((worlds & 1023) === 0) {
      if (performance.now() > deadline) stoppedBy = 'time-limit';
      else if (options.shouldStop?.()) stoppedBy = 'sigint';
      else if (options.stopAtFirstFailure && tallies.every((t) => t.failed > 0)) stoppedBy = 'first-failure';
      if (stoppedBy) {
        complete = false;
        break;
      }
      if (worlds > 0) options.onProgress?.({ worlds, slots, position: at, ms: performance.now() - t0 });
    }
    const index = at + 1;
    currentSlots = slots;
    worlds++;
    bySlots[slots - 1] = (bySlots[slots - 1] ?? 0) + 1;

    refs.clear();
    current = world;
    const base = refsFor('');
    if (!(base instanceof Refs)) {
      // The spec itself threw on an enumerated world: an enumerator or spec bug, a failure for every target.
      specErrors++;
      for (const i of tallies.keys()) fail(i, index, slots, world, [base]);
      continue;
    }
    for (const [i, { target, driftKey }] of targets.entries()) {
      const tally = tallies[i] as VariantTally;
      if (options.stopAtFirstFailure && tally.failed > 0) continue;
      if (unrelaxedDrift(world, target.drift) !== null) {
        tally.excluded++;
        continue;
      }
      tally.checked++;
      checked++;
      const r = refsFor(driftKey);
      const mismatches = r instanceof Refs ? agreement(world, target, r) : [r];
      if (mismatches.length > 0) fail(i, index, slots, world, mismatches);
    }
  }
  const completedSlots = complete ? bound : currentSlots - 1;
  return {
    bound,
    worlds,
    checked,
    worldsBySlots: bySlots,
    complete,
    stoppedBy,
    completedSlots: Math.max(0, completedSlots),
    variants: tallies,
    failures,
    specErrors,
    ms: performance.now() - t0,
  };
}
