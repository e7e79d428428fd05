// SPDX-License-Identifier: GPL-2.0-only
// Address arithmetic in pages: one PTE table per PMD (512 vpns on x86-64/4K).
import { PTRS_PER_PTE } from './bits.js';
import type { PmdSlot, World } from './types.js';

export const pmd_index_of = (vpn: number): number => Math.floor(vpn / PTRS_PER_PTE);

/** pmd_addr_end(): the next PMD boundary after vpn, capped at end. */
export function pmd_addr_end(vpn: number, end: number): number {
  const boundary = (pmd_index_of(vpn) + 1) * PTRS_PER_PTE;
  return Math.min(boundary, end);
}

/** The PMD slot covering vpn in this world. */
export function pmd_of(world: Pick<World, 'vma' | 'pmds'>, vpn: number): PmdSlot {
  const slot = world.pmds[pmd_index_of(vpn) - pmd_index_of(world.vma.start)];
  if (slot === undefined) throw new RangeError(`vpn ${vpn} lies outside the VMA's PMD span`);
  return slot;
}

/** Number of PMD slots a VMA [start, end) touches. */
export const pmd_span = (start: number, end: number): number => pmd_index_of(end - 1) - pmd_index_of(start) + 1;
