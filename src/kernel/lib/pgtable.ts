// SPDX-License-Identifier: GPL-2.0-only
// PTE-table access (include/linux/pgtable.h): ptep_get(), set_pte_at(),
// pte_clear(), ptep_modify_prot_start/commit() and the generic batched
// modify_prot_start_ptes()/modify_prot_commit_ptes(). A `pte_t *` is a vpn
// into the run's own copy of the page table (context.ts).
import { NONE_PTE, type PresentPte, type Pte } from '../../pte/index.js';
import { current_mm, type mm_struct, type vm_area_struct } from './context.js';
import { count_op } from './opcount.js';
import { PAGE_SIZE } from './page.js';
import { pte_dirty, pte_mkdirty, pte_mkyoung, pte_next_pfn, pte_young } from './pte_ops.js';

function slot(mm: mm_struct, ptep: number): number {
  const i = ptep - mm.base;
  if (i < 0 || i >= mm.ptes.length) throw new RangeError(`pte_t * ${ptep} lies outside the VMA's page table`);
  return i;
}

/** ptep_get(ptep) */
export function ptep_get(ptep: number): Pte {
  count_op('ptep_get');
  const mm = current_mm();
  return mm.ptes[slot(mm, ptep)] as Pte;
}

/** set_pte_at(mm, addr, ptep, pte) */
export function set_pte_at(mm: mm_struct, _addr: number, ptep: number, pte: Pte): void {
  count_op('set_pte_at');
  mm.ptes[slot(mm, ptep)] = pte;
}

/** pte_clear(mm, addr, ptep) */
export function pte_clear(mm: mm_struct, addr: number, ptep: number): void {
  set_pte_at(mm, addr, ptep, NONE_PTE);
}

/**
 * ptep_modify_prot_start(vma, addr, ptep): read and clear (x86 native: xchg
 * with 0), so the hardware cannot set A/D behind our back. R-PRES.3.
 */
export function ptep_modify_prot_start(vma: vm_area_struct, addr: number, ptep: number): PresentPte {
  count_op('ptep_modify_prot_start');
  const pte = ptep_get(ptep);
  if (pte.kind !== 'present') throw new Error(`ptep_modify_prot_start on a ${pte.kind} entry at ${addr}`);
  pte_clear(vma.vm_mm, addr, ptep);
  return pte;
}

/** ptep_modify_prot_commit(vma, addr, ptep, old_pte, pte): a plain store. */
export function ptep_modify_prot_commit(
  vma: vm_area_struct,
  addr: number,
  ptep: number,
  _old_pte: PresentPte,
  pte: PresentPte,
): void {
  count_op('ptep_modify_prot_commit');
  set_pte_at(vma.vm_mm, addr, ptep, pte);
}

/**
 * Generic modify_prot_start_ptes(): get-and-clear nr entries and return the
 * first, with dirty/young gathered from the later ones through pte_mkdirty()/
 * pte_mkyoung() (x86 pte_mkdirty() also sets soft-dirty: Δ3). R-PRES.3.
 *
 * MODEL: arm64 overrides it (arch/arm64/mm/mmu.c) with get_and_clear_ptes(),
 * i.e. arm64's get_and_clear_full_ptes() (arch/arm64/include/asm/pgtable.h,
 * contpte-aware). For PTEs outside contiguous (PTE_CONT)
 * blocks that gathers access/dirty exactly as here; its erratum-2645198 flush
 * is immediate, outside the mmu_gather, so it is not a recorded flush. Inside a
 * CONT block the hardware may set access/dirty on any entry of the 16, and the
 * arm64 getters report the block's union, so a batch can take dirty from PTEs
 * outside it. The world has no CONT bit (and whether a block is folded depends
 * on history, not on the PTE values), so that case is not modelled.
 */
export function modify_prot_start_ptes(vma: vm_area_struct, addr: number, ptep: number, nr: number): PresentPte {
  count_op('modify_prot_start_ptes');
  let pte = ptep_modify_prot_start(vma, addr, ptep);
  while (--nr) {
    ptep++;
    addr += PAGE_SIZE;
    const tmp_pte = ptep_modify_prot_start(vma, addr, ptep);
    if (pte_dirty(tmp_pte)) pte = pte_mkdirty(pte);
    if (pte_young(tmp_pte)) pte = pte_mkyoung(pte);
  }
  return pte;
}

/** Generic modify_prot_commit_ptes(): commit nr entries, pfn advancing by one each. R-COMMIT.1. */
export function modify_prot_commit_ptes(
  vma: vm_area_struct,
  addr: number,
  ptep: number,
  old_pte: PresentPte,
  pte: PresentPte,
  nr: number,
): void {
  count_op('modify_prot_commit_ptes');
  for (;;) {
    ptep_modify_prot_commit(vma, addr, ptep, old_pte, pte);
    if (--nr === 0) break;
    ptep++;
    addr += PAGE_SIZE;
    old_pte = pte_next_pfn(old_pte);
    pte = pte_next_pfn(pte);
  }
}
