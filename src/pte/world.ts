// SPDX-License-Identifier: GPL-2.0-only
// Builders with explicit defaults, for tests, generators and the oracle. A
// built world is deep-frozen; build another rather than editing one.

import { pmd_span } from './addr.js';
import { VM_MAYEXEC, VM_MAYREAD, VM_MAYWRITE } from './bits.js';
import { deepFreeze } from './freeze.js';
import type { Folio, KConfig, MmState, NumaState, PmdSlot, Pte, Vma, World } from './types.js';
import { vma_page_prot } from './vma.js';

export const X86_64: KConfig = Object.freeze({ arch: 'x86-64', memSoftDirty: true });
export const X86_64_NO_SOFT_DIRTY: KConfig = Object.freeze({ arch: 'x86-64', memSoftDirty: false });
export const ARM64: KConfig = Object.freeze({ arch: 'arm64', memSoftDirty: false });

export function mkFolio(f: Partial<Folio> & { pfn: number }): Folio {
  const order = f.order ?? 0;
  const anon = f.anon ?? true;
  const ksm = f.ksm ?? false;
  return {
    pfn: f.pfn,
    order,
    anon,
    ksm,
    zoneDevice: f.zoneDevice ?? false,
    nid: f.nid ?? 0,
    maybeMappedShared: f.maybeMappedShared ?? false,
    maybeDmaPinned: f.maybeDmaPinned ?? false,
    fileLru: f.fileLru ?? !anon,
    dirty: f.dirty ?? false,
    anonExclusive: f.anonExclusive ?? new Array<boolean>(1 << order).fill(anon && !ksm),
  };
}

export interface VmaInit extends Partial<Omit<Vma, 'vm_page_prot'>> {
  readonly start: number;
  readonly end: number;
  readonly flags: number;
}

/**
 * A VMA whose vm_page_prot is what vma_set_page_prot() computes (R-VMA.1).
 * VM_MAY* are always added. VM_SOFTDIRTY is not: without it in `flags`,
 * soft-dirty tracking is ON (as after clear_refs), so pass VM_SOFTDIRTY for
 * a fresh mapping.
 */
export function mkVma(v: VmaInit, config: KConfig = X86_64): Vma {
  const anonymous = v.anonymous ?? true;
  const base: Omit<Vma, 'vm_page_prot'> = {
    start: v.start,
    end: v.end,
    flags: v.flags | VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC,
    pkey: v.pkey ?? 0,
    anonymous,
    ops: v.ops ?? { page_mkwrite: false, pfn_mkwrite: false },
    fileCanWriteback: v.fileCanWriteback ?? false,
    uffdWpUnpopulated: v.uffdWpUnpopulated ?? false,
  };
  return { ...base, vm_page_prot: vma_page_prot(base, config) };
}

/** Plain flags without the VM_MAY* defaults (callers that want exact flags). */
export function mkVmaExact(v: Omit<Vma, 'vm_page_prot'>, config: KConfig = X86_64): Vma {
  return { ...v, vm_page_prot: vma_page_prot(v, config) };
}

export const DEFAULT_MM: MmState = Object.freeze({ singleThreaded: false });
export const DEFAULT_NUMA: NumaState = Object.freeze({
  currentNid: 0,
  topTierNids: Object.freeze([0, 1]) as readonly number[],
  balancingNormal: true,
  memoryTiering: false,
});

export interface WorldInit {
  readonly config?: KConfig;
  readonly vma: Vma;
  readonly ptes: readonly Pte[];
  readonly folios?: readonly Folio[];
  readonly pmds?: readonly PmdSlot[];
  readonly range?: { start: number; end: number };
  readonly cp_flags?: number;
  readonly mm?: MmState;
  readonly numa?: NumaState;
}

export function mkWorld(w: WorldInit): World {
  return deepFreeze({
    config: w.config ?? X86_64,
    vma: w.vma,
    mm: w.mm ?? DEFAULT_MM,
    numa: w.numa ?? DEFAULT_NUMA,
    folios: w.folios ?? [],
    pmds: w.pmds ?? new Array<PmdSlot>(pmd_span(w.vma.start, w.vma.end)).fill({ kind: 'table' }),
    ptes: w.ptes,
    range: w.range ?? { start: w.vma.start, end: w.vma.end },
    cp_flags: w.cp_flags ?? 0,
  });
}
