// SPDX-License-Identifier: GPL-2.0-only
// The fault handlers a probe exercises: read faults (zero page, huge zero
// page, fault-around) and write faults (anonymous, COW, shared, uffd-wp,
// huge PMD), each checked on the live kernel first (oracle/README.md).
import {
  _PAGE_SPECIAL,
  mk_pte,
  type PresentPte,
  PTE_MARKER_UFFD_WP,
  pte_clear_uffd_wp,
  pte_mkdirty,
  pte_mkuffd_wp,
  pte_mkwrite,
  pte_uffd_wp,
  pte_write,
  VM_SHARED,
} from '../../pte/index.js';
import type { PredictedOpResult, PredictedProbe, PredictedView } from '../observation.js';
import { UNKNOWN } from '../observation.js';

import { ProtectionModel } from './protection.js';
import { CONFIG, FAULT_AROUND_PAGES, isPrivate, PMD_PAGES, type RegionState, ZERO_PFN } from './state.js';

export function unknownView(): PredictedView {
  return { present: UNKNOWN, excl: UNKNOWN, uffdwp: UNKNOWN, file: UNKNOWN, guard: UNKNOWN, zero: UNKNOWN, thp: UNKNOWN };
}

/** Every field unknown (a region the model gave up on); pmdMapped stays null outside THP regions. */
export function unknownProbe(thpRegion: boolean): PredictedProbe {
  return {
    before: unknownView(),
    after: unknownView(),
    segv: UNKNOWN,
    fault: UNKNOWN,
    faults: UNKNOWN,
    copied: UNKNOWN,
    uffd: UNKNOWN,
    pmdMapped: thpRegion ? UNKNOWN : null,
  };
}

