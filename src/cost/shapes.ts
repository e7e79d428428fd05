// SPDX-License-Identifier: GPL-2.0-only
// The standard page-table shapes the `cost` command measures: one full PTE
// table (512 entries under one PMD) of a common kind of memory, changed in the
// direction mprotect() users change it. Each is a fixed, hand-built world, so
// two runs of `cost` count the same calls.
import {
  _PAGE_ACCESSED,
  _PAGE_DIRTY,
  _PAGE_NX,
  _PAGE_PRESENT,
  _PAGE_RW,
  _PAGE_SAVED_DIRTY,
  _PAGE_USER,
  type Folio,
  MM_CP_PROT_NUMA,
  MM_CP_TRY_CHANGE_WRITABLE,
  MM_CP_UFFD_WP,
  mk_pte,
  mkFolio,
  mkVma,
  mkWorld,
  PTRS_PER_PTE,
  type Pte,
  VM_READ,
  VM_SHARED,
  VM_SOFTDIRTY,
  VM_UFFD_WP,
  VM_WRITE,
  type World,
} from '../pte/index.js';

export interface CostShape {
  readonly id: string;
  /** One line, at most 40 columns. */
  readonly title: string;
  readonly world: World;
}

const VMA_START = 8 * PTRS_PER_PTE; // PMD-aligned, so the table is one PMD
const PFN_BASE = 0x40000;
const RO = _PAGE_PRESENT | _PAGE_USER | _PAGE_NX | _PAGE_ACCESSED;
const RW_DIRTY = RO | _PAGE_RW | _PAGE_DIRTY;

/** Folios of 2^order pages covering the table, each naturally aligned, mapped in order. */
function folios(order: number, init: (i: number) => Partial<Folio> = () => ({})): Folio[] {
  const n = PTRS_PER_PTE >> order;
  return Array.from({ length: n }, (_, i) => mkFolio({ pfn: PFN_BASE + (i << order), order, ...init(i) }));
}

function ptesOver(flags: (i: number) => number): Pte[] {
  return Array.from({ length: PTRS_PER_PTE }, (_, i) => mk_pte(PFN_BASE + i, flags(i)));
}

interface Direction {
  readonly vmFlags: number;
  readonly pteFlags: number;
  readonly cp_flags: number;
}

/** mprotect(PROT_READ) of a written mapping: every PTE loses write. */
const TO_RO: Direction = { vmFlags: VM_READ | VM_SOFTDIRTY, pteFlags: RW_DIRTY, cp_flags: 0 };
/** mprotect(PROT_READ|PROT_WRITE) back: private anon asks for the write upgrade. */
const TO_RW: Direction = {
  vmFlags: VM_READ | VM_WRITE | VM_SOFTDIRTY,
  pteFlags: RO | _PAGE_SAVED_DIRTY, // x86 keeps a read-only PTE's dirt in SavedDirty
  cp_flags: MM_CP_TRY_CHANGE_WRITABLE,
};

function anonShape(id: string, title: string, order: number, dir: Direction, f?: (i: number) => Partial<Folio>) {
  const end = VMA_START + PTRS_PER_PTE;
  return {
    id,
    title,
    world: mkWorld({
      vma: mkVma({ start: VMA_START, end, flags: dir.vmFlags }),
      folios: folios(order, f),
      ptes: ptesOver(() => dir.pteFlags),
      cp_flags: dir.cp_flags,
    }),
  };
}

function fileSharedShape(id: string, title: string, dirty: boolean): CostShape {
  const end = VMA_START + PTRS_PER_PTE;
  const vma = mkVma({
    start: VMA_START,
    end,
    flags: VM_READ | VM_WRITE | VM_SHARED | VM_SOFTDIRTY,
    anonymous: false,
    ops: { page_mkwrite: true, pfn_mkwrite: false },
    fileCanWriteback: true,
  });
  return {
    id,
    title,
    world: mkWorld({
      vma,
      folios: folios(2, () => ({ anon: false, dirty })),
      ptes: ptesOver(() => RO | (dirty ? _PAGE_SAVED_DIRTY : 0)),
      cp_flags: MM_CP_TRY_CHANGE_WRITABLE,
    }),
  };
}

function uffdWpShape(): CostShape {
  const end = VMA_START + PTRS_PER_PTE;
  return {
    id: 'uffd-wp',
    title: 'UFFDIO_WRITEPROTECT, mTHP 64K',
    world: mkWorld({
      vma: mkVma({ start: VMA_START, end, flags: VM_READ | VM_WRITE | VM_SOFTDIRTY | VM_UFFD_WP }),
      folios: folios(4),
      ptes: ptesOver(() => RW_DIRTY),
      cp_flags: MM_CP_UFFD_WP,
    }),
  };
}

function numaShape(id: string, title: string, order: number): CostShape {
  const end = VMA_START + PTRS_PER_PTE;
  return {
    id,
    title,
    world: mkWorld({
      vma: mkVma({ start: VMA_START, end, flags: VM_READ | VM_WRITE | VM_SOFTDIRTY }),
      folios: folios(order, (i) => ({ nid: i % 2 })),
      ptes: ptesOver(() => RW_DIRTY),
      cp_flags: MM_CP_PROT_NUMA,
    }),
  };
}

/** The standard set, in report order. */
export function costShapes(): readonly CostShape[] {
  return [
    anonShape('order0-ro', 'order-0 anon, to PROT_READ', 0, TO_RO),
    anonShape('order0-rw', 'order-0 anon, back to RW (TRY)', 0, TO_RW),
    anonShape('thp-pte-ro', 'PTE-mapped THP, to PROT_READ', 9, TO_RO),
    anonShape('thp-pte-rw', 'PTE-mapped THP, back to RW (TRY)', 9, TO_RW),
    anonShape('mthp16-ro', 'mTHP 16K, to PROT_READ', 2, TO_RO),
    anonShape('mthp64-ro', 'mTHP 64K, to PROT_READ', 4, TO_RO),
    anonShape('mthp64-rw', 'mTHP 64K, back to RW (TRY)', 4, TO_RW),
    anonShape('mixed-excl-rw', 'mTHP 64K half exclusive, RW (TRY)', 4, TO_RW, (i) => ({
      anonExclusive: Array.from({ length: 16 }, (_, p) => (p + i) % 2 === 0),
    })),
    fileSharedShape('file-clean-rw', 'shared file clean, RW (TRY)', false),
    fileSharedShape('file-dirty-rw', 'shared file dirty, RW (TRY)', true),
    uffdWpShape(),
    numaShape('numa-order0', 'NUMA hinting, order-0 anon', 0),
    numaShape('numa-thp-pte', 'NUMA hinting, PTE-mapped THP', 9),
  ];
}
