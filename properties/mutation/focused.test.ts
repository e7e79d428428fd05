// SPDX-License-Identifier: GPL-2.0-only
// Focused checks written from the surviving mutants of the first Stryker run
// (docs/strength.md): parts of the spec and the kernel model that the
// agreement properties reach rarely (huge PMDs, the exported helper
// can_change_pte_writable(), special PTEs over real folios), the per-slot rule
// notes of explain_change_protection(), and the precondition errors.
// Fixed seeds: these run in every `npm test` and in the mutation runs alike.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { change_protection_spec, explain_change_protection, SpecPreconditionError } from '../../spec/index.js';
import { mayBecomeWritableWithoutFault } from '../../spec/write_upgrade.js';
import { worldArb } from '../../src/arbitraries/index.js';
import { getProperty, runProperty, specAsTarget, variantTarget } from '../../src/check/index.js';
import { getVariant } from '../../src/kernel/index.js';
import { mk_mm, mk_vma, with_mm } from '../../src/kernel/lib/context.js';
import { can_change_pte_writable } from '../../src/kernel/variants/falcato-v3.js';
import {
  _PAGE_PRESENT,
  _PAGE_SPECIAL,
  _PAGE_USER,
  MM_CP_TRY_CHANGE_WRITABLE,
  MM_CP_UFFD_WP,
  MM_CP_UFFD_WP_RESOLVE,
  mkFolio,
  mkVma,
  mkWorld,
  PTRS_PER_PTE,
  pfn_folio,
  pte_present,
  pte_write,
  type SpecOutcome,
  VM_READ,
  VM_WRITE,
  vm_normal_folio,
  type World,
} from '../../src/pte/index.js';

const SEED = 424_242;
const spec = (w: World): SpecOutcome => change_protection_spec(w);
const v3 = getVariant('falcato-v3');

describe('can_change_pte_writable() (falcato-v3 export) equals the spec rule W5 on every present entry', () => {
  it('for every present PTE of generated worlds, whatever the VMA flags and cp_flags', () => {
    let compared = 0;
    for (const world of fc.sample(worldArb(), { seed: SEED, numRuns: 400 })) {
      const mm = mk_mm(world.config, world.mm, world.numa, world.vma, world.folios, world.ptes, world.pmds);
      const vma = mk_vma(world.vma, mm);
      with_mm(mm, () => {
        for (const [i, pte] of world.ptes.entries()) {
          if (!pte_present(pte)) continue;
          const expected = mayBecomeWritableWithoutFault(world, pte, vm_normal_folio(world, pte), pte.pfn);
          // Without VM_WRITE the spec says no (W2.1) and the kernel's WARN_ON_ONCE fires: the model reports it.
          if (!(world.vma.flags & VM_WRITE)) {
            expect(expected).toBe(false);
            expect(() => can_change_pte_writable(vma, world.vma.start + i, pte)).toThrow(
              /WARN_ON_ONCE\(!\(vma->vm_flags & VM_WRITE\)\)/,
            );
          } else expect(can_change_pte_writable(vma, world.vma.start + i, pte)).toBe(expected);
          compared++;
        }
      });
    }
    expect(compared).toBeGreaterThan(1000);
  });
});

describe('huge-PMD worlds (PMD-mapped THP in most cases)', () => {
  const worldOptions = { hugeWeight: 200 };
  it.each(['agree', 'agree-exact', 'invariants', 'idempotent'])('falcato-v3 %s', (id) => {
    const r = runProperty(getProperty(id), variantTarget(v3), spec, { seed: SEED, numRuns: 150, worldOptions });
    expect(r.failure?.mismatches ?? []).toEqual([]);
  });
  it.each(['invariants', 'idempotent', 'range-split'])('spec %s', (id) => {
    const r = runProperty(getProperty(id), specAsTarget(spec), spec, { seed: SEED, numRuns: 150, worldOptions });
    expect(r.failure?.mismatches ?? []).toEqual([]);
  });
});

describe('special PTEs have no normal page, even over a pfn that belongs to a folio', () => {
  // A VM_MIXEDMAP-style special PTE whose pfn lies in an exclusive anon folio: vm_normal_page() is NULL, so
  // the write upgrade must not consult that folio (R-WR.4: NULL folio stays read-only).
  const world = mkWorld({
    vma: mkVma({ start: 0, end: 1, flags: VM_READ | VM_WRITE }),
    ptes: [{ kind: 'present', pfn: 0x40, flags: _PAGE_PRESENT | _PAGE_USER | _PAGE_SPECIAL }],
    folios: [mkFolio({ pfn: 0x40, order: 0, anon: true })],
    cp_flags: MM_CP_TRY_CHANGE_WRITABLE,
  });
  it('stays read-only in the spec and in falcato-v3', () => {
    expect(pfn_folio(world.folios, 0x40)).not.toBeNull();
    const s = spec(world);
    expect(v3.run(world).ptes).toEqual(s.ptes);
    const after = s.ptes[0];
    expect(after?.kind === 'present' && pte_write(after)).toBe(false);
  });
});

