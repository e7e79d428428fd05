// SPDX-License-Identifier: GPL-2.0-only
// Coverage labels: what a generated world exercises. Classification only,
// read from the world before the call; no label decides correctness.
import { batchRuns } from '../observe/batch_runs.js';
import {
  _PAGE_PAT,
  _PAGE_PCD,
  _PAGE_PKEY_MASK,
  _PAGE_PKEY_SHIFT,
  _PAGE_PWT,
  type Folio,
  folio_nr_pages,
  MM_CP_PROT_NUMA,
  MM_CP_TRY_CHANGE_WRITABLE,
  MM_CP_UFFD_WP,
  MM_CP_UFFD_WP_RESOLVE,
  type PresentPte,
  PTRS_PER_PTE,
  type Pte,
  page_anon_exclusive,
  pfn_folio,
  pmd_index_of,
  pte_dirty,
  pte_protnone,
  pte_soft_dirty,
  pte_write,
  softleaf_is_guard_marker,
  softleaf_is_poison_marker,
  softleaf_is_uffd_wp_marker,
  userfaultfd_wp,
  VM_SHARED,
  vm_normal_folio,
  vma_soft_dirty_enabled,
  type World,
} from '../pte/index.js';

export interface LabelDef {
  readonly id: string;
  /** Required minimum share of cases, as a fraction (QuickCheck `cover`). */
  readonly min: number;
  readonly describe: string;
}

/** The labels the default generator must keep reaching, with their minimum shares. */
export const LABELS: readonly LabelDef[] = [
  { id: 'batch-n>=2', min: 0.3, describe: 'a batch of two or more PTEs' },
  { id: 'batch-starts-mid-folio', min: 0.08, describe: 'a batch starts on a page other than the folio head' },
  { id: 'batch-ends-at-range-end-in-folio', min: 0.03, describe: 'the range ends inside a folio, cutting a batch' },
  { id: 'mixed-exclusive-sub-runs', min: 0.03, describe: 'private TRY batch whose pages differ in PageAnonExclusive' },
  { id: 'adjacent-folios-consecutive-pfns', min: 0.02, describe: 'neighbouring PTEs map consecutive pfns of two folios' },
  { id: 'range-crosses-pmd', min: 0.08, describe: 'the range spans a PTE-table boundary' },
  { id: 'migration-write-downgrade', min: 0.03, describe: 'a writable migration entry in range' },
  { id: 'device-private-write-downgrade', min: 0.03, describe: 'a writable device-private entry in range' },
  { id: 'marker-install', min: 0.01, describe: 'MM_CP_UFFD_WP installs markers on none slots' },
  { id: 'marker-removal', min: 0.005, describe: 'MM_CP_UFFD_WP_RESOLVE meets a uffd-wp marker' },
  { id: 'guard-or-poison-marker', min: 0.01, describe: 'a guard or poisoned marker in range' },
  { id: 'numa-skip-protnone', min: 0.005, describe: 'PROT_NUMA meets an already PROT_NONE PTE' },
  {
    id: 'numa-skip-folio',
    min: 0.01,
    describe: 'PROT_NUMA meets a folio it must skip (NULL, KSM, zone-device, shared COW, pinned, dirty file)',
  },
  { id: 'numa-skip-local-node', min: 0.003, describe: 'PROT_NUMA on a single-threaded private VMA, folio on the local node' },
  { id: 'numa-processed', min: 0.01, describe: 'PROT_NUMA makes a present PTE PROT_NONE' },
  { id: 'shared-try-clean', min: 0.02, describe: 'shared VMA, TRY, a clean read-only PTE' },
  { id: 'shared-try-dirty', min: 0.02, describe: 'shared VMA, TRY, a dirty read-only PTE' },
  { id: 'soft-dirty-tracking', min: 0.1, describe: 'soft-dirty tracking on for the VMA' },
  { id: 'soft-dirty-smear-possible', min: 0.01, describe: 'a batch whose soft-dirty is clear with a dirty non-first PTE (Δ3)' },
  { id: 'uffd-wp-registered', min: 0.2, describe: 'the VMA is registered for uffd-wp' },
  { id: 'pmd-huge-whole', min: 0.03, describe: 'a PMD-mapped THP fully inside the range' },
  { id: 'pmd-split', min: 0.03, describe: 'a PMD-mapped THP that must be split first' },
  { id: 'pmd-partly-covered', min: 0.02, describe: 'the range covers part of a PMD-mapped THP (split)' },
  { id: 'pmd-anon-split-to-ptes', min: 0.01, describe: 'an anonymous THP split into PTEs the call then changes' },
  { id: 'pmd-uffd-wp-split', min: 0.005, describe: 'MM_CP_UFFD_WP on a file THP: split for PTE-level markers' },
  { id: 'pmd-uffd-wp-whole', min: 0.003, describe: 'MM_CP_UFFD_WP or _RESOLVE on a whole anonymous THP' },
  { id: 'pmd-try-whole', min: 0.005, describe: 'TRY on a whole, read-only, accessible THP' },
  { id: 'pmd-try-shared', min: 0.002, describe: 'TRY on a whole THP in a shared VMA' },
  { id: 'pmd-numa-hinted', min: 0.0015, describe: 'PROT_NUMA makes a whole THP PROT_NONE' },
  { id: 'pmd-numa-protnone', min: 0.002, describe: 'PROT_NUMA meets a whole THP that is already PROT_NONE' },
  { id: 'pmd-numa-skip-folio', min: 0.002, describe: 'PROT_NUMA meets a whole THP whose folio it must skip' },
  { id: 'pmd-with-ptes', min: 0.03, describe: 'a PMD-mapped THP and PTE-mapped pages in the same VMA' },
  { id: 'pmd-idle-beside-range', min: 0.001, describe: 'a PMD-mapped THP beside a range that does not reach it' },
  {
    id: 'numa-shared-single-threaded-local',
    min: 0.0015,
    describe: 'PROT_NUMA, shared VMA, single-threaded mm, a migratable folio on the local node (still hinted)',
  },
  { id: 'cache-bits', min: 0.05, describe: 'a present entry in range carries PWT, PCD or PAT' },
  { id: 'pkey-changes', min: 0.01, describe: "a present entry's protection key differs from the VMA's new one" },
  { id: 'empty-table', min: 0.01, describe: 'a PMD with no PTE table' },
  { id: 'arm64', min: 0.1, describe: 'arm64 configuration' },
];

