// SPDX-License-Identifier: GPL-2.0-only
// Hand-built worlds for the kernel-model unit tests.
import {
  _PAGE_ACCESSED,
  _PAGE_DIRTY,
  _PAGE_NX,
  _PAGE_PRESENT,
  _PAGE_RW,
  _PAGE_SAVED_DIRTY,
  _PAGE_USER,
  type Folio,
  type KConfig,
  mk_pte,
  mkFolio,
  mkVma,
  mkWorld,
  NONE_PTE,
  type PmdSlot,
  type PresentPte,
  type Pte,
  VM_READ,
  VM_SOFTDIRTY,
  VM_WRITE,
  type Vma,
  type World,
  X86_64,
} from '../../src/pte/index.js';

/** A present, user, read-only, non-exec PTE: the shape PAGE_READONLY leaves. */
export const RO = _PAGE_PRESENT | _PAGE_USER | _PAGE_NX;
export const RW = RO | _PAGE_RW;
export const ro = (pfn: number, extra = 0): PresentPte => mk_pte(pfn, RO | extra);
export const rw = (pfn: number, extra = 0): PresentPte => mk_pte(pfn, RW | extra);
export const roDirty = (pfn: number, extra = 0): PresentPte => ro(pfn, _PAGE_SAVED_DIRTY | extra);
export const rwDirty = (pfn: number, extra = 0): PresentPte => rw(pfn, _PAGE_DIRTY | extra);
export const young = _PAGE_ACCESSED;
export const none = (n: number): Pte[] => new Array<Pte>(n).fill(NONE_PTE);

/** A private anon VM_READ|VM_WRITE VMA with soft-dirty tracking off. */
export function privateRw(start: number, end: number, config: KConfig = X86_64, extraFlags = 0): Vma {
  return mkVma({ start, end, flags: VM_READ | VM_WRITE | VM_SOFTDIRTY | extraFlags }, config);
}

export interface FixtureInit {
  vma: Vma;
  ptes: Pte[];
  folios?: Folio[];
  cp_flags?: number;
  range?: { start: number; end: number };
  pmds?: PmdSlot[];
  config?: KConfig;
}

export function world(w: FixtureInit): World {
  return mkWorld({
    vma: w.vma,
    ptes: w.ptes,
    folios: w.folios ?? [],
    ...(w.cp_flags !== undefined ? { cp_flags: w.cp_flags } : {}),
    ...(w.range ? { range: w.range } : {}),
    ...(w.pmds ? { pmds: w.pmds } : {}),
    ...(w.config ? { config: w.config } : {}),
  });
}

export const folio = mkFolio;
