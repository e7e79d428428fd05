// SPDX-License-Identifier: GPL-2.0-only
// PMD-level access (include/linux/pgtable.h, mm/memory.c pte_alloc()). A
// `pmd_t *` is the absolute PMD index (vpn / PTRS_PER_PTE) into the run's own
// copy of world.pmds. R-WALK.1, R-WALK.2.
import { type PmdSlot, pmd_index_of, pmd_addr_end as pte_pmd_addr_end } from '../../pte/index.js';
import type { mm_struct } from './context.js';

export type pmd_t = PmdSlot;

function slot(mm: mm_struct, pmd: number): number {
  const i = pmd - mm.pmdBase;
  if (i < 0 || i >= mm.pmds.length) throw new RangeError(`pmd_t * ${pmd} lies outside the VMA's PMD span`);
  return i;
}

/** pmd_offset(pud, addr). MODEL: the upper levels are collapsed, pud is unused. */
export const pmd_offset = (_pud: null, addr: number): number => pmd_index_of(addr);

/** pmdp_get(pmd) / pmdp_get_lockless(pmd) */
export function pmdp_get(mm: mm_struct, pmd: number): pmd_t {
  return mm.pmds[slot(mm, pmd)] as pmd_t;
}
export const pmdp_get_lockless = pmdp_get;

/** set_pmd_at(mm, addr, pmdp, pmd) */
export function set_pmd_at(mm: mm_struct, _addr: number, pmd: number, val: pmd_t): void {
  mm.pmds[slot(mm, pmd)] = val;
}

export const pmd_none = (pmd: pmd_t): boolean => pmd.kind === 'none';
/**
 * pmd_is_huge(): a present huge PMD, or any non-none non-present PMD (those
 * are always huge softleaf entries; include/linux/huge_mm.h, Diangang/linux).
 */
export const pmd_is_huge = (pmd: pmd_t): pmd is Extract<pmd_t, { kind: 'huge' | 'softleaf' }> =>
  pmd.kind === 'huge' || pmd.kind === 'softleaf';
/** pmd_is_valid_softleaf(): a PMD-level migration or device-private entry. */
export const pmd_is_valid_softleaf = (pmd: pmd_t): pmd is Extract<pmd_t, { kind: 'softleaf' }> =>
  pmd.kind === 'softleaf' &&
  (pmd.pmd.type.startsWith('migration_') || pmd.pmd.type === 'device_private_read' || pmd.pmd.type === 'device_private_write');

/** pmd_addr_end(addr, end) */
export const pmd_addr_end = (addr: number, end: number): number => pte_pmd_addr_end(addr, end);

/**
 * pte_alloc(mm, pmd): allocate an empty PTE table under a none PMD.
 * MODEL: allocation never fails, so it always returns 0.
 */
export function pte_alloc(mm: mm_struct, pmd: number): number {
  if (pmd_none(pmdp_get(mm, pmd))) set_pmd_at(mm, 0, pmd, { kind: 'table' });
  return 0;
}

/**
 * pte_offset_map_lock(mm, pmd, addr, &ptl): the pte_t * for addr, or null when
 * there is no PTE table (the caller then returns -EAGAIN, R-WALK.4).
 */
export function pte_offset_map_lock(mm: mm_struct, pmd: number, addr: number): number | null {
  return pmdp_get(mm, pmd).kind === 'table' ? addr : null;
}
