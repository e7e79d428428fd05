// SPDX-License-Identifier: GPL-2.0-only
// The properties `check` runs on a target. Each names the SEMANTICS ids it
// stands for; each returns the mismatches of one world (empty = holds).
import type { WorldArbOptions } from '../arbitraries/index.js';
import {
  batchAwareSpec,
  checkDirtyKept,
  checkInvariants,
  checkTrace,
  compareExact,
  compareRelaxed,
  driftSpec,
  flushDriftAllowed,
  flushedOf,
  type Mismatch,
} from '../observe/index.js';
import type { World } from '../pte/index.js';
import { runGuarded } from './guard.js';
import { checkIdempotent, checkRangeSplit, checkTryMonotonic } from './metamorphic.js';
import type { CheckTarget, SpecFn } from './target.js';

export interface PropertyDef {
  readonly id: string;
  readonly title: string;
  readonly cites: string;
  /** Properties that compare with the spec do not run on the spec itself. */
  readonly needsReference: boolean;
  readonly worldOptions?: WorldArbOptions;
  readonly check: (world: World, target: CheckTarget, spec: SpecFn) => Mismatch[];
}

function withOutcome(
  target: CheckTarget,
  world: World,
  then: (out: import('../pte/index.js').KernelOutcome) => Mismatch[],
): Mismatch[] {
  const r = runGuarded(target, world);
  return r.ok ? then(r.outcome) : [r.mismatch];
}

export const PROPERTIES: readonly PropertyDef[] = [
  {
    id: 'agree',
    title: 'agrees with the per-entry spec under the §11 relation',
    cites: 'INV-14, INV-19, Δ1-Δ8',
    needsReference: true,
    check: (world, target, spec) =>
      withOutcome(target, world, (out) => {
        const ref = driftSpec(spec, target.drift);
        const plain = ref(world);
        return [
          ...compareRelaxed(world, plain, out, batchAwareSpec(world, ref, plain)),
          ...checkTrace(world, out, target.batching),
        ];
      }),
  },
  {
    id: 'agree-exact',
    title: 'equals the batch-aware spec (per-PTE targets: the pure spec)',
    cites: 'INV-14 (exact), R-PRES.3',
    needsReference: true,
    check: (world, target, spec) =>
      withOutcome(target, world, (out) => {
        const ref = driftSpec(spec, target.drift);
        const expected = target.batching === 'batched' ? batchAwareSpec(world, ref) : ref(world);
        return compareExact(world, expected, out, { flushContainment: flushDriftAllowed(world, target.drift) });
      }),
  },
  {
    id: 'single-pte',
    title: 'equals the spec exactly when every folio is order-0',
    cites: 'INV-21',
    needsReference: true,
    worldOptions: { smallFoliosOnly: true },
    check: (world, target, spec) =>
      withOutcome(target, world, (out) =>
        compareExact(world, driftSpec(spec, target.drift)(world), out, {
          flushContainment: flushDriftAllowed(world, target.drift),
        }),
      ),
  },
  {
    id: 'invariants',
    title: 'keeps the safety invariants',
    cites: 'INV-1..INV-11, INV-15, INV-16, INV-18; dirty never lost',
    needsReference: false,
    check: (world, target) =>
      withOutcome(target, world, (out) => {
        const found = checkInvariants(world, out, flushedOf(out));
        // checkDirtyKept adds the PMD level (a dirty huge PMD stays dirty, whole or split); a PTE it
        // finds again is already reported by checkInvariants under the same rule and slot
        const seen = new Set(found.map((m) => `${m.rule}@${m.vpn ?? ''}`));
        return [...found, ...checkDirtyKept(world, out).filter((m) => !seen.has(`${m.rule}@${m.vpn ?? ''}`))];
      }),
  },
  {
    id: 'idempotent',
    title: 'a second identical call changes nothing',
    cites: 'INV-12',
    needsReference: false,
    check: (world, target, spec) => checkIdempotent(target, world, spec),
  },
  {
    id: 'range-split',
    title: 'doing [a,b) then [b,c) equals doing [a,c)',
    cites: 'INV-13',
    needsReference: false,
    check: (world, target) => checkRangeSplit(target, world),
  },
  {
    id: 'try-monotonic',
    title: 'MM_CP_TRY_CHANGE_WRITABLE only adds write',
    cites: 'INV-20',
    needsReference: false,
    check: (world, target) => checkTryMonotonic(target, world),
  },
];

export function getProperty(id: string): PropertyDef {
  const p = PROPERTIES.find((x) => x.id === id);
  if (!p) throw new Error(`unknown property '${id}' (known: ${PROPERTIES.map((x) => x.id).join(', ')})`);
  return p;
}
