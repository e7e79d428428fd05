// SPDX-License-Identifier: GPL-2.0-only
// World validation: a world is checked before either side runs it, and every
// problem names the field and the rule it breaks (never a crash deep inside).

import { pmd_index_of, pmd_span } from './addr.js';
import {
  _PAGE_ACCESSED,
  _PAGE_ALL_BITS,
  _PAGE_DIRTY,
  _PAGE_PRESENT,
  _PAGE_PROTNONE,
  _PAGE_RW,
  _PAGE_SAVED_DIRTY,
  _PAGE_SOFT_DIRTY,
  _PAGE_SPECIAL,
  _PAGE_UFFD_WP,
  MAX_FOLIO_ORDER,
  MM_CP_ALL_FLAGS,
  MM_CP_PROT_NUMA,
  MM_CP_TRY_CHANGE_WRITABLE,
  MM_CP_UFFD_WP,
  MM_CP_UFFD_WP_RESOLVE,
  PTE_MARKER_MASK,
  PTE_MARKER_UFFD_WP,
  PTRS_PER_PTE,
  SWP_ALL_BITS,
  SWP_EXCLUSIVE,
  SWP_MIG_DIRTY,
  SWP_MIG_YOUNG,
  SWP_SOFT_DIRTY,
  SWP_UFFD_WP,
  VM_ALL_FLAGS,
  VM_MIXEDMAP,
  VM_PFNMAP,
  VM_SHARED,
  VM_UFFD_WP,
  VM_WRITE,
} from './bits.js';
import { folio_nr_pages, pfn_folio } from './folio.js';
import { softleaf_has_pfn, softleaf_is_migration } from './softleaf.js';
import type { Folio, Pte, World } from './types.js';
import { vma_page_prot } from './vma.js';

export interface WorldProblem {
  readonly field: string; // a path such as "ptes[3].flags"
  readonly rule: string; // a rule id (SEMANTICS) or a W-* world rule
  readonly message: string;
}

/** Thrown by assertValidWorld(); carries every problem found. */
export class WorldError extends Error {
  constructor(readonly problems: readonly WorldProblem[]) {
    super(problems.map((p) => `${p.field}: ${p.message} [${p.rule}]`).join('\n'));
    this.name = 'WorldError';
  }
}

/** The cp_flags combinations real callers produce (SEMANTICS §6.1). */
export const REAL_CP_FLAGS: readonly number[] = [
  0,
  MM_CP_TRY_CHANGE_WRITABLE,
  MM_CP_PROT_NUMA,
  MM_CP_UFFD_WP,
  MM_CP_UFFD_WP_RESOLVE,
  MM_CP_UFFD_WP_RESOLVE | MM_CP_TRY_CHANGE_WRITABLE,
];

/** One problem; `sub` names the field inside the entry. A plain function: a closure per entry is measurable here. */
function report(out: WorldProblem[], field: string, rule: string, message: string, sub = ''): void {
  out.push({ field: field + sub, rule, message });
}

const isNat = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n) && n >= 0;

