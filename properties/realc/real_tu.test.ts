// SPDX-License-Identifier: GPL-2.0-only
// A real tree's extracted translation unit under the default check. Runs only
// with MPROTECT_KERNEL_TU=FILE (e.g. the output of `mprotect-spec extract
// --kernel DIR -o FILE`; kernel text never enters the repository);
// MPROTECT_KERNEL_EXPECT=fail for a tree with a known bug (v6.17-rc1);
// MPROTECT_KERNEL_VARIANT=NAME also compares every outcome with the
// TypeScript model of that version (entries, flushes in order, commit trace).
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { change_protection_spec } from '../../spec/index.js';
import { worldArb } from '../../src/arbitraries/index.js';
import { PROPERTIES, runProperty } from '../../src/check/index.js';
import { getVariant } from '../../src/kernel/index.js';
import type { World } from '../../src/pte/index.js';
import { type KernelTarget, kernelTarget } from '../../src/realc/target.js';
import { explainFailure, globalSeed, runs } from '../budget.js';

const file = process.env.MPROTECT_KERNEL_TU;
const expectFail = process.env.MPROTECT_KERNEL_EXPECT === 'fail';
const variant = process.env.MPROTECT_KERNEL_VARIANT;
if (!file) console.log('real_tu.test.ts skipped: set MPROTECT_KERNEL_TU=FILE (an extracted translation unit) to run it');

describe.skipIf(!file)(`real tree TU ${file ?? ''}`, () => {
  const spec = (w: World) => change_protection_spec(w);
  let target: KernelTarget | undefined;
  afterAll(() => target?.dispose());

  it(expectFail ? 'is caught by the default check' : 'holds every default property', () => {
    target = kernelTarget({ tu: readFileSync(file as string, 'utf8'), name: file as string });
    console.log(`${file}: ${target.batching}, ${target.generation}, build ${target.build.ms.toFixed(0)} ms`);
    const failures = [];
    for (const prop of PROPERTIES) {
      const r = runProperty(prop, target, spec, { seed: globalSeed(), numRuns: runs(500) });
      expect(r.internalError).toBeUndefined();
      if (r.failure) {
        console.log(explainFailure(r));
        failures.push(r);
        if (expectFail) break;
      }
    }
    if (expectFail) expect(failures.length).toBeGreaterThan(0);
    else expect(failures.map(explainFailure)).toEqual([]);
  });

  it.skipIf(!variant)(`equals the TypeScript model ${variant ?? ''} world by world`, () => {
    const t = target ?? kernelTarget({ tu: readFileSync(file as string, 'utf8'), name: file as string });
    target = t;
    const ts = getVariant(variant as string);
    fc.assert(
      fc.property(worldArb(), (w) => {
        const want = ts.run(w);
        expect(t.run(w)).toEqual({ ...want, trace: want.trace.filter((b) => b.action === 'commit') });
      }),
      { numRuns: runs(1000) },
    );
  });
});
