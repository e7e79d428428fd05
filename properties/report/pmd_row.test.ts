// SPDX-License-Identifier: GPL-2.0-only
// A counterexample on a PMD-mapped THP prints the PMD as one row with flag
// names (before, spec after, variant after, diff such as -W), not as 512 empty
// slots, and every line fits in 80 columns.
import { describe, expect, it } from 'vitest';
import { change_protection_spec } from '../../spec/index.js';
import { getVariant } from '../../src/kernel/index.js';
import {
  _PAGE_ACCESSED,
  _PAGE_NX,
  _PAGE_PRESENT,
  _PAGE_RW,
  _PAGE_SAVED_DIRTY,
  _PAGE_USER,
  type KernelOutcome,
  MM_CP_TRY_CHANGE_WRITABLE,
  mkFolio,
  mkVma,
  mkWorld,
  type PmdSlot,
  PTRS_PER_PTE,
  type Pte,
  VM_READ,
  VM_SHARED,
  VM_SOFTDIRTY,
  VM_WRITE,
} from '../../src/pte/index.js';
import { renderCounterexample } from '../../src/report/counterexample.js';

describe('PMD rows in the counterexample report', () => {
  // TRY on a dirty, read-only THP in a shared writenotify mapping: the spec makes the PMD writable.
  const start = 7 * PTRS_PER_PTE;
  const world = mkWorld({
    vma: mkVma({
      start,
      end: start + PTRS_PER_PTE,
      flags: VM_READ | VM_WRITE | VM_SHARED | VM_SOFTDIRTY,
      anonymous: false,
      fileCanWriteback: true,
    }),
    ptes: new Array<Pte>(PTRS_PER_PTE).fill({ kind: 'none' }),
    folios: [
      mkFolio({ pfn: 0x1000, order: 9, anon: false, fileLru: true, anonExclusive: new Array<boolean>(PTRS_PER_PTE).fill(false) }),
    ],
    pmds: [
      {
        kind: 'huge',
        pmd: { kind: 'present', pfn: 0x1000, flags: _PAGE_PRESENT | _PAGE_USER | _PAGE_NX | _PAGE_ACCESSED | _PAGE_SAVED_DIRTY },
      },
    ],
    cp_flags: MM_CP_TRY_CHANGE_WRITABLE,
  });
  const spec = change_protection_spec(world);
  const good = getVariant('falcato-v3').run(world);
  // A variant that forgot the upgrade: the same outcome with the write bit taken off the PMD.
  const pmds: PmdSlot[] = good.pmds.map((p) =>
    p.kind === 'huge' ? { kind: 'huge', pmd: { ...p.pmd, flags: p.pmd.flags & ~_PAGE_RW } } : p,
  );
  const actual: KernelOutcome = { ...good, pmds };

  it('the spec upgrades the PMD (the premise of the example)', () => {
    const p = spec.pmds[0];
    expect(p?.kind === 'huge' && (p.pmd.flags & _PAGE_RW) !== 0).toBe(true);
  });

  it('prints one PMD row with -W, no slot rows for the 512 pages under it, within 80 columns', () => {
    const text = renderCounterexample({
      target: 'broken',
      property: { id: 'agree', title: 'agrees', cites: 'INV-14' },
      world,
      mismatches: [
        { rule: 'REL-PMD', message: `PMD slot 0: spec ${JSON.stringify(spec.pmds[0])}, variant ${JSON.stringify(pmds[0])}` },
      ],
      spec,
      actual,
    });
    const lines = text.split('\n');
    for (const l of lines) expect(l.length, l).toBeLessThanOrEqual(80);
    const rows = lines.filter((l) => /pmd 0xe00/.test(l));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatch(/-W/);
    expect(text).not.toMatch(/more slots/);
    expect(lines.filter((l) => /0xe0[0-9a-f]\s/.test(l) && !/pmd/.test(l))).toEqual([]);
    expect(lines.length).toBeLessThan(40);
    expect(text).not.toMatch(/"kind"/);
  });
});
