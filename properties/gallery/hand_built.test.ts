// SPDX-License-Identifier: GPL-2.0-only
// Hand-built minimal triggers for the gallery entries whose fixed-seed catch
// reports a different (more direct) rule than the one the bug is known for:
// here each shows the documented harm itself, next to the baseline's answer.
import { describe, expect, it } from 'vitest';
import { change_protection_spec } from '../../spec/index.js';
import { GALLERY } from '../../src/kernel/gallery.js';
import * as falcato_v3 from '../../src/kernel/variants/falcato-v3.js';
import { checkInvariants, flushedOf } from '../../src/observe/index.js';
import {
  _PAGE_RW,
  _PAGE_UFFD_WP,
  checkWorld,
  MM_CP_UFFD_WP,
  mk_softleaf,
  mkVma,
  type Pte,
  SWP_UFFD_WP,
  VM_READ,
  VM_SHARED,
  VM_SOFTDIRTY,
  VM_UFFD_WP,
  VM_WRITE,
  type World,
} from '../../src/pte/index.js';
import { folio, privateRw, ro, world } from '../kernel/fixtures.js';

const variant = (name: string) => GALLERY.find((v) => v.name === name)!;
const rules = (w: World, name: string) => {
  const out = variant(name).run(w);
  return [...new Set(checkInvariants(w, out, flushedOf(out)).map((m) => m.rule))];
};
const isWritable = (p: Pte | undefined) => p?.kind === 'present' && (p.flags & _PAGE_RW) !== 0;

/** A shmem-like VMA: shared, VM_WRITE, no page_mkwrite, no writeback, soft-dirty off, uffd-wp registered. */
const shmemUffd = (n: number) =>
  mkVma({ start: 0, end: n, flags: VM_READ | VM_WRITE | VM_SHARED | VM_SOFTDIRTY | VM_UFFD_WP, anonymous: false });

describe('b3-writenotify-ignores-uffd: mprotect(RW) makes a uffd-wp-protected shmem PTE writable (INV-5)', () => {
  const w = world({ vma: shmemUffd(1), ptes: [ro(0x1000, _PAGE_UFFD_WP)], folios: [folio({ pfn: 0x1000, anon: false })] });
  it('the world is valid and the baseline keeps the PTE read-only', () => {
    expect(checkWorld(w)).toEqual([]);
    expect(isWritable(falcato_v3.change_protection(w).ptes[0])).toBe(false);
    expect(isWritable(change_protection_spec(w).ptes[0])).toBe(false);
  });
  it('the variant makes it writable with uffd-wp still set', () => {
    const p = variant('b3-writenotify-ignores-uffd').run(w).ptes[0];
    expect(isWritable(p) && (p as { flags: number }).flags & _PAGE_UFFD_WP).toBeTruthy();
    expect(rules(w, 'b3-writenotify-ignores-uffd')).toContain('INV-5');
  });
});

describe('b5-uffd-marker-falls-through: UFFDIO_WRITEPROTECT over an existing uffd-wp marker (R-SL.3)', () => {
  const w = world({ vma: shmemUffd(1), ptes: [mk_softleaf('marker', 1)], cp_flags: MM_CP_UFFD_WP });
  it('baseline: the marker stays as it is and counts 0', () => {
    expect(checkWorld(w)).toEqual([]);
    const out = falcato_v3.change_protection(w);
    expect([out.ptes[0], out.count]).toEqual([mk_softleaf('marker', 1), 0]);
  });
  it('variant: the marker gets the swap uffd bit and counts 1', () => {
    const out = variant('b5-uffd-marker-falls-through').run(w);
    expect([out.ptes[0], out.count]).toEqual([mk_softleaf('marker', 1, SWP_UFFD_WP), 1]);
    expect(rules(w, 'b5-uffd-marker-falls-through')).toContain('INV-9');
  });
});

describe('b6-uffd-tail-only-migration-write: MM_CP_UFFD_WP misses a swapped-out page (INV-5)', () => {
  const w = world({ vma: privateRw(0, 1, undefined, VM_UFFD_WP), ptes: [mk_softleaf('swap', 0x100)], cp_flags: MM_CP_UFFD_WP });
  it('baseline sets the swap uffd bit; the variant does not', () => {
    expect(checkWorld(w)).toEqual([]);
    expect(falcato_v3.change_protection(w).ptes[0]).toEqual(mk_softleaf('swap', 0x100, SWP_UFFD_WP));
    expect(variant('b6-uffd-tail-only-migration-write').run(w).ptes[0]).toEqual(mk_softleaf('swap', 0x100));
    expect(rules(w, 'b6-uffd-tail-only-migration-write')).toContain('INV-5');
  });
});

describe('b8-step-not-reset: a stale step of 2 skips a writable migration entry (INV-11)', () => {
  // Slots 0-1: one order-1 anon folio (a batch of 2); slots 2-3: writable migration entries.
  const w = world({
    vma: privateRw(0, 4),
    ptes: [ro(0x1000), ro(0x1001), mk_softleaf('migration_write', 0x1002), mk_softleaf('migration_write', 0x1003)],
    folios: [folio({ pfn: 0x1000, order: 1 }), folio({ pfn: 0x1002 }), folio({ pfn: 0x1003 })],
  });
  it('baseline downgrades both entries', () => {
    expect(checkWorld(w)).toEqual([]);
    const out = falcato_v3.change_protection(w);
    expect(out.ptes.slice(2).map((p) => (p.kind === 'softleaf' ? p.type : p.kind))).toEqual([
      'migration_read_exclusive',
      'migration_read_exclusive',
    ]);
  });
  it('the variant visits slot 2 with step 2, lands on `end` and never sees slot 3', () => {
    const out = variant('b8-step-not-reset').run(w);
    expect(out.ptes[3]).toEqual(mk_softleaf('migration_write', 0x1003));
    expect(rules(w, 'b8-step-not-reset')).toContain('INV-11');
  });
});