function checkPte(world: World, pte: Pte, field: string, out: WorldProblem[]): void {
  const uffd = (world.vma.flags & VM_UFFD_WP) !== 0;
  switch (pte.kind) {
    case 'none':
      return;
    case 'present': {
      const f = pte.flags;
      if (!isNat(pte.pfn)) report(out, field, 'W-PTE.1', 'pfn must be a non-negative integer', '.pfn');
      if (!isNat(f) || (f & ~_PAGE_ALL_BITS) !== 0) {
        report(out, field, 'W-PTE.2', 'unknown _PAGE bits', '.flags');
        return;
      }
      const present = (f & _PAGE_PRESENT) !== 0;
      const protnone = (f & _PAGE_PROTNONE) !== 0;
      if (present === protnone) report(out, field, 'W-PTE.3', 'exactly one of PRESENT and PROTNONE is set (§3.1)', '.flags');
      if (protnone && f & _PAGE_RW)
        report(out, field, 'W-PTE.4', 'a PROT_NONE PTE is never writable (PAGE_NONE has no RW)', '.flags');
      if (f & _PAGE_DIRTY && !(f & _PAGE_RW))
        report(out, field, 'R-PTE.2', 'Write=0,Dirty=1 is a shadow-stack encoding; use SAVED_DIRTY', '.flags');
      if (f & _PAGE_SAVED_DIRTY && f & _PAGE_RW)
        report(out, field, 'R-PTE.2', 'SAVED_DIRTY on a writable PTE must be DIRTY', '.flags');
      if (f & _PAGE_SOFT_DIRTY && !world.config.memSoftDirty)
        report(out, field, 'W-CFG.2', 'soft-dirty bit without CONFIG_MEM_SOFT_DIRTY', '.flags');
      if (f & _PAGE_UFFD_WP && !uffd) report(out, field, 'W-UFFD.1', 'uffd-wp bit on a VMA not registered for uffd-wp', '.flags');
      if (f & _PAGE_UFFD_WP && f & _PAGE_RW)
        report(out, field, 'W-UFFD.2', 'a uffd-wp PTE is never writable (pte_mkuffd_wp write-protects)', '.flags');
      if (f & _PAGE_RW && !(world.vma.flags & VM_SHARED)) {
        // A private mapping is writable only where COW is done: an exclusive anon page (INV-1 holds before the call too).
        const folio = f & _PAGE_SPECIAL ? null : pfn_folio(world.folios, pte.pfn);
        if (!folio?.anon || folio.anonExclusive[pte.pfn - folio.pfn] !== true)
          report(out, field, 'W-COW.1', 'a writable PTE in a private VMA maps a PageAnonExclusive anon page', '.flags');
      }
      if (!(f & _PAGE_SPECIAL)) {
        if (world.vma.flags & VM_PFNMAP) report(out, field, 'W-PTE.6', 'PTEs of a VM_PFNMAP VMA are special', '.flags');
        else if (pfn_folio(world.folios, pte.pfn) === null)
          report(out, field, 'W-PTE.7', 'a normal PTE must map a pfn of some folio (vm_normal_page)', '.pfn');
      }
      return;
    }
    case 'softleaf': {
      if (!isNat(pte.flags) || (pte.flags & ~SWP_ALL_BITS) !== 0) {
        report(out, field, 'W-SL.1', 'unknown SWP bits', '.flags');
        return;
      }
      if (!isNat(pte.offset)) {
        report(out, field, 'W-SL.2', 'offset must be a non-negative integer', '.offset');
        return;
      }
      if (pte.type === 'marker') {
        if (pte.flags !== 0) report(out, field, 'W-SL.3', 'a marker carries no swap-format bits', '.flags');
        if (pte.offset === 0 || (pte.offset & ~PTE_MARKER_MASK) !== 0)
          report(out, field, 'W-SL.4', 'marker bits must be a non-empty PTE_MARKER_* mask', '.offset');
        if (pte.offset & PTE_MARKER_UFFD_WP && !uffd)
          report(out, field, 'W-UFFD.1', 'uffd-wp marker on a VMA not registered for uffd-wp', '.offset');
        return;
      }
      if (pte.flags & SWP_EXCLUSIVE && pte.type !== 'swap')
        report(out, field, 'W-SL.5', 'swp exclusive is for real anon swap entries only', '.flags');
      if (pte.flags & (SWP_MIG_YOUNG | SWP_MIG_DIRTY) && !softleaf_is_migration(pte))
        report(out, field, 'W-SL.6', 'young/dirty live only in migration entries', '.flags');
      if (pte.flags & SWP_UFFD_WP && !uffd)
        report(out, field, 'W-UFFD.1', 'swap uffd-wp bit on a VMA not registered for uffd-wp', '.flags');
      if (pte.flags & SWP_SOFT_DIRTY && !world.config.memSoftDirty)
        report(out, field, 'W-CFG.2', 'swp soft-dirty without CONFIG_MEM_SOFT_DIRTY', '.flags');
      if (softleaf_has_pfn(pte) && pte.type !== 'hwpoison') {
        const folio = pfn_folio(world.folios, pte.offset);
        if (folio === null) report(out, field, 'W-SL.7', `${pte.type} entry must name a pfn of some folio`, '.offset');
        else if (pte.type.startsWith('device_') && !folio.zoneDevice)
          report(out, field, 'W-SL.8', 'device entries point at zone-device folios', '.offset');
      }
      return;
    }
    default:
      report(out, field, 'W-PTE.0', `unknown entry kind ${JSON.stringify((pte as { kind?: unknown }).kind)}`);
  }
}

