// The spec's simple generator draws only valid worlds (checkWorld returns []),
// and it reaches the situations the invariants talk about.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  checkWorld,
  MM_CP_PROT_NUMA,
  MM_CP_TRY_CHANGE_WRITABLE,
  MM_CP_UFFD_WP,
  MM_CP_UFFD_WP_RESOLVE,
} from '../../src/pte/index.js';
import { arbWorld } from './arb_world.js';

describe('arbWorld (properties/spec generator)', () => {
  it('draws only worlds that pass checkWorld()', () => {
    fc.assert(
      fc.property(arbWorld, (world) => {
        expect(checkWorld(world)).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it('covers every cp_flags combination, huge PMDs and every entry kind', () => {
    const seen = new Set<string>();
    for (const world of fc.sample(arbWorld, { numRuns: 400, seed: 7 })) {
      seen.add(`cp:${world.cp_flags}`);
      for (const pmd of world.pmds) seen.add(`pmd:${pmd.kind}`);
      for (const pte of world.ptes) seen.add(pte.kind === 'softleaf' ? `sl:${pte.type}` : pte.kind);
    }
    for (const cp of [0, MM_CP_TRY_CHANGE_WRITABLE, MM_CP_PROT_NUMA, MM_CP_UFFD_WP, MM_CP_UFFD_WP_RESOLVE])
      expect(seen).toContain(`cp:${cp}`);
    expect(seen).toContain(`cp:${MM_CP_UFFD_WP_RESOLVE | MM_CP_TRY_CHANGE_WRITABLE}`);
    for (const k of [
      'pmd:huge',
      'pmd:none',
      'pmd:table',
      'none',
      'present',
      'sl:marker',
      'sl:migration_write',
      'sl:device_private_write',
    ])
      expect(seen).toContain(k);
  });
});
