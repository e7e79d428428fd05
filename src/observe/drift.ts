// SPDX-License-Identifier: GPL-2.0-only
// Documented version drift (SEMANTICS §11 Δ9, plus Δ10 and Δ11 found later):
// differences between kernel versions that are not batching effects. A target
// that declares a drift is compared with the version-C spec relaxed exactly
// where the drift lies, never by leaving the world out:
//   Δ9, Δ10: the reference is the spec on the same world with the flags that
//     only the newer NUMA folio rules read cleared on the affected folios
//     (driftWorld), so only those folios' / huge PMDs' NUMA outcome moves;
//   Δ11: exact flush equality becomes containment (flushDriftAllowed), with
//     flush completeness still checked.
// The one case no such relaxation expresses (unrelaxedDrift) is still left
// out and counted.
import { hugePmdNeedsSplit } from '../../spec/huge_pmd.js';
import {
  deepFreeze,
  type Folio,
  MM_CP_PROT_NUMA,
  PTRS_PER_PTE,
  type Pte,
  pmd_index_of,
  pte_protnone,
  VM_MAYWRITE,
  VM_SHARED,
  vm_normal_folio,
  type World,
} from '../pte/index.js';
import type { SpecFn } from './batch_aware.js';

/** is_cow_mapping(): private and may become writable. */
const isCowMapping = (flags: number): boolean => (flags & (VM_SHARED | VM_MAYWRITE)) === VM_MAYWRITE;
const numa = (world: World): boolean => (world.cp_flags & MM_CP_PROT_NUMA) !== 0;

/** Present PTEs the walk visits in PTE tables (not under a huge PMD) inside the range. */
function tablePtes(world: World): { vpn: number; pte: Pte }[] {
  const out: { vpn: number; pte: Pte }[] = [];
  const p0 = pmd_index_of(world.vma.start);
  for (let vpn = world.range.start; vpn < world.range.end; vpn++)
    if (world.pmds[pmd_index_of(vpn) - p0]?.kind === 'table') out.push({ vpn, pte: world.ptes[vpn - world.vma.start] as Pte });
  return out;
}

/** Huge PMDs the walk visits, split (partly covered, or forced by uffd-wp) or not. */
function hugePmds(world: World): { folio: Folio | null; split: boolean; protnone: boolean }[] {
  const out: { folio: Folio | null; split: boolean; protnone: boolean }[] = [];
  const p0 = pmd_index_of(world.vma.start);
  world.pmds.forEach((slot, j) => {
    if (slot.kind !== 'huge') return;
    const lo = (p0 + j) * PTRS_PER_PTE;
    const covered = Math.min(lo + PTRS_PER_PTE, world.range.end) - Math.max(lo, world.range.start);
    if (covered <= 0) return;
    out.push({
      folio: vm_normal_folio(world, slot.pmd),
      split: hugePmdNeedsSplit(world, covered),
      protnone: pte_protnone(slot.pmd),
    });
  });
  return out;
}

/**
 * Δ9: versions A/B skip a DMA-pinned folio under PROT_NUMA only in COW
 * mappings (prot_numa_skip(), mm/mprotect.c v6.16/v6.17); B'/C skip it in
 * every mapping (folio_can_map_prot_numa(), mm/mempolicy.c since v6.19).
 */
export function showsDelta9(world: World): boolean {
  if (!numa(world) || isCowMapping(world.vma.flags)) return false;
  const pinned = (f: Folio | null) => f?.maybeDmaPinned === true;
  if (tablePtes(world).some(({ pte }) => pte.kind === 'present' && pinned(vm_normal_folio(world, pte)))) return true;
  return hugePmds(world).some((p) => pinned(p.folio));
}

/**
 * Δ10: versions A/B apply no folio rule (KSM, shared COW, pinned, dirty
 * file, local node) to a huge PMD under PROT_NUMA; their change_huge_pmd()
 * (mm/huge_memory.c v6.16/v6.17) skips only the huge zero page, PROT_NONE,
 * and top-tier folios without normal balancing. B'/C use
 * folio_can_map_prot_numa() there too.
 */
export function showsDelta10(world: World): boolean {
  return numa(world) && hugePmds(world).some((p) => !p.split);
}

/**
 * Δ11: before v6.19 arm64 had no pte_needs_flush()/huge_pmd_needs_flush()
 * override, so every committed run was flushed; since c320dbb7c80d arm64
 * elides flushes much as x86 does (invalid -> valid, software bits only).
 */
export const showsDelta11 = (world: World): boolean => world.config.arch === 'arm64';

