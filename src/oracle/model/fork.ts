// SPDX-License-Identifier: GPL-2.0-only
// fork() of a holder child (copy_page_range() for the VMAs that need a copy)
// and its exit.
import { _PAGE_SPECIAL, pte_wrprotect } from '../../pte/index.js';
import type { PredictedOpResult } from '../observation.js';

import { FaultModel } from './faults.js';
import { type ChildState, isPrivate, PMD_PAGES } from './state.js';

export abstract class ForkModel extends FaultModel {
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
        const pte0 = r.ptes[i]!;
        if (copies(i) && pte0.kind === 'present' && !(pte0.flags & _PAGE_SPECIAL)) {
          const g = this.folioOf(pte0.pfn);
          if (g?.anon && g.order > 0 && g.order < 9 && g.maps.reduce((a, b) => a + b, 0) === 1) g.sharedWhileSingle = true;
        }
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
}
