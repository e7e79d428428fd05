// SPDX-License-Identifier: GPL-2.0-only
// The huge zero page and non-present huge PMDs (issue 11 item 6), in the model
// (src/kernel/lib/huge_memory.ts) and the spec (spec/huge_pmd.ts H6/H7).
// Expectations follow mm/huge_memory.c (Diangang/linux @ 35ce50121a22):
// change_huge_pmd(), change_non_present_huge_pmd(), __split_huge_zero_page_pmd().
// Then every equivalent variant against the spec on generated worlds with
// these PMD shapes (src/arbitraries/pmd_shapes_arb.ts).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { change_protection_spec, explain_change_protection } from '../../spec/index.js';
import { worldArb } from '../../src/arbitraries/index.js';
import { withPmdShape } from '../../src/arbitraries/pmd_shapes_arb.js';
import { equivalentVariants, PROPERTIES, runProperty, variantTarget } from '../../src/check/index.js';
import { getVariant } from '../../src/kernel/index.js';
import {
  _PAGE_ACCESSED,
  _PAGE_DIRTY,
  _PAGE_NX,
  _PAGE_PRESENT,
  _PAGE_RW,
  _PAGE_SOFT_DIRTY,
  _PAGE_SPECIAL,
  _PAGE_UFFD_WP,
  _PAGE_USER,
  MM_CP_PROT_NUMA,
  MM_CP_TRY_CHANGE_WRITABLE,
  MM_CP_UFFD_WP,
  mk_pte,
  mk_softleaf,
  mkFolio,
  mkVma,
  mkWorld,
  NONE_PTE,
  type PmdSlot,
  type PresentPte,
  type Pte,
  type SoftleafPte,
  SWP_MIG_DIRTY,
  SWP_MIG_YOUNG,
  SWP_SOFT_DIRTY,
  SWP_UFFD_WP,
  VM_READ,
  VM_SOFTDIRTY,
  VM_UFFD_WP,
  VM_WRITE,
  type World,
  X86_64_NO_SOFT_DIRTY,
} from '../../src/pte/index.js';
import { HUGE_ZERO_PFN, ZERO_PFN } from '../../src/pte/types.js';
import { globalSeed, runs } from '../budget.js';

const RO = _PAGE_PRESENT | _PAGE_USER | _PAGE_NX | _PAGE_ACCESSED;
const HEAD = 0x200; // an order-9 folio's head pfn
const none512 = (): Pte[] => new Array<Pte>(512).fill(NONE_PTE);
const zeroFolio = mkFolio({ pfn: HUGE_ZERO_PFN, order: 9, anon: false });
const thp = (o: Parameters<typeof mkFolio>[0] extends infer T ? Partial<T> : never = {}) =>
  mkFolio({ pfn: HEAD, order: 9, anonExclusive: new Array(512).fill(true), ...o });

/** One PMD's worth of anonymous private VMA, [512, 1024), with `pmd` in its only slot. */
function pmdWorld(pmd: PmdSlot, o: { flags?: number; cp?: number; range?: [number, number]; anonymous?: boolean } = {}): World {
  const vma = mkVma({
    start: 512,
    end: 1024,
    flags: o.flags ?? VM_READ | VM_WRITE | VM_SOFTDIRTY,
    ...(o.anonymous === false ? { anonymous: false } : {}),
  });
  const folios =
    pmd.kind === 'huge' && pmd.pmd.pfn === HUGE_ZERO_PFN
      ? [zeroFolio]
      : [thp(pmd.kind === 'softleaf' && pmd.pmd.type.startsWith('device') ? { zoneDevice: true } : {})];
  return mkWorld({
    config: X86_64_NO_SOFT_DIRTY,
    vma,
    folios,
    pmds: [pmd],
    ptes: none512(),
    cp_flags: o.cp ?? 0,
    range: { start: o.range?.[0] ?? 512, end: o.range?.[1] ?? 1024 },
  });
}

const v3 = (w: World) => getVariant('falcato-v3').run(w);
const zeroPmd = (extra = 0): PmdSlot => ({ kind: 'huge', pmd: mk_pte(HUGE_ZERO_PFN, RO | _PAGE_SPECIAL | extra) });
const softPmd = (e: SoftleafPte): PmdSlot => ({ kind: 'softleaf', pmd: e });

