// SPDX-License-Identifier: GPL-2.0-only
// Arch semantics, selected by the world's KConfig (x86-64 or arm64), and the
// one model option that picks a historic arch helper: which x86 pmd_modify()
// the kernel model runs. The spec never reads the option: it always uses the
// fixed helpers, so a change of the option shows up as a disagreement.
import type { KConfig, Pgprot, PresentPte } from '../types.js';
import { arm64_needs_flush, arm64_pmd_modify } from './arm64.js';
import { x86_huge_pmd_needs_flush, x86_pmd_modify, x86_pmd_modify_v6_6, x86_pte_needs_flush } from './x86.js';

export * from './arm64.js';
export * from './x86.js';

/** R-COMMIT.3 (x86) / R-COMMIT.4 (arm64, as in v6.19 and later: version C). */
export function pte_needs_flush(oldpte: PresentPte, newpte: PresentPte, config: KConfig): boolean {
  return config.arch === 'arm64' ? arm64_needs_flush(oldpte, newpte) : x86_pte_needs_flush(oldpte, newpte);
}

/** huge_pmd_needs_flush(): like pte_needs_flush() but x86 does not ignore accessed (§12.1); arm64 as for PTEs. */
export function huge_pmd_needs_flush(oldpmd: PresentPte, newpmd: PresentPte, config: KConfig): boolean {
  return config.arch === 'arm64' ? arm64_needs_flush(oldpmd, newpmd) : x86_huge_pmd_needs_flush(oldpmd, newpmd);
}

/** Kernels before v6.19 had no arm64 override: the generic helpers always flush there. */
export function pte_needs_flush_pre_v6_19(oldpte: PresentPte, newpte: PresentPte, config: KConfig): boolean {
  return config.arch === 'arm64' ? true : x86_pte_needs_flush(oldpte, newpte);
}
export function huge_pmd_needs_flush_pre_v6_19(oldpmd: PresentPte, newpmd: PresentPte, config: KConfig): boolean {
  return config.arch === 'arm64' ? true : x86_huge_pmd_needs_flush(oldpmd, newpmd);
}

/** pmd_modify() with the fixed x86 helper (f7491d7c81db): what the spec and the default model use. */
export function pmd_modify(pmd: PresentPte, newprot: Pgprot, config: KConfig): PresentPte {
  return config.arch === 'arm64' ? arm64_pmd_modify(pmd, newprot) : x86_pmd_modify(pmd, newprot);
}

/**
 * Which version of an arch helper the kernel model runs. `x86PmdModify`:
 * 'fixed' is f7491d7c81db and later (the default, so a patch to
 * mm/mprotect.c is judged on its own); 'v6.6' is the helper every release from
 * v6.6 until that fix shipped, which drops a writable huge PMD's dirty bit.
 */
export interface ArchHelpers {
  readonly x86PmdModify: 'fixed' | 'v6.6';
}

export const FIXED_ARCH_HELPERS: ArchHelpers = Object.freeze({ x86PmdModify: 'fixed' });
export const SHIPPED_ARCH_HELPERS_V6_6: ArchHelpers = Object.freeze({ x86PmdModify: 'v6.6' });

const helperStack: ArchHelpers[] = [];

/** Run `fn` with the kernel model using `helpers` (restored afterwards, also on a throw). */
export function withArchHelpers<T>(helpers: ArchHelpers, fn: () => T): T {
  helperStack.push(helpers);
  try {
    return fn();
  } finally {
    helperStack.pop();
  }
}

/** The helpers in force: the innermost withArchHelpers(), else the fixed ones. */
export function currentArchHelpers(): ArchHelpers {
  return helperStack[helperStack.length - 1] ?? FIXED_ARCH_HELPERS;
}

/** pmd_modify() as the kernel model's build has it: the fixed helper unless withArchHelpers() says 'v6.6' (x86 only). */
export function pmd_modify_as_built(pmd: PresentPte, newprot: Pgprot, config: KConfig): PresentPte {
  if (config.arch === 'x86-64' && currentArchHelpers().x86PmdModify === 'v6.6') return x86_pmd_modify_v6_6(pmd, newprot);
  return pmd_modify(pmd, newprot, config);
}

/** The values a CLI option for the x86 pmd_modify() helper accepts. */
export const X86_PMD_MODIFY_VALUES: readonly ArchHelpers['x86PmdModify'][] = ['fixed', 'v6.6'];

/** ArchHelpers from a CLI value ('fixed' or 'v6.6'); anything else throws, naming the accepted values. */
export function archHelpersFromFlag(value: string): ArchHelpers {
  if (value === 'fixed') return FIXED_ARCH_HELPERS;
  if (value === 'v6.6') return SHIPPED_ARCH_HELPERS_V6_6;
  throw new Error(`--x86-pmd-modify: expected one of ${X86_PMD_MODIFY_VALUES.join(', ')}, got ${JSON.stringify(value)}`);
}
