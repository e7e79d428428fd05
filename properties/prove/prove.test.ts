// SPDX-License-Identifier: GPL-2.0-only
// The bounded exhaustive check (src/prove): a tiny bound is covered in full
// and every equivalent variant agrees on it; the known-bad head-page bug is
// found at a small bound; the enumerated worlds are valid and distinct; and
// the relevance reductions of the domain hold on generated worlds (flipping a
// fact the domain keeps canonical changes no outcome when its cp_flag is off).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { change_protection_spec } from '../../spec/index.js';
import { worldArb } from '../../src/arbitraries/index.js';
import { VARIANTS } from '../../src/kernel/index.js';
import { enumerateWorlds, formatProveResult, prove } from '../../src/prove/index.js';
import {
  checkWorld,
  deepFreeze,
  MM_CP_PROT_NUMA,
  MM_CP_TRY_CHANGE_WRITABLE,
  MM_CP_UFFD_WP,
  pte_write,
  VM_SHARED,
  VM_SOFTDIRTY,
  VM_UFFD_WP,
  type World,
} from '../../src/pte/index.js';

const equivalent = VARIANTS.filter((v) => v.verdict === 'equivalent');

describe('prove', () => {
  it('covers every world of bound 1 (x86-64 without soft-dirty; mprotect, TRY, uffd-wp) and every equivalent variant agrees', () => {
    // PTE worlds only: the THP worlds have their own test (domain.test.ts), at 512 slots each they are slow.
    const r = prove({
      bound: 1,
      thp: false,
      attrs: false,
      configs: ['x86-64-nosd'],
      cpFlags: [0, MM_CP_TRY_CHANGE_WRITABLE, MM_CP_UFFD_WP],
    });
    expect(r.complete).toBe(true);
    expect(r.stoppedBy).toBeNull();
    expect(r.completedSlots).toBe(1);
    expect(r.specErrors).toBe(0);
    expect(r.worlds).toBeGreaterThan(10_000);
    expect(r.worldsBySlots).toEqual([r.worlds]);
    for (const v of r.variants) expect(v.failed, formatProveResult(r)).toBe(0);
    expect(r.checked).toBe(r.variants.reduce((n, v) => n + v.checked, 0));
    expect(r.variants.map((v) => v.variant)).toEqual(equivalent.map((v) => v.name));
    expect(formatProveResult(r)).toMatch(/every world with 1\.\.1 slot\(s\)/);
  });

  it('covers bound 2 of a small sub-domain (PFNMAP shared, every config and cp_flags) without a disagreement', () => {
    const r = prove({ bound: 2, kinds: ['pfnmap-shared'], attrs: false });
    expect(r.complete).toBe(true);
    expect(r.specErrors).toBe(0);
    expect(r.worldsBySlots.length).toBe(2);
    for (const v of r.variants) expect(v.failed, formatProveResult(r)).toBe(0);
  });

  it('finds the known-bad v6.17-cac1db8c3aad at bound 1 (a page of a large folio whose head page differs in PageAnonExclusive)', () => {
    const r = prove({
      bound: 2,
      variants: ['v6.17-cac1db8c3aad'],
      configs: ['x86-64-nosd'],
      kinds: ['anon-private'],
      cpFlags: [MM_CP_TRY_CHANGE_WRITABLE],
      stopAtFirstFailure: true,
    });
    expect(r.stoppedBy).toBe('first-failure');
    expect(r.variants[0]?.failed).toBe(1);
    const f = r.failures[0]!;
    expect(f.slots).toBe(1);
    expect(f.mismatches.map((m) => m.rule)).toContain('EXACT');
    expect(f.world.folios.some((fo) => fo.order > 0)).toBe(true);
    expect(formatProveResult(r)).toMatch(
      /v6\.17-cac1db8c3aad .*FAILS[\s\S]*stopped at the first failure|stopped at the first failure[\s\S]*FAILS/,
    );
  });

  it('stops at the time limit and says how far it got', () => {
    const r = prove({ bound: 3, timeLimitMs: 200, configs: ['arm64'] });
    expect(r.complete).toBe(false);
    expect(r.stoppedBy).toBe('time-limit');
    expect(r.completedSlots).toBeLessThan(3);
    expect(formatProveResult(r)).toMatch(/stopped at the time limit/);
  });

  it('rejects a bound that is not a positive integer, unknown variants and unreal cp_flags', () => {
    expect(() => prove({ bound: 0 })).toThrow(/positive integer/);
    expect(() => prove({ bound: 1, variants: ['nope'] })).toThrow(/unknown variant 'nope'/);
    expect(() => prove({ bound: 1, cpFlags: [MM_CP_UFFD_WP | MM_CP_TRY_CHANGE_WRITABLE] })).toThrow(/real caller/);
  });
});

