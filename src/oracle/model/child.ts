// SPDX-License-Identifier: GPL-2.0-only
// A forked child as an actor: its own copy of the page tables (what fork()
// copied), its own VMAs (a snapshot at fork: the parent's later mprotect()
// does not reach them), its own faults, and the mapcounts its mappings hold,
// which the parent's pagemap view and reuse decisions read.
//
// Kernel reading (v6.18): dup_mmap() (kernel/fork.c) duplicates each VMA and
// calls dup_userfaultfd() (fs/userfaultfd.c), which, without
// UFFD_FEATURE_EVENT_FORK (the runner never asks for it), resets the child
// VMA's userfaultfd context and clears its VM_UFFD_* flags; for a shared VMA
// that recomputes vm_page_prot (userfaultfd_set_vm_flags()). copy_page_range()
// (mm/memory.c) then copies the page table only where vma_needs_copy() says so
// (an anon_vma; a uffd-wp child VMA, which never happens here; observed: guard
// markers). __copy_present_ptes() write-protects a COW mapping's entry in both
// processes, makes a shared mapping's child entry clean, and drops the uffd-wp
// bit when the child VMA is not uffd-wp; copy_nonpresent_pte() ->
// copy_pte_marker() keeps guard markers and drops uffd-wp markers for such a
// child; copy_huge_pmd() copies a THP (write-protected in both) and the huge
// zero PMD. The child's faults are the parent's fault paths run on the child's
// table and VMAs (mm/memory.c: do_anonymous_page, do_read_fault with
// fault-around, do_cow_fault, do_shared_fault, do_wp_page ->
// wp_can_reuse_anon_folio / wp_page_copy; mm/huge_memory.c:
// do_huge_pmd_wp_page, do_huge_zero_wp_pmd). A child has no userfaultfd, so
// it never takes a uffd-wp fault.
import {
  _PAGE_SPECIAL,
  mk_pte,
  NONE_PTE,
  type PresentPte,
  PTE_MARKER_GUARD,
  type Pte,
  pte_clear_uffd_wp,
  pte_dirty,
  pte_mkclean,
  pte_mkdirty,
  pte_mkwrite,
  pte_write,
  pte_wrprotect,
  VM_SHARED,
  type Vma,
} from '../../pte/index.js';
import { make_pte_marker } from '../../pte/softleaf.js';
import type { PredictedOpResult, PredictedProbe } from '../observation.js';
import { UNKNOWN } from '../observation.js';
import type { Prot } from '../scenario.js';

import { unknownProbe } from './faults.js';
import { MadviseModel } from './madvise.js';
import { CONFIG, FAULT_AROUND_PAGES, isPrivate, PMD_PAGES, type PmdState, type RegionState, ZERO_PFN } from './state.js';

/** A child's copy of one region: its page table and its VMAs as they were at fork. */
export interface ChildRegionState {
  readonly ptes: Pte[];
  pmd: PmdState;
  readonly prot: readonly Prot[];
  /** Per page, the bounds [s, e) of the child VMA holding it (the parent's VMA at fork). */
  readonly vmaBounds: readonly (readonly [number, number])[];
  /** Per page, the child VMA (no VM_UFFD_WP: dropped at fork). */
  readonly vmas: readonly Vma[];
}

type Access = 'read' | 'write' | 'none';

export class ChildModel extends MadviseModel {
  /** Per child index (fork order): its copy of every region mapped before its fork. */
  protected readonly childTables: ChildRegionState[][] = [];

