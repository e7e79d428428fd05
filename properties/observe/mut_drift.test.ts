// SPDX-License-Identifier: GPL-2.0-only
// Declared version drift (src/observe/drift.ts) on hand-built worlds, written
// from the uncovered mutants of the focused Stryker run (docs/strength.md §1;
// drift.test.ts, which samples generated worlds, is too slow for it). Each
// predicate is shown true on a minimal world and false once one of its
// conditions is taken away:
//   Δ9: prot_numa_skip() (mm/mprotect.c v6.16/v6.17) skips a DMA-pinned folio
//     only in a COW mapping; folio_can_map_prot_numa() (mm/mempolicy.c, v6.19+)
//     in any mapping. So it shows on PROT_NUMA, non-COW, a pinned folio reached.
//   Δ10: change_huge_pmd() of v6.16/v6.17 applies none of the folio rows to a
//     huge PMD it handles whole; shows on PROT_NUMA with such a PMD in range.
//   Δ11: arm64 before v6.19 flushed every committed run; shows on arm64.
import { describe, expect, it } from 'vitest';
import { change_protection_spec } from '../../spec/index.js';
import {
  driftIn,
  driftSpec,
  driftWorld,
  flushDriftAllowed,
  showsDelta9,
  showsDelta10,
  showsDelta11,
  unrelaxedDrift,
} from '../../src/observe/index.js';
import {
  _PAGE_ACCESSED,
  _PAGE_NX,
  _PAGE_PRESENT,
  _PAGE_USER,
  ARM64,
  type Folio,
  MM_CP_PROT_NUMA,
  mkFolio,
  mkVma,
  mkVmaExact,
  mkWorld,
  NONE_PTE,
  type PmdSlot,
  type Pte,
  VM_READ,
  VM_SHARED,
  type World,
  type WorldInit,
} from '../../src/pte/index.js';

const RO = _PAGE_PRESENT | _PAGE_USER | _PAGE_NX | _PAGE_ACCESSED;
const p = (pfn: number): Pte => ({ kind: 'present', pfn, flags: RO });
const ALL = ['Δ9', 'Δ10', 'Δ11'] as const;

/** Four pages [0x10, 0x14) of a shared VMA, one order-0 folio each (the third pinned), PROT_NUMA. */
function ptesWorld(o: Partial<WorldInit> = {}, pinned = true): World {
  return mkWorld({
    vma: mkVma({ start: 0x10, end: 0x14, flags: VM_READ | VM_SHARED, anonymous: false }),
    folios: [0, 1, 2, 3].map((i) => mkFolio({ pfn: 0x100 + i, anon: false, maybeDmaPinned: pinned && i === 2 })),
    ptes: [p(0x100), p(0x101), p(0x102), p(0x103)],
    cp_flags: MM_CP_PROT_NUMA,
    ...o,
  });
}

/**
 * A shared VMA [0, 1024): a PTE table over [0, 512) mapping `ptePfns` at its
 * first slots, and a PMD-mapped order-9 folio at pfn 0x200 over [512, 1024).
 */
function hugeWorld(o: Partial<WorldInit> & { thp?: Partial<Folio>; ptePfns?: number[]; other?: Partial<Folio> } = {}): World {
  const { thp, ptePfns = [0x1000], other, ...rest } = o;
  const ptes = new Array<Pte>(1024).fill(NONE_PTE);
  ptePfns.forEach((pfn, i) => {
    ptes[i] = p(pfn);
  });
  const pmds: PmdSlot[] = [{ kind: 'table' }, { kind: 'huge', pmd: { kind: 'present', pfn: 0x200, flags: RO } }];
  return mkWorld({
    vma: mkVma({ start: 0, end: 1024, flags: VM_READ | VM_SHARED }),
    folios: [mkFolio({ pfn: 0x200, order: 9, ...thp }), mkFolio({ pfn: 0x1000, nid: 1, ...other })],
    pmds,
    ptes,
    cp_flags: MM_CP_PROT_NUMA,
    ...rest,
  });
}

