// SPDX-License-Identifier: GPL-2.0-only
// Folio placements: orders 0..9 with mTHP orders 2-5 frequent, mapped fully
// or partly, starting mid-folio, sometimes right after the previous folio.
import fc from 'fast-check';
import type { ExclPattern, FolioFacts, FolioSeg } from './layout.js';
import { deviationsArb, pteBitsArb } from './pte_bits_arb.js';

const rec = { noNullPrototype: true } as const;
const rare = (weight = 6) => fc.oneof({ arbitrary: fc.constant(false), weight }, { arbitrary: fc.constant(true), weight: 1 });

export interface FolioArbOptions {
  /** Relative weight of large (order >= 1) folios against order-0 ones (default 4). */
  readonly largeWeight?: number;
}

export function orderArb(options: FolioArbOptions = {}): fc.Arbitrary<number> {
  const large = options.largeWeight ?? 4;
  return fc.oneof(
    { withCrossShrink: true },
    { arbitrary: fc.constant(0), weight: 3 },
    { arbitrary: fc.integer({ min: 2, max: 5 }), weight: 3 * large },
    { arbitrary: fc.constantFrom(1, 6, 7, 8, 9), weight: large },
  );
}

/** Mixed runs more often than uniform ones: they are what page_anon_exclusive_sub_batch() is for, and
 * the mixed-exclusive-sub-runs coverage label (min 3 %) sat at 2.9 % with equal weights, and at 2.8 %
 * (weight 5) once one world in five became a PMD-mapped THP. */
export const exclArb: fc.Arbitrary<ExclPattern> = fc.oneof(
  { arbitrary: fc.constant<ExclPattern>({ kind: 'all' }), weight: 2 },
  { arbitrary: fc.constant<ExclPattern>({ kind: 'none' }), weight: 1 },
  {
    arbitrary: fc.record(
      {
        kind: fc.constant('runs' as const),
        start: fc.boolean(),
        toggles: fc.array(fc.integer({ min: 1, max: 31 }), { minLength: 1, maxLength: 3 }),
      },
      rec,
    ),
    weight: 9,
  },
);

export const folioFactsArb: fc.Arbitrary<FolioFacts> = fc.record(
  {
    anon: fc.boolean(),
    ksm: rare(),
    zoneDevice: rare(12),
    // Node 0 (where the walk mostly runs) half the time, so the local-node rules meet their folios.
    nid: fc.oneof({ arbitrary: fc.constant(0), weight: 1 }, { arbitrary: fc.nat(2), weight: 1 }),
    mappedShared: rare(4),
    dmaPinned: rare(6),
    // A dirty page-cache folio is one PROT_NUMA skips: clean twice as often, so shared-VMA folios reach the later rules.
    dirty: fc.oneof({ arbitrary: fc.constant(false), weight: 2 }, { arbitrary: fc.constant(true), weight: 1 }),
  },
  rec,
);

export function folioSegArb(options: FolioArbOptions = {}): fc.Arbitrary<FolioSeg> {
  return fc.record(
    {
      k: fc.constant('folio' as const),
      order: orderArb(options),
      first: fc.oneof(fc.constant(0), fc.nat(511)),
      count: fc.nat(15),
      toFolioEnd: fc.boolean(),
      adjacent: rare(2),
      bits: pteBitsArb,
      devs: deviationsArb,
      excl: exclArb,
      facts: folioFactsArb,
    },
    rec,
  );
}
