// SPDX-License-Identifier: GPL-2.0-only
// Worlds with the PMD shapes the main builder does not draw (yet): the huge
// zero page in an anonymous VMA, and non-present huge PMDs (a THP under
// migration, a device-private THP). Built from a PMD-mapped THP world of
// worldArb() by replacing its huge PMD, so everything else (VMA, caller, range,
// the other PMDs) comes from the main builder. The lead may fold this into
// worldArb() with a weight; until then properties/kernel/pmd_shapes.test.ts
// uses it directly.
//
// What a shape may be is the kernel's (mm/huge_memory.c, Diangang/linux @ 35ce50121a22):
// - the huge zero page: special, read-only, never dirty, only in anonymous VMAs
//   (set_huge_zero_folio() from do_huge_pmd_anonymous_page());
// - a migration PMD names the head of the migrating order-9 folio; read-exclusive
//   only for an anon folio; young/dirty live in the entry (SWP_MIG_*);
// - a device-private PMD names an anon zone-device folio, in an anonymous VMA.
// A non-present PMD of an anonymous VMA is always covered whole (its split is not
// modelled), so the range is widened to the PMD when needed.
import fc from 'fast-check';
import {
  _PAGE_ACCESSED,
  _PAGE_DIRTY_BITS,
  _PAGE_RW,
  _PAGE_SOFT_DIRTY,
  _PAGE_SPECIAL,
  _PAGE_UFFD_WP,
  checkWorld,
  type Folio,
  MAX_FOLIO_ORDER,
  mk_softleaf,
  mkFolio,
  type PmdSlot,
  PTRS_PER_PTE,
  pmd_index_of,
  type SoftleafType,
  SWP_MIG_DIRTY,
  SWP_MIG_YOUNG,
  SWP_SOFT_DIRTY,
  SWP_UFFD_WP,
  type World,
} from '../pte/index.js';
import { HUGE_ZERO_PFN } from '../pte/types.js';
import { worldArb } from './world_arb.js';

export type PmdShape = 'zero' | Extract<SoftleafType, `migration_${string}` | `device_private_${string}`>;

export const PMD_SHAPES: readonly PmdShape[] = [
  'zero',
  'migration_read',
  'migration_read_exclusive',
  'migration_write',
  'device_private_read',
  'device_private_write',
];

/** The huge PMD of `world` replaced by `shape`, or null when the shape cannot occur there. */
export function withPmdShape(world: World, shape: PmdShape): World | null {
  const j = world.pmds.findIndex((p) => p.kind === 'huge');
  const slot = world.pmds[j];
  if (slot?.kind !== 'huge') return null;
  const pmd = slot.pmd;
  const folio = world.folios.find((f) => f.pfn === pmd.pfn && f.order === MAX_FOLIO_ORDER);
  if (!folio) return null;
  const anonVma = world.vma.anonymous;
  const others = world.folios.filter((f) => f !== folio);
  let folios: Folio[];
  let next: PmdSlot;
  let range = world.range;

  if (shape === 'zero') {
    if (!anonVma) return null;
    const flags = (pmd.flags & ~(_PAGE_RW | _PAGE_DIRTY_BITS)) | _PAGE_SPECIAL;
    next = { kind: 'huge', pmd: { kind: 'present', pfn: HUGE_ZERO_PFN, flags } };
    folios = [...others, mkFolio({ pfn: HUGE_ZERO_PFN, order: MAX_FOLIO_ORDER, anon: false })];
  } else {
    const device = shape.startsWith('device_private_');
    if (device && !anonVma) return null;
    if (shape === 'migration_read_exclusive' && !folio.anon) return null;
    let swp = 0;
    if (pmd.flags & _PAGE_SOFT_DIRTY) swp |= SWP_SOFT_DIRTY;
    if (pmd.flags & _PAGE_UFFD_WP) swp |= SWP_UFFD_WP;
    if (!device && pmd.flags & _PAGE_ACCESSED) swp |= SWP_MIG_YOUNG;
    if (!device && pmd.flags & _PAGE_DIRTY_BITS) swp |= SWP_MIG_DIRTY;
    next = { kind: 'softleaf', pmd: mk_softleaf(shape, folio.pfn, swp) };
    folios = [...others, device ? { ...folio, zoneDevice: true, fileLru: false } : folio];
    if (anonVma) {
      const lo = (pmd_index_of(world.vma.start) + j) * PTRS_PER_PTE;
      range = { start: Math.min(range.start, lo), end: Math.max(range.end, lo + PTRS_PER_PTE) };
    }
  }
  const pmds = world.pmds.map((p, i) => (i === j ? next : p));
  const out: World = { ...world, pmds, folios, range };
  return checkWorld(out).length === 0 ? out : null;
}

/** PMD-mapped THP worlds of worldArb() with their huge PMD replaced by one of PMD_SHAPES. */
export function pmdShapesArb(): fc.Arbitrary<World> {
  return fc
    .tuple(worldArb({ hugeWeight: 1_000_000 }), fc.constantFrom(...PMD_SHAPES))
    .map(([world, shape]) => withPmdShape(world, shape))
    .filter((w): w is World => w !== null);
}
