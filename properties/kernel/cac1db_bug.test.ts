// SPDX-License-Identifier: GPL-2.0-only
// The syzbot-found bug of cac1db8c3aad ("mm: optimize mprotect() by PTE
// batching"): commit_anon_folio_batch() read PageAnonExclusive from the folio's
// head page, not from the batch's first page. A batch starting mid-folio whose
// pages differ in exclusivity from the head gets the wrong write decision.
// Fixed by cf1b80dc31a1 (v6.17-fixed). Breaks R-WR.4 / INV-1.

import { describe, expect, it } from 'vitest';
import { GALLERY } from '../../src/kernel/gallery.js';
import { getVariant, VARIANTS } from '../../src/kernel/registry.js';
import { _PAGE_RW, checkWorld, MM_CP_TRY_CHANGE_WRITABLE, type Pte } from '../../src/pte/index.js';
import { folio, privateRw, ro, world } from './fixtures.js';

const writable = (ptes: readonly Pte[]) => ptes.map((p) => p.kind === 'present' && (p.flags & _PAGE_RW) !== 0);

// An order-2 anon folio at pfn 16: pages 0 and 1 exclusive, pages 2 and 3 NOT
// (e.g. shared with a child after a partial COW reuse). The private VM_WRITE
// VMA maps only pages 2 and 3, read-only; mprotect(PROT_READ|PROT_WRITE) -> TRY.
const dangerous = world({
  vma: privateRw(0, 2),
  ptes: [ro(18), ro(19)],
  folios: [folio({ pfn: 16, order: 2, anonExclusive: [true, true, false, false] })],
  cp_flags: MM_CP_TRY_CHANGE_WRITABLE,
});

// The reverse: head pages not exclusive, the mapped pages 2 and 3 exclusive.
const missed = world({
  vma: privateRw(0, 2),
  ptes: [ro(18), ro(19)],
  folios: [folio({ pfn: 16, order: 2, anonExclusive: [false, false, true, true] })],
  cp_flags: MM_CP_TRY_CHANGE_WRITABLE,
});

describe('cac1db8c3aad reads exclusivity from the head page (R-WR.4)', () => {
  it('the hand-built worlds are valid', () => {
    expect(checkWorld(dangerous)).toEqual([]);
    expect(checkWorld(missed)).toEqual([]);
  });

  it('DANGEROUS: the buggy variant makes non-exclusive (shared) anon pages writable in a private VMA (INV-1)', () => {
    const out = getVariant('v6.17-cac1db8c3aad').run(dangerous);
    expect(writable(out.ptes)).toEqual([true, true]);
    expect(out.trace[0]?.subRuns).toEqual([{ idx: 0, len: 2, setWrite: true }]);
  });

  it('the buggy variant also leaves exclusive pages read-only (a missed optimisation)', () => {
    expect(writable(getVariant('v6.17-cac1db8c3aad').run(missed).ptes)).toEqual([false, false]);
  });

  it.each(['v6.17-fixed', 'v6.19-bprime', 'falcato-v2', 'falcato-v3', 'v6.16-per-pte'])(
    '%s decides per page: correct in both worlds',
    (name) => {
      const v = getVariant(name);
      expect(writable(v.run(dangerous).ptes)).toEqual([false, false]);
      expect(writable(v.run(missed).ptes)).toEqual([true, true]);
    },
  );

  it('the registry marks it known-bad and names the rule', () => {
    const v = getVariant('v6.17-cac1db8c3aad');
    expect([v.verdict, v.breaks]).toEqual(['known-bad', 'R-WR.4']);
    // The known-bad upstream versions: this one, and the baseline built with the x86 pmd_modify() shipped
    // from v6.6 to f7491d7c81db (a real bug outside mm/mprotect.c); the rest are the gallery's re-created bugs.
    expect(VARIANTS.filter((x) => x.verdict === 'known-bad' && !GALLERY.includes(x)).map((x) => x.name)).toEqual([
      'v6.17-cac1db8c3aad',
      'falcato-v3+x86-pmd_modify-v6.6',
    ]);
  });
});
