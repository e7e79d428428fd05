// SPDX-License-Identifier: GPL-2.0-only
// The run context: one change_protection() call on its OWN copy of the page
// tables and of the memmap. The input World is deep-frozen and never written.
//
// MODEL: the kernel reaches page-table memory and struct pages through global
// memory (a pte_t * is a pointer, pfn_to_page() indexes the global memmap).
// Here a `pte_t *` is a vpn and a `struct page *` is a pfn; both are resolved
// against the run context installed by with_mm() for the duration of one
// (synchronous) run. vma->vm_mm reaches the same object.
import type { Folio, KConfig, MmState, NumaState, PmdSlot, Pte, Vma } from '../../pte/index.js';
import { pmd_index_of } from '../../pte/index.js';

/** struct mm_struct, reduced to what change_protection() touches. */
export interface mm_struct {
  readonly config: KConfig;
  readonly state: MmState; // mm_users == 1 <=> state.singleThreaded
  readonly numa: NumaState;
  /** The memmap: a per-run copy (__split_huge_pmd may rewrite page flags). */
  readonly folios: Folio[];
  /** ptes[vpn - base]: a per-run mutable copy of the VMA's PTE slots. */
  readonly ptes: Pte[];
  /** pmds[pmd_index(vpn) - pmdBase]: per-run mutable copy. */
  readonly pmds: PmdSlot[];
  readonly base: number;
  readonly pmdBase: number;
  /** folio_xchg_access_time() calls: head pfn, in order. */
  readonly numaStamps: number[];
}

/** struct vm_area_struct: the world's Vma plus the kernel field names. */
export interface vm_area_struct extends Vma {
  readonly vm_start: number;
  readonly vm_end: number;
  readonly vm_flags: number;
  readonly vm_mm: mm_struct;
}

export function mk_mm(
  config: KConfig,
  state: MmState,
  numa: NumaState,
  vma: Vma,
  folios: readonly Folio[],
  ptes: readonly Pte[],
  pmds: readonly PmdSlot[],
): mm_struct {
  return {
    config,
    state,
    numa,
    folios: [...folios],
    ptes: [...ptes],
    pmds: [...pmds],
    base: vma.start,
    pmdBase: pmd_index_of(vma.start),
    numaStamps: [],
  };
}

export function mk_vma(vma: Vma, mm: mm_struct): vm_area_struct {
  return { ...vma, vm_start: vma.start, vm_end: vma.end, vm_flags: vma.flags, vm_mm: mm };
}

const stack: mm_struct[] = [];

/** Install `mm` as the memory that pte_t * / struct page * resolve against. */
export function with_mm<T>(mm: mm_struct, fn: () => T): T {
  stack.push(mm);
  try {
    return fn();
  } finally {
    stack.pop();
  }
}

/** current->mm (MODEL: the mm of the run in progress). */
export function current_mm(): mm_struct {
  const mm = stack[stack.length - 1];
  if (mm === undefined) throw new Error('kernel model: no run in progress (use with_mm())');
  return mm;
}
