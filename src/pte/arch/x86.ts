// SPDX-License-Identifier: GPL-2.0-only
// x86-64 arch semantics over the logical bit layout of ../bits.ts: what
// pte_modify()/pmd_modify() keep, the saved-dirty shifts, the PTE modifiers,
// the TLB flush rule and the protection map. SEMANTICS §3.3, §3.4, §5.2,
// R-PTE.1, R-PTE.2, R-COMMIT.3.
//
// Read from Diangang/linux (v6.19+ / mm-unstable 2026):
//   arch/x86/include/asm/pgtable_types.h @ 7151f382e12a (masks, PAGE_* protections)
//   arch/x86/include/asm/pgtable.h       @ 2780acfaa770 (modifiers, pte_modify, pmd_modify)
//   arch/x86/include/asm/tlbflush.h      @ 9b07b54f3c0f (pte_flags_need_flush and its callers)
// and torvalds/linux arch/x86/mm/pgprot.c @ 4981f05faf36 (protection_map, vm_get_page_prot).
// The tables these functions must match, row by row with the macro each row
// comes from, are in properties/pte/kernel_tables.ts.
import {
  _PAGE_ACCESSED,
  _PAGE_CC,
  _PAGE_DIRTY,
  _PAGE_DIRTY_BITS,
  _PAGE_NX,
  _PAGE_PAT,
  _PAGE_PCD,
  _PAGE_PKEY_MASK,
  _PAGE_PKEY_SHIFT,
  _PAGE_PRESENT,
  _PAGE_PROTNONE,
  _PAGE_PWT,
  _PAGE_RW,
  _PAGE_SAVED_DIRTY,
  _PAGE_SOFT_DIRTY,
  _PAGE_SPECIAL,
  _PAGE_UFFD_WP,
  _PAGE_USER,
  VM_EXEC,
  VM_READ,
  VM_SHARED,
  VM_WRITE,
} from '../bits.js';
import type { KConfig, Pgprot, PresentPte } from '../types.js';

// ---------------------------------------------------------------------------
// Masks (pgtable_types.h).

/**
 * R-PTE.1: the bits pte_modify() keeps from the old PTE: _PAGE_CHG_MASK, which
 * is _COMMON_PAGE_CHG_MASK plus _PAGE_PAT, minus PTE_PFN_MASK (the model keeps
 * the pfn in its own field).
 */
export const _PAGE_CHG_MASK =
  _PAGE_PCD |
  _PAGE_PWT |
  _PAGE_PAT |
  _PAGE_SPECIAL |
  _PAGE_ACCESSED |
  _PAGE_DIRTY_BITS |
  _PAGE_SOFT_DIRTY |
  _PAGE_CC |
  _PAGE_UFFD_WP;

/**
 * _HPAGE_CHG_MASK: _COMMON_PAGE_CHG_MASK plus _PAGE_PSE and _PAGE_PAT_LARGE.
 * A huge PMD's PAT sits at bit 12 (_PAGE_PAT_LARGE) because bit 7 is PSE; in
 * the logical layout both are the one _PAGE_PAT bit and PSE is implied by the
 * 'huge' PMD kind, so the logical mask equals _PAGE_CHG_MASK.
 */
export const _HPAGE_CHG_MASK = _PAGE_CHG_MASK;

// ---------------------------------------------------------------------------
// Saved dirty (pgtable.h): a Write=0 entry must not carry the hardware dirty
// bit, which with Write=0 is the shadow-stack encoding.

/** mksaveddirty_shift(): when Write=0, hardware dirty becomes saved dirty. */
function mksaveddirty_shift(flags: number): number {
  if (flags & _PAGE_RW || !(flags & _PAGE_DIRTY)) return flags;
  return (flags & ~_PAGE_DIRTY) | _PAGE_SAVED_DIRTY;
}

/** clear_saveddirty_shift(): when Write=1, saved dirty moves back to hardware dirty. */
function clear_saveddirty_shift(flags: number): number {
  if (!(flags & _PAGE_RW) || !(flags & _PAGE_SAVED_DIRTY)) return flags;
  return (flags & ~_PAGE_SAVED_DIRTY) | _PAGE_DIRTY;
}

function with_flags(pte: PresentPte, flags: number): PresentPte {
  return flags === pte.flags ? pte : { kind: 'present', pfn: pte.pfn, flags };
}

// ---------------------------------------------------------------------------
// Modifiers (pgtable.h; pte_mkwrite in arch/x86/mm/pgtable.c).

