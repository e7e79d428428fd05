// SPDX-License-Identifier: GPL-2.0-only
// Large-folio worlds (the shared generator in src/arbitraries): batched
// variants that only restructure code agree EXACTLY (flush call list and batch
// trace included), and the known-bad variant is caught.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { worldArb } from '../../src/arbitraries/index.js';
import { getVariant } from '../../src/kernel/registry.js';
import { checkWorld, MM_CP_PROT_NUMA, type World } from '../../src/pte/index.js';

const NUM_RUNS = Number(process.env.FC_NUM_RUNS ?? 300);
const v3 = getVariant('falcato-v3');

describe('restructuring-only variants agree exactly with falcato-v3 on large-folio worlds', () => {
  it.each(['falcato-v2', 'v6.19-bprime'])('%s', (name) => {
    const v = getVariant(name);
    fc.assert(
      fc.property(worldArb(), (world) => {
        expect(checkWorld(world)).toEqual([]);
        expect(v.run(world)).toEqual(v3.run(world));
      }),
      { numRuns: NUM_RUNS },
    );
  });
  it('v6.17-fixed agrees exactly without PROT_NUMA, on x86 (it differs by Δ7, Δ9, Δ10 under NUMA and by Δ11 on arm64)', () => {
    const v = getVariant('v6.17-fixed');
    fc.assert(
      fc.property(worldArb(), (world) => {
        fc.pre(!(world.cp_flags & MM_CP_PROT_NUMA) && world.config.arch === 'x86-64');
        expect(v.run(world)).toEqual(v3.run(world));
      }),
      { numRuns: NUM_RUNS },
    );
  });
});

describe('the known-bad variant is caught on generated worlds', () => {
  it('v6.17-cac1db8c3aad differs from v6.17-fixed on some world (mid-folio batch, mixed PageAnonExclusive)', () => {
    const bad = getVariant('v6.17-cac1db8c3aad');
    const fixed = getVariant('v6.17-fixed');
    const same = (w: World) => JSON.stringify(bad.run(w).ptes) === JSON.stringify(fixed.run(w).ptes);
    const result = fc.check(fc.property(worldArb(), same), { numRuns: 20_000 });
    expect(result.failed).toBe(true);
  });
});
