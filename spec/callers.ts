// SPDX-License-Identifier: GPL-2.0-only
// The three callers of change_protection(), as spec entry points for a
// process-level oracle: each decides cp_flags (and, for mprotect, the new VMA)
// and then runs the per-entry spec. SEMANTICS §5.4, §5.5, §6.1.
import {
  deepFreeze,
  MM_CP_PROT_NUMA,
  MM_CP_TRY_CHANGE_WRITABLE,
  MM_CP_UFFD_WP,
  MM_CP_UFFD_WP_RESOLVE,
  PTRS_PER_PTE,
  pmd_index_of,
  type SpecOutcome,
  VM_EXEC,
  VM_MAYEXEC,
  VM_MAYREAD,
  VM_MAYWRITE,
  VM_READ,
  VM_WRITE,
  type Vma,
  vma_page_prot,
  type World,
} from '../src/pte/index.js';
import { SpecPreconditionError } from './errors.js';
import { resolveSpecOptions, type SpecOptions } from './options.js';
import { DEFAULT_RULES } from './rules.js';
import { wantsManualWriteUpgrade } from './vma.js';
import { assertSpecPreconditions, runSpec } from './walk.js';

/** The same as index.ts change_protection_spec(), without importing the entry module. */
const change_protection_spec = (world: World, options?: SpecOptions): SpecOutcome =>
  runSpec(world, resolveSpecOptions(options), DEFAULT_RULES).outcome;

/** VM_ACCESS_FLAGS: the flags mprotect() replaces. */
export const VM_ACCESS_FLAGS = VM_READ | VM_WRITE | VM_EXEC;

/**
 * The protection-key state of an x86 process that a plain mprotect() consults (arch/x86/mm/pkeys.c,
 * arch/x86/include/asm/pkeys.h). Only the caller level needs it: change_protection() sees the result as
 * the pkey bits of vm_page_prot.
 */
export interface PkeyState {
  /** X86_FEATURE_OSPKE: the CPU has protection keys and the kernel turned them on. */
  readonly ospke: boolean;
  /** mm->context.execute_only_pkey: the key reserved for execute-only mappings, or -1 (none yet). */
  readonly executeOnlyPkey: number;
  /** The key mm_pkey_alloc() hands out next, or -1 when all are taken. */
  readonly freePkey: number;
}

/** ARCH_DEFAULT_PKEY */
export const ARCH_DEFAULT_PKEY = 0;

/**
 * C4 (§5.5 step 2) Which protection key a plain mprotect() gives the VMA. On x86 with protection keys,
 * asking for exactly PROT_EXEC moves the VMA to the process's execute-only key (reserving one on first use
 * and denying it read/write access in PKRU), so the mapping becomes executable but unreadable, which x86
 * page tables alone cannot express; asking for anything else on a VMA that sits on that key (and was
 * execute-only) moves it back to the default key; otherwise the VMA keeps its key. Without protection keys
 * the key is 0. On arm64 the VMA keeps its key (execute-only is a page-table permission there).
 * Models: do_mprotect_pkey(): `new_vma_pkey = arch_override_mprotect_pkey(vma, prot, pkey)` with pkey == -1
 * for mprotect(); x86 arch_override_mprotect_pkey() (0 without OSPKE) -> __arch_override_mprotect_pkey():
 * `prot == PROT_EXEC` -> execute_only_pkey(mm) (__execute_only_pkey(): mm_pkey_alloc() when
 * execute_only_pkey == -1; -1 on failure), used if > 0; else vma_is_pkey_exec_only() -> ARCH_DEFAULT_PKEY;
 * else vma_pkey(vma).
 * Kernel detail: the new key is part of vm_flags (VM_PKEY_BIT*), so a PROT_EXEC call on a VMA that is
 * already VM_EXEC-only but on another key is not a no-op: the walk runs to write the key into every PTE.
 */