describe('the huge zero page (H6)', () => {
  it('PROT_NUMA skips it: unchanged, count 0, no flush (model and spec)', () => {
    const w = pmdWorld(zeroPmd(), { cp: MM_CP_PROT_NUMA });
    const k = v3(w);
    const s = change_protection_spec(w);
    expect(k.pmds[0]).toEqual(w.pmds[0]);
    expect([k.count, s.count, k.flushes.length, s.flushPages.length]).toEqual([0, 0, 0, 0]);
    expect(s.pmds[0]).toEqual(w.pmds[0]);
  });

  it('mprotect with TRY never makes it writable (no normal page) and counts 512', () => {
    const w = pmdWorld(zeroPmd(), { cp: MM_CP_TRY_CHANGE_WRITABLE });
    const k = v3(w);
    const s = change_protection_spec(w);
    expect(k.count).toBe(512);
    expect(s.count).toBe(512);
    const after = k.pmds[0] as { kind: 'huge'; pmd: PresentPte };
    expect(after.pmd.flags & _PAGE_RW).toBe(0);
    expect(after.pmd.flags & _PAGE_SPECIAL).toBe(_PAGE_SPECIAL);
    expect(s.pmds[0]).toEqual(k.pmds[0]);
  });

  it('a partial cover splits it into 512 special zero-page PTEs with vm_page_prot; only uffd-wp carries over', () => {
    const w = pmdWorld(zeroPmd(_PAGE_UFFD_WP | _PAGE_SOFT_DIRTY), {
      flags: VM_READ | VM_WRITE | VM_SOFTDIRTY | VM_UFFD_WP,
      range: [512, 600],
    });
    // The world carries soft-dirty only on a soft-dirty build.
    const world: World = { ...w, config: { arch: 'x86-64', memSoftDirty: true } };
    const k = v3(world);
    const s = change_protection_spec(world);
    expect(k.pmds[0]).toEqual({ kind: 'table' });
    const out = k.ptes[700 - 512] as PresentPte; // vpn 700, outside the range: as the split left it
    expect(out.pfn).toBe(ZERO_PFN);
    expect(out.flags).toBe(world.vma.vm_page_prot | _PAGE_SPECIAL | _PAGE_UFFD_WP);
    expect(out.flags & (_PAGE_SOFT_DIRTY | _PAGE_DIRTY)).toBe(0);
    expect(s.ptes).toEqual(k.ptes);
    expect(s.count).toBe(k.count);
    expect(explain_change_protection(world).notes[0]?.rule).toBe('H2');
  });

  it('the world builder hook gives the shapes and they satisfy the spec preconditions', () => {
    const shapes = fc
      .sample(worldArb({ hugeWeight: 1_000_000 }), { numRuns: 60, seed: 7 })
      .flatMap((w) => (['zero', 'migration_write', 'device_private_write'] as const).map((s) => withPmdShape(w, s)));
    const made = shapes.filter((w): w is World => w !== null);
    expect(made.length).toBeGreaterThan(30);
    for (const w of made) expect(() => change_protection_spec(w)).not.toThrow();
  });
});

