// pte_needs_flush(): the x86 rule (arch/x86/include/asm/tlbflush.h), the
// arm64 rule since v6.19 (arch/arm64/include/asm/tlbflush.h, c320dbb7c80d
// "arm64/mm: Elide TLB flush in certain pte protection transitions", Dev Jain,
// applied 13 Nov 2025), and the generic always-true one arm64 used before.
// R-COMMIT.3, R-COMMIT.4 (SEMANTICS describes only the generic arm64 rule).
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

/**
 * arm64 software bits (PTE_SWBITS_MASK: bits 55-58 and 63) in our logical
 * encoding: software dirty (a read-only PTE's dirtiness, SAVED_DIRTY here),
 * special, uffd-wp. A writable PTE's dirtiness is the hardware DBM/RDONLY
 * state (DIRTY here), and the access flag is hardware too: both flush.
 */
const ARM64_SOFTWARE = _PAGE_SPECIAL | _PAGE_UFFD_WP | _PAGE_SOFT_DIRTY | _PAGE_SAVED_DIRTY;

/** arm64 __pte_flags_need_flush() (v6.19+): invalid -> * never; else any non-software change. */
function arm64_needs_flush(oldpte: PresentPte, newpte: PresentPte): boolean {
  if (!(oldpte.flags & _PAGE_PRESENT)) return false; // PTE_VALID clear, incl. PROT_NONE
  if (oldpte.pfn !== newpte.pfn) return true;
  return ((oldpte.flags ^ newpte.flags) & ~ARM64_SOFTWARE) !== 0;
}

/** R-COMMIT.3 (x86) / R-COMMIT.4 (arm64, as in v6.19 and later: version C). */
export function pte_needs_flush(oldpte: PresentPte, newpte: PresentPte, config: KConfig): boolean {
  if (config.arch === 'arm64') return arm64_needs_flush(oldpte, newpte);
  if (!(oldpte.flags & _PAGE_PRESENT)) return false; // !PRESENT (incl. PROT_NONE) -> *
  if (oldpte.pfn !== newpte.pfn) return true;
  return pte_flags_need_flush(oldpte.flags, newpte.flags, true);
}

/** huge_pmd_needs_flush(): the same rule, but accessed is not ignored (§12.1); arm64 as for PTEs. */
export function huge_pmd_needs_flush(oldpmd: PresentPte, newpmd: PresentPte, config: KConfig): boolean {
  if (config.arch === 'arm64') return arm64_needs_flush(oldpmd, newpmd);
  if (!(oldpmd.flags & _PAGE_PRESENT)) return false;
  if (oldpmd.pfn !== newpmd.pfn) return true;
  return pte_flags_need_flush(oldpmd.flags, newpmd.flags, false);
}

/** Kernels before v6.19 had no arm64 override: the generic helpers always flush there. */
export function pte_needs_flush_pre_v6_19(oldpte: PresentPte, newpte: PresentPte, config: KConfig): boolean {
  return config.arch === 'arm64' ? true : pte_needs_flush(oldpte, newpte, config);
}
export function huge_pmd_needs_flush_pre_v6_19(oldpmd: PresentPte, newpmd: PresentPte, config: KConfig): boolean {
  return config.arch === 'arm64' ? true : huge_pmd_needs_flush(oldpmd, newpmd, config);
}