export function mprotectPkey(
  vma: Vma,
  access: number,
  arch: World['config']['arch'],
  st: PkeyState,
): { pkey: number; state: PkeyState } {
  if (arch !== 'x86-64') return { pkey: vma.pkey, state: st };
  if (!st.ospke) return { pkey: ARCH_DEFAULT_PKEY, state: st };
  if (access === VM_EXEC) {
    let key = st.executeOnlyPkey;
    let state = st;
    if (key === -1) {
      key = st.freePkey; // mm_pkey_alloc(); -1 when none is free
      if (key >= 0) state = { ...st, executeOnlyPkey: key, freePkey: -1 };
    }
    if (key > 0) return { pkey: key, state };
  } else if ((vma.flags & VM_ACCESS_FLAGS) === VM_EXEC && vma.pkey === st.executeOnlyPkey) {
    return { pkey: ARCH_DEFAULT_PKEY, state: st };
  }
  return { pkey: vma.pkey, state: st };
}

export interface CallerOutcome {
  /** The VMA after the call (mprotect: new flags and vm_page_prot, restricted to the range). */
  readonly vma: Vma;
  /** mprotect() with a PkeyState: the state after the call (an execute-only key may have been reserved). */
  readonly pkeys?: PkeyState;
  /** The cp_flags handed to change_protection(), or null when no walk happened. */
  readonly cp_flags: number | null;
  /** The world handed to change_protection_spec(), or null when no walk happened. */
  readonly world: World | null;
  /** The walk's outcome; with no walk: the input entries unchanged, count 0, nothing flushed. */
  readonly outcome: SpecOutcome;
}

/** All callers ignore the input world's cp_flags and compute their own. */
function withFlags(world: World, vma: Vma, cp_flags: number): World {
  return deepFreeze({ ...world, vma, cp_flags });
}

function noWalk(world: World): SpecOutcome {
  return { ptes: world.ptes, pmds: world.pmds, count: 0, numaStamps: [], flushPages: [] };
}

/**
 * The part of the world that becomes its own VMA when mprotect() covers only [range.start, range.end).
 * Models: vma_modify_flags() splitting the VMA at start and end (no merging with neighbours).
 * Kernel detail: a huge PMD straddling a new VMA boundary would be split by vma_adjust_trans_huge(); that is
 * not modelled (C1.2).
 */
export function restrictToRange(world: World): World {
  const { vma, range } = world;
  if (range.start === vma.start && range.end === vma.end) return world;
  const p0 = pmd_index_of(vma.start);
  const first = pmd_index_of(range.start);
  const last = pmd_index_of(range.end - 1);
  const pmds = world.pmds.slice(first - p0, last - p0 + 1);
  pmds.forEach((pmd, k) => {
    const lo = (first + k) * PTRS_PER_PTE;
    if (pmd.kind === 'huge' && (lo < range.start || lo + PTRS_PER_PTE > range.end))
      throw new SpecPreconditionError(
        'C1.2',
        'a huge PMD straddles the new VMA boundary (vma_adjust_trans_huge split not modelled)',
      );
  });
  const ptes = world.ptes.slice(range.start - vma.start, range.end - vma.start);
  return deepFreeze({ ...world, vma: { ...vma, start: range.start, end: range.end }, pmds, ptes });
}

/**
 * C1 (§5.5 step 4, R-VMA.6, R-VMA.1) mprotect() on one VMA: the VMA gets the requested read/write/exec
 * flags; if nothing changed there is no page-table walk at all; otherwise the write upgrade is requested
 * per V5 evaluated with the NEW flags and the OLD vm_page_prot (the stale-prot quirk of §5.4), then
 * vm_page_prot is recomputed for the new flags and change_protection() runs over the range.
 * Models: do_mprotect_pkey() (newflags = requested access | old non-access flags; EACCES when beyond
 * VM_MAY*) and mprotect_fixup() (vma_flags_same_pair() -> return 0; vma_modify_flags();
 * vma_wants_manual_pte_write_upgrade(); vma_set_page_prot(); change_protection()).
 * With a PkeyState the new protection key follows C4. Not modelled: sealing, PFNMAP pre-walk, accounting,
 * merging, VM_LOCKED populate, pkey_mprotect() (an explicit key).
 */
