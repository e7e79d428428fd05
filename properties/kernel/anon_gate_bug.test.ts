// SPDX-License-Identifier: GPL-2.0-only
// Issue 11 item 6, first fidelity bullet: a private-VMA write path that drops
// the folio_test_anon() test must be caught by the default `check --impl`.
// The candidate is the baseline (falcato-v3) with that one test removed, so a
// page-cache page in a MAP_PRIVATE mapping reaches PageAnonExclusive(). The
// kernel asserts PageAnon there (VM_BUG_ON_PGFLAGS, include/linux/page-flags.h)
// and the model now does too (src/kernel/lib/bug.ts); nothing here names the
// edit: the general properties find it. The unedited copy, loaded the same way,
// is the control.
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { globalSeed } from '../budget.js';
import { cli, tempDir } from '../cli/helpers.js';

const BASELINE = 'src/kernel/variants/falcato-v3.ts';
const ANON_TEST = 'set_write = maybe_change_pte_writable(vma, ptent) && folio !== null && folio_test_anon(folio);';
const NO_ANON_TEST = 'set_write = maybe_change_pte_writable(vma, ptent) && folio !== null;';

/** The baseline as an out-of-tree candidate (imports made absolute), optionally edited. */
function candidate(edit: (src: string) => string): string {
  const src = readFileSync(BASELINE, 'utf8')
    .replaceAll("'../../pte/index.js'", `'${resolve('src/pte/index.js')}'`)
    .replaceAll("'../lib/index.js'", `'${resolve('src/kernel/lib/index.js')}'`);
  const file = join(tempDir('anon-gate-'), 'candidate.mts');
  writeFileSync(file, edit(src));
  return file;
}

function dropAnonTest(src: string): string {
  expect(src.split(ANON_TEST).length, 'the baseline line the edit removes').toBe(2);
  return src.replace(ANON_TEST, NO_ANON_TEST);
}

const check = (file: string, seed: number) => cli(['check', '--impl', file, '--seed', String(seed), '--no-save', '-q']);

describe('falcato-v3 without folio_test_anon() in the private write path', () => {
  it.each([
    ['a fixed seed', 20260402],
    ['the run seed', globalSeed()],
  ])(
    'is caught by the default check at %s',
    async (_what, seed) => {
      const r = await check(candidate(dropAnonTest), seed);
      expect(r.code, `not caught at seed ${seed}:\n${r.stdout}\n${r.stderr}`).toBe(1);
      expect(r.stdout).toMatch(/KernelBUG: VM_BUG_ON_PGFLAGS\(!PageAnon\(page\)\) in PageAnonExclusive\(\)/);
      // The counterexample shows the world: a private file VMA mapping a page-cache (non-anon) folio.
      expect(r.stdout).toMatch(/^vma 0x[0-9a-f]+-0x[0-9a-f]+ file private\b/m);
      expect(r.stdout).toMatch(/^folio 0x[0-9a-f]+-0x[0-9a-f]+ order \d+ file\b/m);
    },
    120_000,
  );

  it('the unedited copy, loaded the same way, agrees (control)', async () => {
    const r = await check(
      candidate((s) => s),
      20260402,
    );
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
  }, 120_000);
});
