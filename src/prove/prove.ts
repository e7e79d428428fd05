// SPDX-License-Identifier: GPL-2.0-only
// Bounded exhaustive check: every world of the domain up to `bound` slots
// (enumerate.ts) against every selected variant, under the same agreement
// relation as the 'agree' and 'agree-exact' properties (src/check/properties.ts):
//   compareRelaxed(world, spec(world), out) + checkTrace(world, out), and
//   compareExact(world, batched ? batchAwareSpec(world, spec) : spec(world), out).
// The spec and the batch-aware spec are computed once per world and shared by
// all variants. Worlds that show a drift a variant declares are not compared
// for that variant (counted in `excluded`).
import { change_protection_spec } from '../../spec/index.js';
import { type CheckTarget, describeThrow, runGuarded, variantTarget } from '../check/index.js';
import { VARIANTS, type Variant } from '../kernel/index.js';
import { batchAwareSpec, checkTrace, compareExact, compareRelaxed, driftIn, type Mismatch } from '../observe/index.js';
import type { SpecOutcome, World } from '../pte/index.js';
import type { ConfigName, VmaKind } from './context.js';
import { enumerateWorlds } from './enumerate.js';

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
  /** Called about every 50k worlds. */
  readonly onProgress?: (p: { readonly worlds: number; readonly slots: number; readonly ms: number }) => void;
}

export interface ProveFailure {
  readonly variant: string;
  /** Which enumerated world (1-based) first showed it. */
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
  /** Worlds left out for a declared drift. */
  excluded: number;
  /** Worlds where the relation failed. */
  failed: number;
  /** Index of the first failing world, or null. */
  firstFailureAt: number | null;
}

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
  readonly stoppedBy: 'time-limit' | 'first-failure' | null;
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

/** The agreement relation for one variant on one world (spec outcomes precomputed). */
function agreement(
  world: World,
  target: CheckTarget,
  batched: boolean,
  plain: SpecOutcome,
  batchAware: () => SpecOutcome,
): Mismatch[] {
  const run = runGuarded(target, world);
  if (!run.ok) return [run.mismatch];
  const out = run.outcome;
  try {
    return [
      ...compareRelaxed(world, plain, out),
      ...checkTrace(world, out),
      ...compareExact(world, batched ? batchAware() : plain, out),
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
  ].map((t) => ({ ...t, batched: t.target.batching === 'batched' }));
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
  const bySlots: number[] = [];
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
  for (const { world, slots } of enumerateWorlds(domain)) {
    if ((worlds & 1023) === 0 && performance.now() > deadline) {
      complete = false;
      stoppedBy = 'time-limit';
      break;
    }
    if (options.stopAtFirstFailure && tallies.every((t) => t.failed > 0)) {
      complete = false;
      stoppedBy = 'first-failure';
      break;
    }
    currentSlots = slots;
    worlds++;
    bySlots[slots - 1] = (bySlots[slots - 1] ?? 0) + 1;
    if (options.onProgress && worlds % 50_000 === 0) options.onProgress({ worlds, slots, ms: performance.now() - t0 });

    let plain: SpecOutcome;
    try {
      plain = spec(world);
    } catch (error) {
      specErrors++;
      for (const [i, t] of tallies.entries()) {
        t.failed++;
        t.firstFailureAt ??= worlds;
        if (t.failed <= keep)
          failures.push({
            variant: (targets[i] as (typeof targets)[number]).target.name,
            index: worlds,
            slots,
            world,
            mismatches: [describeThrow(error)],
          });
      }
      continue;
    }
    let merged: SpecOutcome | undefined;
    const batchAware = (): SpecOutcome => {
      merged ??= batchAwareSpec(world, spec);
      return merged;
    };
    for (const [i, { target, batched }] of targets.entries()) {
      const tally = tallies[i] as VariantTally;
      if (options.stopAtFirstFailure && tally.failed > 0) continue;
      if (driftIn(world, target.drift) !== null) {
        tally.excluded++;
        continue;
      }
      tally.checked++;
      checked++;
      const mismatches = agreement(world, target, batched, plain, batchAware);
      if (mismatches.length === 0) continue;
      tally.failed++;
      tally.firstFailureAt ??= worlds;
      if (tally.failed <= keep) failures.push({ variant: target.name, index: worlds, slots, world, mismatches });
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
