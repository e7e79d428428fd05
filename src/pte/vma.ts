// SPDX-License-Identifier: GPL-2.0-only
// VMA-level derivations both sides read: vma_wants_writenotify() (mm/vma.c)
// and vma_set_page_prot() (mm/mmap.c). They are mm/vma.c facts, not
// mm/mprotect.c ones, so they live in the world. Rules R-VMA.1, R-VMA.5.
import { _PAGE_CHG_MASK, vm_get_page_prot, vm_pgprot_modify } from './arch/x86.js';
import { VM_PFNMAP, VM_SHARED, VM_SOFTDIRTY, VM_UFFD_WP, VM_WRITE } from './bits.js';
import type { KConfig, Pgprot, Vma } from './types.js';

/** vma_soft_dirty_enabled(): tracking on iff built in and VM_SOFTDIRTY clear. */
export function vma_soft_dirty_enabled(vma: Vma, config: KConfig): boolean {
  return config.memSoftDirty && (vma.flags & VM_SOFTDIRTY) === 0;
}

/** userfaultfd_wp(): the VMA is registered for uffd write-protect. */
export const userfaultfd_wp = (vma: Vma): boolean => (vma.flags & VM_UFFD_WP) !== 0;

/**
 * R-VMA.5 vma_wants_writenotify(vma, prot): the first rule that fires decides.
 * Rule 3 compares permission bits: a prot that is not the full prot for the
 * current flags (stale, or already downgraded) makes it return false (§5.4).
 */
export function vma_wants_writenotify(vma: Vma, prot: Pgprot, config: KConfig): boolean {
  if ((vma.flags & (VM_WRITE | VM_SHARED)) !== (VM_WRITE | VM_SHARED)) return false; // 1
  if (vma.ops.page_mkwrite || vma.ops.pfn_mkwrite) return true; // 2
  if (prot !== vm_pgprot_modify(prot, vma.flags, vma.pkey)) return false; // 3
  if (vma_soft_dirty_enabled(vma, config)) return true; // 4 (hugetlb is out of scope)
  if (userfaultfd_wp(vma)) return true; // 5
  if (vma.flags & VM_PFNMAP) return false; // 6
  return vma.fileCanWriteback; // 7
}

/**
 * R-VMA.1 vma_set_page_prot(): protection map for the flags, keeping the old
 * prot's _PAGE_CHG_MASK bits; if writenotify is wanted, the same with
 * VM_SHARED cleared, i.e. read-only. A new VMA starts, as mmap's
 * __mmap_new_vma() does, from vm_get_page_prot(flags): every PAGE_* has
 * _PAGE_ACCESSED (arm64: PTE_AF), a _PAGE_CHG_MASK bit, so vm_page_prot keeps
 * it for good. It shows where a PTE is built from vm_page_prot: a huge PMD
 * split gives young PTEs unless the PMD was old (H2).
 */
export function vma_page_prot(vma: Omit<Vma, 'vm_page_prot'> & { vm_page_prot?: Pgprot }, config: KConfig): Pgprot {
  const cache = (vma.vm_page_prot ?? vm_get_page_prot(vma.flags, vma.pkey)) & _PAGE_CHG_MASK;
  const full = vm_pgprot_modify(cache, vma.flags, vma.pkey);
  const withProt = { ...vma, vm_page_prot: full } as Vma;
  if (!vma_wants_writenotify(withProt, full, config)) return full;
  return vm_pgprot_modify(cache, vma.flags & ~VM_SHARED, vma.pkey);
}