  override fork(): PredictedOpResult {
    // The parent side (mapcounts, PageAnonExclusive cleared, COW write-protect) is ForkModel's; the
    // child's entries are derived from the parent's entries after it, slot for slot.
    const res = super.fork();
    const tables: ChildRegionState[] = this.regions.map((r) => {
      const copies = (i: number): boolean => r.av[i] !== 0 || r.guardCopy[i] === true;
      const vmaBounds: [number, number][] = [];
      const vmas: Vma[] = [];
      for (let i = 0; i < r.pages; i++) {
        const [s, e] = this.vmaRange(r, i);
        vmaBounds.push([s, e]);
        vmas.push(s === i || vmas.length === 0 ? this.vmaOf(r, i, true) : vmas[i - 1]!);
      }
      const ptes: Pte[] = r.ptes.map((pte, i) => (copies(i) ? this.copyForChild(r, pte) : NONE_PTE));
      let pmd: PmdState = r.pmd.kind === 'none' ? { kind: 'none' } : { kind: 'table' };
      if (r.pmd.kind === 'huge' || r.pmd.kind === 'hugezero') {
        if (!copies(0)) pmd = { kind: 'none' };
        else if (r.pmd.kind === 'huge') pmd = { kind: 'huge', pmd: pte_clear_uffd_wp(r.pmd.pmd) };
        else pmd = { kind: 'hugezero' };
      }
      return { ptes, pmd, prot: [...r.prot], vmaBounds, vmas };
    });
    this.childTables.push(tables);
    return res;
  }

  /**
   * The child's entry for one the parent holds after fork's write-protect (copy_present_ptes(),
   * copy_nonpresent_pte(), v6.18 mm/memory.c): the uffd-wp bit is dropped (the child VMA is not uffd-wp),
   * a shared mapping's entry starts clean, guard markers are kept, uffd-wp markers are not copied.
   */
  protected copyForChild(r: RegionState, pte: Pte): Pte {
    if (pte.kind === 'present') {
      let p: PresentPte = pte_clear_uffd_wp(pte);
      if (!isPrivate(r.kind)) p = pte_mkclean(p);
      return p;
    }
    if (pte.kind === 'softleaf' && pte.type === 'marker' && (pte.offset & PTE_MARKER_GUARD) !== 0)
      return make_pte_marker(PTE_MARKER_GUARD);
    return NONE_PTE;
  }

  /**
   * msync(MS_SYNC) cleans every mapping of a written-back folio (folio_mkclean() walks the rmap): the
   * child's entries of the shared ext4 file are made clean and read-only too, in each of its shared
   * mappings of that file (a second mapping made by map_alias as well).
   */
  override msync(region: number): PredictedOpResult {
    const res = super.msync(region);
    const r = this.regions[region]!;
    const sharedFile = (k: string): boolean => k === 'file_shared' || k === 'file_shared_large';
    if (r.unknownWhy !== null || !sharedFile(r.kind)) return res;
    this.regions.forEach((q, qi) => {
      if (q.cache !== r.cache || !sharedFile(q.kind)) return;
      this.childTables.forEach((tables, c) => {
        const t = tables[qi];
        if (!t || !this.children[c]?.alive) return;
        for (let i = 0; i < t.ptes.length; i++) {
          const pte = t.ptes[i]!;
          if (pte.kind !== 'present' || (pte.flags & _PAGE_SPECIAL) !== 0) continue;
          if (pte_dirty(pte) || pte_write(pte)) t.ptes[i] = pte_mkclean(pte_wrprotect(pte));
        }
      });
    });
    return res;
  }

  /** The frame a table maps at a page ('hz:<page>' for the huge zero page), or null. */
  private frameOf(pmd: PmdState, ptes: readonly Pte[], page: number): number | string | null {
    if (pmd.kind === 'huge') return pmd.pmd.pfn + page;
    if (pmd.kind === 'hugezero') return `hz:${page}`;
    const pte = ptes[page]!;
    if (pte.kind !== 'present') return null;
    return pte.flags & _PAGE_SPECIAL ? ZERO_PFN : pte.pfn;
  }

  /** The child's table seen as a region, for the parent's pagemap view code (same rules, other table). */
  private asRegion(r: RegionState, t: ChildRegionState): RegionState {
    return { ...r, ptes: t.ptes, pmd: t.pmd, prot: [...t.prot], uffd: null };
  }

  private childMap(c: number, pfn: number): void {
    this.mapPfn(pfn);
    this.children[c]!.pfns.push(pfn);
  }

