// A process-level model of what the live kernel does to a scenario: VMAs (runs
// of equal protection inside a region), one page table per region (regions are
// PMD-aligned and at most 512 pages), folios with per-page mapcount and
// PageAnonExclusive, holder children, and the fault paths the probes exercise.
// mprotect() and UFFDIO_WRITEPROTECT go through the spec's caller entry points
// (spec/callers.ts: mprotect_fixup_spec, uffd_wp_range_spec). Every fault-path
// rule below was checked on the live kernel first (see oracle/README.md).
import {
  _PAGE_SPECIAL,
  _PAGE_UFFD_WP,
  type Folio,
  mk_pte,
  mkFolio,
  mkVma,
  mkWorld,
  NONE_PTE,
  type PmdSlot,
  type PresentPte,
  PTE_MARKER_GUARD,
  PTE_MARKER_UFFD_WP,
  type Pte,
  pte_mkdirty,
  pte_mkuffd_wp,
  pte_mkwrite,
  pte_uffd_wp,
  pte_write,
  pte_wrprotect,
  VM_EXEC,
  VM_READ,
  VM_SHARED,
  VM_UFFD_WP,
  VM_WRITE,
  type Vma,
  X86_64_NO_SOFT_DIRTY,
} from '../pte/index.js';
import { make_pte_marker } from '../pte/softleaf.js';
import { type Decision, decidesAccess, decisionsOfWalk } from './decisions.js';
import { SPEC_ENGINE, type SpecEngine } from './engine.js';
import type { Maybe, PredictedOpResult, PredictedProbe, PredictedView } from './observation.js';
import { UNKNOWN } from './observation.js';
import { PROT_BITS, type Prot, type RegionKind, type Scenario } from './scenario.js';

const CONFIG = X86_64_NO_SOFT_DIRTY; // CONFIG_MEM_SOFT_DIRTY is not set on the target kernel
const PMD_PAGES = 512;
const FAULT_AROUND_PAGES = 16; // fault_around_bytes = 64 KiB
const ZERO_PFN = 1; // the 4 KiB zero page: a special PTE, no folio
const EINVAL = 22;
const EBADF = 9;

interface FolioState {
  readonly pfn: number;
  readonly order: number;
  readonly anon: boolean;
  readonly pae: boolean[]; // PageAnonExclusive per page
  readonly maps: number[]; // mapcount per page, this process and every live child
  inCache: boolean; // held by a page cache (file/shmem)
}

type PmdState = { kind: 'none' } | { kind: 'table' } | { kind: 'huge'; pmd: PresentPte } | { kind: 'hugezero' };

interface RegionState {
  readonly kind: RegionKind;
  readonly pages: number;
  readonly thp: boolean;
  readonly base: number; // vpn of page 0 (PMD-aligned)
  readonly prot: Prot[];
  readonly av: number[]; // anon_vma id of the page's VMA, 0 = none
  /** The page's VMA had guard markers installed: fork copies its page table (observed on 6.18, any mapping kind). */
  readonly guardCopy: boolean[];
  readonly ptes: Pte[];
  pmd: PmdState;
  readonly cache: (number | null)[]; // page-cache pfn per file offset (shared-memory and file kinds)
  uffd: { readonly unpopulated: boolean } | null;
  /** Set when the model met something it does not model; later predictions in this region are unknown. */
  unknownWhy: string | null;
}

interface ChildState {
  readonly pfns: number[]; // one entry per page it maps (a PMD counts 512 pages)
  alive: boolean;
}

export interface ModelNotes {
  /** Why predictions became unknown, one entry per distinct reason. */
  readonly unknownReasons: string[];
  /** Spec preconditions that refused a world the model built (a model or spec gap): a failure of the scenario. */
  readonly specErrors: string[];
}

export interface PredictOptions {
  /** The spec entry points (default: the spec itself). */
  readonly engine?: SpecEngine;
}

const isPrivate = (k: RegionKind): boolean => k === 'anon' || k === 'memfd_private' || k === 'file_private';
const isFile = (k: RegionKind): boolean => k === 'file_shared' || k === 'file_private' || k === 'file_shared_large';
const LARGE_FILE_ORDER = 4; // 64 KiB writes -> order-4 ext4 folios (observed)
const canUffdWp = (k: RegionKind): boolean => !isFile(k);

