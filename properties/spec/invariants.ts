// SPDX-License-Identifier: GPL-2.0-only
// The invariants of SEMANTICS §14 as checkers: each returns null when the
// outcome respects the invariant for the world, else a message naming the slot.
//
// A second, independent oracle, kept on purpose: src/observe/invariants.ts is
// the checker `check` and the variants use; this one is written separately,
// per invariant, and each is shown to fail on a spec with one rule broken
// (invariants.test.ts). Two readings of §14 that must both accept the spec
// catch a mistake in either; neither imports the other.
// They are stated against the entries change_pte_range() actually sees: a huge
// PMD the walk split (H2/H3) is replaced by its split PTEs (anonymous) or by
// empty slots (file) before comparing; a huge PMD updated whole (H4) is read as
// 512 PTE-sized entries with pfn+i.

import { splitAnonHugePmd, usesUffdWpMarkers } from '../../spec/index.js';
import {
  _PAGE_CC,
  _PAGE_DIRTY,
  _PAGE_PAT,
  _PAGE_PCD,
  _PAGE_PWT,
  _PAGE_RW,
  _PAGE_SAVED_DIRTY,
  formatPte,
  MM_CP_PROT_NUMA,
  MM_CP_TRY_CHANGE_WRITABLE,
  MM_CP_UFFD_WP,
  MM_CP_UFFD_WP_ALL,
  MM_CP_UFFD_WP_RESOLVE,
  NONE_PTE,
  PAGE_NONE,
  PTE_MARKER_UFFD_WP,
  PTRS_PER_PTE,
  type Pte,
  page_anon_exclusive,
  pgprot_write,
  pmd_index_of,
  pte_advance_pfn,
  pte_dirty,
  pte_modify,
  pte_protnone,
  pte_same,
  pte_soft_dirty,
  pte_special,
  pte_uffd_wp,
  pte_write,
  pte_young,
  type SpecOutcome,
  SWP_MIG_DIRTY,
  SWP_MIG_YOUNG,
  SWP_SOFT_DIRTY,
  SWP_UFFD_WP,
  userfaultfd_wp,
  VM_SHARED,
  VM_WRITE,
  vm_normal_folio,
  vma_soft_dirty_enabled,
  type World,
} from '../../src/pte/index.js';

export type Check = (world: World, out: SpecOutcome) => string | null;

export interface SlotView {
  readonly vpn: number;
  readonly before: Pte;
  readonly after: Pte;
  readonly inRange: boolean;
}

/** Before/after per vpn of the VMA, huge PMDs expanded, split PMDs replaced by what the split produced. */
export function slotViews(world: World, out: SpecOutcome): SlotView[] {
  const { vma, range } = world;
  const p0 = pmd_index_of(vma.start);
  const views: SlotView[] = [];
  for (let j = 0; j < world.pmds.length; j++) {
    const lo = (p0 + j) * PTRS_PER_PTE;
    const was = world.pmds[j]!;
    const now = out.pmds[j]!;
    const split =
      was.kind === 'huge' && now.kind !== 'huge' ? (vma.anonymous ? splitAnonHugePmd(world, was.pmd) : null) : undefined;
    for (let vpn = Math.max(lo, vma.start); vpn < Math.min(lo + PTRS_PER_PTE, vma.end); vpn++) {
      const i = vpn - vma.start;
      let before: Pte = world.ptes[i]!;
      if (was.kind === 'huge')
        before = split === undefined ? pte_advance_pfn(was.pmd, vpn - lo) : split === null ? NONE_PTE : split[vpn - lo]!;
      const after: Pte = now.kind === 'huge' ? pte_advance_pfn(now.pmd, vpn - lo) : out.ptes[i]!;
      views.push({ vpn, before, after, inRange: vpn >= range.start && vpn < range.end });
    }
  }
  return views;
}

const fail = (v: SlotView, why: string): string =>
  `vpn ${v.vpn}: ${why}; before ${formatPte(v.before)}, after ${formatPte(v.after)}`;
const newprotOf = (world: World): number => (world.cp_flags & MM_CP_PROT_NUMA ? PAGE_NONE : world.vma.vm_page_prot);

