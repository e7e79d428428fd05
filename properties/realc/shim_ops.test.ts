// SPDX-License-Identifier: GPL-2.0-only
// The shim's C pte accessors and modifiers equal src/pte/pte_ops.ts bit for
// bit, over random present PTEs, on both soft-dirty configurations and both
// flush rules (x86-64, arm64 as of v6.19).
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import {
  _PAGE_ALL_BITS,
  _PAGE_PRESENT,
  _PAGE_PROTNONE,
  _PAGE_SOFT_DIRTY,
  ARM64,
  type KConfig,
  mk_pte,
  type PresentPte,
  pte_clear_soft_dirty,
  pte_clear_uffd_wp,
  pte_dirty,
  pte_mkclean,
  pte_mkdirty,
  pte_mkold,
  pte_mksoft_dirty,
  pte_mkuffd_wp,
  pte_mkwrite,
  pte_mkyoung,
  pte_modify,
  pte_needs_flush,
  pte_protnone,
  pte_soft_dirty,
  pte_special,
  pte_uffd_wp,
  pte_write,
  pte_wrprotect,
  pte_young,
  X86_64,
  X86_64_NO_SOFT_DIRTY,
} from '../../src/pte/index.js';
import { decodePteOps, encodePteOps, type PteOpsItem, Words } from '../../src/realc/harness/codec.js';
import { kernelTarget } from '../../src/realc/target.js';
import { runs } from '../budget.js';
import { FIXTURES, fixtureTU } from './fixture_tu.js';

const target = kernelTarget({ tu: fixtureTU(`${FIXTURES}/batched`), name: 'fixture-batched' });
afterAll(() => target.dispose());

const NAMES = [
  'pte_modify',
  'pte_mkwrite',
  'pte_wrprotect',
  'pte_mkuffd_wp',
  'pte_clear_uffd_wp',
  'pte_mkdirty',
  'pte_mkclean',
  'pte_mkyoung',
  'pte_mkold',
  'pte_mksoft_dirty',
  'pte_clear_soft_dirty',
] as const;

function tsResults(it: PteOpsItem, config: KConfig): { flags: number[]; preds: number } {
  const pte = mk_pte(it.pfn, it.flags);
  const other = mk_pte(it.pfn, it.other);
  const r: PresentPte[] = [
    pte_modify(pte, it.prot),
    pte_mkwrite(pte),
    pte_wrprotect(pte),
    pte_mkuffd_wp(pte),
    pte_clear_uffd_wp(pte),
    pte_mkdirty(pte, config),
    pte_mkclean(pte),
    pte_mkyoung(pte),
    pte_mkold(pte),
    pte_mksoft_dirty(pte, config),
    pte_clear_soft_dirty(pte),
  ];
  const preds =
    1 |
    (pte_protnone(pte) ? 2 : 0) |
    (pte_write(pte) ? 4 : 0) |
    (pte_dirty(pte) ? 8 : 0) |
    (pte_young(pte) ? 16 : 0) |
    (pte_soft_dirty(pte) ? 32 : 0) |
    (pte_uffd_wp(pte) ? 64 : 0) |
    (pte_special(pte) ? 128 : 0) |
    (pte_needs_flush(pte, other, config) ? 256 : 0);
  return { flags: r.map((p) => p.flags), preds };
}

/** Present flags (PRESENT or PROTNONE); no soft-dirty bit where the config has none. */
const flagsArb = (config: KConfig) =>
  fc
    .integer({ min: 0, max: _PAGE_ALL_BITS })
    .map((f) => (config.memSoftDirty ? f : f & ~_PAGE_SOFT_DIRTY))
    .filter((f) => (f & (_PAGE_PRESENT | _PAGE_PROTNONE)) !== 0);

const itemArb = (config: KConfig): fc.Arbitrary<PteOpsItem> =>
  fc.record({
    pfn: fc.integer({ min: 0, max: 0xfffff }),
    flags: flagsArb(config),
    prot: fc.integer({ min: 0, max: _PAGE_ALL_BITS }).map((p) => (config.memSoftDirty ? p : p & ~_PAGE_SOFT_DIRTY)),
    other: flagsArb(config),
  });

describe('shim pte accessors equal src/pte/pte_ops.ts', () => {
  const words = new Words();
  for (const [label, config] of [
    ['x86-64', X86_64],
    ['x86-64 without soft-dirty', X86_64_NO_SOFT_DIRTY],
    ['arm64 (flush rule)', ARM64],
  ] as const) {
    it(label, () => {
      fc.assert(
        fc.property(fc.array(itemArb(config), { minLength: 1, maxLength: 64 }), (items) => {
          encodePteOps(items, config.memSoftDirty, config.arch === 'arm64', words);
          const got = decodePteOps(target.raw(words.buf, words.len), items.length);
          items.forEach((item, k) => {
            const want = tsResults(item, config);
            const g = got[k] as { flags: readonly number[]; preds: number };
            NAMES.forEach((name, j) => {
              expect(
                g.flags[j],
                `${name}(pfn ${item.pfn}, flags 0x${item.flags.toString(16)}, prot 0x${item.prot.toString(16)})`,
              ).toBe(want.flags[j]);
            });
            expect(g.preds.toString(2), `predicates of flags 0x${item.flags.toString(16)} vs 0x${item.other.toString(16)}`).toBe(
              want.preds.toString(2),
            );
          });
        }),
        { numRuns: runs(200) },
      );
    });
  }
});