export class ProcessModel {
  private readonly regions: RegionState[] = [];
  private readonly children: ChildState[] = [];
  private readonly folios = new Map<number, FolioState>();
  private nextPfn = 1 << 12;
  private nextAv = 1;
  readonly notes: ModelNotes = { unknownReasons: [], specErrors: [] };
  /** Per region, the walk decision each page carries until its next read or write (see decisions.ts). */
  private readonly pending = new Map<string, Decision[]>();

  constructor(private readonly engine: SpecEngine = SPEC_ENGINE) {}

  private noteDecisions(region: number, r: RegionState, decided: ReadonlyMap<number, Decision>): void {
    for (const [vpn, d] of decided) {
      const key = `${region}:${vpn - r.base}`;
      // A split by this same call stays on record beside the walk's own decision.
      const split = this.pending.get(key)?.includes('thp:split') && this.splitNow.has(key);
      this.pending.set(key, split ? ['thp:split', d] : [d]);
    }
    this.splitNow.clear();
  }

  /** The decision that the access to this page settles, if any; consumed by the access. */
  takeDecisions(region: number, page: number, access: 'read' | 'write' | 'none'): Decision[] {
    if (access === 'none') return [];
    const key = `${region}:${page}`;
    const ds = this.pending.get(key) ?? [];
    this.pending.delete(key);
    return ds.filter((d) => decidesAccess(d, access));
  }

  /** Pages split by the mprotect call under way (their thp:split decision joins the walk's). */
  private readonly splitNow = new Set<string>();

  // ---------- folios ----------
  private allocFolio(order: number, anon: boolean): FolioState {
    const n = 1 << order;
    this.nextPfn = Math.ceil(this.nextPfn / n) * n;
    const f: FolioState = {
      pfn: this.nextPfn,
      order,
      anon,
      pae: new Array(n).fill(anon),
      maps: new Array(n).fill(0),
      inCache: !anon,
    };
    this.nextPfn += n;
    this.folios.set(f.pfn, f);
    return f;
  }

  private folioOf(pfn: number): FolioState | null {
    for (const order of [0, 1, 2, 3, LARGE_FILE_ORDER, 9]) {
      const f = this.folios.get(pfn - (pfn % (1 << order)));
      if (f && pfn < f.pfn + (1 << f.order)) return f;
    }
    return null;
  }

  private unmapPfn(pfn: number): void {
    const f = this.folioOf(pfn);
    if (!f) return;
    f.maps[pfn - f.pfn]!--;
    if (!f.inCache && f.maps.every((m) => m === 0)) this.folios.delete(f.pfn);
  }

  private mapPfn(pfn: number): void {
    const f = this.folioOf(pfn);
    if (f) f.maps[pfn - f.pfn]!++;
  }

  private childMaps(f: FolioState): boolean {
    return this.children.some((c) => c.alive && c.pfns.some((p) => p >= f.pfn && p < f.pfn + (1 << f.order)));
  }

  // ---------- VMAs ----------
  /** The run of pages [s, e) forming the VMA that holds `page` (equal prot, compatible anon_vma). */
  private vmaRange(r: RegionState, page: number): [number, number] {
    const compatible = (a: number, b: number): boolean =>
      r.prot[a] === r.prot[b] && (r.av[a] === 0 || r.av[b] === 0 || r.av[a] === r.av[b]);
    let s = page;
    while (s > 0 && compatible(s - 1, page)) s--;
    let e = page + 1;
    while (e < r.pages && compatible(e, page)) e++;
    return [s, e];
  }

  private vmFlags(r: RegionState, page: number): number {
    const bits = PROT_BITS[r.prot[page]!];
    let flags = (bits & 1 ? VM_READ : 0) | (bits & 2 ? VM_WRITE : 0) | (bits & 4 ? VM_EXEC : 0);
    if (!isPrivate(r.kind)) flags |= VM_SHARED;
    if (r.uffd) flags |= VM_UFFD_WP;
    return flags;
  }

