// SPDX-License-Identifier: GPL-2.0-only
// The page-table world arbitrary: layouts mapped to valid worlds, with an
// unmapper so stored worlds shrink again when fed back as examples.
import fc from 'fast-check';
import type { World } from '../pte/index.js';
import { buildWorld, unbuildWorld } from './build_world.js';
import { folioFactsArb } from './folio_arb.js';
import type { HugeLayout, Layout, RangeLayout } from './layout.js';
import { pteBitsArb } from './pte_bits_arb.js';
import { type SegmentArbOptions, segmentArb } from './segment_arb.js';
import { callerArb, configArb, vmaLayoutArb } from './vma_arb.js';

const rec = { noNullPrototype: true } as const;

export interface WorldArbOptions extends SegmentArbOptions {
  /** Maximum number of segments (default 8). */
  readonly maxSegments?: number;
  /** Relative weight of PMD-mapped THP worlds against 4 for PTE-table worlds (default 1: one world in five). */
  readonly hugeWeight?: number;
  /** Restrict to one caller (for focused properties). */
  readonly caller?: Layout['caller'];
  /** Only order-0 folios (INV-21). */
  readonly smallFoliosOnly?: boolean;
}

const hugeArb: fc.Arbitrary<HugeLayout> = fc.record(
  {
    bits: pteBitsArb,
    exclusive: fc.boolean(),
    facts: folioFactsArb,
    // Half the THP worlds map the layout's segments after the PMD, so a range can cut the PMD and go on.
    tail: fc.boolean(),
  },
  rec,
);

const rangeArb: fc.Arbitrary<RangeLayout> = fc.record(
  {
    // false first with cross-shrinking: a failure on the whole range shrinks
    // toward a sub-range, which is what lets the slots around the bug go.
    whole: fc.oneof(
      { withCrossShrink: true },
      { arbitrary: fc.constant(false), weight: 2 },
      { arbitrary: fc.constant(true), weight: 1 },
    ),
    lo: fc.nat(1000),
    len: fc.nat(1000),
  },
  rec,
);

/** Where the VMA starts inside its PMD: often near the end, to cross a table boundary. */
const pmdOffsetArb = fc.oneof(
  { withCrossShrink: true },
  { arbitrary: fc.constant(0), weight: 2 },
  { arbitrary: fc.integer({ min: 490, max: 511 }), weight: 2 },
  { arbitrary: fc.nat(511), weight: 1 },
);

export function layoutArb(options: WorldArbOptions = {}): fc.Arbitrary<Layout> {
  const segOptions: SegmentArbOptions = options.smallFoliosOnly ? { ...options, largeWeight: 0 } : options;
  return fc.record(
    {
      config: configArb,
      vma: vmaLayoutArb,
      caller: options.caller ? fc.constant(options.caller) : callerArb,
      pmdOffset: pmdOffsetArb,
      segments: fc.array(segmentArb(segOptions), { minLength: 1, maxLength: options.maxSegments ?? 8 }),
      range: rangeArb,
      emptyTables: fc.boolean(),
      singleThreaded: fc.boolean(),
      numa: fc.record(
        {
          currentNid: fc.oneof({ arbitrary: fc.nat(1), weight: 6 }, { arbitrary: fc.constant(2), weight: 1 }),
          topTierOnlyNode0: fc.boolean(),
          topTierOnlyNode1: fc.oneof({ arbitrary: fc.constant(false), weight: 6 }, { arbitrary: fc.constant(true), weight: 1 }),
          // NUMA_BALANCING_NORMAL is the default mode: on three times in four.
          balancingNormal: fc.oneof({ arbitrary: fc.constant(true), weight: 3 }, { arbitrary: fc.constant(false), weight: 1 }),
          memoryTiering: fc.boolean(),
        },
        rec,
      ),
      // Last: fast-check shrinks a record's fields in order, so the THP is dropped only after the range and
      // segments have shrunk, when the PTE tail alone (same segments, same range end) shows the failure.
      huge: options.smallFoliosOnly
        ? fc.constant(null)
        : fc.oneof(
            { withCrossShrink: true },
            { arbitrary: fc.constant(null), weight: 4 },
            { arbitrary: hugeArb, weight: options.hugeWeight ?? 1 },
          ),
    },
    rec,
  );
}

/** Valid-by-construction worlds; see layout.ts for what they contain. */
export function worldArb(options: WorldArbOptions = {}): fc.Arbitrary<World> {
  return layoutArb(options).map(buildWorld, unbuildWorld);
}
