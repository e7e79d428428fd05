// pte_needs_flush(): x86 rule (arch/x86/include/asm/tlbflush.h) and the
// generic always-true one used by arm64. R-COMMIT.3, R-COMMIT.4.
import {
  _PAGE_ACCESSED,
  _PAGE_DIRTY,
  _PAGE_NX,
  _PAGE_PAT,
  _PAGE_PCD,
  _PAGE_PKEY_MASK,
  _PAGE_PRESENT,
  _PAGE_PROTNONE,
  _PAGE_PWT,
  _PAGE_RW,
  _PAGE_SAVED_DIRTY,
  _PAGE_SOFT_DIRTY,
  _PAGE_SPECIAL,
  _PAGE_UFFD_WP,
  _PAGE_USER,
} from './bits.js';
import type { KConfig, PresentPte } from './types.js';

const FLUSH_ON_CLEAR = _PAGE_DIRTY | _PAGE_PRESENT | _PAGE_ACCESSED;
const SOFTWARE_FLAGS = _PAGE_SPECIAL | _PAGE_UFFD_WP | _PAGE_SOFT_DIRTY | _PAGE_SAVED_DIRTY;
/** _PAGE_PROTNONE sits in the GLOBAL position, which is flush-on-change. */
const FLUSH_ON_CHANGE = _PAGE_RW | _PAGE_USER | _PAGE_PWT | _PAGE_PCD | _PAGE_PAT | _PAGE_PROTNONE | _PAGE_PKEY_MASK | _PAGE_NX;

/** pte_flags_need_flush(): R-COMMIT.3 steps 3-6 (no CONFIG_DEBUG_VM). */
export function pte_flags_need_flush(oldflags: number, newflags: number, ignore_access: boolean): boolean {
  let diff = oldflags ^ newflags;
  if (ignore_access) diff &= ~_PAGE_ACCESSED;
  diff &= ~SOFTWARE_FLAGS;
  if (!diff) return false;
  if (diff & oldflags & FLUSH_ON_CLEAR) return true;
  return (diff & FLUSH_ON_CHANGE) !== 0;
}

/** R-COMMIT.3 (x86) / R-COMMIT.4 (arm64: generic, always true). */
export function pte_needs_flush(oldpte: PresentPte, newpte: PresentPte, config: KConfig): boolean {
  if (config.arch === 'arm64') return true;
  if (!(oldpte.flags & _PAGE_PRESENT)) return false; // !PRESENT (incl. PROT_NONE) -> *
  if (oldpte.pfn !== newpte.pfn) return true;
  return pte_flags_need_flush(oldpte.flags, newpte.flags, true);
}

/** huge_pmd_needs_flush(): the same rule, but accessed is not ignored (§12.1). */
export function huge_pmd_needs_flush(oldpmd: PresentPte, newpmd: PresentPte, config: KConfig): boolean {
  if (config.arch === 'arm64') return true;
  if (!(oldpmd.flags & _PAGE_PRESENT)) return false;
  if (oldpmd.pfn !== newpmd.pfn) return true;
  return pte_flags_need_flush(oldpmd.flags, newpmd.flags, false);
}