  /** The child stops mapping a page (its write copied it away): the folio's mapcount drops with it. */
  protected childUnmap(c: number, pfn: number): void {
    const list = this.children[c]!.pfns;
    const k = list.indexOf(pfn);
    if (k >= 0) list.splice(k, 1);
    this.unmapPfn(pfn);
  }

  /** Another process (the parent or another live child) maps some page of the folio. */
  private othersMap(pfn0: number, order: number, c: number): boolean {
    const inFolio = (p: number): boolean => p >= pfn0 && p < pfn0 + (1 << order);
    for (const r of this.regions) {
      if (r.pmd.kind === 'huge' && inFolio(r.pmd.pmd.pfn)) return true;
      if (r.ptes.some((p) => p.kind === 'present' && !(p.flags & _PAGE_SPECIAL) && inFolio(p.pfn))) return true;
    }
    return this.children.some((ch, k) => k !== c && ch.alive && ch.pfns.some(inFolio));
  }

  childAccess(c: number, region: number, page: number, access: Access): PredictedOpResult {
    const r = this.regions[region]!;
    const t = this.childTables[c]?.[region];
    if (!t || !this.children[c]?.alive) return { err: 10 }; // ECHILD (validation keeps this from happening)
    const rv = this.asRegion(r, t);
    const before = this.view(rv, page);
    const unknown = (why: string): PredictedOpResult => {
      if (!this.notes.unknownReasons.includes(why)) this.notes.unknownReasons.push(why);
      return { err: 0, probe: { ...unknownProbe(r.thp), sharedWithParent: UNKNOWN } };
    };
    if (r.unknownWhy !== null) return unknown(`child access in a region the model gave up on (${r.unknownWhy})`);
    let segv = false;
    let fault = false;
    let copied = false;
    if (access !== 'none') {
      if (this.accessSegv(t.pmd, t.ptes[page]!, t.prot[page]!, access)) segv = true;
      else if (access === 'read') fault = this.childReadFault(c, r, t, page);
      else {
        const w = this.childWriteFault(c, r, t, page);
        if (w === null) return unknown('a child write to a large anonymous folio only the child maps (reuse not modelled)');
        fault = w.fault;
        copied = w.copied;
      }
    }
    const after = this.view(this.asRegion(r, t), page);
    const mine = this.frameOf(t.pmd, t.ptes, page);
    const probe: PredictedProbe = {
      before,
      after,
      segv,
      fault: segv ? UNKNOWN : fault,
      faults: segv ? UNKNOWN : fault ? 1 : 0,
      copied,
      uffd: false, // the child VMA lost VM_UFFD_WP at fork: no uffd-wp fault in the child
      pmdMapped: this.hasPmdMapping(this.asRegion(r, t)),
      sharedWithParent: mine !== null && mine === this.frameOf(r.pmd, r.ptes, page),
    };
    return { err: 0, probe };
  }

  /**
   * The child VMA's bounds and whether a THP may be allocated at `page` in it (the PMD order enabled for
   * the VMA, as in PageTableModel.thpEligible(); the child VMA is never uffd-armed).
   */
  private childThpEligible(r: RegionState, t: ChildRegionState, page: number): boolean {
    const enabled = r.thp ? this.settings.anonPmd.hugepage : this.settings.anonPmd.all;
    if (!enabled || r.kind !== 'anon' || r.pages !== PMD_PAGES || t.pmd.kind !== 'none') return false;
    const [s, e] = t.vmaBounds[page]!;
    return s === 0 && e === PMD_PAGES;
  }

