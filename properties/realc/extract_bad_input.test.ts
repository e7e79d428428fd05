// SPDX-License-Identifier: GPL-2.0-only
// Each bad input of the extractor gets its own clear message; through the
// CLI it is exit 2 and nothing is written.
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ExtractError, extractTranslationUnit } from '../../src/realc/extract/index.js';
import { cli } from '../cli/helpers.js';
import { editedTree, FIXTURE_TREE, replaceOnce, STANDIN_SHIM, tempDir } from './extract_helpers.js';

const extract = (treeDir: string) => extractTranslationUnit({ treeDir, shimDir: STANDIN_SHIM });

async function refusal(treeDir: string): Promise<string> {
  try {
    await extract(treeDir);
  } catch (error) {
    expect(error).toBeInstanceOf(ExtractError);
    return (error as Error).message;
  }
  throw new Error('expected the extraction to be refused');
}

describe('bad input to the extractor', () => {
  it('a directory without mm/mprotect.c', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'mm'));
    expect(await refusal(dir)).toBe(`${dir} has no mm/mprotect.c (is it a kernel tree?)`);
  });

  it('a syntax error inside an extracted function names its file and line', async () => {
    const dir = editedTree('mm/mprotect.c', (t) =>
      replaceOnce(t, 'long pages = 0;\n\tint nr_ptes;', 'long pages = 0;\n\tint nr_ptes = ) 3;'),
    );
    expect(await refusal(dir)).toMatch(
      /^mm\/mprotect\.c:41: does not parse \(in the definition of change_pte_range\): unexpected `/,
    );
  });

  it('a syntax error outside the extracted code is fine', async () => {
    const dir = editedTree('mm/mprotect.c', (t) => replaceOnce(t, 'return a * 2;', 'return a * ) 2;'));
    const x = await extract(dir);
    expect(x.functions.map((f) => f.name)).toContain('change_pte_range');
  });

  it('a tree without change_protection()', async () => {
    const dir = editedTree('mm/mprotect.c', (t) =>
      replaceOnce(t, 'long change_protection(struct', 'long change_protection_gone(struct'),
    );
    expect(await refusal(dir)).toBe(`mm/mprotect.c of ${dir} does not define change_protection()`);
  });

  it('a name defined neither by the tree nor by the shim is reported with where it is used and which header to extend', async () => {
    const dir = editedTree('mm/mprotect.c', (t) =>
      replaceOnce(t, 'return !leafent_is_marker(leafent_from_pte(pte));', 'return !leafent_is_device(leafent_from_pte(pte));'),
    );
    const x = await extract(dir);
    expect(x.missing).toEqual(['leafent_is_device']);
    expect(x.missingDetail[0]).toMatchObject({ usedAt: 'mm/mprotect.c:20', suggest: join(STANDIN_SHIM, 'leaf.h') });
  });

  it('a conditional on a CONFIG symbol the table does not know is refused, naming the directive and line', async () => {
    const dir = editedTree('mm/internal.h', (t) =>
      replaceOnce(t, '#ifdef CONFIG_NUMA_BALANCING', '#ifdef CONFIG_FIXTURE_UNKNOWN'),
    );
    expect(await refusal(dir)).toBe(
      'mm/internal.h:21: cannot decide `#ifdef CONFIG_FIXTURE_UNKNOWN`: CONFIG_FIXTURE_UNKNOWN is not in the x86-64 config table ' +
        '(src/realc/extract/config.ts) (deciding whether fixture_numa_enabled, used at mm/mprotect.c:125, is compiled)',
    );
  });

  it('an unknown CONFIG symbol around code nobody reaches is not evaluated', async () => {
    const dir = editedTree('include/linux/pgtable.h', (t) =>
      replaceOnce(
        t,
        'static inline int fixture_never_called_header',
        '#ifdef CONFIG_FIXTURE_UNKNOWN\n#endif\nstatic inline int fixture_never_called_header',
      ),
    );
    await expect(extract(dir)).resolves.toBeDefined();
  });

  it('two compiled definitions of one function are refused', async () => {
    const dir = editedTree('mm/internal.h', (t) =>
      replaceOnce(t, '#else\nstatic inline bool fixture_numa_enabled', '#endif\n#if 1\nstatic inline bool fixture_numa_enabled'),
    );
    expect(await refusal(dir)).toMatch(
      /^fixture_numa_enabled has 2 compiled function definitions \(mm\/internal\.h:22, mm\/internal\.h:28\)/,
    );
  });
});

describe('mprotect-spec extract: bad input is exit 2, nothing written', () => {
  const run = (args: string[]) => cli(['extract', ...args, '--shim', STANDIN_SHIM]);

  it('prints the translation unit and a summary for a good tree', async () => {
    const r = await run(['--kernel', FIXTURE_TREE]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('long change_protection(struct mmu_gather *tlb,');
    expect(r.stderr).toMatch(
      /^extracted 12 functions, 2 macros, 5 types from .*: \d+ lines, \d+ shim names, vocabulary leafent, per-pte/,
    );
  });

  it.each([
    ['no mm/mprotect.c', () => tempDir(), /has no mm\/mprotect\.c/],
    [
      'a parse error',
      () =>
        editedTree('mm/mprotect.c', (t) =>
          replaceOnce(t, 'long pages = 0;\n\tint nr_ptes;', 'long pages = 0;\n\tint nr_ptes = ) 3;'),
        ),
      /mm\/mprotect\.c:41: does not parse/,
    ],
    [
      'no change_protection',
      () =>
        editedTree('mm/mprotect.c', (t) => replaceOnce(t, 'long change_protection(struct', 'long change_protection_gone(struct')),
      /does not define change_protection\(\)/,
    ],
    [
      'a name the shim lacks',
      () =>
        editedTree('mm/mprotect.c', (t) =>
          replaceOnce(t, 'leafent_is_marker(leafent_from_pte', 'leafent_is_device(leafent_from_pte'),
        ),
      /this tree uses leafent_is_device \(mm\/mprotect\.c:20\), which the shim does not model; add it in .*leaf\.h/,
    ],
  ])('%s', async (_label, make, message) => {
    const dir = make();
    const out = join(tempDir(), 'tu.c');
    const r = await run(['--kernel', dir, '-o', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(existsSync(out)).toBe(false);
    rmSync(dir, { recursive: true, force: true });
  });

  it('--json gives the provenance and names; with -o the source goes to the file only', async () => {
    const out = join(tempDir(), 'tu.c');
    const r = await run(['--kernel', FIXTURE_TREE, '--json', '-o', out]);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.tree).toBe(FIXTURE_TREE);
    expect(j.functions.map((f: { name: string }) => f.name)).toContain('change_pte_range');
    expect(j.vocabulary).toEqual(['leafent', 'per-pte']);
    expect(j.missing).toEqual([]);
    expect(j.source).toBeUndefined();
    expect(readFileSync(out, 'utf8')).toContain('#include "mprotect_shim.h"');
  });

  it('--kernel is required', async () => {
    const r = await cli(['extract']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("required option '--kernel <dir>' not specified");
  });
});