describe('explain_change_protection() names the rule that decided each visited slot', () => {
  const softleafRule: Record<string, RegExp> = {
    migration_write: /^S1(\+S6)?$/,
    device_private_write: /^S2(\+S6)?$/,
    marker: /^S[34]$/,
  };
  it('one note per visited slot, in walk order, with the rule of its entry kind', () => {
    for (const world of fc.sample(worldArb({ hugeWeight: 4 }), { seed: SEED, numRuns: 400 })) {
      const { outcome, notes } = explain_change_protection(world);
      expect(outcome).toEqual(spec(world));
      const p0 = Math.floor(world.vma.start / PTRS_PER_PTE);
      // The walk starts on a huge PMD when the range starts inside one (a range wholly in the PTEs
      // after a THP never visits it).
      const huge = world.pmds[Math.floor(world.range.start / PTRS_PER_PTE) - p0]?.kind === 'huge';
      if (huge) {
        expect(notes[0]?.vpn).toBe(world.range.start);
        expect(notes[0]?.rule).toMatch(/^(H[234]( M:.+)?)$/);
        continue;
      }
      let k = 0;
      for (let vpn = world.range.start; vpn < world.range.end; vpn++) {
        const pmd = world.pmds[Math.floor(vpn / PTRS_PER_PTE) - p0];
        if (pmd?.kind === 'none' && outcome.pmds[Math.floor(vpn / PTRS_PER_PTE) - p0]?.kind === 'none') continue;
        const note = notes[k++];
        expect(note?.vpn).toBe(vpn);
        const before = world.ptes[vpn - world.vma.start]!;
        const after = outcome.ptes[vpn - world.vma.start]!;
        if (before.kind === 'present') expect(note?.rule).toMatch(/^(P1|M:.+)$/);
        else if (before.kind === 'none') expect(note?.rule).toBe(after.kind === 'none' ? 'N2' : 'N1');
        else {
          expect(note?.rule).toMatch(softleafRule[before.type] ?? /^S5(\+S6)?$/);
          const changed = JSON.stringify(before) !== JSON.stringify(after);
          if (!note?.rule.startsWith('S3') && !note?.rule.startsWith('S4')) expect(note?.rule.endsWith('+S6')).toBe(changed);
        }
      }
      expect(notes.length).toBe(k);
    }
  });
});

describe('preconditions', () => {
  const base = mkWorld({
    vma: mkVma({ start: 0, end: 1, flags: VM_READ }),
    ptes: [{ kind: 'none' }],
  });
  it('MM_CP_UFFD_WP with MM_CP_UFFD_WP_RESOLVE is R-CP.1 in the spec and a BUG_ON in the model', () => {
    const both = mkWorld({ ...base, cp_flags: MM_CP_UFFD_WP | MM_CP_UFFD_WP_RESOLVE });
    let err: unknown;
    try {
      spec(both);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SpecPreconditionError);
    expect((err as SpecPreconditionError).name).toBe('SpecPreconditionError');
    expect((err as SpecPreconditionError).rule).toBe('R-CP.1');
    expect((err as Error).message).toMatch(/MM_CP_UFFD_WP and MM_CP_UFFD_WP_RESOLVE together hit BUG_ON/);
    expect(() => v3.run(both)).toThrow(/BUG_ON: MM_CP_UFFD_WP and MM_CP_UFFD_WP_RESOLVE together/);
  });
  it('an invalid world names its first problem and carries all of them', () => {
    const bad = mkWorld({ ...base, ptes: [{ kind: 'present', pfn: 0x99, flags: _PAGE_PRESENT | _PAGE_USER }] });
    let err: SpecPreconditionError | undefined;
    try {
      spec(bad);
    } catch (e) {
      err = e as SpecPreconditionError;
    }
    expect(err?.rule).toBe('W-PTE.7');
    expect(err?.message).toMatch(/invalid world: ptes\[0\]\.pfn: a normal PTE must map a pfn of some folio/);
    expect(err?.problems.length).toBeGreaterThan(0);
  });
  it('a valid world raises no error, and a spec error without problems carries an empty list', () => {
    expect(() => spec(base)).not.toThrow();
    expect(new SpecPreconditionError('X', 'm').problems).toEqual([]);
  });
});
