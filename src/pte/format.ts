// SPDX-License-Identifier: GPL-2.0-only
// Compact, column-friendly rendering of entries for reports and fast-check's
// toString. Names follow the kernel's flag vocabulary.
import {
  _PAGE_ACCESSED,
  _PAGE_CC,
  _PAGE_DIRTY,
  _PAGE_NX,
  _PAGE_PAT,
  _PAGE_PCD,
  _PAGE_PKEY_MASK,
  _PAGE_PKEY_SHIFT,
  _PAGE_PRESENT,
  _PAGE_PROTNONE,
  _PAGE_PWT,
  _PAGE_RW,
  _PAGE_SAVED_DIRTY,
  _PAGE_SOFT_DIRTY,
  _PAGE_SPECIAL,
  _PAGE_UFFD_WP,
  _PAGE_USER,
  MM_CP_PROT_NUMA,
  MM_CP_TRY_CHANGE_WRITABLE,
  MM_CP_UFFD_WP,
  MM_CP_UFFD_WP_RESOLVE,
  PTE_MARKER_GUARD,
  PTE_MARKER_POISONED,
  PTE_MARKER_UFFD_WP,
  SWP_EXCLUSIVE,
  SWP_MIG_DIRTY,
  SWP_MIG_YOUNG,
  SWP_SOFT_DIRTY,
  SWP_UFFD_WP,
  VM_EXEC,
  VM_MAYEXEC,
  VM_MAYREAD,
  VM_MAYWRITE,
  VM_MIXEDMAP,
  VM_PFNMAP,
  VM_READ,
  VM_SHARED,
  VM_SOFTDIRTY,
  VM_UFFD_WP,
  VM_WRITE,
} from './bits.js';
import type { Pte, SoftleafType } from './types.js';

type Names = readonly (readonly [number, string])[];

/** Present-PTE flag names, in a fixed order so columns line up. */
export const PTE_FLAG_NAMES: Names = [
  [_PAGE_PRESENT, 'P'],
  [_PAGE_PROTNONE, 'PN'],
  [_PAGE_RW, 'W'],
  [_PAGE_USER, 'U'],
  [_PAGE_NX, 'NX'],
  [_PAGE_DIRTY, 'D'],
  [_PAGE_SAVED_DIRTY, 'SvD'],
  [_PAGE_ACCESSED, 'A'],
  [_PAGE_SOFT_DIRTY, 'SD'],
  [_PAGE_UFFD_WP, 'UW'],
  [_PAGE_SPECIAL, 'S'],
  [_PAGE_PWT, 'PWT'],
  [_PAGE_PCD, 'PCD'],
  [_PAGE_PAT, 'PAT'],
  [_PAGE_CC, 'CC'],
];
export const SWP_FLAG_NAMES: Names = [
  [SWP_SOFT_DIRTY, 'sd'],
  [SWP_UFFD_WP, 'uw'],
  [SWP_EXCLUSIVE, 'excl'],
  [SWP_MIG_YOUNG, 'young'],
  [SWP_MIG_DIRTY, 'dirty'],
];
export const MARKER_NAMES: Names = [
  [PTE_MARKER_UFFD_WP, 'uffd-wp'],
  [PTE_MARKER_POISONED, 'poison'],
  [PTE_MARKER_GUARD, 'guard'],
];
export const VM_FLAG_NAMES: Names = [
  [VM_READ, 'VM_READ'],
  [VM_WRITE, 'VM_WRITE'],
  [VM_EXEC, 'VM_EXEC'],
  [VM_SHARED, 'VM_SHARED'],
  [VM_MAYREAD, 'VM_MAYREAD'],
  [VM_MAYWRITE, 'VM_MAYWRITE'],
  [VM_MAYEXEC, 'VM_MAYEXEC'],
  [VM_SOFTDIRTY, 'VM_SOFTDIRTY'],
  [VM_UFFD_WP, 'VM_UFFD_WP'],
  [VM_PFNMAP, 'VM_PFNMAP'],
  [VM_MIXEDMAP, 'VM_MIXEDMAP'],
];
export const CP_FLAG_NAMES: Names = [
  [MM_CP_TRY_CHANGE_WRITABLE, 'MM_CP_TRY_CHANGE_WRITABLE'],
  [MM_CP_PROT_NUMA, 'MM_CP_PROT_NUMA'],
  [MM_CP_UFFD_WP, 'MM_CP_UFFD_WP'],
  [MM_CP_UFFD_WP_RESOLVE, 'MM_CP_UFFD_WP_RESOLVE'],
];