const DRIFTS: Record<string, (world: World) => boolean> = { Δ9: showsDelta9, Δ10: showsDelta10, Δ11: showsDelta11 };

function checkIds(drift: readonly string[] | undefined): readonly string[] {
  for (const id of drift ?? [])
    if (!DRIFTS[id]) throw new Error(`unknown drift id '${id}' (known: ${Object.keys(DRIFTS).join(', ')})`);
  return drift ?? [];
}

/**
 * The first declared drift this world can show, or null (whole-world view,
 * for callers that compare with the plain spec themselves). Unknown ids throw.
 */
export function driftIn(world: World, drift: readonly string[] | undefined): string | null {
  for (const id of checkIds(drift)) if ((DRIFTS[id] as (w: World) => boolean)(world)) return id;
  return null;
}

/** Δ10 folios: those of huge PMDs change_huge_pmd() handles whole. */
function delta10Folios(world: World): Set<Folio> {
  const out = new Set<Folio>();
  for (const p of hugePmds(world)) if (!p.split && p.folio) out.add(p.folio);
  return out;
}

/**
 * The declared drift this world shows that no field-level relaxation
 * expresses, or null. Only one case: Δ10 where a folio of a whole huge PMD is
 * also reached through PTEs (a split PMD or a PTE table), or where the
 * single-threaded local-node rule would decide such a PMD while PTE-mapped
 * folios on the local node need it too; clearing the rule's inputs for the
 * PMD would then move PTE outcomes as well.
 */
export function unrelaxedDrift(world: World, drift: readonly string[] | undefined): string | null {
  const ids = checkIds(drift);
  if (!ids.includes('Δ10') || !showsDelta10(world)) return null;
  const folios = delta10Folios(world);
  const viaPtes = new Set<Folio>();
  for (const { pte } of tablePtes(world)) {
    const f = pte.kind === 'present' ? vm_normal_folio(world, pte) : null;
    if (f) viaPtes.add(f);
  }
  for (const p of hugePmds(world)) if (p.split && p.folio) viaPtes.add(p.folio);
  if ([...folios].some((f) => viaPtes.has(f))) return 'Δ10';
  if (localRuleDecides(world, folios) && [...viaPtes].some((f) => f.nid === world.numa.currentNid)) return 'Δ10';
  return null;
}

/** vma_is_single_threaded_private() and a Δ10 folio on the current node: the local-node row would skip it. */
function localRuleDecides(world: World, folios: ReadonlySet<Folio>): boolean {
  const stp = (world.vma.flags & VM_SHARED) === 0 && world.mm.singleThreaded;
  return stp && [...folios].some((f) => f.nid === world.numa.currentNid);
}

/**
 * The world whose version-C spec outcome is the declared older version's
 * outcome: for Δ9 every folio unpinned (in a non-COW mapping nothing else
 * reads the flag); for Δ10 the folios of whole huge PMDs with the inputs of
 * folio_can_map_prot_numa() rows 1-5 cleared (device, KSM, shared COW,
 * pinned, dirty file; the local-node row by clearing the single-threaded
 * flag, which unrelaxedDrift allows only when no PTE-mapped folio needs it).
 * The same world object when the target declares nothing this world shows.
 */
export function driftWorld(world: World, drift: readonly string[] | undefined): World {
  const ids = checkIds(drift);
  const d9 = ids.includes('Δ9') && showsDelta9(world);
  const d10 = ids.includes('Δ10') && showsDelta10(world);
  if (!d9 && !d10) return world;
  const whole = d10 ? delta10Folios(world) : new Set<Folio>();
  const folios = world.folios.map((f) => {
    let g: Folio = f;
    if (d9 && g.maybeDmaPinned) g = { ...g, maybeDmaPinned: false };
    if (whole.has(f)) g = { ...g, zoneDevice: false, ksm: false, maybeMappedShared: false, maybeDmaPinned: false, dirty: false };
    return g;
  });
  const mm = d10 && localRuleDecides(world, whole) ? { ...world.mm, singleThreaded: false } : world.mm;
  return deepFreeze({ ...world, folios, mm });
}

/** The spec as the declared older version sees the world (identity when nothing is declared). */
export function driftSpec(spec: SpecFn, drift: readonly string[] | undefined): SpecFn {
  if (!drift?.length) return spec;
  return (world) => spec(driftWorld(world, drift));
}

/** Δ11 declared and shown: exact flush equality is relaxed to containment of the reference's pages. */
export function flushDriftAllowed(world: World, drift: readonly string[] | undefined): boolean {
  return checkIds(drift).includes('Δ11') && showsDelta11(world);
}