function checkFolio(folio: Folio, i: number, out: WorldProblem[]): void {
  const field = `folios[${i}]`;
  if (!isNat(folio.order) || folio.order > MAX_FOLIO_ORDER) {
    report(out, field, 'W-FOLIO.1', `order must be 0..${MAX_FOLIO_ORDER}`, '.order');
    return;
  }
  if (!isNat(folio.pfn) || folio.pfn % folio_nr_pages(folio) !== 0)
    report(out, field, 'W-FOLIO.2', 'head pfn must be aligned to the folio size', '.pfn');
  if (!Array.isArray(folio.anonExclusive) || folio.anonExclusive.length !== folio_nr_pages(folio)) {
    report(out, field, 'W-FOLIO.3', 'anonExclusive needs one entry per page', '.anonExclusive');
    return;
  }
  if (folio.ksm && !folio.anon) report(out, field, 'W-FOLIO.4', 'KSM folios are anon', '.ksm');
  if ((!folio.anon || folio.ksm) && folio.anonExclusive.some(Boolean))
    report(out, field, 'W-FOLIO.5', 'only non-KSM anon pages can be PageAnonExclusive', '.anonExclusive');
  if (folio.fileLru && folio.anon) report(out, field, 'W-FOLIO.6', 'an anon folio is not on the file LRU', '.fileLru');
}

