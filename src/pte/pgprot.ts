// x86-64 protection map and PAGE_* protections (arch/x86/include/asm/pgtable_types.h,
// arch/x86/mm/pgprot.c). arm64 is modelled with the same logical table. SEMANTICS §5.2.
import {
  _PAGE_ACCESSED,
  _PAGE_CHG_MASK,
  _PAGE_NX,
  _PAGE_PKEY_MASK,
  _PAGE_PKEY_SHIFT,
  _PAGE_PRESENT,
  _PAGE_PROTNONE,
  _PAGE_RW,
  _PAGE_USER,
  VM_EXEC,
  VM_READ,
  VM_SHARED,
  VM_WRITE,
} from './bits.js';
import type { Pgprot } from './types.js';

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
 * PAGE_COPY (read-only): copy-on-write (R-VMA.2).
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