describe('Δ9: a pinned folio under PROT_NUMA in a mapping that is not COW', () => {
  it('shows when a PTE in the range maps a pinned folio', () => {
    expect(showsDelta9(ptesWorld())).toBe(true);
  });
  it('does not show without the pinned folio, outside the range, without PROT_NUMA, or in a COW mapping', () => {
    expect(showsDelta9(ptesWorld({}, false))).toBe(false);
    expect(showsDelta9(ptesWorld({ range: { start: 0x10, end: 0x12 } }))).toBe(false);
    expect(showsDelta9(ptesWorld({ range: { start: 0x12, end: 0x13 } }))).toBe(true);
    expect(showsDelta9(ptesWorld({ cp_flags: 0 }))).toBe(false);
    const cow = mkVma({ start: 0x10, end: 0x14, flags: VM_READ, anonymous: false });
    expect(showsDelta9(ptesWorld({ vma: cow }))).toBe(false);
  });
  it('a private mapping that can never be written (no VM_MAYWRITE) is not COW, so it shows there', () => {
    const vma = mkVmaExact({
      start: 0x10,
      end: 0x14,
      flags: VM_READ,
      pkey: 0,
      anonymous: false,
      ops: { page_mkwrite: false, pfn_mkwrite: false },
      fileCanWriteback: false,
      uffdWpUnpopulated: false,
    });
    expect(showsDelta9(ptesWorld({ vma }))).toBe(true);
  });
  it('a pinned PMD-mapped folio in the range shows as well, whole or split', () => {
    expect(showsDelta9(hugeWorld({ thp: { maybeDmaPinned: true } }))).toBe(true);
    expect(showsDelta9(hugeWorld({ thp: { maybeDmaPinned: true }, range: { start: 0, end: 600 } }))).toBe(true);
    expect(showsDelta9(hugeWorld({ thp: { maybeDmaPinned: true }, range: { start: 0, end: 512 } }))).toBe(false);
    expect(showsDelta9(hugeWorld())).toBe(false);
    expect(showsDelta9(hugeWorld({ other: { maybeDmaPinned: true } }))).toBe(true);
    expect(showsDelta9(hugeWorld({ other: { maybeDmaPinned: true }, range: { start: 1, end: 1024 } }))).toBe(false);
  });
});

describe('Δ10: a huge PMD handled whole under PROT_NUMA', () => {
  it('shows when the range covers the whole PMD', () => {
    expect(showsDelta10(hugeWorld())).toBe(true);
    expect(showsDelta10(hugeWorld({ range: { start: 512, end: 1024 } }))).toBe(true);
  });
  it('does not show when the PMD is split (partly covered), outside the range, or without PROT_NUMA', () => {
    expect(showsDelta10(hugeWorld({ range: { start: 0, end: 1000 } }))).toBe(false);
    expect(showsDelta10(hugeWorld({ range: { start: 513, end: 1024 } }))).toBe(false);
    expect(showsDelta10(hugeWorld({ range: { start: 0, end: 512 } }))).toBe(false);
    expect(showsDelta10(hugeWorld({ cp_flags: 0 }))).toBe(false);
  });
});

describe('Δ11 and the declared-drift lookups', () => {
  const arm = mkWorld({ ...ptesWorld(), config: ARM64, vma: mkVma({ start: 0x10, end: 0x14, flags: VM_READ }, ARM64) });
  it('Δ11 shows on arm64 only', () => {
    expect(showsDelta11(arm)).toBe(true);
    expect(showsDelta11(ptesWorld())).toBe(false);
  });
  it('driftIn names the first declared drift the world shows, in declaration order', () => {
    expect(driftIn(ptesWorld(), undefined)).toBeNull();
    expect(driftIn(ptesWorld(), [])).toBeNull();
    expect(driftIn(ptesWorld(), ['Δ10', 'Δ11'])).toBeNull();
    expect(driftIn(ptesWorld(), ALL)).toBe('Δ9');
    expect(driftIn(hugeWorld(), ['Δ9', 'Δ10'])).toBe('Δ10');
    expect(driftIn(arm, ['Δ11', 'Δ9'])).toBe('Δ11');
  });
  it('an unknown drift id is an error that lists the known ones, from every entry point', () => {
    const msg = "unknown drift id 'Δ12' (known: Δ9, Δ10, Δ11)";
    expect(() => driftIn(ptesWorld(), ['Δ12'])).toThrow(msg);
    expect(() => unrelaxedDrift(ptesWorld(), ['Δ9', 'Δ12'])).toThrow(msg);
    expect(() => driftWorld(ptesWorld(), ['Δ12'])).toThrow(msg);
    expect(() => flushDriftAllowed(ptesWorld(), ['Δ12'])).toThrow(msg);
  });
  it('flushDriftAllowed only for Δ11 declared on an arm64 world', () => {
    expect(flushDriftAllowed(arm, ['Δ11'])).toBe(true);
    expect(flushDriftAllowed(arm, ['Δ9', 'Δ10'])).toBe(false);
    expect(flushDriftAllowed(arm, undefined)).toBe(false);
    expect(flushDriftAllowed(ptesWorld(), ALL)).toBe(false);
  });
});

