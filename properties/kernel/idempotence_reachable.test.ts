// SPDX-License-Identifier: GPL-2.0-only
// Erratum 3 (docs/semantics-errata.md) with calls that reach change_protection()
// twice. mprotect_fixup() (mm/mprotect.c) returns before change_protection()
// when the new vm_flags equal the old ones, so a second identical
// mprotect(PROT_READ) never gets there. UFFDIO_WRITEPROTECT does: every ioctl
// calls uffd_wp_range() -> change_protection(MM_CP_UFFD_WP), and
// mprotect(PROT_READ) followed by mprotect(PROT_READ|PROT_EXEC) changes vm_flags.
// In both cases the first call makes the write bits of an order-1 folio equal,
// so the second batches its two PTEs and the clean page takes the dirty bit of
// its neighbour (Δ1); the per-PTE kernel (version A) leaves it clean.
import { describe, expect, it } from 'vitest';
import { getVariant } from '../../src/kernel/index.js';
import {
  _PAGE_DIRTY,
  _PAGE_NX,
  _PAGE_PRESENT,
  _PAGE_RW,
  _PAGE_USER,
  assertValidWorld,
  deepFreeze,
  MM_CP_UFFD_WP,
  mkFolio,
  mkVma,
  mkWorld,
  type PresentPte,
  pte_dirty,
  pte_uffd_wp,
  pte_write,
  VM_EXEC,
  VM_READ,
  VM_SOFTDIRTY,
  VM_UFFD_WP,
  VM_WRITE,
  type World,
} from '../../src/pte/index.js';

const user = _PAGE_PRESENT | _PAGE_USER | _PAGE_NX;
// An order-1 anon folio: page 0 written (exclusive, RW, dirty), page 1 shared with a child and clean.
const folios = [mkFolio({ pfn: 0x100, order: 1, anonExclusive: [true, false] })];
const ptes = [
  { kind: 'present', pfn: 0x100, flags: user | _PAGE_RW | _PAGE_DIRTY },
  { kind: 'present', pfn: 0x101, flags: user },
] as const;

/** Runs `first` then `second` (the second on the first's page table); page 1's dirty bit after each. */
function sequence(variant: string, first: World, second: World): [boolean, boolean] {
  const run = getVariant(variant).run;
  const a = run(first);
  const next = deepFreeze({ ...second, ptes: a.ptes });
  assertValidWorld(next);
  const b = run(next);
  return [pte_dirty(a.ptes[1] as PresentPte), pte_dirty(b.ptes[1] as PresentPte)];
}

describe('erratum 3: a second change_protection() that is really reached', () => {
  // UFFDIO_WRITEPROTECT(mode WP) on a uffd-wp registered private RW anon VMA, twice.
  const uffd = mkWorld({
    vma: mkVma({ start: 0x800, end: 0x802, flags: VM_READ | VM_WRITE | VM_SOFTDIRTY | VM_UFFD_WP }),
    folios,
    ptes: [...ptes],
    cp_flags: MM_CP_UFFD_WP,
  });
  // mprotect(PROT_READ), then mprotect(PROT_READ|PROT_EXEC): the vm_flags differ, so both calls reach it.
  const ro = mkWorld({ vma: mkVma({ start: 0x800, end: 0x802, flags: VM_READ | VM_SOFTDIRTY }), folios, ptes: [...ptes] });
  const rx = mkWorld({
    vma: mkVma({ start: 0x800, end: 0x802, flags: VM_READ | VM_EXEC | VM_SOFTDIRTY }),
    folios,
    ptes: [...ptes],
  });

  it('the worlds are valid inputs', () => {
    for (const w of [uffd, ro, rx]) expect(() => assertValidWorld(w)).not.toThrow();
  });

  it('UFFDIO_WRITEPROTECT twice: falcato-v3 dirties the clean page on the second call, version A does not', () => {
    const first = getVariant('falcato-v3').run(uffd).ptes as PresentPte[];
    // After the first call both PTEs are read-only and uffd-wp: equal but for dirty, so batchable.
    expect(first.map((p) => [pte_write(p), pte_uffd_wp(p)])).toEqual([
      [false, true],
      [false, true],
    ]);
    expect(sequence('falcato-v3', uffd, uffd)).toEqual([false, true]);
    expect(sequence('v6.16-per-pte', uffd, uffd)).toEqual([false, false]);
  });

  it('PROT_READ then PROT_READ|PROT_EXEC: the same merge', () => {
    expect(sequence('falcato-v3', ro, rx)).toEqual([false, true]);
    expect(sequence('v6.16-per-pte', ro, rx)).toEqual([false, false]);
  });
});
