// SPDX-License-Identifier: GPL-2.0-only
// The one list of kernel-model variants. Tests, CLI and benchmarks iterate it.
// Adding a variant = one file in variants/ exporting
//   export function change_protection(world: World): KernelOutcome
// (built with lib/walk.ts run_change_protection), one line in MODULES and one
// entry in VARIANTS (`npx mprotect-spec new-variant` writes all three).
import type { KernelOutcome, World } from '../pte/index.js';
import { failingList, GALLERY, GALLERY_CONFLICT } from './gallery.js';

/**
 * Where each variant's code lives. Modules load here, each on its own, so a
 * variant that fails to load (a syntax error in a patch being ported) is named
 * with its error where it is used, and every other variant and command keeps
 * working.
 */
const MODULES: Record<string, () => Promise<{ change_protection: unknown }>> = {
  'falcato-v2': () => import('./variants/falcato-v2.js'),
  'falcato-v3+x86-pmd_modify-v6.6': () => import('./variants/falcato-v3+x86-pmd_modify-v6.6.js'),
  'falcato-v3': () => import('./variants/falcato-v3.js'),
  'v6.16-per-pte': () => import('./variants/v6.16-per-pte.js'),
  'v6.17-cac1db8c3aad': () => import('./variants/v6.17-cac1db8c3aad.js'),
  'v6.17-fixed': () => import('./variants/v6.17-fixed.js'),
  'v6.19-bprime': () => import('./variants/v6.19-bprime.js'),
};

/** A variant whose module did not load: using it is a usage error (exit 2) naming the file and the error. */
export class VariantLoadError extends Error {
  constructor(
    readonly variant: string,
    readonly reason: string,
  ) {
    super(`variant ${variant} failed to load: ${reason}`);
    this.name = 'VariantLoadError';
  }
}

const LOADED = new Map<string, ((world: World) => KernelOutcome) | string>();
await Promise.all(
  Object.entries(MODULES).map(async ([name, load]) => {
    try {
      const mod = await load();
      if (typeof mod.change_protection !== 'function') LOADED.set(name, 'it does not export a function change_protection(world)');
      else LOADED.set(name, mod.change_protection as (world: World) => KernelOutcome);
    } catch (error) {
      const e = error as Error;
      LOADED.set(name, `${e.name}: ${e.message.split('\n')[0]}`);
    }
  }),
);

/** Why a registered variant's module did not load, or null. */
export function loadErrorOf(name: string): string | null {
  const v = LOADED.get(name);
  return typeof v === 'string' ? v : null;
}

/** The variant's change_protection(), or one that throws VariantLoadError when its module did not load. */
function runOf(name: string): (world: World) => KernelOutcome {
  const v = LOADED.get(name);
  if (typeof v === 'function') return v;
  const reason = v ?? 'not in the module table of registry.ts';
  return () => {
    throw new VariantLoadError(name, reason);
  };
}

export type Verdict = 'equivalent' | 'known-bad';

export interface Variant {
  readonly name: string;
  /** Path of the variant module, relative to the repository root (for a gallery bug: its applied copy). */
  readonly file: string;
  /** For a gallery bug: its patch against `baseline`, relative to the repository root (src/kernel/gallery.ts). */
  readonly patch?: string;
  /** Upstream commit or list thread the variant models. */
  readonly upstream: string;
  /** The variant it derives from (its diff reads like the upstream patch); null for the root. */
  readonly baseline: string | null;
  readonly verdict: Verdict;
  /** For known-bad variants: the observable rule it breaks (SEMANTICS.md id). */
  readonly breaks?: string;
  /**
   * Documented version drift from the spec (which follows version C) that is
   * not a batching effect, by SEMANTICS.md §11 id, e.g. 'Δ9' (DMA-pinned NUMA
   * skip only on COW mappings in A/B). Comparisons exclude those worlds.
   */
  readonly drift?: readonly string[];
  /** 'per-pte' (version A) must equal the pure spec; 'batched' ones equal the batch-aware spec (SEMANTICS §11). */
  readonly batching: 'per-pte' | 'batched';
  readonly description: string;
  readonly run: (world: World) => KernelOutcome;
}

export const BASELINE_VARIANT = 'falcato-v3';

/**
 * The upstream versions, then the gallery. While a gallery patch conflicts
 * with the baseline, any use of the list throws that conflict (gallery.ts).
 */
const withGallery = (upstream: readonly Variant[]): readonly Variant[] =>
  GALLERY_CONFLICT === null ? Object.freeze([...upstream, ...GALLERY]) : failingList(GALLERY_CONFLICT);