  private vmaOf(r: RegionState, page: number): Vma {
    const [s, e] = this.vmaRange(r, page);
    const file = isFile(r.kind);
    return mkVma(
      {
        start: r.base + s,
        end: r.base + e,
        flags: this.vmFlags(r, page),
        anonymous: r.kind === 'anon',
        ops: { page_mkwrite: file, pfn_mkwrite: false }, // ext4_file_vm_ops has page_mkwrite; shmem has none
        fileCanWriteback: file,
        uffdWpUnpopulated: r.uffd?.unpopulated ?? false,
      },
      CONFIG,
    );
  }

  /** anon_vma_prepare() for the VMA holding `page`. */
  private prepareAnonVma(r: RegionState, page: number): void {
    const [s, e] = this.vmaRange(r, page);
    if (r.av[page] !== 0) return;
    const id = this.nextAv++;
    for (let i = s; i < e; i++) r.av[i] = id;
  }

  private markUnknown(r: RegionState, why: string): void {
    if (r.unknownWhy === null) r.unknownWhy = why;
    if (!this.notes.unknownReasons.includes(why)) this.notes.unknownReasons.push(why);
  }

  // ---------- the page table ----------
  private thpEligible(r: RegionState, page: number): boolean {
    if (!r.thp || r.kind !== 'anon' || r.pages !== PMD_PAGES || r.pmd.kind !== 'none' || r.uffd) return false;
    const [s, e] = this.vmaRange(r, page);
    return s === 0 && e === PMD_PAGES;
  }

  /** __split_huge_pmd(): a PMD-mapped THP or huge zero PMD becomes a PTE table. */
  private splitPmd(r: RegionState): void {
    const pmd = r.pmd;
    if (pmd.kind === 'huge') {
      for (let i = 0; i < r.pages; i++) r.ptes[i] = { kind: 'present', pfn: pmd.pmd.pfn + i, flags: pmd.pmd.flags };
    } else if (pmd.kind === 'hugezero') {
      for (let i = 0; i < r.pages; i++) r.ptes[i] = mk_pte(ZERO_PFN, this.vmaOf(r, i).vm_page_prot | _PAGE_SPECIAL);
    }
    if (pmd.kind !== 'none') r.pmd = { kind: 'table' };
  }

  private ensureTable(r: RegionState): void {
    if (r.pmd.kind === 'none') r.pmd = { kind: 'table' };
  }

  private cachePage(r: RegionState, page: number): number {
    const have = r.cache[page];
    if (have !== null && have !== undefined) return have;
    const f = this.allocFolio(0, false);
    r.cache[page] = f.pfn;
    return f.pfn;
  }

  private folioWorld(pfns: Iterable<number>): Folio[] {
    const seen = new Map<number, FolioState>();
    for (const p of pfns) {
      const f = this.folioOf(p);
      if (f) seen.set(f.pfn, f);
    }
    return [...seen.values()].map((f) =>
      mkFolio({
        pfn: f.pfn,
        order: f.order,
        anon: f.anon,
        anonExclusive: f.anon ? [...f.pae] : new Array(1 << f.order).fill(false),
      }),
    );
  }

