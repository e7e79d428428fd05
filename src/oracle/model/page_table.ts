// SPDX-License-Identifier: GPL-2.0-only
// The page-table model: one PMD slot and one PTE table per region, how a
// probe sees a page through pagemap, and the World a spec call walks.
import {
  _PAGE_SPECIAL,
  _PAGE_UFFD_WP,
  mk_pte,
  mkWorld,
  type PmdSlot,
  PTE_MARKER_GUARD,
  PTE_MARKER_UFFD_WP,
  type Pte,
  pte_protnone,
  pte_uffd_wp,
  pte_write,
  type Vma,
} from '../../pte/index.js';
import type { Maybe, PredictedView } from '../observation.js';
import { UNKNOWN } from '../observation.js';
import { PROT_BITS, type Prot } from '../scenario.js';
import { RegionModel } from './regions.js';
import { CONFIG, PMD_PAGES, type PmdState, type RegionState, ZERO_PFN } from './state.js';

export abstract class PageTableModel extends RegionModel {
  // ---------- the page table ----------
  /**
   * An anonymous fault may map a whole PMD: the PMD order is enabled for this VMA (ModelSettings.anonPmd),
   * the region is one whole PMD, nothing is mapped there yet, no uffd-wp, and one VMA covers it.
   */
  protected thpEligible(r: RegionState, page: number): boolean {
    const enabled = r.thp ? this.settings.anonPmd.hugepage : this.settings.anonPmd.all;
    if (!enabled || r.kind !== 'anon' || r.pages !== PMD_PAGES || r.pmd.kind !== 'none' || r.uffd) return false;
    const [s, e] = this.vmaRange(r, page);
    return s === 0 && e === PMD_PAGES;
  }
  /** __split_huge_pmd(): a PMD-mapped THP or huge zero PMD becomes a PTE table. */
  protected splitPmd(r: RegionState): void {
    const pmd = r.pmd;
    if (pmd.kind === 'huge') {
      for (let i = 0; i < r.pages; i++) r.ptes[i] = { kind: 'present', pfn: pmd.pmd.pfn + i, flags: pmd.pmd.flags };
    } else if (pmd.kind === 'hugezero') {
      for (let i = 0; i < r.pages; i++) r.ptes[i] = mk_pte(ZERO_PFN, this.vmaOf(r, i).vm_page_prot | _PAGE_SPECIAL);
    }
    if (pmd.kind !== 'none') r.pmd = { kind: 'table' };
  }
  protected ensureTable(r: RegionState): void {
    if (r.pmd.kind === 'none') r.pmd = { kind: 'table' };
  }
  protected worldFor(r: RegionState, s: number, e: number, a: number, b: number, vma: Vma) {
    const ptes = r.ptes.slice(s, e);
    const pfns: number[] = [];
    for (const p of ptes) if (p.kind === 'present' && !(p.flags & _PAGE_SPECIAL)) pfns.push(p.pfn);
    let pmd: PmdSlot = r.thp ? { kind: r.pmd.kind === 'none' ? 'none' : 'table' } : { kind: 'table' };
    if (r.pmd.kind === 'huge') {
      pmd = { kind: 'huge', pmd: r.pmd.pmd };
      pfns.push(r.pmd.pmd.pfn);
    } else if (r.pmd.kind === 'hugezero') pmd = { kind: 'none' };
    return mkWorld({
      config: CONFIG,
      vma,
      ptes,
      folios: this.folioWorld(pfns),
      pmds: [pmd],
      range: { start: r.base + a, end: r.base + b },
    });
  }
  /**
   * Write back every entry of the walked world (`first` = the region page of its first slot). The whole
   * world is written, not only the requested range: an entry the spec changed outside the range is what
   * the kernel would have done under that spec, and the probes must see it.
   */
  protected applyOutcome(r: RegionState, first: number, ptes: readonly Pte[], pmds: readonly PmdSlot[]): void {
    for (let i = 0; i < ptes.length; i++) r.ptes[first + i] = ptes[i]!;
    const pmd = pmds[0];
    if (pmd?.kind === 'huge') r.pmd = { kind: 'huge', pmd: pmd.pmd };
    else if (pmd?.kind === 'table' && r.pmd.kind !== 'hugezero') r.pmd = { kind: 'table' };
  }
  protected view(r: RegionState, page: number): PredictedView {
    const pmd = r.pmd;
    if (pmd.kind === 'huge') {
      const f = this.folioOf(pmd.pmd.pfn + page);
      return {
        present: true,
        // pagemap_pmd_range() (fs/proc/task_mmu.c, v6.18) decides PM_MMAP_EXCLUSIVE once per PMD, from the
        // precise mapcount of the PMD's first page, and reports it for every page of the THP (observed on
        // 6.18.44: a child that copied page 0 away makes every parent page exclusive; one that copied
        // page 1 away leaves them all shared). PTE-mapped pages are judged one by one.
        excl: f ? f.maps[0] === 1 : UNKNOWN,
        uffdwp: (pmd.pmd.flags & _PAGE_UFFD_WP) !== 0,
        file: false,
        guard: false,
        zero: false,
        thp: true,
      };
    }
    // The huge zero folio is not anon: pagemap reports PM_FILE for it (observed on 6.18).
    if (pmd.kind === 'hugezero')
      return { present: true, excl: false, uffdwp: false, file: true, guard: false, zero: true, thp: true };
    const pte = r.ptes[page]!;
    switch (pte.kind) {
      case 'none':
        return { present: false, excl: false, uffdwp: false, file: false, guard: false, zero: false, thp: false };
      case 'softleaf':
        return {
          present: false,
          excl: false,
          uffdwp: pte.type === 'marker' && (pte.offset & PTE_MARKER_UFFD_WP) !== 0,
          file: false,
          guard: pte.type === 'marker' && (pte.offset & PTE_MARKER_GUARD) !== 0,
          zero: false,
          thp: false,
        };
      case 'present': {
        const uffdwp = pte_uffd_wp(pte);
        if (pte.flags & _PAGE_SPECIAL)
          return { present: true, excl: false, uffdwp, file: false, guard: false, zero: true, thp: false };
        const f = this.folioOf(pte.pfn);
        if (!f) return { present: true, excl: UNKNOWN, uffdwp, file: UNKNOWN, guard: false, zero: false, thp: UNKNOWN };
        return {
          present: true,
          excl: f.maps[pte.pfn - f.pfn] === 1,
          uffdwp,
          file: !f.anon,
          guard: false,
          zero: false,
          thp: f.order > 0, // KPF_THP is set for large file folios too (observed on ext4)
        };
      }
    }
  }
  /**
   * Whether a read or write of `page` through this page table ends in SIGSEGV. The MMU reads the entry
   * before anything else: an entry that allows the access is used with no fault, whatever the VMA says
   * (present and not PROT_NONE for a read, writable as well for a write); only a fault reaches the VMA check
   * (`prot`) and the guard marker. So an entry the spec left more permissive than its VMA shows as a missing
   * SIGSEGV or fault. The huge zero page never reaches the spec here: the VMA decides for it.
   */
  protected accessSegv(pmd: PmdState, pte: Pte, prot: Prot, access: 'read' | 'write'): boolean {
    const entry = pmd.kind === 'huge' ? pmd.pmd : pmd.kind === 'hugezero' ? null : pte;
    if (entry?.kind === 'present' && !pte_protnone(entry) && (access === 'read' || pte_write(entry))) return false;
    const guarded =
      pmd.kind !== 'huge' && pmd.kind !== 'hugezero' && pte.kind === 'softleaf' && (pte.offset & PTE_MARKER_GUARD) !== 0;
    const bits = PROT_BITS[prot];
    return bits === 0 || (access === 'write' && !(bits & 2)) || guarded;
  }
  protected hasPmdMapping(r: RegionState): Maybe<boolean | null> {
    if (!r.thp) return null;
    return r.pmd.kind === 'huge';
  }
}