function firstFailure(world: World, out: SpecOutcome, f: (v: SlotView) => string | null, inRangeOnly = true): string | null {
  for (const v of slotViews(world, out)) {
    if (inRangeOnly && !v.inRange) continue;
    const why = f(v);
    if (why !== null) return fail(v, why);
  }
  return null;
}

/** INV-1: in a private VMA every writable present entry maps an exclusive anonymous page (R-VMA.2, R-WR.4). */
export const inv1: Check = (world, out) => {
  if (world.vma.flags & VM_SHARED) return null;
  return firstFailure(world, out, ({ after }) => {
    if (after.kind !== 'present' || !pte_write(after)) return null;
    const folio = vm_normal_folio(world, after);
    if (folio === null || !folio.anon || !page_anon_exclusive(folio, after.pfn)) return 'writable but not an exclusive anon page';
    return null;
  });
};

/** INV-2: in a shared VMA whose protection is read-only (writenotify), an entry the TRY path made writable was dirty before (R-WR.3). */
export const inv2: Check = (world, out) => {
  const shared = (world.vma.flags & (VM_SHARED | VM_WRITE)) === (VM_SHARED | VM_WRITE);
  if (!shared || !(world.cp_flags & MM_CP_TRY_CHANGE_WRITABLE) || pgprot_write(newprotOf(world))) return null;
  return firstFailure(world, out, ({ before, after }) => {
    if (after.kind !== 'present' || !pte_write(after)) return null;
    if (!pte_dirty(after)) return 'made writable but not dirty';
    if (before.kind !== 'present' || !pte_dirty(before)) return 'made writable although it was clean';
    return null;
  });
};

/** INV-3: without VM_WRITE no present entry in the range is writable afterwards (R-VMA.1, R-WR.2.1). */
export const inv3: Check = (world, out) => {
  if (world.vma.flags & VM_WRITE) return null;
  return firstFailure(world, out, ({ after }) =>
    after.kind === 'present' && pte_write(after) ? 'writable without VM_WRITE' : null,
  );
};

/** INV-4: with soft-dirty tracking on, an entry the TRY path made writable has soft-dirty set (R-WR.2.3). */
export const inv4: Check = (world, out) => {
  if (!vma_soft_dirty_enabled(world.vma, world.config) || !(world.cp_flags & MM_CP_TRY_CHANGE_WRITABLE)) return null;
  if (pgprot_write(newprotOf(world))) return null;
  return firstFailure(world, out, ({ after }) =>
    after.kind === 'present' && pte_write(after) && !pte_soft_dirty(after) ? 'made writable without soft-dirty' : null,
  );
};

/** INV-5: uffd-wp is respected; after MM_CP_UFFD_WP everything in range is protected (R-WR.2.4, R-PRES.5, R-NONE.1, R-SL tail). */
export const inv5: Check = (world, out) => {
  if (!userfaultfd_wp(world.vma)) return null;
  const protect = (world.cp_flags & MM_CP_UFFD_WP) !== 0;
  const markers = usesUffdWpMarkers(world.vma);
  return firstFailure(world, out, ({ before, after }) => {
    if (after.kind === 'present' && pte_uffd_wp(after) && pte_write(after)) return 'uffd-wp and writable';
    if (!protect) return null;
    if (after.kind === 'present' && (!pte_uffd_wp(after) || pte_write(after))) return 'not write-protected by MM_CP_UFFD_WP';
    if (after.kind === 'softleaf' && after.type !== 'marker' && !(after.flags & SWP_UFFD_WP)) return 'swap entry without uffd-wp';
    if (before.kind === 'none') {
      const marked = after.kind === 'softleaf' && after.type === 'marker' && after.offset === PTE_MARKER_UFFD_WP;
      if (marked !== markers) return markers ? 'empty slot without a uffd-wp marker' : 'marker installed without need';
    }
    return null;
  });
};

