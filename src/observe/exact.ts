// SPDX-License-Identifier: GPL-2.0-only
// Exact comparison: against the pure per-entry spec for per-PTE variants
// (INV-21 for every variant on order-0 worlds), against the batch-aware spec
// for batched ones. With `flushContainment` (declared drift Δ11, drift.ts)
// the flushed pages need only contain the reference's: extra flushes inside
// the range are allowed, a missing one is not.
import { type KernelOutcome, pte_same, type SpecOutcome, type World } from '../pte/index.js';
import { compareCount, comparePmds, compareStamps, flushedPages } from './compare_common.js';
import type { Mismatch } from './mismatch.js';

export interface ExactOptions {
  readonly flushContainment?: boolean;
}

export function compareExact(world: World, expected: SpecOutcome, kern: KernelOutcome, opts: ExactOptions = {}): Mismatch[] {
  const out: Mismatch[] = [];
  if (kern.ptes.length !== expected.ptes.length)
    return [{ rule: 'EXACT', message: `variant returned ${kern.ptes.length} slots, reference ${expected.ptes.length}` }];
  expected.ptes.forEach((s, i) => {
    const v = kern.ptes[i]!;
    if (!pte_same(s, v))
      out.push({ rule: 'EXACT', message: 'entry differs', vpn: world.vma.start + i, before: world.ptes[i], spec: s, variant: v });
  });
  out.push(
    ...compareCount(expected, kern, 'EXACT'),
    ...comparePmds(expected, kern, 'EXACT'),
    ...compareStamps(expected, kern, 'EXACT'),
  );
  const pages = flushedPages(kern);
  const flushed = [...pages].sort((a, b) => a - b);
  const { start, end } = world.range;
  const contained =
    opts.flushContainment === true &&
    expected.flushPages.every((vpn) => pages.has(vpn)) &&
    flushed.every((vpn) => vpn >= start && vpn < end);
  if (!contained && flushed.join() !== expected.flushPages.join()) {
    const hex = (xs: readonly number[]) => xs.map((x) => `0x${x.toString(16)}`).join(', ');
    out.push({ rule: 'EXACT', message: `flushed pages: reference [${hex(expected.flushPages)}], variant [${hex(flushed)}]` });
  }
  return out;
}