/**
 * Would PROT_NUMA hint this folio if nothing but the single-threaded-local
 * rule could skip it? The other skips of folio_can_map_prot_numa()
 * (mm/mempolicy.c, v6.19) and the top-tier rule, read from the world.
 */
function numaMigratable(world: World, folio: Folio | null, shared: boolean): folio is Folio {
  if (!folio || folio.ksm || folio.zoneDevice || folio.maybeDmaPinned) return false;
  if (!shared && folio.maybeMappedShared) return false;
  if (folio.fileLru && folio.dirty) return false;
  return world.numa.balancingNormal || !world.numa.topTierNids.includes(folio.nid);
}

const CACHE_BITS = _PAGE_PWT | _PAGE_PCD | _PAGE_PAT;
const pkeyOf = (pte: PresentPte): number => (pte.flags & _PAGE_PKEY_MASK) >> _PAGE_PKEY_SHIFT;

function inRangeSlots(world: World): { vpn: number; pte: Pte }[] {
  const out: { vpn: number; pte: Pte }[] = [];
  for (let vpn = world.range.start; vpn < world.range.end; vpn++)
    out.push({ vpn, pte: world.ptes[vpn - world.vma.start] as Pte });
  return out;
}

/** The set of label ids a world exercises. */
export function labelsOf(world: World): Set<string> {
  const labels = new Set<string>();
  const add = (id: string, cond: boolean) => cond && labels.add(id);
  const cp = world.cp_flags;
  const shared = (world.vma.flags & VM_SHARED) !== 0;
  const runs = batchRuns(world);
  const slots = inRangeSlots(world);
  add(
    'batch-n>=2',
    runs.some((r) => r.nr >= 2),
  );
  for (const run of runs) {
    const first = world.ptes[run.start - world.vma.start];
    if (!run.folio || first?.kind !== 'present' || run.folio.order === 0) continue;
    const headOffset = first.pfn - run.folio.pfn;
    add('batch-starts-mid-folio', headOffset > 0);
    add(
      'batch-ends-at-range-end-in-folio',
      run.start + run.nr === world.range.end && headOffset + run.nr < folio_nr_pages(run.folio),
    );
    const excl = Array.from({ length: run.nr }, (_, k) => page_anon_exclusive(run.folio!, first.pfn + k));
    add('mixed-exclusive-sub-runs', !shared && (cp & MM_CP_TRY_CHANGE_WRITABLE) !== 0 && new Set(excl).size > 1);
    const members = Array.from({ length: run.nr }, (_, k) => world.ptes[run.start + k - world.vma.start]!);
    const presentMembers = members.filter((p) => p.kind === 'present');
    add(
      'soft-dirty-smear-possible',
      world.config.memSoftDirty && run.nr > 1 && !pte_soft_dirty(presentMembers[0]!) && presentMembers.slice(1).some(pte_dirty),
    );
  }
  slots.forEach(({ pte }, k) => {
    const prev = k > 0 ? slots[k - 1]!.pte : undefined;
    if (pte.kind === 'present' && prev?.kind === 'present' && pte.pfn === prev.pfn + 1) {
      const a = pfn_folio(world.folios, prev.pfn);
      const b = pfn_folio(world.folios, pte.pfn);
      add('adjacent-folios-consecutive-pfns', a !== null && b !== null && a !== b);
    }
    if (pte.kind === 'softleaf') {
      add('migration-write-downgrade', pte.type === 'migration_write');
      add('device-private-write-downgrade', pte.type === 'device_private_write');
      add('marker-removal', (cp & MM_CP_UFFD_WP_RESOLVE) !== 0 && softleaf_is_uffd_wp_marker(pte));
      add('guard-or-poison-marker', softleaf_is_guard_marker(pte) || softleaf_is_poison_marker(pte));
    }
    if (pte.kind === 'none')
      add(
        'marker-install',
        (cp & MM_CP_UFFD_WP) !== 0 && userfaultfd_wp(world.vma) && (!world.vma.anonymous || world.vma.uffdWpUnpopulated),
      );
    if (pte.kind === 'present') {
      add('cache-bits', (pte.flags & CACHE_BITS) !== 0);
      add('pkey-changes', pkeyOf(pte) !== world.vma.pkey && !pte_protnone(pte));
    }
    if (pte.kind === 'present' && cp & MM_CP_PROT_NUMA) {
      const folio = vm_normal_folio(world, pte);
      const skipsFolio = !folio || folio.ksm || folio.zoneDevice || folio.maybeDmaPinned || (folio.fileLru && folio.dirty);
      add('numa-skip-protnone', pte_protnone(pte));
      add('numa-skip-folio', !pte_protnone(pte) && skipsFolio);
      add(
        'numa-skip-local-node',
        !pte_protnone(pte) && !shared && world.mm.singleThreaded && folio?.nid === world.numa.currentNid,
      );
      add('numa-processed', !pte_protnone(pte) && !skipsFolio);
      add(
        'numa-shared-single-threaded-local',
        !pte_protnone(pte) &&
          shared &&
          world.mm.singleThreaded &&
          numaMigratable(world, folio, shared) &&
          folio.nid === world.numa.currentNid,
      );
    }
    if (pte.kind === 'present' && shared && cp & MM_CP_TRY_CHANGE_WRITABLE && !pte_protnone(pte)) {
      add('shared-try-clean', !pte_dirty(pte));
      add('shared-try-dirty', pte_dirty(pte));
    }
  });
  add('range-crosses-pmd', pmd_index_of(world.range.start) !== pmd_index_of(world.range.end - 1));
  add('soft-dirty-tracking', vma_soft_dirty_enabled(world.vma, world.config));
  add('uffd-wp-registered', userfaultfd_wp(world.vma));
  pmdLabels(world, add);
  add(
    'empty-table',
    world.pmds.some((p) => p.kind === 'none'),
  );
  add('arm64', world.config.arch === 'arm64');
  return labels;
}

