// SPDX-License-Identifier: GPL-2.0-only
// A real kernel bug outside mm/mprotect.c, re-found: the x86 pmd_modify()
// shipped from v6.6 until f7491d7c81db dropped _PAGE_DIRTY of a huge PMD.
// The kernel model runs the fixed helper by default; the registered variant
// falcato-v3+x86-pmd_modify-v6.6 runs the baseline with the shipped one.
// Here: the three symptoms on hand-built worlds (each world checked valid),
// the dirty-bit invariant (src/observe/inv_dirty.ts) on both helpers, and the
// default 'agree' property finding the bug on generated worlds at several
// seeds with a shrunk one-THP counterexample, while the baseline passes the
// same runs.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { change_protection_spec } from '../../spec/index.js';
import { worldArb } from '../../src/arbitraries/index.js';
import { getProperty, runProperty, variantTarget } from '../../src/check/index.js';
import { getVariant, VARIANTS } from '../../src/kernel/registry.js';
import * as falcato_v3 from '../../src/kernel/variants/falcato-v3.js';
import { checkDirtyKept } from '../../src/observe/inv_dirty.js';
import {
  _PAGE_ACCESSED,
  _PAGE_DIRTY,
  _PAGE_NX,
  _PAGE_PRESENT,
  _PAGE_RW,
  _PAGE_USER,
  assertValidWorld,
  type Folio,
  type KernelOutcome,
  MM_CP_TRY_CHANGE_WRITABLE,
  MM_CP_UFFD_WP_RESOLVE,
  mk_pte,
  mkFolio,
  mkVma,
  mkWorld,
  NONE_PTE,
  type PmdSlot,
  type PresentPte,
  pte_dirty,
  pte_write,
  SHIPPED_ARCH_HELPERS_V6_6,
  VM_READ,
  VM_SHARED,
  VM_SOFTDIRTY,
  VM_UFFD_WP,
  VM_WRITE,
  type Vma,
  type World,
  withArchHelpers,
} from '../../src/pte/index.js';
import { explainFailure } from '../budget.js';

const NAME = 'falcato-v3+x86-pmd_modify-v6.6';
const shipped = getVariant(NAME);
const HEAD = 1024; // PMD-aligned THP head pfn
const RW_DIRTY = _PAGE_PRESENT | _PAGE_USER | _PAGE_RW | _PAGE_DIRTY | _PAGE_ACCESSED | _PAGE_NX;

function thpWorld(vma: Vma, folio: Folio, cp_flags: number): World {
  const w = mkWorld({
    vma,
    ptes: new Array(512).fill(NONE_PTE),
    folios: [folio],
    pmds: [{ kind: 'huge', pmd: mk_pte(HEAD, RW_DIRTY) }],
    cp_flags,
  });
  assertValidWorld(w);
  return w;
}

const hugeOf = (o: { pmds: readonly PmdSlot[] }): PresentPte => {
  const slot = o.pmds[0];
  if (slot?.kind !== 'huge') throw new Error(`expected a huge PMD, got ${slot?.kind}`);
  return slot.pmd;
};
const flushed512 = (o: KernelOutcome) => o.flushes.some((f) => f.start === 512 && f.nr === 512);

const anonThp = mkFolio({ pfn: HEAD, order: 9 });
/** mprotect(PROT_READ) of a private anon THP someone wrote to (the MADV_FREE data-loss sequence). */
const madvFreeThenReadOnly = thpWorld(mkVma({ start: 512, end: 1024, flags: VM_READ | VM_SOFTDIRTY }), anonThp, 0);
/** mprotect(PROT_READ|PROT_WRITE) of a dirty writable THP in a shared file VMA that wants write notification. */
const sharedWritenotifyTry = thpWorld(
  mkVma({
    start: 512,
    end: 1024,
    flags: VM_SHARED | VM_READ | VM_WRITE | VM_SOFTDIRTY,
    anonymous: false,
    fileCanWriteback: true,
  }),
  mkFolio({ pfn: HEAD, order: 9, anon: false }),
  MM_CP_TRY_CHANGE_WRITABLE,
);
/** UFFDIO_WRITEPROTECT resolve (RESOLVE|TRY) on a dirty writable private THP. */
const resolveTry = thpWorld(
  mkVma({ start: 512, end: 1024, flags: VM_READ | VM_WRITE | VM_SOFTDIRTY | VM_UFFD_WP }),
  anonThp,
  MM_CP_UFFD_WP_RESOLVE | MM_CP_TRY_CHANGE_WRITABLE,
);

describe('the three symptoms of the shipped x86 pmd_modify()', () => {
  it('a dirty writable THP made read-only comes out clean (the fixed helper and the spec keep it dirty)', () => {
    const fixed = falcato_v3.change_protection(madvFreeThenReadOnly);
    const bad = shipped.run(madvFreeThenReadOnly);
    expect(pte_dirty(hugeOf(change_protection_spec(madvFreeThenReadOnly)))).toBe(true);
    expect(pte_dirty(hugeOf(fixed))).toBe(true);
    expect(pte_dirty(hugeOf(bad))).toBe(false);
    expect(pte_write(hugeOf(bad))).toBe(false);
  });
  it('TRY on a dirty PMD in a shared writenotify VMA: the upgrade is refused and the PMD turns clean', () => {
    expect(pte_write(hugeOf(change_protection_spec(sharedWritenotifyTry)))).toBe(true);
    const fixed = hugeOf(falcato_v3.change_protection(sharedWritenotifyTry));
    const bad = hugeOf(shipped.run(sharedWritenotifyTry));
    expect([pte_write(fixed), pte_dirty(fixed)]).toEqual([true, true]);
    expect([pte_write(bad), pte_dirty(bad)]).toEqual([false, false]);
  });
  it('RESOLVE|TRY: the shipped helper flushes all 512 pages (dirty cleared), the fixed one changes nothing', () => {
    const fixed = falcato_v3.change_protection(resolveTry);
    const bad = shipped.run(resolveTry);
    expect(hugeOf(fixed).flags).toBe(RW_DIRTY);
    expect(flushed512(fixed)).toBe(false);
    expect(change_protection_spec(resolveTry).flushPages).toEqual([]);
    expect(pte_dirty(hugeOf(bad))).toBe(false);
    expect(flushed512(bad)).toBe(true);
  });
  it('the variant is the baseline inside withArchHelpers(SHIPPED): same outcome either way', () => {
    for (const w of [madvFreeThenReadOnly, sharedWritenotifyTry, resolveTry])
      expect(withArchHelpers(SHIPPED_ARCH_HELPERS_V6_6, () => falcato_v3.change_protection(w))).toEqual(shipped.run(w));
  });
});

