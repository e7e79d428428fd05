// SPDX-License-Identifier: GPL-2.0-only
// How the extractor decides preprocessor conditionals and what it does with
// attribute macros, on small kernel-style files written here.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { extractTranslationUnit } from '../../src/realc/extract/index.js';
import { STANDIN_SHIM, syntaxCheck, tempDir } from './extract_helpers.js';

/** A tree whose mm/mprotect.c is `body` followed by a change_protection() calling `helper()`. */
function treeWith(body: string, header = ''): string {
  const dir = tempDir();
  mkdirSync(join(dir, 'mm'));
  mkdirSync(join(dir, 'include/linux'), { recursive: true });
  writeFileSync(join(dir, 'include/linux/pgtable.h'), header);
  writeFileSync(
    join(dir, 'mm/mprotect.c'),
    `${body}\nlong change_protection(struct mmu_gather *tlb, struct vm_area_struct *vma,\n\t\tunsigned long start, unsigned long end, unsigned long cp_flags)\n{\n\treturn helper(cp_flags);\n}\n`,
  );
  return dir;
}

const extract = (dir: string) => extractTranslationUnit({ treeDir: dir, shimDir: STANDIN_SHIM });
const helperBody = async (dir: string) => {
  const x = await extract(dir);
  const f = x.functions.filter((d) => d.name === 'helper');
  expect(f).toHaveLength(1);
  return { x, line: f[0]!.line };
};

describe('conditionals are decided by the x86-64 config table', () => {
  it('#if with a numeric CONFIG and #elif chains pick the arm the configuration compiles', async () => {
    const dir = treeWith(
      [
        '#if CONFIG_PGTABLE_LEVELS > 5',
        'static long helper(unsigned long f) { return 5; }',
        '#elif CONFIG_PGTABLE_LEVELS == 5 && IS_ENABLED(CONFIG_X86_64)',
        'static long helper(unsigned long f) { return 4; }',
        '#else',
        'static long helper(unsigned long f) { return 3; }',
        '#endif',
      ].join('\n'),
    );
    expect((await helperBody(dir)).line).toBe(4);
  });

  it('IS_ENABLED of an unset symbol and #if 0 are false', async () => {
    const dir = treeWith(
      [
        '#if IS_ENABLED(CONFIG_DEBUG_VM) || 0',
        'static long helper(unsigned long f) { return 1; }',
        '#else',
        'static long helper(unsigned long f) { return 2; }',
        '#endif',
      ].join('\n'),
    );
    expect((await helperBody(dir)).line).toBe(4);
  });

  it('#ifndef NAME sees macros defined on earlier lines of the kernel files, not later ones', async () => {
    const dir = treeWith(
      [
        '#ifndef helper_variant',
        'static long helper(unsigned long f) { return 1; }',
        '#define helper_variant 1',
        '#else',
        'static long helper(unsigned long f) { return 2; }',
        '#endif',
      ].join('\n'),
    );
    expect((await helperBody(dir)).line).toBe(2);
  });

  it('a macro from the header file counts as defined in mprotect.c', async () => {
    const dir = treeWith(
      ['#ifdef FIXTURE_FROM_HEADER', 'static long helper(unsigned long f) { return 1; }', '#endif'].join('\n'),
      '#define FIXTURE_FROM_HEADER\n',
    );
    expect((await helperBody(dir)).line).toBe(2);
  });

  it('a generic fallback under #ifndef NAME is skipped when the shim defines NAME as a macro', async () => {
    const dir = treeWith(
      ['#ifndef likely', '#define likely(x) (x)', '#endif', 'static long helper(unsigned long f) { return likely(f); }'].join(
        '\n',
      ),
    );
    const { x } = await helperBody(dir);
    expect(x.macros.map((m) => m.name)).not.toContain('likely');
    expect(x.fromShim).toContain('likely');
  });

  it('a conditional that tests the value of a macro it cannot know is refused with its line', async () => {
    const dir = treeWith(
      ['#define FIXTURE_LEVELS 3', '#if FIXTURE_LEVELS > 2', 'static long helper(unsigned long f) { return 1; }', '#endif'].join(
        '\n',
      ),
    );
    await expect(extract(dir)).rejects.toThrow(
      /^mm\/mprotect\.c:2: cannot decide `#if FIXTURE_LEVELS > 2`: the value of macro FIXTURE_LEVELS is not known here/,
    );
  });
});

describe('attribute macros before the return type', () => {
  const ATTRS = ['__always_inline', 'noinline', '__maybe_unused', '__must_check', 'inline'];
  it('any combination parses, is emitted byte for byte, and is checked against the shim', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(fc.constantFrom(...ATTRS), { maxLength: 3 }), async (attrs) => {
        const signature = `static ${attrs.join(' ')}${attrs.length ? ' ' : ''}long helper(unsigned long f)`;
        const dir = treeWith(`${signature}\n{\n\treturn (long)f;\n}\n`);
        const { x } = await helperBody(dir);
        expect(x.source).toContain(`${signature}\n{\n\treturn (long)f;\n}\n`);
        expect(x.missing).toEqual([]);
        for (const a of attrs) if (a !== 'inline') expect(x.fromShim).toContain(a);
        // (gcc may warn about attribute combinations such as noinline with __always_inline; it must compile.)
        const cc = syntaxCheck(x.source, STANDIN_SHIM);
        expect(cc.ok, cc.stderr).toBe(true);
      }),
      { numRuns: 12 },
    );
  });
});
