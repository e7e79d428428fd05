// Documented version drift (SEMANTICS §11 Δ9): differences between kernel
// versions that are not batching effects. A world that can show a drift a
// target declares is not compared with the version-C spec for that target;
// the runner counts such worlds so a report says how many were left out.
import { MM_CP_PROT_NUMA, type Pte, VM_MAYWRITE, VM_SHARED, vm_normal_folio, type World } from '../pte/index.js';

/** is_cow_mapping(): private and may become writable. */
const isCowMapping = (flags: number): boolean => (flags & (VM_SHARED | VM_MAYWRITE)) === VM_MAYWRITE;

/**
 * Δ9: versions A/B skip a DMA-pinned folio under PROT_NUMA only in COW
 * mappings; B'/C skip it in every mapping.
 */
export function showsDelta9(world: World): boolean {
  if (!(world.cp_flags & MM_CP_PROT_NUMA) || isCowMapping(world.vma.flags)) return false;
  for (let vpn = world.range.start; vpn < world.range.end; vpn++) {
    const pte = world.ptes[vpn - world.vma.start] as Pte;
    if (pte.kind === 'present' && vm_normal_folio(world, pte)?.maybeDmaPinned) return true;
  }
  return world.pmds.some((p) => p.kind === 'huge' && vm_normal_folio(world, p.pmd)?.maybeDmaPinned);
}

/**
 * Δ10: versions A/B apply no folio rule (KSM, shared COW, pinned, dirty file,
 * local node) to a huge PMD under PROT_NUMA; their change_huge_pmd() skips
 * only the huge zero page, PROT_NONE, and top-tier folios without normal
 * balancing. B'/C use folio_can_map_prot_numa() there too (mm/huge_memory.c;
 * not listed in SEMANTICS §11).
 */
export function showsDelta10(world: World): boolean {
  return (world.cp_flags & MM_CP_PROT_NUMA) !== 0 && world.pmds.some((p) => p.kind === 'huge');
}

/**
 * Δ11: before v6.19 arm64 had no pte_needs_flush()/huge_pmd_needs_flush()
 * override, so every committed run was flushed; since c320dbb7c80d arm64
 * elides flushes much as x86 does (invalid -> valid, software bits only).
 */
export const showsDelta11 = (world: World): boolean => world.config.arch === 'arm64';

const DRIFTS: Record<string, (world: World) => boolean> = { Δ9: showsDelta9, Δ10: showsDelta10, Δ11: showsDelta11 };

/** The first declared drift this world can show, or null. Unknown ids throw. */
export function driftIn(world: World, drift: readonly string[] | undefined): string | null {
  for (const id of drift ?? []) {
    const shows = DRIFTS[id];
    if (!shows) throw new Error(`unknown drift id '${id}' (known: ${Object.keys(DRIFTS).join(', ')})`);
    if (shows(world)) return id;
  }
  return null;
}
