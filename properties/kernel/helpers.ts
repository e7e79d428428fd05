// Shared helpers of the kernel-model tests.
import type { Variant } from '../../src/kernel/registry.js';
import { MM_CP_PROT_NUMA, type PageRun, pfn_folio, VM_MAYWRITE, VM_SHARED, type World } from '../../src/pte/index.js';

/** The union of flush runs as an ascending list of vpns. */
export function flushedPages(runs: readonly PageRun[]): number[] {
  const pages = new Set<number>();
  for (const run of runs) for (let i = 0; i < run.nr; i++) pages.add(run.start + i);
  return [...pages].sort((a, b) => a - b);
}

/**
 * Δ9 (SEMANTICS §11): A/B test DMA-pinned only on COW mappings, B'/C on every
 * mapping. True when `world` can show that drift: PROT_NUMA on a non-COW VMA
 * with a present, normal PTE in range mapping a pinned folio.
 */
export function delta9Applies(world: World): boolean {
  if (!(world.cp_flags & MM_CP_PROT_NUMA)) return false;
  const cow = (world.vma.flags & (VM_SHARED | VM_MAYWRITE)) === VM_MAYWRITE;
  if (cow) return false;
  for (let vpn = world.range.start; vpn < world.range.end; vpn++) {
    const pte = world.ptes[vpn - world.vma.start];
    if (pte?.kind !== 'present') continue;
    if (pfn_folio(world.folios, pte.pfn)?.maybeDmaPinned) return true;
  }
  for (const pmd of world.pmds) if (pmd.kind === 'huge' && pfn_folio(world.folios, pmd.pmd.pfn)?.maybeDmaPinned) return true;
  return false;
}

const DRIFT: Record<string, (world: World) => boolean> = { Δ9: delta9Applies };

/** True when one of the variant's documented drifts (not batching) applies to `world`. */
export function hasDrift(variant: Variant, world: World): boolean {
  return (variant.drift ?? []).some((d) => {
    const pred = DRIFT[d];
    if (pred === undefined) throw new Error(`unknown drift ${d} on ${variant.name}`);
    return pred(world);
  });
}