describe('INV-10, dirty half (src/observe/inv_dirty.ts): change_protection() never loses a dirty bit', () => {
  it('flags each symptom world for the shipped helper, never for the fixed one or the spec', () => {
    for (const w of [madvFreeThenReadOnly, sharedWritenotifyTry, resolveTry]) {
      const bad = checkDirtyKept(w, shipped.run(w));
      expect(bad.map((m) => [m.rule, m.vpn, m.message])).toEqual([['INV-10', 512, 'a dirty huge PMD came out clean']]);
      expect(checkDirtyKept(w, falcato_v3.change_protection(w))).toEqual([]);
      expect(checkDirtyKept(w, change_protection_spec(w))).toEqual([]);
    }
  });
  it('holds for the spec and the baseline on generated worlds rich in huge PMDs', () => {
    fc.assert(
      fc.property(worldArb({ hugeWeight: 16 }), (w) => {
        expect(checkDirtyKept(w, change_protection_spec(w))).toEqual([]);
        expect(checkDirtyKept(w, falcato_v3.change_protection(w))).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });
  it('holds for every equivalent variant (ready to join the invariants property)', () => {
    const equivalent = VARIANTS.filter((v) => v.verdict === 'equivalent');
    expect(equivalent.length).toBeGreaterThanOrEqual(5);
    fc.assert(
      fc.property(worldArb({ hugeWeight: 8 }), (w) => {
        for (const v of equivalent) expect(checkDirtyKept(w, v.run(w)), v.name).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });
  it('finds the shipped helper on generated worlds', () => {
    const r = fc.check(
      fc.property(worldArb({ hugeWeight: 16 }), (w) => checkDirtyKept(w, shipped.run(w)).length === 0),
      { numRuns: 2000 },
    );
    expect(r.failed).toBe(true);
  });
  it('catches a PTE-level loss and a split that drops dirty, too (hand-made outcomes)', () => {
    const w = madvFreeThenReadOnly;
    const clean = { ...hugeOf(w), flags: hugeOf(w).flags & ~_PAGE_DIRTY };
    const ptes = w.ptes.map((_, i) => mk_pte(HEAD + i, RW_DIRTY & ~_PAGE_DIRTY));
    const split = { ptes, pmds: [{ kind: 'table' as const }], count: 512, numaStamps: [] };
    expect(checkDirtyKept(w, split).map((m) => m.message)).toContain('a PTE split from a dirty huge PMD is clean');
    expect(checkDirtyKept(w, { ...split, ptes: ptes.map((p) => ({ ...p, flags: p.flags | _PAGE_DIRTY })) })).toEqual([]);
    const hugeClean = { ptes: w.ptes, pmds: [{ kind: 'huge' as const, pmd: clean }], count: 512, numaStamps: [] };
    expect(checkDirtyKept(w, hugeClean)).toHaveLength(1);
    const pteWorld = mkWorld({ vma: mkVma({ start: 0, end: 1, flags: VM_READ | VM_SOFTDIRTY }), ptes: [mk_pte(5, RW_DIRTY)] });
    const lost = { ptes: [mk_pte(5, RW_DIRTY & ~_PAGE_DIRTY)], pmds: pteWorld.pmds, count: 1, numaStamps: [] };
    expect(checkDirtyKept(pteWorld, lost).map((m) => m.message)).toEqual(['a dirty PTE came out clean']);
  });
});

describe(`the default 'agree' property finds ${NAME} as a bug`, () => {
  const spec = (w: World) => change_protection_spec(w);
  const SEEDS = [20260402, 1, 7];
  it.each(SEEDS)('at seed %i, within 2,000 worlds rich in huge PMDs, shrunk to one THP', (seed) => {
    const r = runProperty(getProperty('agree'), variantTarget(shipped), spec, {
      seed,
      numRuns: 2000,
      worldOptions: { hugeWeight: 16 },
    });
    expect(r.failure, `${NAME} not caught at seed ${seed}`).not.toBeNull();
    const w = r.failure!.world;
    console.log(`${NAME} at seed ${seed}: after ${r.cases} cases, ${r.failure!.shrinks} shrinks`);
    expect(
      w.pmds.filter((p) => p.kind === 'huge'),
      explainFailure(r),
    ).toHaveLength(1);
    expect(w.config.arch).toBe('x86-64');
    expect(r.failure!.mismatches.length).toBeGreaterThan(0);
  });
  it.each(SEEDS)('the baseline passes the same run at seed %i', (seed) => {
    const r = runProperty(getProperty('agree'), variantTarget(getVariant('falcato-v3')), spec, {
      seed,
      numRuns: 2000,
      worldOptions: { hugeWeight: 16 },
    });
    expect(r.failure && explainFailure(r)).toBeNull();
  });
});
