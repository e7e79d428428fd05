// SPDX-License-Identifier: GPL-2.0-only
// struct mmu_gather (include/asm-generic/tlb.h), reduced to the observable:
// the ordered list of tlb_flush_pte_range()/tlb_flush_pmd_range() calls.
// R-TLB.1: the real gather widens a pending range and flushes at
// tlb_end_vma(); the per-call list is the finer observable (§13.3).
import type { BatchTrace, PageRun, SubRun } from '../../pte/index.js';
import { count_op } from './opcount.js';

export interface mmu_gather {
  readonly flushes: PageRun[];
  /** MODEL: the batch trace (§13.4) is not kernel state; it rides on the gather. */
  readonly trace: BatchTrace[];
}

export function tlb_gather_mmu(): mmu_gather {
  return { flushes: [], trace: [] };
}

/** tlb_flush_pte_range(tlb, address, size): size in PAGE_SIZE units (vpns). */
export function tlb_flush_pte_range(tlb: mmu_gather, address: number, size: number): void {
  count_op('tlb_flush_range');
  tlb.flushes.push({ start: address, nr: size });
}

/** tlb_flush_pmd_range(tlb, address, size) */
export function tlb_flush_pmd_range(tlb: mmu_gather, address: number, size: number): void {
  count_op('tlb_flush_range');
  tlb.flushes.push({ start: address, nr: size });
}

/** tlb_change_page_size(), tlb_start_vma(), tlb_end_vma(): no observable effect in the model. */
export const tlb_change_page_size = (_tlb: mmu_gather, _page_size: number): void => {};
export const tlb_start_vma = (_tlb: mmu_gather, _vma: unknown): void => {};
export const tlb_end_vma = (_tlb: mmu_gather, _vma: unknown): void => {};

/** MODEL: trace one present batch as change_pte_range() handled it. */
export function trace_batch(tlb: mmu_gather, start: number, nr: number, action: BatchTrace['action']): void {
  tlb.trace.push({ start, nr, action, subRuns: [] });
}

/** MODEL: trace one prot_commit_flush_ptes() run inside the current batch. */
export function trace_sub_run(tlb: mmu_gather, idx: number, len: number, setWrite: boolean): void {
  const batch = tlb.trace[tlb.trace.length - 1];
  if (batch === undefined) throw new Error('trace_sub_run without trace_batch');
  (batch.subRuns as SubRun[]).push({ idx, len, setWrite });
}
