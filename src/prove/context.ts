// SPDX-License-Identifier: GPL-2.0-only
// The world-level part of the bounded domain: configuration, VMA and
// cp_flags. Every combination that matters and that a real caller can
// produce is listed; see docs/strength.md for what is reduced and why.
import {
  _PAGE_PAT,
  _PAGE_PCD,
  _PAGE_PWT,
  ARM64,
  type KConfig,
  MM_CP_PROT_NUMA,
  MM_CP_TRY_CHANGE_WRITABLE,
  MM_CP_UFFD_WP,
  MM_CP_UFFD_WP_RESOLVE,
  mkVmaExact,
  REAL_CP_FLAGS,
  VM_EXEC,
  VM_MAYEXEC,
  VM_MAYREAD,
  VM_MAYWRITE,
  VM_PFNMAP,
  VM_READ,
  VM_SHARED,
  VM_SOFTDIRTY,
  VM_UFFD_WP,
  VM_WRITE,
  type Vma,
  vm_get_page_prot,
  vma_page_prot,
  X86_64,
  X86_64_NO_SOFT_DIRTY,
} from '../pte/index.js';

export type ConfigName = 'x86-64' | 'x86-64-nosd' | 'arm64';
export const PROVE_CONFIGS: Record<ConfigName, KConfig> = { 'x86-64': X86_64, 'x86-64-nosd': X86_64_NO_SOFT_DIRTY, arm64: ARM64 };

/**
 * VMA kinds that differ in what the rules read: private anon (COW), private
 * file (COW, anon or page-cache folios), shared file with a writeback
 * filesystem (writenotify: shared write needs a dirty PTE), shmem (no
 * writenotify), PFNMAP (special PTEs, no folios) private and shared.
 */
export type VmaKind = 'anon-private' | 'file-private' | 'file-shared' | 'shmem' | 'pfnmap-private' | 'pfnmap-shared';
export const VMA_KINDS: readonly VmaKind[] = [
  'anon-private',
  'file-private',
  'file-shared',
  'shmem',
  'pfnmap-private',
  'pfnmap-shared',
];

/** VM_READ/VM_WRITE/VM_EXEC combinations mprotect() can set (x86 has no write-only or exec-only). */
export const VMA_PROTS: readonly number[] = [0, VM_READ, VM_READ | VM_EXEC, VM_READ | VM_WRITE, VM_READ | VM_WRITE | VM_EXEC];

export type UffdMode = 'off' | 'wp' | 'wp-unpopulated';

export interface ProveContext {
  readonly config: KConfig;
  readonly configName: ConfigName;
  readonly kind: VmaKind;
  readonly vmaFlags: number; // without MAY* and mode bits, for naming
  readonly softDirtyTracking: boolean;
  readonly uffd: UffdMode;
  readonly cp_flags: number;
  /** Builds the VMA for a given position and size, with the given attributes (default: none). */
  readonly vma: (start: number, nslots: number, attrs?: Attrs) => Vma;
  readonly shared: boolean;
  readonly pfnmap: boolean;
  readonly registered: boolean;
}

const isPfnmap = (kind: VmaKind): boolean => kind === 'pfnmap-private' || kind === 'pfnmap-shared';
const isShared = (kind: VmaKind): boolean => kind === 'file-shared' || kind === 'shmem' || kind === 'pfnmap-shared';

/**
 * Attributes a world's VMA and present entries carry besides the protection:
 * cache bits (on vm_page_prot and every present entry, as a driver's mmap
 * leaves them), the VMA's protection key, and the key the entries still carry
 * (different only while pkey_mprotect() changes it).
 */
export interface Attrs {
  readonly cache: number;
  readonly vmaPkey: number;
  readonly ptePkey: number;
}
export const NO_ATTRS: Attrs = Object.freeze({ cache: 0, vmaPkey: 0, ptePkey: 0 });
const CACHE_ALL = _PAGE_PWT | _PAGE_PCD | _PAGE_PAT;

/**
 * The attribute sets of a context: none; every cache bit at once (file and
 * PFNMAP VMAs only: a dropped bit and an added bit both show against the two
 * values); the VMA and its entries on key 1; and, for mprotect() callers, a key
 * change from 0 to 1.
 */
export function attrSets(ctx: ProveContext): Attrs[] {
  const out: Attrs[] = [NO_ATTRS];
  if (ctx.kind !== 'anon-private') out.push({ cache: CACHE_ALL, vmaPkey: 0, ptePkey: 0 });
  out.push({ cache: 0, vmaPkey: 1, ptePkey: 1 });
  if (!(ctx.cp_flags & (MM_CP_PROT_NUMA | MM_CP_UFFD_WP | MM_CP_UFFD_WP_RESOLVE))) out.push({ cache: 0, vmaPkey: 1, ptePkey: 0 });
  return out;
}

