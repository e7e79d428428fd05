// SPDX-License-Identifier: GPL-2.0-only
// INV-22 (known-bug pin, R-SL.5) on every equivalent variant as on the spec:
// a plain call on a migration-write entry carrying the swap uffd-wp bit gives
// a readable(-exclusive) migration entry WITHOUT the bit. When upstream fixes
// it, this test must be flipped together with SpecOptions.migrationDropsUffd.
import { describe, expect, it } from 'vitest';
import { change_protection_spec } from '../../spec/index.js';
import { equivalentVariants } from '../../src/check/index.js';
import {
  mk_softleaf,
  mkFolio,
  mkVma,
  mkWorld,
  SWP_SOFT_DIRTY,
  SWP_UFFD_WP,
  VM_READ,
  VM_SOFTDIRTY,
  VM_UFFD_WP,
  VM_WRITE,
} from '../../src/pte/index.js';

const world = (anon: boolean) =>
  mkWorld({
    vma: mkVma({ start: 0x800, end: 0x801, flags: VM_READ | VM_WRITE | VM_UFFD_WP | VM_SOFTDIRTY, anonymous: anon }),
    folios: [mkFolio({ pfn: 0x500, anon })],
    ptes: [mk_softleaf('migration_write', 0x500, SWP_UFFD_WP | SWP_SOFT_DIRTY)],
  });

describe.each([
  ['anon folio', true, 'migration_read_exclusive'],
  ['file folio', false, 'migration_read'],
] as const)('INV-22 with an %s', (_what, anon, type) => {
  const expected = { kind: 'softleaf', type, offset: 0x500, flags: SWP_SOFT_DIRTY };
  it('spec (migrationDropsUffd: true, today)', () => {
    expect(change_protection_spec(world(anon)).ptes[0]).toEqual(expected);
    expect(change_protection_spec(world(anon), { migrationDropsUffd: false }).ptes[0]).toEqual({
      ...expected,
      flags: SWP_SOFT_DIRTY | SWP_UFFD_WP,
    });
  });
  it.each(equivalentVariants().map((v) => [v.name, v] as const))('%s', (_name, variant) => {
    const out = variant.run(world(anon));
    expect(out.ptes[0]).toEqual(expected);
    expect(out.count).toBe(1);
  });
});