describe('non-present huge PMDs (H7, change_non_present_huge_pmd)', () => {
  it('a writable migration PMD of an anon THP becomes read-exclusive, keeps soft-dirty and A/D, counts 0', () => {
    const e = mk_softleaf('migration_write', HEAD, SWP_SOFT_DIRTY | SWP_MIG_YOUNG | SWP_MIG_DIRTY);
    const w = { ...pmdWorld(softPmd(e)), config: { arch: 'x86-64' as const, memSoftDirty: true } };
    const k = v3(w);
    const s = change_protection_spec(w);
    const want = softPmd(mk_softleaf('migration_read_exclusive', HEAD, SWP_SOFT_DIRTY | SWP_MIG_YOUNG | SWP_MIG_DIRTY));
    expect(k.pmds[0]).toEqual(want);
    expect(s.pmds[0]).toEqual(want);
    // The PTE path would count the changed entry; the PMD path counts nothing and flushes nothing.
    expect([k.count, s.count, k.flushes.length]).toEqual([0, 0, 0]);
  });

  it('a writable device-private PMD loses uffd-wp without uffd flags (the PTE path keeps it)', () => {
    const flags = VM_READ | VM_WRITE | VM_SOFTDIRTY | VM_UFFD_WP;
    const w = pmdWorld(softPmd(mk_softleaf('device_private_write', HEAD, SWP_UFFD_WP)), { flags });
    const want = softPmd(mk_softleaf('device_private_read', HEAD));
    expect(v3(w).pmds[0]).toEqual(want);
    expect(change_protection_spec(w).pmds[0]).toEqual(want);
    // The same entry at PTE level (order-0 device folio) keeps its uffd-wp bit and counts 1.
    const pte = mkWorld({
      config: X86_64_NO_SOFT_DIRTY,
      vma: mkVma({ start: 512, end: 513, flags }),
      folios: [mkFolio({ pfn: 0x300, zoneDevice: true, anonExclusive: [true] })],
      ptes: [mk_softleaf('device_private_write', 0x300, SWP_UFFD_WP)],
    });
    const r = v3(pte);
    expect(r.ptes[0]).toEqual(mk_softleaf('device_private_read', 0x300, SWP_UFFD_WP));
    expect(r.count).toBe(1);
  });

  it('UFFDIO_WRITEPROTECT sets the swap uffd-wp bit on a readable migration PMD, still counting 0', () => {
    const flags = VM_READ | VM_WRITE | VM_SOFTDIRTY | VM_UFFD_WP;
    const w = pmdWorld(softPmd(mk_softleaf('migration_read', HEAD)), { flags, cp: MM_CP_UFFD_WP });
    const want = softPmd(mk_softleaf('migration_read', HEAD, SWP_UFFD_WP));
    const k = v3(w);
    expect(k.pmds[0]).toEqual(want);
    expect(change_protection_spec(w).pmds[0]).toEqual(want);
    expect(k.count).toBe(0);
  });

  it('versions A/B had no PMD-level device-private entries: their change_huge_pmd() asserts a migration entry', () => {
    const w = pmdWorld(softPmd(mk_softleaf('device_private_write', HEAD)));
    for (const name of ['v6.16-per-pte', 'v6.17-fixed'])
      expect(() => getVariant(name).run(w)).toThrow(/KernelBUG|is_pmd_migration_entry/);
    const m = pmdWorld(softPmd(mk_softleaf('migration_write', HEAD)));
    for (const name of ['v6.16-per-pte', 'v6.17-fixed']) expect(getVariant(name).run(m).pmds[0]).toEqual(v3(m).pmds[0]);
  });

  it('a partly covered migration PMD of a file VMA is cleared (H3); of an anonymous VMA it is out of scope', () => {
    const file = pmdWorld(softPmd(mk_softleaf('migration_read', HEAD)), { anonymous: false, flags: VM_READ, range: [512, 600] });
    const w = { ...file, folios: [mkFolio({ pfn: HEAD, order: 9, anon: false })] };
    expect(v3(w).pmds[0]).toEqual({ kind: 'none' });
    expect(change_protection_spec(w).pmds[0]).toEqual({ kind: 'none' });
    const anon = pmdWorld(softPmd(mk_softleaf('migration_read', HEAD)), { range: [512, 600] });
    expect(() => change_protection_spec(anon)).toThrow(/not modelled/);
  });
});

describe('every equivalent variant agrees with the spec on huge-zero and non-present PMD worlds', () => {
  // Versions A/B predate PMD-level device-private entries (their worlds never hold one).
  const hasDevicePmd = (w: World) => w.pmds.some((p) => p.kind === 'softleaf' && p.pmd.type.startsWith('device'));
  const props = PROPERTIES.filter((p) => p.id !== 'single-pte'); // single-pte is about order-0 worlds only
  describe.each(equivalentVariants().map((v) => [v.name, v] as const))('%s', (_name, variant) => {
    const old = variant.name === 'v6.16-per-pte' || variant.name.startsWith('v6.17');
    it.each(props.map((p) => [p.id, p] as const))('%s', (_id, prop) => {
      const arb = fc
        .tuple(
          worldArb({ hugeWeight: 1_000_000 }),
          fc.constantFrom(
            'zero',
            'migration_read',
            'migration_read_exclusive',
            'migration_write',
            'device_private_read',
            'device_private_write',
          ) as fc.Arbitrary<Parameters<typeof withPmdShape>[1]>,
        )
        .map(([w, s]) => withPmdShape(w, s))
        .filter((w): w is World => w !== null && !(old && hasDevicePmd(w)));
      const r = runProperty(prop, variantTarget(variant), (w) => change_protection_spec(w), {
        seed: globalSeed(),
        numRuns: runs(60),
        arb,
      });
      expect(r.failure?.mismatches ?? [], JSON.stringify(r.failure?.world.pmds)).toEqual([]);
      expect(r.internalError).toBeUndefined();
    });
  });
});
