// SPDX-License-Identifier: GPL-2.0-only
// SEMANTICS §14 INV-12 left open whether the batched kernel is idempotent.
// It is not, exactly: the first call can make write bits uniform inside a
// folio, so the second call batches PTEs the first did not and merges dirty
// into a clean one (Δ1). Version A stays idempotent. The checker's INV-12 for
// batched targets is therefore "up to the §11 allowances" (src/check/metamorphic.ts).
import { describe, expect, it } from 'vitest';
import { getVariant } from '../../src/kernel/index.js';
import {
  _PAGE_DIRTY,
  _PAGE_NX,
  _PAGE_PRESENT,
  _PAGE_RW,
  _PAGE_USER,
  deepFreeze,
  mkFolio,
  mkVma,
  mkWorld,
  type PresentPte,
  pte_dirty,
  VM_READ,
  VM_SOFTDIRTY,
} from '../../src/pte/index.js';

const user = _PAGE_PRESENT | _PAGE_USER | _PAGE_NX;
// mprotect(PROT_READ) on an order-1 anon folio: page 0 written (exclusive, RW, dirty), page 1 shared and clean.
const world = mkWorld({
  vma: mkVma({ start: 0x800, end: 0x802, flags: VM_READ | VM_SOFTDIRTY }),
  folios: [mkFolio({ pfn: 0x100, order: 1, anonExclusive: [true, false] })],
  ptes: [
    { kind: 'present', pfn: 0x100, flags: user | _PAGE_RW | _PAGE_DIRTY },
    { kind: 'present', pfn: 0x101, flags: user },
  ],
});

function twice(name: string): [boolean, boolean] {
  const run = getVariant(name).run;
  const first = run(world);
  const second = run(deepFreeze({ ...world, ptes: first.ptes }));
  return [pte_dirty(first.ptes[1] as PresentPte), pte_dirty(second.ptes[1] as PresentPte)];
}

describe('INV-12 on the batched kernel (finding)', () => {
  it('falcato-v3: a second identical mprotect(PROT_READ) marks the clean page dirty', () => {
    expect(twice('falcato-v3')).toEqual([false, true]);
  });
  it('v6.16-per-pte (version A): the page stays clean', () => {
    expect(twice('v6.16-per-pte')).toEqual([false, false]);
  });
});