function vmaBuilder(kind: VmaKind, flags: number, config: KConfig, uffd: UffdMode) {
  return (start: number, nslots: number, attrs: Attrs = NO_ATTRS): Vma => {
    const base: Omit<Vma, 'vm_page_prot'> = {
      start,
      end: start + nslots,
      flags,
      pkey: attrs.vmaPkey,
      anonymous: kind === 'anon-private',
      ops: { page_mkwrite: false, pfn_mkwrite: false },
      fileCanWriteback: kind === 'file-shared' || kind === 'file-private',
      uffdWpUnpopulated: uffd === 'wp-unpopulated',
    };
    if (!attrs.cache) return mkVmaExact(base, config);
    // vma_set_page_prot() keeps the old prot's cache bits (R-VMA.1).
    return {
      ...base,
      vm_page_prot: vma_page_prot({ ...base, vm_page_prot: vm_get_page_prot(flags, attrs.vmaPkey) | attrs.cache }, config),
    };
  };
}

/** A sub-domain: only these VMA kinds / cp_flags (for focused runs and tests). */
export interface ContextFilter {
  readonly kinds?: readonly VmaKind[];
  readonly cpFlags?: readonly number[];
}

/**
 * Relevance reduction R1 (worlds of two or more slots; one slot keeps every
 * context, docs/strength.md §2): a context whose only difference from another
 * is a VMA property the caller never reads. change_pte_range() and the
 * pgtable_populate_needed() helper of mm/mprotect.c (v6.17 and later) read
 * userfaultfd_wp_use_markers() only under MM_CP_UFFD_WP, so 'wp-unpopulated'
 * equals 'wp' for every other cp_flags; under MM_CP_PROT_NUMA
 * change_protection() replaces vm_page_prot by PAGE_NONE and no write upgrade
 * runs (maybe_change_pte_writable() is reached only under TRY), so
 * soft-dirty tracking (VM_SOFTDIRTY) is not read.
 */
export function relevantContext(ctx: ProveContext): boolean {
  if (ctx.uffd === 'wp-unpopulated' && !(ctx.cp_flags & MM_CP_UFFD_WP)) return false;
  if (ctx.cp_flags & MM_CP_PROT_NUMA && ctx.softDirtyTracking) return false;
  return true;
}

/** Every world-level context of the domain, in a fixed order. */
export function* contexts(configs: readonly ConfigName[], filter: ContextFilter = {}): Generator<ProveContext> {
  for (const configName of configs) {
    const config = PROVE_CONFIGS[configName];
    for (const kind of filter.kinds ?? VMA_KINDS) {
      for (const prot of VMA_PROTS) {
        for (const softDirtyTracking of config.memSoftDirty ? [false, true] : [false]) {
          for (const uffd of isPfnmap(kind) ? (['off'] as const) : (['off', 'wp', 'wp-unpopulated'] as const)) {
            let flags = prot | VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC;
            if (!softDirtyTracking) flags |= VM_SOFTDIRTY;
            if (uffd !== 'off') flags |= VM_UFFD_WP;
            if (isShared(kind)) flags |= VM_SHARED;
            if (isPfnmap(kind)) flags |= VM_PFNMAP;
            const vma = vmaBuilder(kind, flags, config, uffd);
            for (const cp_flags of filter.cpFlags ?? REAL_CP_FLAGS) {
              if (!REAL_CP_FLAGS.includes(cp_flags))
                throw new RangeError(`cp_flags ${cp_flags} is not a real caller's combination`);
              if (cp_flags & (MM_CP_UFFD_WP | MM_CP_UFFD_WP_RESOLVE) && uffd === 'off') continue; // W-CP.3
              if (cp_flags & MM_CP_TRY_CHANGE_WRITABLE && !(prot & VM_WRITE)) continue; // R-WR.2.1
              // PROT_NUMA applies PAGE_NONE whatever the VMA's protection: one accessible protection stands
              // for all (task_numa_work() skips inaccessible VMAs). Relevance reduction, see docs/strength.md.
              if (cp_flags & MM_CP_PROT_NUMA && prot !== (VM_READ | VM_WRITE)) continue;
              yield {
                config,
                configName,
                kind,
                vmaFlags: prot,
                softDirtyTracking,
                uffd,
                cp_flags,
                vma,
                shared: isShared(kind),
                pfnmap: isPfnmap(kind),
                registered: uffd !== 'off',
              };
            }
          }
        }
      }
    }
  }
}

export function describeContext(ctx: ProveContext): string {
  const prot = ['r', 'w', 'x'].filter((_, i) => ctx.vmaFlags & (1 << i)).join('') || 'none';
  return `${ctx.configName} ${ctx.kind} ${prot}${ctx.softDirtyTracking ? ' sd-tracking' : ''}${ctx.uffd === 'off' ? '' : ` uffd:${ctx.uffd}`} cp=${ctx.cp_flags}`;
}