describe('the enumerated domain', () => {
  const first = (n: number, o: Parameters<typeof enumerateWorlds>[0]) => {
    const out: World[] = [];
    for (const { world } of enumerateWorlds(o)) {
      out.push(world);
      if (out.length >= n) break;
    }
    return out;
  };

  it('yields only valid, pairwise distinct worlds', () => {
    const worlds = [
      ...first(15_000, { bound: 1, configs: ['x86-64'], cpFlags: [MM_CP_TRY_CHANGE_WRITABLE, MM_CP_PROT_NUMA] }),
      ...first(15_000, { bound: 2, configs: ['x86-64'], kinds: ['file-private'], cpFlags: [MM_CP_TRY_CHANGE_WRITABLE] }).slice(
        5_000,
      ),
    ];
    const seen = new Set<string>();
    // frozen all the way down: a candidate that writes to its input is caught, and the spec validates once
    const frozen = (x: unknown): boolean =>
      x === null || typeof x !== 'object' || (Object.isFrozen(x) && Object.values(x).every(frozen));
    for (const [i, world] of worlds.entries()) {
      expect(checkWorld(world)).toEqual([]);
      if (i % 97 === 0) expect(frozen(world)).toBe(true);
      seen.add(JSON.stringify(world));
    }
    expect(seen.size).toBe(worlds.length);
  });

  it('reaches every entry kind and folio order 0-2 at bound 1, and table boundaries and missing tables at bound 2', () => {
    const seen = new Set<string>();
    for (const { world } of enumerateWorlds({
      bound: 1,
      configs: ['x86-64'],
      kinds: ['anon-private'],
      cpFlags: [MM_CP_UFFD_WP],
    })) {
      for (const p of world.ptes) seen.add(p.kind === 'softleaf' ? p.type : p.kind);
      for (const f of world.folios) seen.add(`order${f.order}`);
    }
    for (const { world } of enumerateWorlds({ bound: 2, configs: ['arm64'], kinds: ['pfnmap-shared'], cpFlags: [0] })) {
      if (world.pmds.length === 2) seen.add('boundary');
      if (world.pmds.some((p) => p.kind === 'none')) seen.add('no-table');
    }
    for (const k of [
      'none',
      'present',
      'swap',
      'migration_read',
      'migration_read_exclusive',
      'migration_write',
      'device_private_read',
      'device_private_write',
      'device_exclusive',
      'hwpoison',
      'marker',
      'order0',
      'order1',
      'order2',
      'boundary',
      'no-table',
    ])
      expect(seen, k).toContain(k);
  });
});

