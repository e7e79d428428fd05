// SPDX-License-Identifier: GPL-2.0-only
// Folio and mapcount tracking: every folio the model allocated, its per-page
// mapcount (this process and every live holder child) and PageAnonExclusive,
// and the holder children's mappings.
import { type Folio, mkFolio } from '../../pte/index.js';

import { type ChildState, type FolioState, LARGE_FILE_ORDER } from './state.js';

export abstract class FolioTracker {
  protected readonly children: ChildState[] = [];
  protected readonly folios = new Map<number, FolioState>();
  protected nextPfn = 1 << 12;
  // ---------- folios ----------
  protected allocFolio(order: number, anon: boolean): FolioState {
    const n = 1 << order;
    this.nextPfn = Math.ceil(this.nextPfn / n) * n;
    const f: FolioState = {
      pfn: this.nextPfn,
      order,
      anon,
      pae: new Array(n).fill(anon),
      maps: new Array(n).fill(0),
      inCache: !anon,
    };
    this.nextPfn += n;
    this.folios.set(f.pfn, f);
    return f;
  }
  protected folioOf(pfn: number): FolioState | null {
    for (const order of [0, 1, 2, 3, LARGE_FILE_ORDER, 5, 6, 7, 8, 9]) {
      const f = this.folios.get(pfn - (pfn % (1 << order)));
      if (f && pfn < f.pfn + (1 << f.order)) return f;
    }
    return null;
  }
  protected unmapPfn(pfn: number): void {
    const f = this.folioOf(pfn);
    if (!f) return;
    f.maps[pfn - f.pfn]!--;
    if (!f.inCache && f.maps.every((m) => m === 0)) this.folios.delete(f.pfn);
  }
  protected mapPfn(pfn: number): void {
    const f = this.folioOf(pfn);
    if (f) f.maps[pfn - f.pfn]!++;
  }
  protected childMaps(f: FolioState): boolean {
    return this.children.some((c) => c.alive && c.pfns.some((p) => p >= f.pfn && p < f.pfn + (1 << f.order)));
  }
  protected folioWorld(pfns: Iterable<number>): Folio[] {
    const seen = new Map<number, FolioState>();
    for (const p of pfns) {
      const f = this.folioOf(p);
      if (f) seen.set(f.pfn, f);
    }
    return [...seen.values()].map((f) =>
      mkFolio({
        pfn: f.pfn,
        order: f.order,
        anon: f.anon,
        anonExclusive: f.anon ? [...f.pae] : new Array(1 << f.order).fill(false),
      }),
    );
  }
}