export const SOFTLEAF_SHORT: Record<SoftleafType, string> = {
  swap: 'swap',
  migration_read: 'mig-r',
  migration_read_exclusive: 'mig-rx',
  migration_write: 'mig-w',
  device_private_read: 'devp-r',
  device_private_write: 'devp-w',
  device_exclusive: 'dev-x',
  hwpoison: 'hwpoison',
  marker: 'marker',
};

export function flagNames(mask: number, names: Names): string[] {
  return names.filter(([bit]) => (mask & bit) !== 0).map(([, name]) => name);
}

export function formatFlags(mask: number, names: Names, sep = '|'): string {
  const list = flagNames(mask, names);
  return list.length ? list.join(sep) : '0';
}

const hex = (n: number): string => `0x${n.toString(16)}`;

/** One entry on one line: `.` for none, `pfn=0x12 P|W|D pkey=1`, `mig-w pfn=0x12 sd`. */
export function formatPte(pte: Pte): string {
  switch (pte.kind) {
    case 'none':
      return '.';
    case 'present': {
      const pkey = (pte.flags & _PAGE_PKEY_MASK) >> _PAGE_PKEY_SHIFT;
      const flags = formatFlags(pte.flags, PTE_FLAG_NAMES, ' ');
      return `pfn=${hex(pte.pfn)} ${flags}${pkey ? ` pkey=${pkey}` : ''}`;
    }
    case 'softleaf': {
      if (pte.type === 'marker') return `marker ${formatFlags(pte.offset, MARKER_NAMES, ',')}`;
      const what = pte.type === 'swap' ? `off=${hex(pte.offset)}` : `pfn=${hex(pte.offset)}`;
      const bits = flagNames(pte.flags, SWP_FLAG_NAMES).join(' ');
      return `${SOFTLEAF_SHORT[pte.type]} ${what}${bits ? ` ${bits}` : ''}`;
    }
    default: {
      const never: never = pte;
      throw new TypeError(`unknown entry ${JSON.stringify(never)}`);
    }
  }
}

const hexv = (vpn: number): string => `0x${vpn.toString(16)}`;

/**
 * A world as a compact table: the call on one line, then one row per slot
 * (marking the range) and the folios. What fast-check prints for a world.
 */
export function formatWorld(world: import('./types.js').World): string {
  const { vma, range } = world;
  const lines = [
    `change_protection(${formatFlags(world.cp_flags, CP_FLAG_NAMES)}) range [${hexv(range.start)}, ${hexv(range.end)}) ` +
      `${world.config.arch}${world.config.memSoftDirty ? '+softdirty' : ''}`,
    `vma [${hexv(vma.start)}, ${hexv(vma.end)}) ${formatFlags(vma.flags, VM_FLAG_NAMES)}${vma.anonymous ? ' anon' : ' file'}` +
      `${vma.ops.page_mkwrite ? ' page_mkwrite' : ''}${vma.uffdWpUnpopulated ? ' WP_UNPOPULATED' : ''}${vma.pkey ? ` pkey=${vma.pkey}` : ''}`,
  ];
  world.pmds.forEach((pmd, j) => {
    // A huge PMD and a non-present huge PMD (migration, device-private) each show their entry.
    if (pmd.kind === 'none') lines.push(`pmd[${j}] none (no PTE table)`);
    else if (pmd.kind !== 'table') lines.push(`pmd[${j}] ${pmd.kind} ${formatPte(pmd.pmd)}`);
  });
  world.ptes.forEach((pte, i) => {
    const vpn = vma.start + i;
    const mark = vpn >= range.start && vpn < range.end ? '*' : ' ';
    lines.push(`${mark} ${hexv(vpn)}  ${formatPte(pte)}`);
  });
  for (const f of world.folios) {
    const excl = f.anonExclusive.map((e) => (e ? 'X' : '.')).join('');
    const facts = [
      f.anon ? 'anon' : 'file',
      f.ksm && 'ksm',
      f.zoneDevice && 'zone-device',
      f.maybeMappedShared && 'shared',
      f.maybeDmaPinned && 'pinned',
      f.dirty && 'dirty',
    ]
      .filter(Boolean)
      .join(',');
    lines.push(
      `folio ${hexv(f.pfn)} order ${f.order} ${facts} nid ${f.nid} excl ${excl.length > 32 ? `${excl.slice(0, 32)}…` : excl}`,
    );
  }
  return lines.join('\n');
}
