// SPDX-License-Identifier: GPL-2.0-only
// Logical PTE bits shared by a folio's PTEs, and single-PTE deviations.
import fc from 'fast-check';
import type { Deviation, DeviationBit, Perm, PteBits } from './layout.js';

const rec = { noNullPrototype: true } as const;

/** Old protections: mostly accessible, sometimes PROT_NONE. First value = shrink target. */
export const permArb: fc.Arbitrary<Perm> = fc.constantFrom<Perm>('r', 'rw', 'rx', 'rwx', 'none');

export const pteBitsArb: fc.Arbitrary<PteBits> = fc.record(
  {
    perm: fc.oneof({ arbitrary: permArb, weight: 9 }, { arbitrary: fc.constant<Perm>('none'), weight: 1 }),
    dirty: fc.boolean(),
    young: fc.boolean(),
    softDirty: fc.boolean(),
    uffdWp: fc.oneof({ arbitrary: fc.constant(false), weight: 3 }, { arbitrary: fc.constant(true), weight: 1 }),
  },
  rec,
);

export const deviationArb: fc.Arbitrary<Deviation> = fc.record(
  {
    at: fc.nat(31),
    bit: fc.constantFrom<DeviationBit>('dirty', 'young', 'write', 'softDirty', 'uffdWp', 'protnone'),
  },
  rec,
);

/** Mostly uniform folios: zero deviations twice as often as one or two. */
export const deviationsArb: fc.Arbitrary<Deviation[]> = fc.oneof(
  { arbitrary: fc.constant<Deviation[]>([]), weight: 2 },
  { arbitrary: fc.array(deviationArb, { minLength: 1, maxLength: 2 }), weight: 2 },
);
