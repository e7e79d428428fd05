// SPDX-License-Identifier: GPL-2.0-only
// Present-PTE constructors and accessors with kernel names (SEMANTICS.md
// §3.3, §3.4): reading the logical bits. What the modifiers do is arch
// semantics (arch/x86.ts, arch/arm64.ts).
import {
  _PAGE_ACCESSED,
  _PAGE_DIRTY_BITS,
  _PAGE_PRESENT,
  _PAGE_PROTNONE,
  _PAGE_RW,
  _PAGE_SOFT_DIRTY,
  _PAGE_SPECIAL,
  _PAGE_UFFD_WP,
} from './bits.js';
import type { NonePte, PresentPte, Pte } from './types.js';

export const NONE_PTE: NonePte = Object.freeze({ kind: 'none' });

export function mk_pte(pfn: number, flags: number): PresentPte {
  return { kind: 'present', pfn, flags };
}

/** x86: present when PRESENT or PROTNONE is set (PROT_NONE/NUMA-hint PTEs are present). */
export function pte_present(pte: Pte): pte is PresentPte {
  return pte.kind === 'present';
}

export function pte_none(pte: Pte): pte is NonePte {
  return pte.kind === 'none';
}

/** PROTNONE set and PRESENT clear: present to the kernel, invalid to the hardware. */
export function pte_protnone(pte: PresentPte): boolean {
  return (pte.flags & (_PAGE_PROTNONE | _PAGE_PRESENT)) === _PAGE_PROTNONE;
}

export const pte_pfn = (pte: PresentPte): number => pte.pfn;
export const pte_write = (pte: PresentPte): boolean => (pte.flags & _PAGE_RW) !== 0;
/** Logical dirty: DIRTY or SAVED_DIRTY (§3.4). */
export const pte_dirty = (pte: PresentPte): boolean => (pte.flags & _PAGE_DIRTY_BITS) !== 0;
export const pte_young = (pte: PresentPte): boolean => (pte.flags & _PAGE_ACCESSED) !== 0;
export const pte_soft_dirty = (pte: PresentPte): boolean => (pte.flags & _PAGE_SOFT_DIRTY) !== 0;
export const pte_uffd_wp = (pte: PresentPte): boolean => (pte.flags & _PAGE_UFFD_WP) !== 0;
export const pte_special = (pte: PresentPte): boolean => (pte.flags & _PAGE_SPECIAL) !== 0;

export function pte_advance_pfn(pte: PresentPte, nr: number): PresentPte {
  return nr === 0 ? pte : { kind: 'present', pfn: pte.pfn + nr, flags: pte.flags };
}