/** INV-6: after MM_CP_UFFD_WP_RESOLVE nothing in range carries uffd-wp; poisoned/guard markers are untouched (R-SL.3). */
export const inv6: Check = (world, out) => {
  if (!(world.cp_flags & MM_CP_UFFD_WP_RESOLVE)) return null;
  return firstFailure(world, out, ({ before, after }) => {
    if (after.kind === 'present' && pte_uffd_wp(after)) return 'present entry keeps uffd-wp';
    if (after.kind !== 'softleaf') return null;
    if (after.type !== 'marker') return after.flags & SWP_UFFD_WP ? 'swap entry keeps uffd-wp' : null;
    if (!pte_same(before, after)) return 'a marker changed';
    return after.offset & ~PTE_MARKER_UFFD_WP ? null : 'a uffd-wp marker survived';
  });
};

/** INV-7: an entry that is PROT_NONE after the protection change is never writable (R-WR.2.2). */
export const inv7: Check = (world, out) => {
  const newprot = newprotOf(world);
  return firstFailure(world, out, ({ before, after }) => {
    if (after.kind !== 'present' || !pte_write(after)) return null;
    if (pte_protnone(after)) return 'PROT_NONE and writable';
    const becameWritable = before.kind === 'present' && !pte_write(before);
    if (becameWritable && pte_protnone(pte_modify(before, newprot))) return 'upgraded although PROT_NONE after pte_modify';
    return null;
  });
};

/** INV-8: NUMA hinting leaves an entry alone or makes it PROT_NONE, keeping pfn, uffd-wp, special and A/D/soft-dirty (R-PRES.2). */
export const inv8: Check = (world, out) => {
  if (!(world.cp_flags & MM_CP_PROT_NUMA)) return null;
  return firstFailure(world, out, ({ before, after }) => {
    if (after.kind === 'softleaf' && (after.type === 'migration_write' || after.type === 'device_private_write'))
      return 'writable softleaf kept';
    if (before.kind !== 'present') return null;
    if (after.kind !== 'present') return 'present entry vanished';
    if (pte_same(before, after)) return null;
    if (!pte_protnone(after) || pte_write(after)) return 'changed but not PROT_NONE read-only';
    if (after.pfn !== before.pfn || pte_uffd_wp(after) !== pte_uffd_wp(before) || pte_special(after) !== pte_special(before))
      return 'pfn, uffd-wp or special changed';
    if ((pte_dirty(before) && !pte_dirty(after)) || (pte_young(before) && !pte_young(after))) return 'dirty or young cleared';
    if (pte_soft_dirty(before) && !pte_soft_dirty(after)) return 'soft-dirty cleared';
    return null;
  });
};

/** INV-9: frames never change and entry kinds move only along the allowed arrows (R-PRES.4, R-SL, R-NONE). */
export const inv9: Check = (world, out) =>
  firstFailure(world, out, ({ before, after }) => {
    switch (before.kind) {
      case 'present':
        return after.kind === 'present' && after.pfn === before.pfn ? null : 'present entry lost its frame';
      case 'none':
        return after.kind === 'none' ||
          (after.kind === 'softleaf' && after.type === 'marker' && after.offset === PTE_MARKER_UFFD_WP)
          ? null
          : 'empty slot became something other than a uffd-wp marker';
      case 'softleaf':
        if (before.type === 'marker') return after.kind === 'none' || pte_same(before, after) ? null : 'marker changed';
        return after.kind === 'softleaf' && after.type !== 'marker' && after.offset === before.offset
          ? null
          : 'softleaf entry lost its offset';
      default:
        return 'unknown kind';
    }
  });

const CACHE_BITS = _PAGE_PCD | _PAGE_PWT | _PAGE_PAT | _PAGE_CC;

