// SPDX-License-Identifier: GPL-2.0-only
// Variant falcato-v3+x86-pmd_modify-v6.6: the baseline mm/mprotect.c (version
// C, falcato-v3) built against the x86 pmd_modify() every release shipped
// from v6.6 until f7491d7c81db "x86/mm: Fix user-space data loss with
// MADV_FREE and THP" (Vernon Yang, 2026, Cc stable). The bug is outside
// mm/mprotect.c: arch/x86/include/asm/pgtable.h masked the old PMD with
// _HPAGE_CHG_MASK & ~_PAGE_DIRTY, so change_huge_pmd() turned a writable,
// dirty huge PMD clean (src/pte/arch/x86.ts x86_pmd_modify_v6_6). No line of
// mm/mprotect.c differs from falcato-v3; only the arch helper does.
import { type KernelOutcome, SHIPPED_ARCH_HELPERS_V6_6, type World, withArchHelpers } from '../../pte/index.js';
import * as falcato_v3 from './falcato-v3.js';

/** Entry point: falcato-v3's change_protection() with the shipped v6.6 x86 pmd_modify(). */
export function change_protection(world: World): KernelOutcome {
  return withArchHelpers(SHIPPED_ARCH_HELPERS_V6_6, () => falcato_v3.change_protection(world));
}
