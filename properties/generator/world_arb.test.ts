// SPDX-License-Identifier: GPL-2.0-only
// The one world builder (src/arbitraries) draws only valid worlds, and draws
// every shape the retired test-local generators (properties/spec/arb_world.ts,
// properties/kernel/order0_world_arb.ts) drew: every cp_flags combination and
// entry kind, huge PMDs with and without PTE tables beside them, cache bits on
// PTEs and vm_page_prot, stale protection keys, VMAs without VM_READ, every
// NUMA state, and order-0-only worlds on request.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { worldArb } from '../../src/arbitraries/index.js';
import {
  _PAGE_PAT,
  _PAGE_PCD,
  _PAGE_PKEY_MASK,
  _PAGE_PKEY_SHIFT,
  _PAGE_PWT,
  checkWorld,
  MM_CP_PROT_NUMA,
  MM_CP_TRY_CHANGE_WRITABLE,
  MM_CP_UFFD_WP,
  MM_CP_UFFD_WP_RESOLVE,
  REAL_CP_FLAGS,
  VM_READ,
  VM_WRITE,
  type World,
} from '../../src/pte/index.js';
import { globalSeed, runs, sampleRuns } from '../budget.js';

/** What one world shows, as tags. */
function shapes(w: World): string[] {
  const out = [`cp:${w.cp_flags}`, `top:${w.numa.topTierNids.join(',')}`, `cpu:${w.numa.currentNid}`];
  for (const p of w.pmds) out.push(`pmd:${p.kind}`);
  if (w.pmds.some((p) => p.kind === 'huge') && w.pmds.some((p) => p.kind === 'table')) out.push('huge+table');
  for (const p of w.ptes) out.push(p.kind === 'softleaf' ? `sl:${p.type}` : p.kind);
  const present = [...w.ptes, ...w.pmds.flatMap((p) => (p.kind === 'huge' ? [p.pmd] : []))].flatMap((p) =>
    p.kind === 'present' ? [p] : [],
  );
  for (const [bit, name] of [
    [_PAGE_PWT, 'PWT'],
    [_PAGE_PCD, 'PCD'],
    [_PAGE_PAT, 'PAT'],
  ] as const) {
    if (present.some((p) => p.flags & bit)) out.push(`pte:${name}`);
    if (w.vma.vm_page_prot & bit) out.push(`prot:${name}`);
  }
  if (present.some((p) => (p.flags & _PAGE_PKEY_MASK) >> _PAGE_PKEY_SHIFT !== w.vma.pkey)) out.push('stale-pkey');
  if (!(w.vma.flags & VM_READ)) out.push(w.vma.flags & VM_WRITE ? 'vma:no-read-write' : 'vma:no-read');
  if (w.folios.some((f) => f.order > 0 && f.order < 9)) out.push('large-folio');
  return out;
}

describe('worldArb (src/arbitraries)', () => {
  it('draws only worlds that pass checkWorld()', () => {
    fc.assert(
      fc.property(worldArb(), (world) => {
        expect(checkWorld(world)).toEqual([]);
      }),
      { numRuns: runs(500) },
    );
  });

  it('draws every shape the retired test-local generators drew', () => {
    const seen = new Set<string>();
    for (const world of fc.sample(worldArb(), { numRuns: 3_000, seed: globalSeed() })) for (const s of shapes(world)) seen.add(s);
    for (const cp of REAL_CP_FLAGS) expect(seen).toContain(`cp:${cp}`);
    const wanted = [
      'pmd:huge',
      'pmd:none',
      'pmd:table',
      'huge+table',
      'none',
      'present',
      'sl:swap',
      'sl:marker',
      'sl:migration_write',
      'sl:migration_read',
      'sl:device_private_write',
      'sl:device_exclusive',
      'sl:hwpoison',
      'pte:PWT',
      'pte:PCD',
      'pte:PAT',
      'prot:PWT',
      'prot:PCD',
      'prot:PAT',
      'stale-pkey',
      'vma:no-read',
      'vma:no-read-write',
      'top:0',
      'top:0,1',
      'top:1',
      'cpu:2',
      'large-folio',
    ];
    for (const s of wanted) expect(seen, s).toContain(s);
  });

  it('order-0-only worlds on request (INV-21), valid, crossing PTE tables and with empty ones', () => {
    const seen = new Set<string>();
    fc.assert(
      fc.property(worldArb({ smallFoliosOnly: true }), (world) => {
        expect(checkWorld(world)).toEqual([]);
        expect(world.folios.every((f) => f.order === 0)).toBe(true);
        for (const s of shapes(world)) seen.add(s);
      }),
      { numRuns: sampleRuns(1_000) },
    );
    for (const s of ['pmd:none', 'pmd:table', 'pte:PCD', 'stale-pkey', `cp:${MM_CP_PROT_NUMA}`]) expect(seen, s).toContain(s);
    expect(seen).not.toContain('pmd:huge');
    for (const cp of [MM_CP_TRY_CHANGE_WRITABLE, MM_CP_UFFD_WP, MM_CP_UFFD_WP_RESOLVE]) expect(seen).toContain(`cp:${cp}`);
  });

  it('keeps the cache bits of vm_page_prot on every present entry of a file or PFNMAP mapping', () => {
    const CACHE = _PAGE_PWT | _PAGE_PCD | _PAGE_PAT;
    fc.assert(
      fc.property(worldArb(), (w) => {
        const want = w.vma.vm_page_prot & CACHE;
        if (w.vma.anonymous) expect(want).toBe(0);
        for (const p of [...w.ptes, ...w.pmds.flatMap((s) => (s.kind === 'huge' ? [s.pmd] : []))])
          if (p.kind === 'present') expect(p.flags & CACHE).toBe(want);
      }),
      { numRuns: runs(500) },
    );
  });
});
