// SPDX-License-Identifier: GPL-2.0-only
// Issue 11: realistic bugs that used to pass a default `check` because the
// generator never (or rarely) built the worlds they need. Each is a broken copy
// of the baseline (falcato-v3) or of the kernel library it calls, made by
// patched.ts, and must be caught by the default properties at the default
// budget (1,000 cases per property, as `mprotect-spec check` runs) on every
// seed tried. Nothing here names the bug: the properties are the general ones.
import { describe, expect, it } from 'vitest';
import { change_protection_spec } from '../../spec/index.js';
import { type CheckTarget, PROPERTIES, type PropertyResult, runProperty } from '../../src/check/index.js';
import type { World } from '../../src/pte/index.js';
import { explainFailure, globalSeed } from '../budget.js';
import { patchedTarget } from './patched.js';

const spec = (w: World) => change_protection_spec(w);
/** `mprotect-spec check`'s default --runs. */
const CASES = 1_000;
/** Seeds tried: four fixed ones and the run's own. */
const SEEDS = [1, 2, 3, 20260402, globalSeed()];

const BASELINE = 'src/kernel/variants/falcato-v3.ts';
const LIB_INDEX = 'src/kernel/lib/index.ts';
const LIB_NUMA = 'src/kernel/lib/numa.ts';
const LIB_HUGE = 'src/kernel/lib/huge_memory.ts';

/** The first default property that fails, in PROPERTIES order (as `check` reports them). */
function firstCatch(target: CheckTarget, seed: number): PropertyResult | null {
  for (const prop of PROPERTIES) {
    const r = runProperty(prop, target, spec, { seed, numRuns: CASES });
    expect(r.internalError, r.internalError).toBeUndefined();
    if (r.failure) return r;
  }
  return null;
}

const HOLES = [
  {
    name: 'pcd-cleared-after-pte_modify',
    why: 'an uncached (PCD) mapping becomes cached when its protection changes',
    patch: {
      files: {
        [BASELINE]: [
          [
            '  ptent = pte_modify(oldpte, newprot);\n',
            '  ptent = pte_modify(oldpte, newprot);\n  ptent = { ...ptent, flags: ptent.flags & ~_PAGE_PCD };\n',
          ],
          ["} from '../../pte/index.js';", "  _PAGE_PCD,\n} from '../../pte/index.js';"],
        ],
      },
      entryFile: BASELINE,
    },
  },
  {
    name: 'numa-rehints-protnone-huge-pmd',
    why: 'PROT_NUMA re-hints a huge PMD that is already PROT_NONE (the protnone skip dropped from the v6.19 PMD path)',
    patch: {
      files: {
        [LIB_HUGE]: [
          [
            '  if (is_huge_zero_pmd(pmd)) return true;\n  if (pmd_protnone(pmd)) return true;\n  return !folio_can_map_prot_numa(',
            '  if (is_huge_zero_pmd(pmd)) return true;\n  return !folio_can_map_prot_numa(',
          ],
        ],
        [LIB_INDEX]: [],
        [BASELINE]: [],
      },
      entryFile: BASELINE,
    },
  },
  {
    name: 'numa-single-threaded-ignores-vm_shared',
    why: 'vma_is_single_threaded_private() without its VM_SHARED test: a shared folio on the local node is never hinted',
    patch: {
      files: {
        [LIB_NUMA]: [
          [
            '  if (vma.vm_flags & VM_SHARED) return false;\n  return vma.vm_mm.state.singleThreaded;',
            '  return vma.vm_mm.state.singleThreaded;',
          ],
        ],
        [LIB_HUGE]: [],
        [LIB_INDEX]: [],
        [BASELINE]: [],
      },
      entryFile: BASELINE,
    },
  },
] as const;

describe.each(HOLES)('$name ($why)', ({ name, patch }) => {
  it.each(SEEDS)(`is caught by the default properties at ${CASES} cases, seed %i`, async (seed) => {
    const target = await patchedTarget(name, patch);
    const caught = firstCatch(target, seed);
    expect(caught, `${name} was not caught at seed ${seed}`).not.toBeNull();
    console.log(`${name} @ ${seed}: '${caught!.property}' after ${caught!.cases} cases`);
    console.log(explainFailure(caught!));
  });
});

describe('the unpatched copy', () => {
  it('agrees on every default property (the patch, not the copying, is what is caught)', async () => {
    const target = await patchedTarget('unpatched', {
      files: { [LIB_NUMA]: [], [LIB_HUGE]: [], [LIB_INDEX]: [], [BASELINE]: [] },
      entryFile: BASELINE,
    });
    expect(firstCatch(target, globalSeed())).toBeNull();
  });
});
