// Present-PTE accessors and modifiers with kernel names and x86-64 logical
// semantics (SEMANTICS.md §3.3, §3.4). arch/x86/include/asm/pgtable.h.
import {
  _PAGE_ACCESSED,
  _PAGE_CHG_MASK,
  _PAGE_DIRTY,
  _PAGE_DIRTY_BITS,
  _PAGE_PRESENT,
  _PAGE_PROTNONE,
  _PAGE_RW,
  _PAGE_SAVED_DIRTY,
  _PAGE_SOFT_DIRTY,
  _PAGE_SPECIAL,
  _PAGE_UFFD_WP,
} from './bits.js';
import type { KConfig, NonePte, Pgprot, PresentPte, Pte } from './types.js';

export const NONE_PTE: NonePte = Object.freeze({ kind: 'none' });

export function mk_pte(pfn: number, flags: number): PresentPte {
  return { kind: 'present', pfn, flags };
}

function with_flags(pte: PresentPte, flags: number): PresentPte {
  return flags === pte.flags ? pte : { kind: 'present', pfn: pte.pfn, flags };
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

/** Write=0 and DIRTY=1 would read as shadow stack: move DIRTY to SAVED_DIRTY (R-PTE.2). */
function mksaveddirty_shift(flags: number): number {
  if (flags & _PAGE_RW || !(flags & _PAGE_DIRTY)) return flags;
  return (flags & ~_PAGE_DIRTY) | _PAGE_SAVED_DIRTY;
}

/** Write=1: SAVED_DIRTY moves back into DIRTY (R-PTE.2). */
function clear_saveddirty_shift(flags: number): number {
  if (!(flags & _PAGE_RW) || !(flags & _PAGE_SAVED_DIRTY)) return flags;
  return (flags & ~_PAGE_SAVED_DIRTY) | _PAGE_DIRTY;
}

export function pte_wrprotect(pte: PresentPte): PresentPte {
  return with_flags(pte, mksaveddirty_shift(pte.flags & ~_PAGE_RW));
}

/** pte_mkwrite() on a non-shadow-stack VMA (the model has none). */
export function pte_mkwrite(pte: PresentPte): PresentPte {
  return with_flags(pte, clear_saveddirty_shift(pte.flags | _PAGE_RW));
}

/**
 * x86 pte_mkdirty() sets DIRTY *and* SOFT_DIRTY, then applies the saved-dirty
 * shift (§3.4). Without CONFIG_MEM_SOFT_DIRTY (and on arm64) the soft-dirty bit
 * is 0, so only dirty is set. This side effect is what makes Δ3/Δ5 possible.
 */
export function pte_mkdirty(pte: PresentPte, config: KConfig): PresentPte {
  const soft = config.memSoftDirty ? _PAGE_SOFT_DIRTY : 0;
  return with_flags(pte, mksaveddirty_shift(pte.flags | _PAGE_DIRTY | soft));
}

export function pte_mkclean(pte: PresentPte): PresentPte {
  return with_flags(pte, pte.flags & ~_PAGE_DIRTY_BITS);
}

export function pte_mkyoung(pte: PresentPte): PresentPte {
  return with_flags(pte, pte.flags | _PAGE_ACCESSED);
}

export function pte_mkold(pte: PresentPte): PresentPte {
  return with_flags(pte, pte.flags & ~_PAGE_ACCESSED);
}

/** pte_mksoft_dirty(): sets only the soft-dirty bit (0 without CONFIG_MEM_SOFT_DIRTY / on arm64). */
export function pte_mksoft_dirty(pte: PresentPte, config: KConfig): PresentPte {
  return config.memSoftDirty ? with_flags(pte, pte.flags | _PAGE_SOFT_DIRTY) : pte;
}

export function pte_clear_soft_dirty(pte: PresentPte): PresentPte {
  return with_flags(pte, pte.flags & ~_PAGE_SOFT_DIRTY);
}

/** Setting uffd-wp also write-protects (§3.4). */
export function pte_mkuffd_wp(pte: PresentPte): PresentPte {
  return pte_wrprotect(with_flags(pte, pte.flags | _PAGE_UFFD_WP));
}

/** Clearing uffd-wp leaves write alone: the fault handler or TRY decides (§3.4). */
export function pte_clear_uffd_wp(pte: PresentPte): PresentPte {
  return with_flags(pte, pte.flags & ~_PAGE_UFFD_WP);
}

export function pte_advance_pfn(pte: PresentPte, nr: number): PresentPte {
  return nr === 0 ? pte : { kind: 'present', pfn: pte.pfn + nr, flags: pte.flags };
}

/**
 * R-PTE.1 / R-PTE.2: keep _PAGE_CHG_MASK bits of the old PTE, take the rest
 * from newprot; then, keyed on the OLD write bit, apply the saved-dirty shift
 * keyed on the RESULT's write bit. Logical dirty never changes.
 */
export function pte_modify(pte: PresentPte, newprot: Pgprot): PresentPte {
  const merged = (pte.flags & _PAGE_CHG_MASK) | (newprot & ~_PAGE_CHG_MASK);
  const flags = pte.flags & _PAGE_RW ? mksaveddirty_shift(merged) : clear_saveddirty_shift(merged);
  return with_flags(pte, flags);
}
