// SPDX-License-Identifier: GPL-2.0-only
// Address units of the model. MODEL: addresses are virtual page numbers (vpn),
// so PAGE_SIZE is 1 and PAGE_SHIFT is 0; `addr += nr * PAGE_SIZE` and
// `(end - addr) >> PAGE_SHIFT` then read exactly as in mm/mprotect.c.
import { HPAGE_PMD_NR as PTE_HPAGE_PMD_NR } from '../../pte/index.js';

export const PAGE_SIZE = 1;
export const PAGE_SHIFT = 0;
export const HPAGE_PMD_NR = PTE_HPAGE_PMD_NR;
/** MODEL: in vpn units, a PMD maps HPAGE_PMD_NR pages. */
export const HPAGE_PMD_SIZE = HPAGE_PMD_NR * PAGE_SIZE;

/** include/uapi/asm-generic/errno-base.h */
export const EAGAIN = 11;

/** likely()/unlikely() are branch hints only. */
export const likely = (cond: boolean): boolean => cond;
export const unlikely = (cond: boolean): boolean => cond;