  private childReadFault(c: number, r: RegionState, t: ChildRegionState, page: number): boolean {
    if (t.pmd.kind === 'huge' || t.pmd.kind === 'hugezero') return false;
    const pte = t.ptes[page]!;
    if (pte.kind === 'present') return false;
    const vma = t.vmas[page]!;
    if (r.kind === 'anon') {
      if (this.childThpEligible(r, t, page)) {
        // do_huge_pmd_anonymous_page(): a read maps the huge zero page, or with use_zero_page off a new THP.
        if (this.settings.useZeroPage) t.pmd = { kind: 'hugezero' };
        else this.childNewThp(c, t);
        return true;
      }
      if (t.pmd.kind === 'none') t.pmd = { kind: 'table' };
      t.ptes[page] = mk_pte(ZERO_PFN, vma.vm_page_prot | _PAGE_SPECIAL); // do_anonymous_page(): zero page
      return true;
    }
    if (t.pmd.kind === 'none') t.pmd = { kind: 'table' };
    this.childFaultAround(c, r, t, page);
    // finish_fault(): the page or its whole large folio; the child VMA is never uffd-armed.
    const bounds = t.vmaBounds[page]!;
    const pfn = this.cachePage(r, page, bounds);
    for (const q of this.finishFaultPages(t.ptes, page, pfn, bounds, false)) {
      t.ptes[q] = mk_pte(pfn + (q - page), vma.vm_page_prot);
      this.childMap(c, pfn + (q - page));
    }
    return true;
  }

  /**
   * do_read_fault() -> do_fault_around(): the page-cache pages of the 16-page window, clamped to the child's
   * VMA, are mapped read-only beside the faulting page. The child VMA is never uffd-armed (dup_userfaultfd()
   * dropped it), so fault-around runs in the child even where the parent's VMA skips it.
   */
  protected childFaultAround(c: number, r: RegionState, t: ChildRegionState, page: number): void {
    const [s, e] = t.vmaBounds[page]!;
    const from = Math.max(page - (page % FAULT_AROUND_PAGES), s);
    const to = Math.min(from + FAULT_AROUND_PAGES, PMD_PAGES, e);
    for (let i = from; i < to; i++) {
      const pfn = r.cache[i];
      if (i === page || pfn === null || pfn === undefined || t.ptes[i]!.kind !== 'none') continue;
      t.ptes[i] = mk_pte(pfn, t.vmas[i]!.vm_page_prot);
      this.childMap(c, pfn);
    }
  }

  /** A new THP mapped by the child's PMD, writable and dirty (map_anon_folio_pmd()). */
  private childNewThp(c: number, t: ChildRegionState): void {
    const f = this.allocFolio(9, true);
    f.maps.fill(1);
    for (let i = 0; i < PMD_PAGES; i++) this.children[c]!.pfns.push(f.pfn + i);
    t.pmd = { kind: 'huge', pmd: pte_mkwrite(pte_mkdirty(mk_pte(f.pfn, t.vmas[0]!.vm_page_prot), CONFIG)) };
  }

  /** A new exclusive anonymous order-0 page in the child, writable and dirty. */
  private childNewAnon(c: number, t: ChildRegionState, page: number): void {
    const f = this.allocFolio(0, true);
    f.maps[0] = 1;
    this.children[c]!.pfns.push(f.pfn);
    t.ptes[page] = pte_mkwrite(pte_mkdirty(mk_pte(f.pfn, t.vmas[page]!.vm_page_prot), CONFIG));
  }

