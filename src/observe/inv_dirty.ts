// SPDX-License-Identifier: GPL-2.0-only
// The dirty-bit invariant: change_protection() never loses a dirty bit, at
// either level of the page table. A dirty present PTE stays dirty; a dirty
// huge PMD stays dirty when handled whole, and when it is split (anonymous
// VMA) every PTE built from it that is present afterwards is dirty.
//
// Why it holds in the kernel: pte_modify(), pmd_modify() and pud_modify()
// keep _PAGE_DIRTY_BITS (_PAGE_CHG_MASK / _HPAGE_CHG_MASK,
// arch/x86/include/asm/pgtable_types.h) and move hardware dirty into saved
// dirty when they write-protect; __split_huge_pmd_locked() (mm/huge_memory.c)
// marks every PTE dirty when the PMD was. The x86 pmd_modify() shipped from
// v6.6 until f7491d7c81db broke the PMD half (src/pte/arch/x86.ts); this is
// the invariant that makes that visible.
//
// Not covered: a non-anonymous THP that the split zaps hands its dirtiness to
// the folio (folio_mark_dirty()), which an Outcome does not carry.
//
// Same shape as checkInvariants() (invariants.ts); the failure is reported
// under INV-10 (sticky attribute bits: dirty is one of them).
import { HPAGE_PMD_NR, type Outcome, type PmdSlot, type Pte, pmd_index_of, pte_dirty, type World } from '../pte/index.js';
import type { Mismatch } from './mismatch.js';

function lostAtPmd(world: World, j: number, before: PmdSlot, after: PmdSlot | undefined, out: Mismatch[]): void {
  if (before.kind !== 'huge' || !pte_dirty(before.pmd)) return;
  const first = (pmd_index_of(world.vma.start) + j) * HPAGE_PMD_NR;
  if (after?.kind === 'huge' && !pte_dirty(after.pmd))
    out.push({ rule: 'INV-10', message: 'a dirty huge PMD came out clean', vpn: first, before: before.pmd, variant: after.pmd });
  // Split ('table'): its PTEs are checked slot by slot below. Zapped ('none'): the folio took the dirtiness.
}

/**
 * INV-10 (dirty half), both levels: the mismatches of an outcome that lost a
 * dirty bit. `_flushed` is unused; it keeps the checkInvariants() shape.
 */
export function checkDirtyKept(world: World, after: Outcome, _flushed?: ReadonlySet<number>): Mismatch[] {
  const out: Mismatch[] = [];
  const p0 = pmd_index_of(world.vma.start);
  const hugeBefore = (vpn: number) => world.pmds[pmd_index_of(vpn) - p0]?.kind === 'huge';
  for (let j = 0; j < world.pmds.length; j++) lostAtPmd(world, j, world.pmds[j] as PmdSlot, after.pmds[j], out);
  for (let i = 0; i < world.ptes.length; i++) {
    const vpn = world.vma.start + i;
    const b = world.ptes[i] as Pte;
    const a = after.ptes[i] as Pte;
    if (hugeBefore(vpn)) {
      // A slot under a split dirty PMD: present afterwards means built from the PMD, so dirty.
      const pmd = world.pmds[pmd_index_of(vpn) - p0];
      if (pmd?.kind === 'huge' && pte_dirty(pmd.pmd) && a.kind === 'present' && !pte_dirty(a))
        out.push({ rule: 'INV-10', message: 'a PTE split from a dirty huge PMD is clean', vpn, before: pmd.pmd, variant: a });
      continue;
    }
    if (b.kind === 'present' && pte_dirty(b) && (a.kind !== 'present' || !pte_dirty(a)))
      out.push({ rule: 'INV-10', message: 'a dirty PTE came out clean', vpn, before: b, variant: a });
  }
  return out;
}