/** Every problem of a world, in field order; [] when it is valid. */
export function checkWorld(world: World): WorldProblem[] {
  const out: WorldProblem[] = [];
  const bad = (field: string, rule: string, message: string): void => void out.push({ field, rule, message });
  const { vma, range, config } = world;
  if (config.arch !== 'x86-64' && config.arch !== 'arm64') bad('config.arch', 'W-CFG.1', 'arch is x86-64 or arm64');
  if (config.arch === 'arm64' && config.memSoftDirty) bad('config.memSoftDirty', 'W-CFG.2', 'arm64 has no soft-dirty (§12.2)');
  if (!isNat(vma.start) || !isNat(vma.end) || vma.start >= vma.end) {
    bad('vma', 'W-VMA.1', 'start and end are vpns with start < end');
    return out;
  }
  if (!isNat(vma.flags) || (vma.flags & ~VM_ALL_FLAGS) !== 0) bad('vma.flags', 'W-VMA.2', 'unknown VM_ flags');
  if (!isNat(vma.pkey) || vma.pkey > 15) bad('vma.pkey', 'W-VMA.3', 'pkey is 0..15');
  if (vma.anonymous && (vma.ops.page_mkwrite || vma.ops.pfn_mkwrite || vma.fileCanWriteback))
    bad('vma.anonymous', 'W-VMA.4', 'an anonymous VMA has no vm_ops and no file');
  if (vma.anonymous && vma.flags & (VM_PFNMAP | VM_MIXEDMAP))
    bad('vma.flags', 'W-VMA.4', 'PFNMAP/MIXEDMAP VMAs are not anonymous');
  if (vma.uffdWpUnpopulated && !(vma.flags & VM_UFFD_WP))
    bad('vma.uffdWpUnpopulated', 'W-VMA.5', 'WP_UNPOPULATED needs uffd-wp registration');
  if (out.length === 0 && !(vma.vm_page_prot & _PAGE_ACCESSED))
    // Every PAGE_* protection has it and vma_set_page_prot() never drops it (a _PAGE_CHG_MASK bit).
    bad('vma.vm_page_prot', 'W-VMA.6', 'vm_page_prot carries _PAGE_ACCESSED, as every PAGE_* protection does');
  else if (out.length === 0 && vma.vm_page_prot !== vma_page_prot(vma, config))
    bad('vma.vm_page_prot', 'R-VMA.1', 'vm_page_prot must be what vma_set_page_prot() computes for the flags');
  if (!isNat(range.start) || !isNat(range.end) || range.start >= range.end || range.start < vma.start || range.end > vma.end)
    bad('range', 'W-RANGE.1', 'range must be a non-empty [start, end) inside the VMA');
  const cp = world.cp_flags;
  if (!isNat(cp) || (cp & ~MM_CP_ALL_FLAGS) !== 0) bad('cp_flags', 'W-CP.1', 'unknown MM_CP_ flags');
  else if (cp & MM_CP_UFFD_WP && cp & MM_CP_UFFD_WP_RESOLVE)
    bad('cp_flags', 'R-CP.1', 'MM_CP_UFFD_WP and MM_CP_UFFD_WP_RESOLVE together hit a BUG_ON in change_protection()');
  else if (!REAL_CP_FLAGS.includes(cp)) bad('cp_flags', 'W-CP.2', 'no real caller passes this combination (§6.1)');
  if (cp & (MM_CP_UFFD_WP | MM_CP_UFFD_WP_RESOLVE) && !(vma.flags & VM_UFFD_WP))
    bad('cp_flags', 'W-CP.3', 'uffd_wp_range() runs only on uffd-wp registered VMAs');
  if (cp & MM_CP_TRY_CHANGE_WRITABLE && !(vma.flags & VM_WRITE))
    bad('cp_flags', 'R-WR.2.1', 'TRY is only passed for VM_WRITE VMAs (vma_wants_manual_pte_write_upgrade)');

  for (const [i, folio] of world.folios.entries()) checkFolio(folio, i, out);
  const sorted = [...world.folios].sort((a, b) => a.pfn - b.pfn);
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1] as Folio;
    if ((sorted[i] as Folio).pfn < prev.pfn + folio_nr_pages(prev)) bad('folios', 'W-FOLIO.7', 'folios overlap');
  }

  if (world.ptes.length !== vma.end - vma.start) {
    bad('ptes', 'W-PT.1', `ptes needs one slot per page of the VMA (${vma.end - vma.start})`);
    return out;
  }
  const span = pmd_span(vma.start, vma.end);
  if (world.pmds.length !== span) {
    bad('pmds', 'W-PT.2', `pmds needs one slot per PMD the VMA touches (${span})`);
    return out;
  }
  const p0 = pmd_index_of(vma.start);
  for (const [j, pmd] of world.pmds.entries()) {
    if (pmd.kind === 'table') continue;
    const lo = (p0 + j) * PTRS_PER_PTE;
    for (let vpn = Math.max(lo, vma.start); vpn < Math.min(lo + PTRS_PER_PTE, vma.end); vpn++)
      if (world.ptes[vpn - vma.start]?.kind !== 'none')
        bad(`ptes[${vpn - vma.start}]`, 'W-PT.3', `slots under a ${pmd.kind} PMD are none`);
    if (pmd.kind === 'huge') {
      if (lo < vma.start || lo + PTRS_PER_PTE > vma.end) bad(`pmds[${j}]`, 'W-PT.4', 'a huge PMD lies wholly inside the VMA');
      const folio = pfn_folio(world.folios, pmd.pmd.pfn);
      if (folio === null || folio.order !== MAX_FOLIO_ORDER || folio.pfn !== pmd.pmd.pfn)
        bad(`pmds[${j}].pmd.pfn`, 'W-PT.5', 'a huge PMD maps the head of an order-9 folio');
      else if (folio.anonExclusive.some((x) => x !== folio.anonExclusive[0]))
        // A PMD mapping sets PageAnonExclusive on the head page only; __split_huge_pmd_locked() copies it to
        // every sub-page (mm/huge_memory.c). The model keeps one value per page, so they must agree.
        bad(`pmds[${j}].pmd.pfn`, 'W-PT.6', 'a PMD-mapped folio has uniform PageAnonExclusive (the head page decides)');
      checkPte(world, pmd.pmd, `pmds[${j}].pmd`, out);
    }
  }
  for (const [i, pte] of world.ptes.entries()) checkPte(world, pte, `ptes[${i}]`, out);
  return out;
}

export function assertValidWorld(world: World): void {
  const problems = checkWorld(world);
  if (problems.length) throw new WorldError(problems);
}
