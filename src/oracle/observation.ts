// SPDX-License-Identifier: GPL-2.0-only
// What the runner reports and how it is reduced to comparable probe fields.
// A probe is one access op: the page's pagemap view before and after, and what
// the access did. Both the live kernel and the model produce `Probe`s.

/** /proc/self/pagemap + /proc/kpageflags of one page, as runner.c prints it. */
export interface RawPagemap {
  readonly present: number;
  readonly swapped: number;
  readonly pfn: number;
  readonly excl: number; // bit 56 PM_MMAP_EXCLUSIVE (precise page mapcount == 1)
  readonly uffdwp: number; // bit 57 (present uffd-wp PTE, or uffd-wp marker)
  readonly file: number; // bit 61 PM_FILE (page is not anon)
  readonly sd: number; // bit 55 soft-dirty (0 without CONFIG_MEM_SOFT_DIRTY)
  readonly guard: number; // bit 58 PM_GUARD_REGION
  readonly zero: number; // KPF_ZERO_PAGE (4K or huge zero page)
  readonly thp: number; // KPF_THP
  readonly anon: number;
  readonly head: number;
  readonly tail: number;
}

export interface RawAccess {
  readonly i: number;
  readonly op: 'A';
  readonly err: number;
  readonly r: number;
  readonly p: number;
  readonly acc: 'r' | 'w' | 'n';
  readonly minflt: number;
  /** Major faults of the probing thread (a fault retried with FAULT_FLAG_TRIED counts here); absent in old runs. */
  readonly majflt?: number;
  readonly segv: number;
  readonly uffd: number;
  readonly hugeBefore: number;
  readonly hugeAfter: number;
  readonly before: RawPagemap;
  readonly after: RawPagemap;
}

/**
 * A forked child's access (runner `C`): the same fields as an `A` record, seen from the child's own
 * pagemap and fault counters, plus the child index and the parent's pagemap entry of the page right after.
 */
export interface RawChildAccess extends Omit<RawAccess, 'op'> {
  readonly op: 'C';
  readonly child: number;
  readonly parent: RawPagemap;
}

export interface RawOther {
  readonly i: number;
  readonly op: string;
  readonly err: number;
  /** After an mprotect(): the region's VMAs from /proc/self/smaps ("first-end VmFlags;" per VMA). */
  readonly vmas?: string;
}

/**
 * The VmFlags mnemonics compared (fs/proc/task_mmu.c show_smap_vma_flags(), v6.18): VM_READ, VM_WRITE,
 * VM_EXEC, VM_SHARED, VM_ACCOUNT, VM_HUGEPAGE, VM_UFFD_WP. The others (the VM_MAY* bits, ...) are not
 * modelled and left out of the comparison.
 */
export const COMPARED_VM_FLAGS = ['rd', 'wr', 'ex', 'sh', 'ac', 'hg', 'uw'] as const;

/** The runner's smaps layout reduced to the compared flags: "first-end rd wr;..." in page order. */
export function normalizeVmas(raw: string): string {
  return raw
    .split(';')
    .filter((v) => v.trim() !== '')
    .map((v) => {
      const [range, ...flags] = v.trim().split(' ').filter(Boolean);
      const keep = COMPARED_VM_FLAGS.filter((f) => flags.includes(f));
      return [range, ...keep].join(' ');
    })
    .join(';');
}

export type RawOp = RawAccess | RawChildAccess | RawOther;

export interface RawRun {
  readonly id: string;
  readonly ok: boolean;
  readonly error?: string;
  readonly kpageflags?: number;
  readonly ops?: readonly RawOp[];
}

/** The page as a probe sees it. */
export interface PageView {
  readonly present: boolean;
  readonly excl: boolean; // pagemap bit 56
  readonly uffdwp: boolean; // pagemap bit 57
  readonly file: boolean; // pagemap bit 61
  readonly guard: boolean; // pagemap bit 58
  /** The (huge) zero page (KPF_ZERO_PAGE); null when /proc/kpageflags is unreadable (not root). */
  readonly zero: boolean | null;
  /** Page of a large folio / huge zero page (KPF_THP); null when /proc/kpageflags is unreadable. */
  readonly thp: boolean | null;
}