describe('unrelaxedDrift: Δ10 worlds a per-folio relaxation cannot express', () => {
  it('a whole huge PMD whose folio is reached through no PTE is relaxed', () => {
    expect(unrelaxedDrift(hugeWorld(), ALL)).toBeNull();
  });
  it('nothing is unrelaxed unless Δ10 is declared and shown', () => {
    const both = hugeWorld({ ptePfns: [0x200] });
    expect(unrelaxedDrift(both, ['Δ9', 'Δ11'])).toBeNull();
    expect(unrelaxedDrift(both, undefined)).toBeNull();
    expect(unrelaxedDrift(hugeWorld({ ptePfns: [0x200], cp_flags: 0 }), ALL)).toBeNull();
  });
  it('the folio of a whole huge PMD also mapped by a PTE in the range is unrelaxed', () => {
    expect(unrelaxedDrift(hugeWorld({ ptePfns: [0x1000, 0x205] }), ALL)).toBe('Δ10');
    // The PTE outside the range is not visited: relaxed again.
    expect(unrelaxedDrift(hugeWorld({ ptePfns: [0x1000, 0x205], range: { start: 0, end: 1 } }), ALL)).toBeNull();
  });
  it('in a single-threaded private mapping, a local-node huge PMD next to a local-node PTE folio is unrelaxed', () => {
    const vma = mkVma({ start: 0, end: 1024, flags: VM_READ });
    const st = { mm: { singleThreaded: true }, vma };
    expect(unrelaxedDrift(hugeWorld({ ...st, other: { nid: 0 } }), ALL)).toBe('Δ10');
    expect(unrelaxedDrift(hugeWorld({ ...st, other: { nid: 1 } }), ALL)).toBeNull();
    expect(unrelaxedDrift(hugeWorld({ ...st, thp: { nid: 1 }, other: { nid: 0 } }), ALL)).toBeNull();
    expect(unrelaxedDrift(hugeWorld({ mm: { singleThreaded: true }, other: { nid: 0 } }), ALL)).toBeNull();
    expect(unrelaxedDrift(hugeWorld({ vma, other: { nid: 0 } }), ALL)).toBeNull();
  });
});

describe('driftWorld and driftSpec: the world the older version effectively sees', () => {
  it('is the same world when nothing declared is shown', () => {
    const w = ptesWorld();
    expect(driftWorld(w, undefined)).toBe(w);
    expect(driftWorld(w, ['Δ10', 'Δ11'])).toBe(w);
    const h = hugeWorld();
    expect(driftWorld(h, ['Δ9'])).toBe(h);
  });
  it('Δ9 unpins every pinned folio and changes nothing else', () => {
    const w = ptesWorld();
    const d = driftWorld(w, ['Δ9']);
    expect(d).not.toBe(w);
    expect(Object.isFrozen(d) && Object.isFrozen(d.folios[2])).toBe(true);
    expect(d.folios.map((f) => f.maybeDmaPinned)).toEqual([false, false, false, false]);
    expect({ ...d, folios: w.folios }).toEqual(w);
    expect(d.folios[0]).toBe(w.folios[0]);
  });
  it('Δ10 clears the folio-rule inputs of whole-PMD folios only', () => {
    const thp = { zoneDevice: true, ksm: true, maybeMappedShared: true, maybeDmaPinned: true, dirty: true };
    const w = hugeWorld({ thp, other: { ...thp, zoneDevice: false } });
    const d = driftWorld(w, ['Δ10']);
    expect(d.folios[0]).toEqual({
      ...w.folios[0],
      zoneDevice: false,
      ksm: false,
      maybeMappedShared: false,
      maybeDmaPinned: false,
      dirty: false,
    });
    expect(d.folios[1]).toBe(w.folios[1]);
    expect(d.mm).toBe(w.mm);
    // With Δ9 declared too (and shown, the mapping being shared), pinned PTE folios are unpinned as well.
    expect(driftWorld(w, ['Δ9', 'Δ10']).folios[1]).toEqual({ ...w.folios[1], maybeDmaPinned: false });
  });
  it('Δ10 clears the single-threaded flag when the local-node row would decide a whole PMD', () => {
    const vma = mkVma({ start: 0, end: 1024, flags: VM_READ });
    const w = hugeWorld({ vma, mm: { singleThreaded: true } });
    expect(driftWorld(w, ['Δ10']).mm).toEqual({ singleThreaded: false });
    const remote = hugeWorld({ vma, mm: { singleThreaded: true }, thp: { nid: 1 } });
    expect(driftWorld(remote, ['Δ10']).mm).toBe(remote.mm);
  });
  it('driftSpec is the spec itself without drift, and the spec of driftWorld with it', () => {
    const spec = (w: World) => change_protection_spec(w);
    expect(driftSpec(spec, undefined)).toBe(spec);
    expect(driftSpec(spec, [])).toBe(spec);
    const w = ptesWorld();
    expect(driftSpec(spec, ['Δ9'])(w)).toEqual(spec(driftWorld(w, ['Δ9'])));
    // The pinned folio is skipped by the newer rule, hinted by the older one.
    expect(driftSpec(spec, ['Δ9'])(w).ptes[2]).not.toEqual(spec(w).ptes[2]);
  });
});
