// Exact comparison: against the pure per-entry spec for per-PTE variants
// (INV-21 for every variant on order-0 worlds), against the batch-aware spec
// for batched ones.
import { type KernelOutcome, pte_same, type SpecOutcome, type World } from '../pte/index.js';
import { compareCount, comparePmds, compareStamps, flushedPages } from './compare_common.js';
import type { Mismatch } from './mismatch.js';

export function compareExact(world: World, expected: SpecOutcome, kern: KernelOutcome): Mismatch[] {
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
  const flushed = [...flushedPages(kern)].sort((a, b) => a - b);
  if (flushed.join() !== expected.flushPages.join()) {
    const hex = (xs: readonly number[]) => xs.map((x) => `0x${x.toString(16)}`).join(', ');
    out.push({ rule: 'EXACT', message: `flushed pages: reference [${hex(expected.flushPages)}], variant [${hex(flushed)}]` });
  }
  return out;
}