/** Labels of the PMD-mapped THPs the range touches (change_pmd_range(): whole -> change_huge_pmd(), else split). */
function pmdLabels(world: World, add: (id: string, cond: boolean) => void): void {
  const cp = world.cp_flags;
  const shared = (world.vma.flags & VM_SHARED) !== 0;
  const p0 = pmd_index_of(world.vma.start);
  const hasPtes = world.ptes.some((p) => p.kind !== 'none');
  world.pmds.forEach((slot, j) => {
    if (slot.kind !== 'huge') return;
    add('pmd-with-ptes', hasPtes);
    const lo = (p0 + j) * PTRS_PER_PTE;
    const hi = lo + PTRS_PER_PTE;
    const touched = world.range.end > lo && world.range.start < hi;
    add('pmd-idle-beside-range', !touched);
    if (!touched) return;
    const whole = world.range.start <= lo && world.range.end >= hi;
    // pgtable_split_needed(): uffd-wp markers live at PTE level, so a file THP is split (mm/mprotect.c).
    const uffdSplit = (cp & MM_CP_UFFD_WP) !== 0 && !world.vma.anonymous;
    const split = !whole || uffdSplit;
    add('pmd-huge-whole', !split);
    add('pmd-split', split);
    add('pmd-partly-covered', !whole);
    add('pmd-anon-split-to-ptes', split && world.vma.anonymous);
    add('pmd-uffd-wp-split', uffdSplit);
    if (split) return;
    const pmd = slot.pmd;
    const protnone = pte_protnone(pmd);
    add('pmd-uffd-wp-whole', (cp & (MM_CP_UFFD_WP | MM_CP_UFFD_WP_RESOLVE)) !== 0);
    const ro = !pte_write(pmd);
    add('pmd-try-whole', (cp & MM_CP_TRY_CHANGE_WRITABLE) !== 0 && ro && !protnone);
    add('pmd-try-shared', (cp & MM_CP_TRY_CHANGE_WRITABLE) !== 0 && shared && ro && !protnone);
    if (!(cp & MM_CP_PROT_NUMA)) return;
    const folio = pfn_folio(world.folios, pmd.pfn);
    add('pmd-numa-protnone', protnone);
    add('pmd-numa-hinted', !protnone && numaMigratable(world, folio, shared));
    add('pmd-numa-skip-folio', !protnone && !numaMigratable(world, folio, shared));
  });
}
