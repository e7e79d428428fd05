// SPDX-License-Identifier: GPL-2.0-only
// MADV_DONTNEED (zap) and MADV_GUARD_INSTALL / MADV_GUARD_REMOVE.
import {
  _PAGE_SPECIAL,
  NONE_PTE,
  PTE_MARKER_GUARD,
  PTE_MARKER_UFFD_WP,
  pte_dirty,
  pte_mkclean,
  pte_uffd_wp,
  pte_write,
  pte_wrprotect,
} from '../../pte/index.js';
import { make_pte_marker } from '../../pte/softleaf.js';
import type { PredictedOpResult } from '../observation.js';
import { UNKNOWN } from '../observation.js';

import { ForkModel } from './fork.js';
import { isPrivate, PMD_PAGES, type RegionState } from './state.js';

export class MadviseModel extends ForkModel {
  /** Unmap one slot the way zap_pte_range() does for MADV_DONTNEED. */
  protected zapSlot(r: RegionState, page: number): void {
    const pte = r.ptes[page]!;
    if (pte.kind === 'present') {
      if (!(pte.flags & _PAGE_SPECIAL)) this.unmapPfn(pte.pfn);
      // zap_install_uffd_wp_if_needed(): non-anonymous VMAs keep a uffd-wp marker; anonymous ones drop all.
      r.ptes[page] = r.kind !== 'anon' && r.uffd && pte_uffd_wp(pte) ? make_pte_marker(PTE_MARKER_UFFD_WP) : NONE_PTE;
    } else if (pte.kind === 'softleaf' && !(pte.offset & PTE_MARKER_GUARD)) {
      // uffd-wp markers: dropped on anonymous VMAs (observed), kept elsewhere.
      if (r.kind === 'anon') r.ptes[page] = NONE_PTE;
    }
  }
  protected zapPmdIfWhole(r: RegionState, first: number, count: number): boolean {
    if (r.pmd.kind !== 'huge' && r.pmd.kind !== 'hugezero') return false;
    if (first === 0 && count === PMD_PAGES) {
      if (r.pmd.kind === 'huge') for (let i = 0; i < PMD_PAGES; i++) this.unmapPfn(r.pmd.pmd.pfn + i);
      r.pmd = { kind: 'none' };
      return true;
    }
    this.splitPmd(r);
    return false;
  }
  dontneed(region: number, first: number, count: number): PredictedOpResult {
    const r = this.regions[region]!;
    if (r.unknownWhy !== null) return { err: 0 };
    if (this.zapPmdIfWhole(r, first, count)) return { err: 0 };
    for (let i = first; i < first + count; i++) this.zapSlot(r, i);
    // CONFIG_PT_RECLAIM: an emptied PTE table over a whole PMD is freed.
    if (r.thp && first === 0 && count === PMD_PAGES && r.ptes.every((p) => p.kind === 'none')) r.pmd = { kind: 'none' };
    return { err: 0 };
  }
  guardInstall(region: number, first: number, count: number): PredictedOpResult {
    const r = this.regions[region]!;
    if (r.unknownWhy !== null) return { err: UNKNOWN };
    if (r.kind !== 'anon' && r.uffd)
      // Observed: never returns while a non-anonymous range carries uffd-wp (zap re-installs the marker).
      this.markUnknown(r, 'MADV_GUARD_INSTALL on a uffd-wp registered shared-memory range (livelock)');
    if (r.unknownWhy !== null) return { err: UNKNOWN };
    // madvise_guard_install() (v6.18 mm/madvise.c) runs once per VMA of the range and prepares each one's
    // anon_vma (so that fork copies the markers); VMAs whose anon_vma differ no longer merge.
    if (isPrivate(r.kind)) for (const { a } of this.runs(r, first, count)) this.prepareAnonVma(r, a);
    for (const { s, e } of this.runs(r, first, count)) for (let i = s; i < e; i++) r.guardCopy[i] = true;
    if (r.pmd.kind === 'huge' || r.pmd.kind === 'hugezero') {
      if (!this.zapPmdIfWhole(r, first, count)) this.splitPmd(r);
    }
    this.ensureTable(r);
    for (let i = first; i < first + count; i++) {
      const pte = r.ptes[i]!;
      if (pte.kind === 'present' && !(pte.flags & _PAGE_SPECIAL)) this.unmapPfn(pte.pfn);
      r.ptes[i] = make_pte_marker(PTE_MARKER_GUARD);
    }
    return { err: 0 };
  }
  /**
   * msync(MS_SYNC) over the whole region. Only an ext4 shared mapping has writeback to do: vfs_fsync_range()
   * -> ext4_sync_file() writes the dirty page-cache folios, and clearing a folio's dirty flag for the I/O
   * (folio_clear_dirty_for_io() -> folio_mkclean() -> page_vma_mkclean_one(), v6.18 mm/page-writeback.c and
   * mm/rmap.c) makes every PTE of it that is dirty or writable read-only and clean, so the next write
   * faults again (writenotify). shmem's fsync does nothing; private and anonymous mappings keep their PTEs.
   */
  msync(region: number): PredictedOpResult {
    const r = this.regions[region]!;
    if (r.unknownWhy !== null) return { err: UNKNOWN };
    if (r.kind !== 'file_shared' && r.kind !== 'file_shared_large') return { err: 0 };
    for (let i = 0; i < r.pages; i++) {
      const pte = r.ptes[i]!;
      if (pte.kind !== 'present' || (pte.flags & _PAGE_SPECIAL) !== 0) continue;
      if (pte_dirty(pte) || pte_write(pte)) r.ptes[i] = pte_mkclean(pte_wrprotect(pte));
    }
    return { err: 0 };
  }
  guardRemove(region: number, first: number, count: number): PredictedOpResult {
    const r = this.regions[region]!;
    if (r.unknownWhy !== null) return { err: UNKNOWN };
    if (r.pmd.kind === 'huge' || r.pmd.kind === 'hugezero') return { err: 0 };
    for (let i = first; i < first + count; i++) {
      const pte = r.ptes[i]!;
      if (pte.kind === 'softleaf' && pte.offset & PTE_MARKER_GUARD) r.ptes[i] = NONE_PTE;
    }
    return { err: 0 };
  }
}