// The domain keeps NUMA facts canonical without MM_CP_PROT_NUMA and PageAnonExclusive canonical without
// MM_CP_TRY_CHANGE_WRITABLE. That is sound only if no side reads them then: check it on generated worlds.
describe('relevance reductions of the domain', () => {
  const sample = fc.sample(worldArb(), { seed: 6_2026, numRuns: 400 });
  const outcomes = (w: World) => [JSON.stringify(change_protection_spec(w)), ...equivalent.map((v) => JSON.stringify(v.run(w)))];

  it('without PROT_NUMA, node ids, NUMA folio facts and the NUMA/mm state change nothing', () => {
    let tried = 0;
    for (const w of sample) {
      if (w.cp_flags & MM_CP_PROT_NUMA) continue;
      const flipped = deepFreeze({
        ...w,
        mm: { singleThreaded: !w.mm.singleThreaded },
        numa: {
          currentNid: 1 - w.numa.currentNid,
          topTierNids: [1],
          balancingNormal: !w.numa.balancingNormal,
          memoryTiering: !w.numa.memoryTiering,
        },
        folios: w.folios.map((f) => ({
          ...f,
          nid: f.nid + 1,
          maybeMappedShared: !f.maybeMappedShared,
          maybeDmaPinned: !f.maybeDmaPinned,
          dirty: f.anon ? f.dirty : !f.dirty,
        })),
      });
      expect(checkWorld(flipped)).toEqual([]);
      expect(outcomes(flipped)).toEqual(outcomes(w));
      tried++;
    }
    expect(tried).toBeGreaterThan(100);
  });

  it('without TRY_CHANGE_WRITABLE, PageAnonExclusive changes nothing', () => {
    let tried = 0;
    for (const w of sample) {
      if (w.cp_flags & MM_CP_TRY_CHANGE_WRITABLE) continue;
      const private_ = !(w.vma.flags & VM_SHARED);
      const writablePfns = new Set(w.ptes.flatMap((p) => (p.kind === 'present' && pte_write(p) ? [p.pfn] : [])));
      for (const pmd of w.pmds)
        if (pmd.kind === 'huge' && pte_write(pmd.pmd)) for (let i = 0; i < 512; i++) writablePfns.add(pmd.pmd.pfn + i);
      const flipped = deepFreeze({
        ...w,
        folios: w.folios.map((f) =>
          f.anon && !f.ksm && f.order < 9
            ? { ...f, anonExclusive: f.anonExclusive.map((x, i) => (private_ && writablePfns.has(f.pfn + i) ? x : !x)) }
            : f,
        ),
      });
      expect(checkWorld(flipped)).toEqual([]);
      expect(outcomes(flipped)).toEqual(outcomes(w));
      tried++;
    }
    expect(tried).toBeGreaterThan(100);
  });

  // R1 (docs/strength.md §2): in worlds of two or more slots, WP_UNPOPULATED only under MM_CP_UFFD_WP and
  // soft-dirty tracking never under PROT_NUMA.
  const more = fc.sample(worldArb(), { seed: 11_2026, numRuns: 1500 });
  it('WP_UNPOPULATED changes nothing without MM_CP_UFFD_WP', () => {
    let tried = 0;
    for (const w of more) {
      if (!(w.vma.flags & VM_UFFD_WP) || w.cp_flags & MM_CP_UFFD_WP) continue;
      const flipped = deepFreeze({ ...w, vma: { ...w.vma, uffdWpUnpopulated: !w.vma.uffdWpUnpopulated } });
      expect(checkWorld(flipped)).toEqual([]);
      expect(outcomes(flipped)).toEqual(outcomes(w));
      tried++;
    }
    expect(tried).toBeGreaterThan(30);
  });

  it('under PROT_NUMA, soft-dirty tracking (VM_SOFTDIRTY) changes nothing', () => {
    let tried = 0;
    for (const w of more) {
      if (!(w.cp_flags & MM_CP_PROT_NUMA) || !w.config.memSoftDirty) continue;
      const flipped = deepFreeze({ ...w, vma: { ...w.vma, flags: w.vma.flags ^ VM_SOFTDIRTY } });
      if (checkWorld(flipped).length) continue; // vm_page_prot would differ: not a world a caller makes
      expect(outcomes(flipped)).toEqual(outcomes(w));
      tried++;
    }
    expect(tried).toBeGreaterThan(30);
  });
});