export const VARIANTS: readonly Variant[] = withGallery([
  {
    name: 'falcato-v3',
    file: 'src/kernel/variants/falcato-v3.ts',
    upstream:
      '[PATCH v3 0/2] mm/mprotect: micro-optimization work, Pedro Falcato, 2 Apr 2026 (lkml.iu.edu/2604.0/03667.html); mm-unstable 2 Apr 2026',
    baseline: 'falcato-v2',
    verdict: 'equivalent',
    batching: 'batched',
    description:
      "Version C, the baseline: present-PTE handling in change_present_ptes() (called with the literal 1 for single-PTE batches), softleaf handling in change_softleaf_pte(), NUMA filter through folio_can_map_prot_numa(). Semantically identical to B'.",
    run: runOf('falcato-v3'),
  },
  {
    name: 'falcato-v2',
    file: 'src/kernel/variants/falcato-v2.ts',
    upstream: '[PATCH v2 0/2] mm/mprotect: micro-optimization work, Pedro Falcato, 24 Mar 2026 (lkml.iu.edu/2603.3/01509.html)',
    baseline: 'v6.19-bprime',
    verdict: 'equivalent',
    batching: 'batched',
    description:
      'Version C as posted in v2, reconstructed by reversing the v2->v3 interdiff in the seed: change_softleaf_pte() split out, present-PTE logic still inline in change_pte_range(), and an order-0 fast path inside commit_anon_folio_batch() that does what the general loop does for one PTE.',
    run: runOf('falcato-v2'),
  },
  {
    name: 'v6.19-bprime',
    file: 'src/kernel/variants/v6.19-bprime.ts',
    upstream: 'linux-next late 2025, ColinIanKing/linux-next mm/mprotect.c @ 042acf45157ec6f1de2cd0dfffeec756c8186a67',
    baseline: 'v6.17-fixed',
    verdict: 'equivalent',
    batching: 'batched',
    description:
      "Version B': B with the NUMA rework (folio_can_map_prot_numa(); already-PROT_NONE checked first and skipping one PTE; DMA-pinned skip for every mapping, Δ9) and the leafent_* renames with present / none / softleaf branch order.",
    run: runOf('v6.19-bprime'),
  },
  {
    name: 'v6.17-fixed',
    file: 'src/kernel/variants/v6.17-fixed.ts',
    upstream:
      'cac1db8c3aad + cf1b80dc31a1 "mm: pass page directly instead of using folio_page" (v6.17-rc2); Kingxukai/linux mm/mprotect.c @ 9b44fff655e2',
    baseline: 'v6.17-cac1db8c3aad',
    verdict: 'equivalent',
    batching: 'batched',
    drift: ['Δ9', 'Δ10', 'Δ11'],
    description:
      'Version B as released in v6.17: Dev Jain\'s PTE batching with the fix that passes the page of the batch\'s first PTE to commit_anon_folio_batch(). NUMA filter in prot_numa_skip(): folio looked up first, every skip (including "already PROT_NONE") skips a whole no-flags batch; DMA-pinned only for COW mappings.',
    run: runOf('v6.17-fixed'),
  },
  {
    name: 'v6.17-cac1db8c3aad',
    file: 'src/kernel/variants/v6.17-cac1db8c3aad.ts',
    upstream:
      'cac1db8c3aad "mm: optimize mprotect() by PTE batching", Dev Jain (v6.17-rc1); bug reported by syzbot+57bcc752f0df8bb1365c',
    baseline: 'v6.16-per-pte',
    verdict: 'known-bad',
    batching: 'batched',
    drift: ['Δ9', 'Δ10', 'Δ11'],
    breaks: 'R-WR.4',
    description:
      "Version B as first merged. commit_anon_folio_batch() reads PageAnonExclusive from folio_page(folio, 0), the folio's head page, not the batch's first page: a batch starting mid-folio is made writable (or left read-only) according to the wrong pages, so a shared, non-exclusive anon page can become writable in a private mapping (INV-1).",
    run: runOf('v6.17-cac1db8c3aad'),
  },
  {
    name: 'v6.16-per-pte',
    file: 'src/kernel/variants/v6.16-per-pte.ts',
    upstream: 'torvalds/linux mm/mprotect.c @ 003fde4492c88ac3a1fee3d97b3834a679780af3 (v6.15/v6.16)',
    baseline: null,
    verdict: 'equivalent',
    batching: 'per-pte',
    drift: ['Δ9', 'Δ10', 'Δ11'],
    description:
      'Version A: the per-PTE change_pte_range() before batching, NUMA filter and softleaf handling inline, one flush decision per PTE on its own old value. Equals the spec exactly on order-0 worlds; differs from the batched versions only by the allowed Δ1-Δ9 on large folios.',
    run: runOf('v6.16-per-pte'),
  },
  {
    name: 'falcato-v3+x86-pmd_modify-v6.6',
    file: 'src/kernel/variants/falcato-v3+x86-pmd_modify-v6.6.ts',
    upstream:
      'x86 pmd_modify() from "x86/mm: Start actually marking _PAGE_SAVED_DIRTY" (Rick Edgecombe, v6.6) until f7491d7c81db "x86/mm: Fix user-space data loss with MADV_FREE and THP" (Vernon Yang, 2026, Cc stable)',
    baseline: 'falcato-v3',
    verdict: 'known-bad',
    batching: 'batched',
    breaks: 'INV-10',
    description:
      'A real kernel bug outside mm/mprotect.c: the baseline built against the x86 pmd_modify() of v6.6 up to its 2026 fix, which masks the old huge PMD with _HPAGE_CHG_MASK & ~_PAGE_DIRTY. change_huge_pmd() then turns a writable dirty THP clean (mprotect(PROT_READ) after a write: reclaim may free the data after MADV_FREE), refuses the TRY upgrade of a dirty PMD in a shared writenotify VMA, and flushes 512 pages where nothing changed. The check runs it with the fixed helper by default; docs/known-bugs.md.',
    run: runOf('falcato-v3+x86-pmd_modify-v6.6'),
  },
  // The known-bug gallery (issue 6) follows: falcato-v3 with one bug each, applied from patches (gallery.ts).
]);

/** The variant called `name`; throws listing the known names. */
export function getVariant(name: string): Variant {
  const variant = VARIANTS.find((v) => v.name === name);
  if (variant === undefined)
    throw new Error(`unknown kernel variant ${JSON.stringify(name)}; known: ${VARIANTS.map((v) => v.name).join(', ')}`);
  return variant;
}

/** Run one variant on a world (the world is never written). */
export function runVariant(variant: Variant | string, world: World): KernelOutcome {
  return (typeof variant === 'string' ? getVariant(variant) : variant).run(world);
}