/** INV-10: special, cache attributes, young, dirty, soft-dirty and uffd-wp are sticky (R-PTE.1, R-PTE.2, R-SL.2, R-SL.5). */
export const inv10: Check = (world, out) => {
  const uffdFlags = (world.cp_flags & MM_CP_UFFD_WP_ALL) !== 0;
  return firstFailure(world, out, ({ before, after }) => {
    if (before.kind === 'present' && after.kind === 'present') {
      if (pte_special(before) !== pte_special(after)) return 'special changed';
      if ((before.flags & CACHE_BITS) !== (after.flags & CACHE_BITS)) return 'cache attributes changed';
      if (pte_young(before) && !pte_young(after)) return 'young cleared';
      if (pte_dirty(before) && !pte_dirty(after)) return 'dirty cleared';
      if (pte_soft_dirty(before) && !pte_soft_dirty(after)) return 'soft-dirty cleared';
      if (!uffdFlags && pte_uffd_wp(before) !== pte_uffd_wp(after)) return 'uffd-wp changed without uffd flags';
    }
    if (before.kind === 'softleaf' && after.kind === 'softleaf' && before.type !== 'marker') {
      if (before.flags & SWP_SOFT_DIRTY && !(after.flags & SWP_SOFT_DIRTY) && before.type !== 'device_private_write')
        return 'swp soft-dirty dropped';
      if ((before.flags & (SWP_MIG_YOUNG | SWP_MIG_DIRTY)) !== (after.flags & (SWP_MIG_YOUNG | SWP_MIG_DIRTY)))
        return 'migration young/dirty changed';
      if (!uffdFlags && (before.flags & SWP_UFFD_WP) !== (after.flags & SWP_UFFD_WP) && before.type !== 'migration_write')
        return 'swp uffd-wp changed without uffd flags';
    }
    return null;
  });
};

/** INV-11: no writable migration or device-private entry survives any call (R-SL.1, R-SL.2). */
export const inv11: Check = (world, out) =>
  firstFailure(world, out, ({ after }) =>
    after.kind === 'softleaf' && (after.type === 'migration_write' || after.type === 'device_private_write')
      ? 'writable non-present entry survived'
      : null,
  );

/** INV-17: the input is untouched; the only folio write is a NUMA tiering stamp on a lower-tier folio (M3). */
export function inv17(snapshot: string): Check {
  return (world, out) => {
    if (JSON.stringify(world) !== snapshot) return 'the input world changed';
    if (out.numaStamps.length === 0) return null;
    if (!(world.cp_flags & MM_CP_PROT_NUMA) || !world.numa.memoryTiering) return 'access time stamped without PROT_NUMA tiering';
    for (const pfn of out.numaStamps) {
      const folio = world.folios.find((f) => f.pfn === pfn);
      if (folio === undefined) return `stamp ${pfn} is not a folio head`;
      if (world.numa.topTierNids.includes(folio.nid)) return `stamped a top-tier folio ${pfn}`;
    }
    return null;
  };
}

/** INV-18: slots outside [start, end) are unchanged (after any split the walk made, H2/H3). */
export const inv18: Check = (world, out) => {
  for (const v of slotViews(world, out))
    if (!v.inRange && !pte_same(v.before, v.after)) return fail(v, 'outside the range but changed');
  return null;
};

const WRITE_ENCODING = _PAGE_RW | _PAGE_DIRTY | _PAGE_SAVED_DIRTY;

/** INV-20: adding MM_CP_TRY_CHANGE_WRITABLE only turns write bits on (R-WR.1-6). `withTry` is the outcome with TRY added. */
export function inv20(withTry: SpecOutcome): Check {
  return (world, out) => {
    if (out.count !== withTry.count) return `count ${out.count} vs ${withTry.count} with TRY`;
    if (JSON.stringify(out.numaStamps) !== JSON.stringify(withTry.numaStamps)) return 'stamps differ with TRY';
    const a = slotViews(world, out);
    const b = slotViews(world, withTry);
    for (const [k, v] of a.entries()) {
      const w = b[k]!;
      const x = v.after;
      const y = w.after;
      if (x.kind === 'present' && y.kind === 'present') {
        if (x.pfn !== y.pfn || (x.flags & ~WRITE_ENCODING) !== (y.flags & ~WRITE_ENCODING))
          return fail(w, 'TRY changed more than write');
        if (pte_dirty(x) !== pte_dirty(y)) return fail(w, 'TRY changed dirty');
        if (pte_write(x) && !pte_write(y)) return fail(w, 'TRY turned write off');
      } else if (!pte_same(x, y)) return fail(w, 'TRY changed a non-present entry');
    }
    return null;
  };
}