/** One probe. `copied`: present before and after with a different pfn. */
export interface Probe {
  readonly before: PageView;
  readonly after: PageView;
  readonly segv: boolean;
  readonly fault: boolean; // ru_minflt moved (only meaningful without SIGSEGV)
  /**
   * How many faults the access took (ru_minflt + ru_majflt of the probing thread, counted by the kernel's
   * mm_account_fault() once per completed fault, v6.18 mm/memory.c); only meaningful without SIGSEGV.
   */
  readonly faults: number;
  /** null when pagemap hides page frame numbers (no CAP_SYS_ADMIN). */
  readonly copied: boolean | null;
  readonly uffd: boolean; // a userfaultfd write-protect fault was delivered
  /** The VMA holds a PMD-mapped THP after the access (AnonHugePages > 0); null outside THP regions. */
  readonly pmdMapped: boolean | null;
  /**
   * Child probes only: after the access the child maps the very page frame the parent maps at that page
   * (both present, equal pfn), the decisive observable for copy-on-write; null when pfns are hidden.
   */
  readonly sharedWithParent?: boolean | null;
}

export const UNKNOWN = 'unknown' as const;
export type Maybe<T> = T | typeof UNKNOWN;

export interface PredictedView {
  readonly present: Maybe<boolean>;
  readonly excl: Maybe<boolean>;
  readonly uffdwp: Maybe<boolean>;
  readonly file: Maybe<boolean>;
  readonly guard: Maybe<boolean>;
  readonly zero: Maybe<boolean>;
  readonly thp: Maybe<boolean>;
}

export interface PredictedProbe {
  readonly before: PredictedView;
  readonly after: PredictedView;
  readonly segv: Maybe<boolean>;
  readonly fault: Maybe<boolean>;
  readonly faults: Maybe<number>;
  readonly copied: Maybe<boolean>;
  readonly uffd: Maybe<boolean>;
  readonly pmdMapped: Maybe<boolean | null>;
  /** Child probes only (see Probe). */
  readonly sharedWithParent?: Maybe<boolean>;
}

/** Each op's outcome: an errno (0 = success) and, for access ops, the probe. */
export interface OpResult {
  readonly err: number;
  readonly probe?: Probe;
  /** After an mprotect(): the region's VMA layout (normalizeVmas()); absent from older runs. */
  readonly vmas?: string;
}

export interface PredictedOpResult {
  readonly err: Maybe<number>;
  readonly probe?: PredictedProbe;
  readonly vmas?: Maybe<string>;
}

function view(p: RawPagemap, kpf: boolean): PageView {
  return {
    present: p.present === 1,
    excl: p.excl === 1,
    uffdwp: p.uffdwp === 1,
    file: p.file === 1,
    guard: p.guard === 1,
    zero: kpf ? p.zero === 1 : null,
    thp: kpf ? p.thp === 1 : null,
  };
}

/**
 * `kpageflags`: the runner could read /proc/kpageflags. A present page always has a non-zero pfn, so a
 * present page reported with pfn 0 means pagemap hides pfns from this user.
 */
export function probeOf(a: RawAccess | RawChildAccess, thpRegion: boolean, kpageflags = true): Probe {
  const segv = a.segv === 1;
  const pfnHidden = (a.before.present === 1 && a.before.pfn === 0) || (a.after.present === 1 && a.after.pfn === 0);
  return {
    before: view(a.before, kpageflags),
    after: view(a.after, kpageflags),
    segv,
    // A SIGSEGV is delivered on a pre-faulted alternate stack; the fault itself is not counted.
    fault: !segv && a.minflt > 0,
    faults: a.minflt + (a.majflt ?? 0),
    copied: pfnHidden ? null : a.before.present === 1 && a.after.present === 1 && a.before.pfn !== a.after.pfn,
    uffd: a.uffd > 0,
    pmdMapped: thpRegion ? a.hugeAfter > 0 : null,
  };
}

export function isRawAccess(o: RawOp): o is RawAccess {
  return o.op === 'A';
}

export function isRawChildAccess(o: RawOp): o is RawChildAccess {
  return o.op === 'C' && (o as RawChildAccess).before !== undefined;
}

/** A child probe: probeOf() of the child's view, plus whether the child and the parent map one page frame. */
export function childProbeOf(a: RawChildAccess, thpRegion: boolean, kpageflags = true): Probe {
  const p = probeOf(a, thpRegion, kpageflags);
  const hidden = (a.after.present === 1 && a.after.pfn === 0) || (a.parent.present === 1 && a.parent.pfn === 0);
  return {
    ...p,
    sharedWithParent: hidden ? null : a.after.present === 1 && a.parent.present === 1 && a.after.pfn === a.parent.pfn,
  };
}