export function pte_wrprotect(pte: PresentPte): PresentPte {
  return with_flags(pte, mksaveddirty_shift(pte.flags & ~_PAGE_RW));
}

/** pte_mkwrite() on a non-shadow-stack VMA: pte_mkwrite_novma() then pte_clear_saveddirty(). */
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

/** pte_mkclean(): clears both dirty bits (_PAGE_DIRTY_BITS). */
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

/** pte_mkuffd_wp(): sets uffd-wp and write-protects (§3.4). */
export function pte_mkuffd_wp(pte: PresentPte): PresentPte {
  return pte_wrprotect(with_flags(pte, pte.flags | _PAGE_UFFD_WP));
}

/** pte_clear_uffd_wp(): leaves write alone; the fault handler or TRY decides (§3.4). */
export function pte_clear_uffd_wp(pte: PresentPte): PresentPte {
  return with_flags(pte, pte.flags & ~_PAGE_UFFD_WP);
}

/**
 * The shared body of pte_modify(), pmd_modify() and pud_modify(): keep the
 * `keep` bits of the old entry, take the `~chg` bits of newprot, then apply
 * the saved-dirty shift chosen by the OLD entry's write bit (mksaveddirty if it
 * was writable, clear_saveddirty otherwise) to the result.
 */
function x86_modify(entry: PresentPte, newprot: Pgprot, keep: number, chg: number): PresentPte {
  const merged = (entry.flags & keep) | (newprot & ~chg);
  const flags = entry.flags & _PAGE_RW ? mksaveddirty_shift(merged) : clear_saveddirty_shift(merged);
  return with_flags(entry, flags);
}

/** R-PTE.1 / R-PTE.2 pte_modify(): logical dirty never changes. */
export function pte_modify(pte: PresentPte, newprot: Pgprot): PresentPte {
  return x86_modify(pte, newprot, _PAGE_CHG_MASK, _PAGE_CHG_MASK);
}

/**
 * pmd_modify() as fixed by f7491d7c81db "x86/mm: Fix user-space data loss
 * with MADV_FREE and THP" (Vernon Yang, Cc stable, merged Sep 2026): keeps
 * _HPAGE_CHG_MASK whole, like pte_modify() and pud_modify(). Logical dirty
 * never changes.
 */
export function x86_pmd_modify(pmd: PresentPte, newprot: Pgprot): PresentPte {
  return x86_modify(pmd, newprot, _HPAGE_CHG_MASK, _HPAGE_CHG_MASK);
}

/**
 * pmd_modify() as shipped from v6.6 (Rick Edgecombe, "x86/mm: Start actually
 * marking _PAGE_SAVED_DIRTY", shadow-stack series, lore message-id
 * 20230613001108.3040476-13-rick.p.edgecombe@intel.com) until f7491d7c81db:
 * the old entry is masked with _HPAGE_CHG_MASK & ~_PAGE_DIRTY, so hardware
 * dirty is dropped BEFORE the saved-dirty step could save it. A writable dirty
 * huge PMD comes out clean (saved dirty, set only on read-only entries,
 * survives). Every kernel the model covers (v6.16-v7.0) shipped this.
 */
export function x86_pmd_modify_v6_6(pmd: PresentPte, newprot: Pgprot): PresentPte {
  return x86_modify(pmd, newprot, _HPAGE_CHG_MASK & ~_PAGE_DIRTY, _HPAGE_CHG_MASK);
}

// ---------------------------------------------------------------------------
// TLB flush rule (tlbflush.h).

/** Bits whose clearing needs a flush (setting them never does): the CPU sets them without a fault. */
export const FLUSH_ON_CLEAR = _PAGE_DIRTY | _PAGE_PRESENT | _PAGE_ACCESSED;
/** _PAGE_SOFTW1..4 and _PAGE_SAVED_DIRTY: the hardware never reads them. SOFTW4 has no logical bit. */
export const SOFTWARE_FLAGS = _PAGE_SPECIAL | _PAGE_UFFD_WP | _PAGE_SOFT_DIRTY | _PAGE_SAVED_DIRTY;
/**
 * Bits whose change either way needs a flush. _PAGE_PROTNONE is _PAGE_GLOBAL's
 * position; _PAGE_PAT stands for both _PAGE_PAT and _PAGE_PAT_LARGE; _PAGE_PSE
 * never changes on a modelled entry.
 */