export abstract class FaultModel extends ProtectionModel {
  access(region: number, page: number, access: 'read' | 'write' | 'none'): PredictedOpResult {
    const r = this.regions[region]!;
    const before = this.view(r, page);
    let segv = false;
    let fault = false;
    let copied = false;
    let uffd = false;
    if (access !== 'none' && r.unknownWhy === null) {
      if (this.accessSegv(r.pmd, r.ptes[page]!, r.prot[page]!, access)) segv = true;
      else if (access === 'read') fault = this.readFault(r, page);
      else {
        const w = this.writeFault(r, page);
        fault = w.fault;
        copied = w.copied;
        uffd = w.uffd;
      }
    }
    const after = this.view(r, page);
    const probe: PredictedProbe = {
      before,
      after,
      segv,
      fault: segv ? UNKNOWN : fault,
      // One accounted fault per access that faults; a uffd-wp fault is the exception: the fault that waited
      // for the handler returns VM_FAULT_RETRY (not accounted) and the retry races the handler thread's
      // UFFDIO_WRITEPROTECT, so the kernel accounts 1 to 3 faults (seen on 6.18): not predicted.
      faults: segv || uffd ? UNKNOWN : fault ? 1 : 0,
      copied,
      uffd,
      pmdMapped: this.hasPmdMapping(r),
    };
    return { err: 0, probe: r.unknownWhy !== null ? unknownProbe(probe.pmdMapped !== null) : probe };
  }
  /** A read fault, if the page is not mapped; returns whether a fault happened. */
  protected readFault(r: RegionState, page: number): boolean {
    if (r.pmd.kind === 'huge' || r.pmd.kind === 'hugezero') return false;
    const pte = r.ptes[page]!;
    if (pte.kind === 'present') return false;
    const markerWp = pte.kind === 'softleaf' && (pte.offset & PTE_MARKER_UFFD_WP) !== 0;
    const vma = this.vmaOf(r, page);
    if (r.kind === 'anon') {
      if (this.thpEligible(r, page)) {
        // do_huge_pmd_anonymous_page(): the VMA gets its anon_vma first (v6.18 mm/huge_memory.c, before the
        // read path), then a read maps the huge zero page, or, with use_zero_page off, a new THP mapped
        // writable and dirty as for a write (map_anon_folio_pmd()).
        this.prepareAnonVma(r, page);
        if (!this.settings.useZeroPage) {
          const f = this.allocFolio(9, true);
          f.maps.fill(1);
          r.pmd = { kind: 'huge', pmd: this.newAnonPte(r, 0, f.pfn, false) };
          return true;
        }
        r.pmd = { kind: 'hugezero' };
        return true;
      }
      this.ensureTable(r);
      let z = mk_pte(ZERO_PFN, vma.vm_page_prot | _PAGE_SPECIAL);
      if (markerWp) z = pte_mkuffd_wp(z); // do_anonymous_page(): the marker's uffd-wp carries over
      r.ptes[page] = z;
      return true;
    }
    this.ensureTable(r);
    // do_read_fault(): fault-around (filemap_map_pages) unless uffd-registered, then the page itself.
    if (!r.uffd) {
      const [s, e] = this.vmaRange(r, page);
      const from = Math.max(page - (page % FAULT_AROUND_PAGES), s);
      const to = Math.min(from + FAULT_AROUND_PAGES, PMD_PAGES, e);
      for (let i = from; i < to; i++) {
        const pfn = r.cache[i];
        if (i === page || pfn === null || pfn === undefined || r.ptes[i]!.kind !== 'none') continue;
        r.ptes[i] = mk_pte(pfn, this.vmaOf(r, i).vm_page_prot);
        this.mapPfn(pfn);
      }
    }
    // __do_fault() -> finish_fault(): the page, or its whole large folio (finishFaultPages()).
    const bounds = this.vmaRange(r, page);
    const pfn = this.cachePage(r, page, bounds);
    for (const q of this.finishFaultPages(r.ptes, page, pfn, bounds, r.uffd !== null)) {
      let p = mk_pte(pfn + (q - page), vma.vm_page_prot);
      if (markerWp && q === page) p = pte_mkuffd_wp(p);
      r.ptes[q] = p;
      this.mapPfn(pfn + (q - page));
    }
    return true;
  }
  /**
   * The folio order an anonymous write fault allocates in a PTE table (alloc_anon_folio(), v6.18
   * mm/memory.c): none while the VMA is userfaultfd-armed; else the highest enabled order whose aligned
   * range lies inside the VMA (thp_vma_suitable_orders()) and holds only empty PTEs (pte_range_none():
   * a marker is not empty); else 0. An allocation failure would fall back lower: not modelled, it needs
   * memory pressure.
   */
  protected anonFaultOrder(r: RegionState, page: number): number {
    if (r.uffd) return 0;
    const orders = r.thp ? this.settings.anonMthpOrders.hugepage : this.settings.anonMthpOrders.all;
    const [s, e] = this.vmaRange(r, page);
    for (const order of [...orders].sort((a, b) => b - a)) {
      const n = 1 << order;
      const start = page - (page % n);
      if (start < s || start + n > e) continue;
      if (r.ptes.slice(start, start + n).every((p) => p.kind === 'none')) return order;
    }
    return 0;
  }
  /** A freshly allocated anonymous page after a write fault: writable and dirty (do_anonymous_page, wp_page_copy). */
  protected newAnonPte(r: RegionState, page: number, pfn: number, uffdWp: boolean): PresentPte {
    const f = this.folioOf(pfn);
    if (!f?.anon) throw new Error(`newAnonPte: pfn ${pfn} is not an anonymous folio the model allocated`);
    const vma = this.vmaOf(r, page);
    let p = pte_mkwrite(pte_mkdirty(mk_pte(pfn, vma.vm_page_prot), CONFIG));
    if (uffdWp) p = pte_mkuffd_wp(p);
    return p;
  }
  /**
   * A page-cache page mapped by a write fault in a shared mapping: finish_fault() -> set_pte_range() makes
   * it writable and dirty because the fault was a write (v6.18 mm/memory.c).
   */
  protected newCachePte(r: RegionState, page: number, pfn: number, uffdWp: boolean): PresentPte {
    const f = this.folioOf(pfn);
    if (!f || f.anon) throw new Error(`newCachePte: pfn ${pfn} is not a page-cache folio`);
    const vma = this.vmaOf(r, page);
    let p = pte_mkwrite(pte_mkdirty(mk_pte(pfn, vma.vm_page_prot), CONFIG));
    if (uffdWp) p = pte_mkuffd_wp(p);
    return p;
  }
  protected writeFault(r: RegionState, page: number): { fault: boolean; copied: boolean; uffd: boolean } {
    let fault = false;
    let copied = false;
    let uffd = false;
    for (let round = 0; round < 4; round++) {
      const pmd = r.pmd;
      if (pmd.kind === 'hugezero') {
        // do_huge_zero_wp_pmd(): a write to the huge zero page allocates a THP.
        const f = this.allocFolio(9, true);
        f.maps.fill(1);
        this.prepareAnonVma(r, page);
        r.pmd = { kind: 'huge', pmd: this.newAnonPte(r, 0, f.pfn, false) };
        return { fault: true, copied: true, uffd };
      }
      if (pmd.kind === 'huge') {
        if (pte_write(pmd.pmd)) return { fault, copied, uffd };
        fault = true;
        const f = this.folioOf(pmd.pmd.pfn)!;
        // do_huge_pmd_wp_page(): reuse when exclusive, or when no one else maps the folio; else split + PTE copy.
        if (f.pae[0] || !this.childMaps(f)) {
          f.pae.fill(true);
          r.pmd = { kind: 'huge', pmd: pte_mkwrite(pte_mkdirty(pmd.pmd, CONFIG)) };
          return { fault, copied, uffd };
        }
        this.splitPmd(r);
        continue;
      }
      const pte = r.ptes[page]!;
      if (pte.kind === 'present' && pte_write(pte)) return { fault, copied, uffd };
      fault = true;
      if (pte.kind !== 'present') {
        const markerWp = pte.kind === 'softleaf' && (pte.offset & PTE_MARKER_UFFD_WP) !== 0 && r.uffd !== null;
        if (r.kind === 'anon') {
          this.prepareAnonVma(r, page);
          if (this.thpEligible(r, page)) {
            const f = this.allocFolio(9, true);
            f.maps.fill(1);
            r.pmd = { kind: 'huge', pmd: this.newAnonPte(r, 0, f.pfn, false) };
            return { fault, copied, uffd };
          }
          this.ensureTable(r);
          const order = this.anonFaultOrder(r, page);
          if (order > 0) {
            // alloc_anon_folio() found a large order whose whole aligned range is empty: every PTE of the
            // new folio is mapped at once, writable and dirty (set_ptes() in do_anonymous_page()).
            const f = this.allocFolio(order, true);
            const start = page - (page % (1 << order));
            for (let k = 0; k < 1 << order; k++) {
              f.maps[k] = 1;
              r.ptes[start + k] = this.newAnonPte(r, start + k, f.pfn + k, false);
            }
            continue;
          }
          const f = this.allocFolio(0, true);
          f.maps[0] = 1;
          r.ptes[page] = this.newAnonPte(r, page, f.pfn, markerWp);
        } else if (isPrivate(r.kind)) {
          // do_cow_fault(): the file page is looked up (shmem allocates it), the copy is anon.
          this.ensureTable(r);
          this.cachePage(r, page);
          this.prepareAnonVma(r, page);
          const f = this.allocFolio(0, true);
          f.maps[0] = 1;
          r.ptes[page] = this.newAnonPte(r, page, f.pfn, markerWp);
        } else {
          // do_shared_fault(): the page-cache page (or its whole large folio), mapped writable and dirty.
          this.ensureTable(r);
          const bounds = this.vmaRange(r, page);
          const pfn = this.cachePage(r, page, bounds);
          for (const q of this.finishFaultPages(r.ptes, page, pfn, bounds, r.uffd !== null)) {
            this.mapPfn(pfn + (q - page));
            r.ptes[q] = this.newCachePte(r, q, pfn + (q - page), markerWp && q === page);
          }
        }
        continue;
      }
      // Present, read-only.
      let ro = pte;
      if (pte_uffd_wp(pte) && r.uffd) {
        if (!r.uffd.async) {
          uffd = true;
          this.uffdResolve(r, page, 1);
          continue;
        }
        // WP_ASYNC: do_wp_page() drops the uffd-wp bit in place and handles the rest of this same fault
        // as any write to a read-only PTE (reuse or copy below); no message reaches the handler.
        ro = pte_clear_uffd_wp(pte);
        r.ptes[page] = ro;
      }
      const vma = this.vmaOf(r, page);
      if (vma.flags & VM_SHARED) {
        r.ptes[page] = pte_mkwrite(pte_mkdirty(ro, CONFIG)); // wp_page_shared() -> wp_page_reuse()
        return { fault, copied, uffd };
      }
      const f = ro.flags & _PAGE_SPECIAL ? null : this.folioOf(ro.pfn);
      if (f?.anon) {
        const i = ro.pfn - f.pfn;
        const reuse = f.pae[i] || (f.order === 0 ? f.maps[i] === 1 : !this.childMaps(f) && f.sharedWhileSingle !== true);
        if (reuse) {
          f.pae[i] = true;
          r.ptes[page] = pte_mkwrite(pte_mkdirty(ro, CONFIG));
          return { fault, copied, uffd };
        }
      }
      // wp_page_copy(): zero page, file page in a private mapping, or a shared anon page.
      if (f) this.unmapPfn(ro.pfn);
      this.prepareAnonVma(r, page);
      const nf = this.allocFolio(0, true);
      nf.maps[0] = 1;
      r.ptes[page] = this.newAnonPte(r, page, nf.pfn, false);
      copied = true;
      return { fault, copied, uffd };
    }
    // Under the spec every write fault settles within two rounds; one that does not is a failure of the
    // scenario (reported like a spec refusal), never a quiet unknown.
    const msg = 'a write fault did not settle in 4 rounds (the page stayed write-protected after the resolve)';
    if (!this.notes.specErrors.includes(msg)) this.notes.specErrors.push(msg);
    this.markUnknown(r, 'write fault did not settle');
    return { fault, copied, uffd };
  }
}