  private worldFor(r: RegionState, s: number, e: number, a: number, b: number, vma: Vma) {
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
  private applyOutcome(r: RegionState, first: number, ptes: readonly Pte[], pmds: readonly PmdSlot[]): void {
    for (let i = 0; i < ptes.length; i++) r.ptes[first + i] = ptes[i]!;
    const pmd = pmds[0];
    if (pmd?.kind === 'huge') r.pmd = { kind: 'huge', pmd: pmd.pmd };
    else if (pmd?.kind === 'table' && r.pmd.kind !== 'hugezero') r.pmd = { kind: 'table' };
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
      ptes: new Array(pages).fill(NONE_PTE),
      pmd: { kind: 'none' },
      cache: new Array(pages).fill(null),
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

  private view(r: RegionState, page: number): PredictedView {
    const pmd = r.pmd;
    if (pmd.kind === 'huge') {
      const f = this.folioOf(pmd.pmd.pfn + page);
      return {
        present: true,
        excl: f ? f.maps[page] === 1 : UNKNOWN,
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

  private hasPmdMapping(r: RegionState): Maybe<boolean | null> {
    if (!r.thp) return null;
    return r.pmd.kind === 'huge';
  }

  access(region: number, page: number, access: 'read' | 'write' | 'none'): PredictedOpResult {
    const r = this.regions[region]!;
    const before = this.view(r, page);
    let segv = false;
    let fault = false;
    let copied = false;
    let uffd = false;
    if (access !== 'none' && r.unknownWhy === null) {
      const bits = PROT_BITS[r.prot[page]!];
      const pte = r.ptes[page]!;
      const guarded =
        r.pmd.kind !== 'huge' && r.pmd.kind !== 'hugezero' && pte.kind === 'softleaf' && (pte.offset & PTE_MARKER_GUARD) !== 0;
      if (bits === 0 || (access === 'write' && !(bits & 2)) || guarded) segv = true;
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
      copied,
      uffd,
      pmdMapped: this.hasPmdMapping(r),
    };
    return { err: 0, probe: r.unknownWhy !== null ? unknownProbe(probe) : probe };
  }

  /** A read fault, if the page is not mapped; returns whether a fault happened. */
  private readFault(r: RegionState, page: number): boolean {
    if (r.pmd.kind === 'huge' || r.pmd.kind === 'hugezero') return false;
    const pte = r.ptes[page]!;
    if (pte.kind === 'present') return false;
    const markerWp = pte.kind === 'softleaf' && (pte.offset & PTE_MARKER_UFFD_WP) !== 0;
    const vma = this.vmaOf(r, page);
    if (r.kind === 'anon') {
      if (this.thpEligible(r, page)) {
        r.pmd = { kind: 'hugezero' }; // do_huge_pmd_anonymous_page(): read -> huge zero page
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
    const pfn = this.cachePage(r, page);
    let p = mk_pte(pfn, vma.vm_page_prot);
    if (markerWp) p = pte_mkuffd_wp(p);
    r.ptes[page] = p;
    this.mapPfn(pfn);
    return true;
  }

  /** A freshly allocated anonymous page after a write fault: writable and dirty (do_anonymous_page, wp_page_copy). */
  private newAnonPte(r: RegionState, page: number, pfn: number, uffdWp: boolean): PresentPte {
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
  private newCachePte(r: RegionState, page: number, pfn: number, uffdWp: boolean): PresentPte {
    const f = this.folioOf(pfn);
    if (!f || f.anon) throw new Error(`newCachePte: pfn ${pfn} is not a page-cache folio`);
    const vma = this.vmaOf(r, page);
    let p = pte_mkwrite(pte_mkdirty(mk_pte(pfn, vma.vm_page_prot), CONFIG));
    if (uffdWp) p = pte_mkuffd_wp(p);
    return p;
  }

  private writeFault(r: RegionState, page: number): { fault: boolean; copied: boolean; uffd: boolean } {
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
          // do_shared_fault(): the page-cache page, mapped writable and dirty.
          this.ensureTable(r);
          const pfn = this.cachePage(r, page);
          this.mapPfn(pfn);
          r.ptes[page] = this.newCachePte(r, page, pfn, markerWp);
        }
        continue;
      }
      // Present, read-only.
      if (pte_uffd_wp(pte) && r.uffd) {
        uffd = true;
        this.uffdResolve(r, page, 1);
        continue;
      }
      const vma = this.vmaOf(r, page);
      if (vma.flags & VM_SHARED) {
        r.ptes[page] = pte_mkwrite(pte_mkdirty(pte, CONFIG)); // wp_page_shared() -> wp_page_reuse()
        return { fault, copied, uffd };
      }
      const f = pte.flags & _PAGE_SPECIAL ? null : this.folioOf(pte.pfn);
      if (f?.anon) {
        const i = pte.pfn - f.pfn;
        const reuse = f.pae[i] || (f.order === 0 ? f.maps[i] === 1 : !this.childMaps(f));
        if (reuse) {
          f.pae[i] = true;
          r.ptes[page] = pte_mkwrite(pte_mkdirty(pte, CONFIG));
          return { fault, copied, uffd };
        }
      }
      // wp_page_copy(): zero page, file page in a private mapping, or a shared anon page.
      if (f) this.unmapPfn(pte.pfn);
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

  /** Each VMA run of [first, first+count) with its bounds. */
  private runs(r: RegionState, first: number, count: number): { s: number; e: number; a: number; b: number }[] {
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

  private callSpec<T>(r: RegionState, what: string, f: () => T): T | null {
    try {
      return f();
    } catch (err) {
      const msg = `${what}: ${err instanceof Error ? err.message : String(err)}`;
      if (!this.notes.specErrors.includes(msg)) this.notes.specErrors.push(msg);
      this.markUnknown(r, 'the spec refused the world (see specErrors)');
      return null;
    }
  }

  mprotect(region: number, first: number, count: number, prot: Prot): PredictedOpResult {
    const r = this.regions[region]!;
    if (r.unknownWhy !== null) return { err: 0 };
    for (const { s, e, a, b } of this.runs(r, first, count)) {
      if (r.prot[a] === prot) continue; // mprotect_fixup(): same flags, no walk
      // vma_adjust_trans_huge(): a new VMA boundary inside the PMD splits it first.
      if ((r.pmd.kind === 'huge' || r.pmd.kind === 'hugezero') && (a !== 0 || b !== PMD_PAGES)) {
        this.splitPmd(r);
        for (let i = 0; i < r.pages; i++) {
          this.pending.set(`${region}:${i}`, ['thp:split']);
          this.splitNow.add(`${region}:${i}`);
        }
      }
      const bits = PROT_BITS[prot];
      const access = (bits & 1 ? VM_READ : 0) | (bits & 2 ? VM_WRITE : 0) | (bits & 4 ? VM_EXEC : 0);
      const world = this.worldFor(r, s, e, a, b, this.vmaOf(r, a));
      const out = this.callSpec(r, 'mprotect_fixup_spec', () => this.engine.mprotect(world, access));
      if (!out) return { err: 0 };
      this.noteDecisions(region, r, decisionsOfWalk(out, prot === 'none'));
      this.applyOutcome(r, out.world ? out.world.vma.start - r.base : s, out.outcome.ptes, out.outcome.pmds);
      for (let i = a; i < b; i++) r.prot[i] = prot;
    }
    // vma_merge: neighbouring VMAs with equal flags join; the merged VMA keeps the anon_vma.
    for (let i = 0; i < r.pages; ) {
      const [s, e] = this.vmaRange(r, i);
      const id = r.av.slice(s, e).find((v) => v !== 0) ?? 0;
      if (id !== 0) for (let k = s; k < e; k++) r.av[k] = id;
      i = e;
    }
    return { err: 0 };
  }

  private uffdResolve(r: RegionState, first: number, count: number): void {
    this.uffdRange(-1, r, first, count, false);
  }

  /** `region` < 0: the fault handler's resolve, whose decisions are not probes of their own. */
  private uffdRange(region: number, r: RegionState, first: number, count: number, on: boolean): void {
    for (const { s, e, a, b } of this.runs(r, first, count)) {
      if (r.pmd.kind === 'hugezero') this.splitPmd(r);
      const world = this.worldFor(r, s, e, a, b, this.vmaOf(r, a));
      const out = this.callSpec(r, 'uffd_wp_range_spec', () => this.engine.uffdWp(world, on));
      if (!out) return;
      if (region >= 0) this.noteDecisions(region, r, decisionsOfWalk(out, false));
      this.applyOutcome(r, s, out.outcome.ptes, out.outcome.pmds);
    }
  }

  uffdRegister(region: number, unpopulated: boolean): PredictedOpResult {
    const r = this.regions[region]!;
    if (!canUffdWp(r.kind)) return { err: EINVAL }; // vma_can_userfault(): no uffd-wp on ext4 files
    r.uffd = { unpopulated };
    if (r.thp) this.markUnknown(r, 'uffd-wp on MADV_HUGEPAGE regions is not modelled');
    return { err: 0 };
  }

  uffdWp(region: number, first: number, count: number, on: boolean): PredictedOpResult {
    const r = this.regions[region]!;
    if (!r.uffd) return { err: EBADF }; // the runner has no userfaultfd for this region
    if (r.unknownWhy === null) this.uffdRange(region, r, first, count, on);
    return { err: 0 };
  }

  fork(): PredictedOpResult {
    const child: ChildState = { pfns: [], alive: true };
    for (const r of this.regions) {
      // vma_needs_copy(): only VMAs with an anon_vma (or, observed, guard markers) copy their page table.
      const copies = (i: number): boolean => r.av[i] !== 0 || r.guardCopy[i] === true;
      if (r.pmd.kind === 'huge') {
        if (!copies(0)) continue;
        const f = this.folioOf(r.pmd.pmd.pfn)!;
        f.pae.fill(false);
        for (let i = 0; i < PMD_PAGES; i++) {
          f.maps[i]!++;
          child.pfns.push(f.pfn + i);
        }
        r.pmd = { kind: 'huge', pmd: pte_wrprotect(r.pmd.pmd) };
        continue;
      }
      if (r.pmd.kind === 'hugezero') continue;
      for (let i = 0; i < r.pages; i++) {
        const pte = r.ptes[i]!;
        if (!copies(i) || pte.kind !== 'present' || pte.flags & _PAGE_SPECIAL) continue;
        const f = this.folioOf(pte.pfn);
        if (!f) continue;
        f.maps[pte.pfn - f.pfn]!++;
        child.pfns.push(pte.pfn);
        if (f.anon) f.pae[pte.pfn - f.pfn] = false;
        if (isPrivate(r.kind)) r.ptes[i] = pte_wrprotect(pte); // copy_present_ptes(): COW mapping, parent write-protected too
      }
    }
    this.children.push(child);
    return { err: 0 };
  }

  exit(childIdx: number): PredictedOpResult {
    const c = this.children[childIdx];
    if (!c?.alive) return { err: 10 };
    c.alive = false;
    for (const pfn of c.pfns) this.unmapPfn(pfn);
    return { err: 0 };
  }

  /** Unmap one slot the way zap_pte_range() does for MADV_DONTNEED. */
  private zapSlot(r: RegionState, page: number): void {
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

  private zapPmdIfWhole(r: RegionState, first: number, count: number): boolean {
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
    if (isPrivate(r.kind)) this.prepareAnonVma(r, first);
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

function unknownView(): PredictedView {
  return { present: UNKNOWN, excl: UNKNOWN, uffdwp: UNKNOWN, file: UNKNOWN, guard: UNKNOWN, zero: UNKNOWN, thp: UNKNOWN };
}

function unknownProbe(p: PredictedProbe): PredictedProbe {
  return {
    before: unknownView(),
    after: unknownView(),
    segv: UNKNOWN,
    fault: UNKNOWN,
    copied: UNKNOWN,
    uffd: UNKNOWN,
    pmdMapped: p.pmdMapped === null ? null : UNKNOWN,
  };
}

export interface Prediction {
  readonly ops: readonly PredictedOpResult[];
  /** Per op: the walk decisions whose outcome this access settles (a decisive probe); empty for other ops. */
  readonly decisive: readonly (readonly Decision[])[];
  readonly notes: ModelNotes;
}

/** Predict every op of a scenario. */
export function predict(s: Scenario, opts: PredictOptions = {}): Prediction {
  const m = new ProcessModel(opts.engine);
  const decisive: Decision[][] = [];
  const ops = s.ops.map((o): PredictedOpResult => {
    decisive.push(o.op === 'access' ? m.takeDecisions(o.region, o.page, o.access) : []);
    switch (o.op) {
      case 'map':
        return m.map(o.kind, o.pages, o.thp);
      case 'access':
        return m.access(o.region, o.page, o.access);
      case 'fork':
        return m.fork();
      case 'exit':
        return m.exit(o.child);
      case 'mprotect':
        return m.mprotect(o.region, o.first, o.count, o.prot);
      case 'dontneed':
        return m.dontneed(o.region, o.first, o.count);
      case 'guard_install':
        return m.guardInstall(o.region, o.first, o.count);
      case 'guard_remove':
        return m.guardRemove(o.region, o.first, o.count);
      case 'uffd_register':
        return m.uffdRegister(o.region, o.unpopulated);
      case 'uffd_wp':
        return m.uffdWp(o.region, o.first, o.count, o.on);
      default:
        throw new Error(`unknown op ${JSON.stringify(o satisfies never)}`);
    }
  });
  return { ops, decisive, notes: m.notes };
}