  /** null: a case the model does not settle (the probe is reported unknown). */
  private childWriteFault(
    c: number,
    r: RegionState,
    t: ChildRegionState,
    page: number,
  ): { fault: boolean; copied: boolean } | null {
    if (t.pmd.kind === 'hugezero') {
      // do_huge_zero_wp_pmd(): a THP replaces the huge zero page in the child.
      this.childNewThp(c, t);
      return { fault: true, copied: true };
    }
    if (t.pmd.kind === 'huge') {
      const hp = t.pmd.pmd;
      if (pte_write(hp)) return { fault: false, copied: false };
      const f = this.folioOf(hp.pfn)!;
      // do_huge_pmd_wp_page(): reuse when exclusive or mapped by no other process; else split and copy.
      if (f.pae[0] || !this.othersMap(f.pfn, f.order, c)) {
        f.pae.fill(true);
        t.pmd = { kind: 'huge', pmd: pte_mkwrite(pte_mkdirty(hp, CONFIG)) };
        return { fault: true, copied: false };
      }
      for (let i = 0; i < r.pages; i++) t.ptes[i] = { kind: 'present', pfn: hp.pfn + i, flags: hp.flags };
      t.pmd = { kind: 'table' };
    }
    const pte = t.ptes[page]!;
    if (pte.kind === 'present' && pte_write(pte)) return { fault: false, copied: false };
    if (pte.kind !== 'present') {
      if (r.kind === 'anon') {
        if (this.childThpEligible(r, t, page)) {
          this.childNewThp(c, t);
          return { fault: true, copied: false };
        }
        if (t.pmd.kind === 'none') t.pmd = { kind: 'table' };
        const order = this.childAnonOrder(r, t, page);
        if (order > 0) {
          // alloc_anon_folio(): a large folio mapped whole at once (as in the parent).
          const f = this.allocFolio(order, true);
          const start = page - (page % (1 << order));
          for (let k = 0; k < 1 << order; k++) {
            f.maps[k] = 1;
            this.children[c]!.pfns.push(f.pfn + k);
            t.ptes[start + k] = pte_mkwrite(pte_mkdirty(mk_pte(f.pfn + k, t.vmas[start + k]!.vm_page_prot), CONFIG));
          }
          return { fault: true, copied: false };
        }
        this.childNewAnon(c, t, page);
        return { fault: true, copied: false };
      }
      if (t.pmd.kind === 'none') t.pmd = { kind: 'table' };
      if (isPrivate(r.kind)) {
        // do_cow_fault(): the file page is looked up (shmem allocates it), the child gets an anonymous copy.
        this.cachePage(r, page, t.vmaBounds[page]!);
        this.childNewAnon(c, t, page);
        return { fault: true, copied: false };
      }
      // do_shared_fault(): the page-cache page (or its whole large folio), writable and dirty.
      const bounds = t.vmaBounds[page]!;
      const pfn = this.cachePage(r, page, bounds);
      for (const q of this.finishFaultPages(t.ptes, page, pfn, bounds, false)) {
        this.childMap(c, pfn + (q - page));
        t.ptes[q] = pte_mkwrite(pte_mkdirty(mk_pte(pfn + (q - page), t.vmas[q]!.vm_page_prot), CONFIG));
      }
      return { fault: true, copied: false };
    }
    // Present, read-only.
    const vma = t.vmas[page]!;
    if (vma.flags & VM_SHARED) {
      t.ptes[page] = pte_mkwrite(pte_mkdirty(pte, CONFIG)); // wp_page_shared() -> wp_page_reuse()
      return { fault: true, copied: false };
    }
    const f = pte.flags & _PAGE_SPECIAL ? null : this.folioOf(pte.pfn);
    if (f?.anon) {
      const i = pte.pfn - f.pfn;
      if (f.pae[i]) {
        t.ptes[page] = pte_mkwrite(pte_mkdirty(pte, CONFIG));
        return { fault: true, copied: false };
      }
      if (f.order === 0) {
        // wp_can_reuse_anon_folio(): an order-0 folio is reused when this mapping holds its only reference.
        if (f.maps[0] === 1) {
          f.pae[0] = true;
          t.ptes[page] = pte_mkwrite(pte_mkdirty(pte, CONFIG));
          return { fault: true, copied: false };
        }
      } else if (!this.othersMap(f.pfn, f.order, c)) return null;
    }
    // wp_page_copy(): the zero page, a file page in a private mapping, or an anonymous page others map.
    if (f) this.childUnmap(c, pte.pfn);
    this.childNewAnon(c, t, page);
    return { fault: true, copied: true };
  }

  /** The anonymous folio order a child write fault allocates (alloc_anon_folio(); the child is never uffd-armed). */
  private childAnonOrder(r: RegionState, t: ChildRegionState, page: number): number {
    const orders = r.thp ? this.settings.anonMthpOrders.hugepage : this.settings.anonMthpOrders.all;
    const [s, e] = t.vmaBounds[page]!;
    for (const order of [...orders].sort((a, b) => b - a)) {
      const n = 1 << order;
      const start = page - (page % n);
      if (start < s || start + n > e) continue;
      if (t.ptes.slice(start, start + n).every((p) => p.kind === 'none')) return order;
    }
    return 0;
  }
}