export function mprotect_fixup_spec(world: World, access: number, options?: SpecOptions, pkeys?: PkeyState): CallerOutcome {
  assertSpecPreconditions(withFlags(world, world.vma, 0));
  if ((access & ~VM_ACCESS_FLAGS) !== 0) throw new SpecPreconditionError('C1.1', 'access is a mask of VM_READ|VM_WRITE|VM_EXEC');
  const old = world.vma;
  const may = ((old.flags & (VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC)) >> 4) & VM_ACCESS_FLAGS;
  if (access & ~may)
    throw new SpecPreconditionError('C1.EACCES', 'requested access exceeds VM_MAY* (do_mprotect_pkey returns -EACCES)');
  // C4: without a PkeyState the VMA keeps its key (the model's default: no protection-key process state).
  const key = pkeys ? mprotectPkey(old, access, world.config.arch, pkeys) : null;
  const pkey = key?.pkey ?? old.pkey;
  const after = key ? { pkeys: key.state } : {};
  const newflags = (old.flags & ~VM_ACCESS_FLAGS) | access;
  if (newflags === old.flags && pkey === old.pkey)
    return { vma: old, cp_flags: null, world: null, outcome: noWalk(world), ...after };

  const sub = restrictToRange(world);
  const withNewFlags: Vma = { ...sub.vma, flags: newflags, pkey }; // vm_page_prot still the old one here
  const cp_flags = wantsManualWriteUpgrade(withNewFlags, world.config) ? MM_CP_TRY_CHANGE_WRITABLE : 0;
  const vma: Vma = { ...withNewFlags, vm_page_prot: vma_page_prot(withNewFlags, world.config) };
  const walked = withFlags(sub, vma, cp_flags);
  return { vma, cp_flags, world: walked, outcome: change_protection_spec(walked, options), ...after };
}

/**
 * C2 (§6.1) NUMA hinting scans a range of a VMA with MM_CP_PROT_NUMA and nothing else; the VMA is unchanged.
 * Models: change_prot_numa() (mm/mempolicy.c): change_protection(tlb, vma, addr, end, MM_CP_PROT_NUMA).
 * Not modelled: task_numa_work()'s choice of VMAs (it skips inaccessible and unmigratable ones).
 */
export function change_prot_numa_spec(world: World, options?: SpecOptions): CallerOutcome {
  const walked = withFlags(world, world.vma, MM_CP_PROT_NUMA);
  return { vma: world.vma, cp_flags: MM_CP_PROT_NUMA, world: walked, outcome: change_protection_spec(walked, options) };
}

/**
 * C3 (§6.1, R-VMA.6) UFFDIO_WRITEPROTECT: protecting passes MM_CP_UFFD_WP; resolving passes
 * MM_CP_UFFD_WP_RESOLVE plus the write upgrade when V5 holds for the VMA as it is (with its current,
 * already writenotify-downgraded vm_page_prot, §5.4).
 * Models: uffd_wp_range() (mm/userfaultfd.c): `!enable_wp && vma_wants_manual_pte_write_upgrade()`.
 */
export function uffd_wp_range_spec(world: World, enable: boolean, options?: SpecOptions): CallerOutcome {
  const cp_flags = enable
    ? MM_CP_UFFD_WP
    : MM_CP_UFFD_WP_RESOLVE | (wantsManualWriteUpgrade(world.vma, world.config) ? MM_CP_TRY_CHANGE_WRITABLE : 0);
  const walked = withFlags(world, world.vma, cp_flags);
  return { vma: world.vma, cp_flags, world: walked, outcome: change_protection_spec(walked, options) };
}
