// SPDX-License-Identifier: GPL-2.0-only
// The region (VMA) model: a region is a PMD-aligned mapping; its VMAs are the
// runs of equal protection and compatible anon_vma inside it (mprotect splits
// and vma_merge joins them).
import { mkVma, NONE_PTE, type Pte, VM_EXEC, VM_READ, VM_SHARED, VM_UFFD_WP, VM_WRITE, type Vma } from '../../pte/index.js';
import { type PredictedOpResult, UNKNOWN } from '../observation.js';
import { aliasKind, PROT_BITS, type RegionKind } from '../scenario.js';

import { FolioTracker } from './folios.js';
import { CONFIG, isFile, isPrivate, isShmem, type ModelNotes, type ModelSettings, PMD_PAGES, type RegionState } from './state.js';

export abstract class RegionModel extends FolioTracker {
  protected abstract readonly settings: ModelSettings;
  protected readonly regions: RegionState[] = [];
  protected nextAv = 1;
  readonly notes: ModelNotes = { unknownReasons: [], specErrors: [] };
  // ---------- VMAs ----------
  /** The run of pages [s, e) forming the VMA that holds `page` (equal prot, compatible anon_vma). */
  protected vmaRange(r: RegionState, page: number): [number, number] {
    const compatible = (a: number, b: number): boolean =>
      r.prot[a] === r.prot[b] && r.acct[a] === r.acct[b] && (r.av[a] === 0 || r.av[b] === 0 || r.av[a] === r.av[b]);
    let s = page;
    while (s > 0 && compatible(s - 1, page)) s--;
    let e = page + 1;
    while (e < r.pages && compatible(e, page)) e++;
    return [s, e];
  }
  protected vmFlags(r: RegionState, page: number): number {
    const bits = PROT_BITS[r.prot[page]!];
    let flags = (bits & 1 ? VM_READ : 0) | (bits & 2 ? VM_WRITE : 0) | (bits & 4 ? VM_EXEC : 0);
    if (!isPrivate(r.kind)) flags |= VM_SHARED;
    if (r.uffd) flags |= VM_UFFD_WP;
    return flags;
  }
  /** The VMA holding `page`; `withoutUffd`: as a forked child has it (dup_userfaultfd() drops VM_UFFD_WP). */
  protected vmaOf(r: RegionState, page: number, withoutUffd = false): Vma {
    const [s, e] = this.vmaRange(r, page);
    const file = isFile(r.kind);
    return mkVma(
      {
        start: r.base + s,
        end: r.base + e,
        flags: withoutUffd ? this.vmFlags(r, page) & ~VM_UFFD_WP : this.vmFlags(r, page),
        anonymous: r.kind === 'anon',
        ops: { page_mkwrite: file, pfn_mkwrite: false }, // ext4_file_vm_ops has page_mkwrite; shmem has none
        fileCanWriteback: file,
        uffdWpUnpopulated: withoutUffd ? false : (r.uffd?.unpopulated ?? false),
      },
      CONFIG,
    );
  }
  /**
   * anon_vma_prepare() for the VMA holding `page`. find_mergeable_anon_vma() (v6.18 mm/rmap.c) first
   * tries to reuse the next VMA's anon_vma, then the previous one's, when that neighbour is
   * anon_vma_compatible(): adjacent, same file and contiguous offset, flags equal but for the access bits
   * (so VM_ACCOUNT must match). Only then is a new anon_vma allocated.
   */
  protected prepareAnonVma(r: RegionState, page: number): void {
    const [s, e] = this.vmaRange(r, page);
    if (r.av[page] !== 0) return;
    const reusable = (i: number): number => (i >= 0 && i < r.pages && r.av[i] !== 0 && r.acct[i] === r.acct[page] ? r.av[i]! : 0);
    const id = reusable(e) || reusable(s - 1) || this.nextAv++;
    for (let i = s; i < e; i++) r.av[i] = id;
  }
  protected markUnknown(r: RegionState, why: string): void {
    if (r.unknownWhy === null) r.unknownWhy = why;
    if (!this.notes.unknownReasons.includes(why)) this.notes.unknownReasons.push(why);
  }
  /** Each VMA run of [first, first+count) with its bounds. */
  protected runs(r: RegionState, first: number, count: number): { s: number; e: number; a: number; b: number }[] {
    const out: { s: number; e: number; a: number; b: number }[] = [];
    let p = first;
    while (p < first + count) {
      const [s, e] = this.vmaRange(r, p);
      const b = Math.min(e, first + count);
      out.push({ s, e, a: p, b });
      p = b;
    }
    return out;
  }
  /**
   * The region's VMAs as smaps shows them after an mprotect(): "first-end flags;" with the compared
   * VmFlags (observation.ts COMPARED_VM_FLAGS), in page order.
   */
  vmaLayout(region: number): string | typeof UNKNOWN {
    const r = this.regions[region]!;
    if (r.unknownWhy !== null) return UNKNOWN;
    const out: string[] = [];
    for (let i = 0; i < r.pages; ) {
      const [s, e] = this.vmaRange(r, i);
      const f = this.vmFlags(r, i);
      const names = [
        f & VM_READ ? 'rd' : '',
        f & VM_WRITE ? 'wr' : '',
        f & VM_EXEC ? 'ex' : '',
        f & VM_SHARED ? 'sh' : '',
        r.acct[i] ? 'ac' : '',
        r.thp ? 'hg' : '', // MADV_HUGEPAGE at map time
        f & VM_UFFD_WP ? 'uw' : '',
      ].filter(Boolean);
      out.push([`${s}-${e}`, ...names].join(' '));
      i = e;
    }
    return out.join(';');
  }
  /**
   * The page-cache page at `page`, allocated if missing. A shmem fault allocates the highest enabled order
   * (ModelSettings.shmemOrders) whose aligned range lies inside the faulting VMA (`bounds`, default the
   * region's VMA at `page`: thp_vma_suitable_orders()) and holds no page-cache page yet (the xa_find() test of
   * shmem_suitable_orders(), v6.18 mm/shmem.c); else order 0. Other kinds get order 0 (ext4 files are
   * filled before the scenario starts).
   */
  protected cachePage(r: RegionState, page: number, bounds: readonly [number, number] = this.vmaRange(r, page)): number {
    const have = r.cache[page];
    if (have !== null && have !== undefined) return have;
    let order = 0;
    if (isShmem(r.kind)) {
      const orders = r.thp ? this.settings.shmemOrders.hugepage : this.settings.shmemOrders.all;
      const [s, e] = bounds;
      for (const o of [...orders].sort((a, b) => b - a)) {
        const start = page - (page % (1 << o));
        if (start < s || start + (1 << o) > e) continue;
        if (r.cache.slice(start, start + (1 << o)).some((p) => p !== null)) continue;
        order = o;
        break;
      }
    }
    const f = this.allocFolio(order, false);
    const start = page - (page % (1 << order));
    for (let k = 0; k < 1 << order; k++) r.cache[start + k] = f.pfn + k;
    return f.pfn + (page - start);
  }
  /**
   * The pages a file fault maps with the page-cache page `pfn` at `page` (finish_fault(), v6.18 mm/memory.c):
   * the whole large folio when it lies inside the VMA (`bounds`) and one PTE table, the VMA is not uffd-armed
   * and every entry over it is empty (a marker is not); else the faulting page alone. Observed on 6.18.44 for
   * shmem and ext4 folios alike.
   */
  protected finishFaultPages(
    ptes: readonly Pte[],
    page: number,
    pfn: number,
    bounds: readonly [number, number],
    uffdArmed: boolean,
  ): number[] {
    const f = this.folioOf(pfn);
    if (!f || f.order === 0 || uffdArmed) return [page];
    const start = page - (pfn - f.pfn);
    const end = start + (1 << f.order);
    if (start < bounds[0] || end > bounds[1] || Math.floor(start / PMD_PAGES) !== Math.floor((end - 1) / PMD_PAGES))
      return [page];
    if (ptes.slice(start, end).some((p) => p.kind !== 'none')) return [page];
    return Array.from({ length: end - start }, (_, k) => start + k);
  }
  // ---------- ops ----------
  map(kind: RegionKind, pages: number, thp: boolean): PredictedOpResult {
    const base = (this.regions.length * 2 + 1) * PMD_PAGES;
    const r: RegionState = {
      kind,
      pages,
      thp,
      base,
      prot: new Array(pages).fill('rw'),
      av: new Array(pages).fill(0),
      guardCopy: new Array(pages).fill(false),
      acct: new Array(pages).fill(isPrivate(kind)), // accountable_mapping(): private and writable (rw at map)
      ptes: new Array(pages).fill(NONE_PTE),
      pmd: { kind: 'none' },
      cache: new Array(pages).fill(null),
      aliasOf: null,
      uffd: null,
      unknownWhy: null,
    };
    if (kind === 'file_shared_large') {
      // One write per 64 KiB; ext4 sizes each folio from what is left of the write (largest aligned power of two).
      for (let pos = 0; pos < pages; ) {
        const chunkEnd = Math.min(pages, pos - (pos % 16) + 16);
        let order = Math.floor(Math.log2(chunkEnd - pos));
        while (pos % (1 << order) !== 0) order--;
        const f = this.allocFolio(order, false);
        for (let k = 0; k < 1 << order; k++) r.cache[pos + k] = f.pfn + k;
        pos += 1 << order;
      }
    } else if (isFile(kind)) for (let i = 0; i < pages; i++) this.cachePage(r, i); // the runner fills the file first
    this.regions.push(r);
    return { err: 0 };
  }
  /**
   * A second mapping (MAP_SHARED or MAP_PRIVATE, whole file from offset 0) of the file or memfd behind
   * region `of`: a region of its own (own VMA, own page table, never THP) over the same page cache.
   */
  mapAlias(of: number, shared: boolean): PredictedOpResult {
    const src = this.regions[of]!;
    const kind = aliasKind(src.kind, shared);
    const pages = src.pages;
    this.regions.push({
      kind,
      pages,
      thp: false,
      base: (this.regions.length * 2 + 1) * PMD_PAGES,
      prot: new Array(pages).fill('rw'),
      av: new Array(pages).fill(0),
      guardCopy: new Array(pages).fill(false),
      acct: new Array(pages).fill(isPrivate(kind)),
      ptes: new Array(pages).fill(NONE_PTE),
      pmd: { kind: 'none' },
      cache: src.cache,
      aliasOf: of,
      uffd: null,
      unknownWhy: src.unknownWhy,
    });
    return { err: 0 };
  }
}
