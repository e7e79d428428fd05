// SPDX-License-Identifier: GPL-2.0-only
// A real kernel tree through the extractor: set MPROTECT_KERNEL_TREE=DIR (a
// tree, or a folder holding just its mm/mprotect.c, mm/internal.h and
// include/linux/pgtable.h) and, optionally, MPROTECT_SHIM_DIR (default
// src/realc/shim). No kernel source is in this repository, so without the
// variable these tests skip, and say so.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { extractTranslationUnit } from '../../src/realc/extract/index.js';
import { syntaxCheck } from './extract_helpers.js';

const tree = process.env.MPROTECT_KERNEL_TREE;
const shimDir = resolve(process.env.MPROTECT_SHIM_DIR ?? 'src/realc/shim');

if (!tree) {
  console.info('real_tree.test.ts: skipped, set MPROTECT_KERNEL_TREE=DIR to extract and compile a real kernel tree');
}

describe.skipIf(!tree)(`a real kernel tree (MPROTECT_KERNEL_TREE=${tree ?? 'unset'})`, () => {
  it('extracts change_protection() and its page-table walk with nothing missing from the shim', async () => {
    expect(existsSync(shimDir), `shim directory ${shimDir}`).toBe(true);
    const t0 = performance.now();
    const x = await extractTranslationUnit({ treeDir: tree!, shimDir });
    const ms = performance.now() - t0;
    console.info(
      `${tree}: ${x.functions.length} functions, ${x.macros.length} macros, ${x.types.length} types, ` +
        `${x.source.split('\n').length} lines, ${x.fromShim.length} shim names, vocabulary ${x.vocabulary.join(', ')}, ${Math.round(ms)} ms`,
    );
    expect(x.missing).toEqual([]);
    expect(x.warnings).toEqual([]);
    for (const name of ['change_protection', 'change_protection_range', 'change_pmd_range', 'change_pte_range']) {
      expect(x.functions.map((f) => f.name)).toContain(name);
    }
    const r = syntaxCheck(x.source, shimDir);
    expect(
      r.stderr
        .split('\n')
        .filter((l) => l.includes('error'))
        .slice(0, 10),
    ).toEqual([]);
    expect(r.ok).toBe(true);
  });
});