export const FLUSH_ON_CHANGE =
  _PAGE_RW | _PAGE_USER | _PAGE_PWT | _PAGE_PCD | _PAGE_PAT | _PAGE_PROTNONE | _PAGE_PKEY_MASK | _PAGE_NX;

/**
 * pte_flags_need_flush(): R-COMMIT.3 steps 3-6, as built without
 * CONFIG_DEBUG_VM (a bit in none of the three sets, here _PAGE_CC, then needs
 * no flush).
 */
export function pte_flags_need_flush(oldflags: number, newflags: number, ignore_access: boolean): boolean {
  let diff = oldflags ^ newflags;
  diff &= ~SOFTWARE_FLAGS;
  if (ignore_access) diff &= ~_PAGE_ACCESSED;
  if (diff & oldflags & FLUSH_ON_CLEAR) return true;
  return (diff & FLUSH_ON_CHANGE) !== 0;
}

/** x86 pte_needs_flush(): !PRESENT (incl. PROT_NONE) -> never; pfn change -> always; else the flags, accessed ignored. */
export function x86_pte_needs_flush(oldpte: PresentPte, newpte: PresentPte): boolean {
  if (!(oldpte.flags & _PAGE_PRESENT)) return false;
  if (oldpte.pfn !== newpte.pfn) return true;
  return pte_flags_need_flush(oldpte.flags, newpte.flags, true);
}

/** x86 huge_pmd_needs_flush(): the same, but accessed is NOT ignored (§12.1). */
export function x86_huge_pmd_needs_flush(oldpmd: PresentPte, newpmd: PresentPte): boolean {
  if (!(oldpmd.flags & _PAGE_PRESENT)) return false;
  if (oldpmd.pfn !== newpmd.pfn) return true;
  return pte_flags_need_flush(oldpmd.flags, newpmd.flags, false);
}

// ---------------------------------------------------------------------------
// Protections (pgtable_types.h PAGE_*, pgprot.c protection_map[]). SEMANTICS §5.2.

export const PAGE_NONE: Pgprot = _PAGE_PROTNONE | _PAGE_ACCESSED;
export const PAGE_READONLY: Pgprot = _PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED | _PAGE_NX;
export const PAGE_READONLY_EXEC: Pgprot = _PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED;
export const PAGE_SHARED: Pgprot = _PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED | _PAGE_NX;
export const PAGE_SHARED_EXEC: Pgprot = _PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED;
export const PAGE_COPY: Pgprot = PAGE_READONLY;
export const PAGE_COPY_EXEC: Pgprot = PAGE_READONLY_EXEC;

/**
 * protection_map[] indexed by VM_READ|VM_WRITE|VM_EXEC|VM_SHARED. x86 cannot
 * express write-only or exec-only: both imply read. Private + write is
 * PAGE_COPY (read-only): copy-on-write (R-VMA.2); PAGE_COPY and PAGE_COPY_EXEC
 * are PAGE_READONLY and PAGE_READONLY_EXEC bit for bit.
 */
export function protection_map(vm_flags: number): Pgprot {
  const read = (vm_flags & VM_READ) !== 0;
  const write = (vm_flags & VM_WRITE) !== 0;
  const exec = (vm_flags & VM_EXEC) !== 0;
  const shared = (vm_flags & VM_SHARED) !== 0;
  if (!read && !write && !exec) return PAGE_NONE;
  if (write && shared) return exec ? PAGE_SHARED_EXEC : PAGE_SHARED;
  return exec ? PAGE_READONLY_EXEC : PAGE_READONLY;
}

/** vm_get_page_prot(): protection map plus the VMA's protection-key bits. */
export function vm_get_page_prot(vm_flags: number, pkey: number): Pgprot {
  return protection_map(vm_flags) | ((pkey << _PAGE_PKEY_SHIFT) & _PAGE_PKEY_MASK);
}

/** pgprot_modify(oldprot, newprot): keep oldprot's _PAGE_CHG_MASK (cache) bits. */
export function pgprot_modify(oldprot: Pgprot, newprot: Pgprot): Pgprot {
  return (oldprot & _PAGE_CHG_MASK) | (newprot & ~_PAGE_CHG_MASK);
}

/** mm/vma.h vm_pgprot_modify(). */
export function vm_pgprot_modify(oldprot: Pgprot, vm_flags: number, pkey: number): Pgprot {
  return pgprot_modify(oldprot, vm_get_page_prot(vm_flags, pkey));
}

export const pgprot_write = (prot: Pgprot): boolean => (prot & _PAGE_RW) !== 0;
