// SPDX-License-Identifier: GPL-2.0-only
// Everything that can sit between folio mappings: empty slots, zero-page
// (special) PTEs, swap/migration/device/hwpoison entries and markers.
import fc from 'fast-check';
import type { SoftleafType } from '../pte/index.js';
import { type FolioArbOptions, folioSegArb } from './folio_arb.js';
import type { LeafSeg, MarkerSeg, NoneSeg, Segment, ZeroSeg } from './layout.js';
import { pteBitsArb } from './pte_bits_arb.js';

const rec = { noNullPrototype: true } as const;

export const noneSegArb: fc.Arbitrary<NoneSeg> = fc.record(
  { k: fc.constant('none' as const), n: fc.integer({ min: 1, max: 6 }) },
  rec,
);

export const zeroSegArb: fc.Arbitrary<ZeroSeg> = fc.record(
  { k: fc.constant('zero' as const), n: fc.integer({ min: 1, max: 3 }), bits: pteBitsArb },
  rec,
);

const leafTypes: Exclude<SoftleafType, 'marker'>[] = [
  'swap',
  'migration_write',
  'device_private_write',
  'migration_read',
  'migration_read_exclusive',
  'device_private_read',
  'device_exclusive',
  'hwpoison',
];

export const leafSegArb: fc.Arbitrary<LeafSeg> = fc.record(
  {
    k: fc.constant('leaf' as const),
    type: fc.constantFrom(...leafTypes),
    softDirty: fc.boolean(),
    uffdWp: fc.boolean(),
    exclusive: fc.boolean(),
    migYoung: fc.boolean(),
    migDirty: fc.boolean(),
    anonFolio: fc.boolean(),
  },
  rec,
);

export const markerSegArb: fc.Arbitrary<MarkerSeg> = fc.record(
  { k: fc.constant('marker' as const), bits: fc.constantFrom(1, 4, 2, 3, 5, 6, 7) },
  rec,
);

export interface SegmentArbOptions extends FolioArbOptions {
  /** Relative weight of softleaf entries against 14 for folio mappings (default 5). */
  readonly leafWeight?: number;
}

/**
 * none first, so shrinking collapses toward empty slots. Weights are doubled
 * so softleaf entries can sit at 5 (the migration/device-private write
 * labels, min 3 %, fell to 3.1 % once THP worlds took one world in five).
 */
export function segmentArb(options: SegmentArbOptions = {}): fc.Arbitrary<Segment> {
  return fc.oneof(
    { arbitrary: noneSegArb, weight: 4 },
    { arbitrary: folioSegArb(options), weight: 14 },
    { arbitrary: zeroSegArb, weight: 2 },
    { arbitrary: leafSegArb, weight: options.leafWeight ?? 5 },
    { arbitrary: markerSegArb, weight: 2 },
  );
}
