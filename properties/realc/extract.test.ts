// SPDX-License-Identifier: GPL-2.0-only
// The extractor on a kernel-style fixture tree of our own: what it takes
// (reachable from change_protection across the three files, macros pasted
// with ##, the compiled arm of each #ifdef), what it leaves (unreachable
// code, dead arms, the mprotect_fixup layer, names the shim defines), and
// that the translation unit compiles against the stand-in shim.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Extraction, extractTranslationUnit } from '../../src/realc/extract/index.js';
import { FIXTURE_TREE, STANDIN_SHIM, syntaxCheck } from './extract_helpers.js';

let x: Extraction;
beforeAll(async () => {
  x = await extractTranslationUnit({ treeDir: FIXTURE_TREE, shimDir: STANDIN_SHIM });
});

const names = (list: readonly { name: string }[]) => list.map((d) => d.name);

describe('extraction of the fixture tree', () => {
  it('takes every function reachable from change_protection, across the three files, in file then source order', () => {
    expect(names(x.functions)).toEqual([
      'fixture_pte_next',
      'fixture_start_ptes',
      'fixture_numa_enabled',
      'fixture_batch_len',
      'fixture_can_write',
      'fixture_batch',
      'change_pte_range',
      'change_pmd_range',
      'change_pud_range',
      'change_p4d_range',
      'change_protection_range',
      'change_protection',
    ]);
    expect(x.roots).toEqual(['change_protection']);
    expect(x.missing).toEqual([]);
    expect(x.warnings).toEqual([]);
  });

  it('leaves out unreachable functions, the mprotect_fixup layer and fallbacks the shim replaces', () => {
    const fs = names(x.functions);
    for (const n of ['fixture_unreachable', 'fixture_never_called_header', 'mprotect_fixup', 'pte_mkwrite'])
      expect(fs).not.toContain(n);
    expect(x.source).not.toContain('fixture_unreachable');
    expect(x.source).not.toContain('fixture_never_called_header');
    expect(x.fromShim).toContain('pte_mkwrite');
    expect(x.fromShim).toContain('hugetlb_change_protection');
  });

  it('follows ## pastes in the prepare macro through every argument it is invoked with', () => {
    expect(names(x.macros)).toContain('change_prepare');
    for (const n of ['pmd_alloc', 'pud_alloc', 'pmd_t', 'pud_t']) expect(x.fromShim).toContain(n);
    // The pasted-only argument is not a reference of its own (no "pmd"/"pud" name is looked up).
    expect(x.fromShim).not.toContain('pmd');
    expect(x.missing).not.toContain('low');
  });

  it('takes the compiled arm of #ifdef/#else and #if/#elif, and blanks dead arms inside bodies', () => {
    const internal = readFileSync(join(FIXTURE_TREE, 'mm/internal.h'), 'utf8');
    const numaTrue = internal.indexOf('return true;');
    expect(numaTrue).toBeGreaterThan(0);
    expect(x.source).toContain('return true;');
    expect(x.source).not.toContain('return false;\n}\n#endif');
    // fixture_batch_len: the #if arm (with its __always_inline) is taken, not the #elif one.
    expect(x.source).toContain('static __always_inline unsigned int fixture_batch_len');
    // Inside change_pte_range the CONFIG_MEM_SOFT_DIRTY arm is compiled; the #else arm's name is neither emitted nor missing.
    expect(x.source).not.toContain('fixture_symbol_only_in_dead_branch');
    expect(x.source).not.toContain('#ifdef CONFIG_MEM_SOFT_DIRTY');
    expect(x.source).toContain('if (cp_flags & MM_CP_TRY_CHANGE_WRITABLE)');
  });

  it('collects file-local types, enum constants and macros the code uses', () => {
    expect(x.types.map((t) => t.name)).toEqual(
      expect.arrayContaining(['fixture_flags_t', 'enum fixture_kind', 'FIXTURE_KIND_PRESENT', 'struct fixture_batch']),
    );
    expect(names(x.macros)).toContain('FIXTURE_RESPECT_WRITE');
    expect(names(x.macros)).not.toContain('FIXTURE_STEP');
  });

  it('keeps attribute macros in the emitted bytes and checks the shim defines them', () => {
    expect(x.source).toContain('static noinline bool fixture_can_write');
    expect(x.source).toContain('typedef int __bitwise fixture_flags_t;');
    expect(x.fromShim).toEqual(expect.arrayContaining(['noinline', '__always_inline', '__bitwise']));
    // __maybe_unused sits only on an unreachable function: not used.
    expect(x.fromShim).not.toContain('__maybe_unused');
  });

  it('marks each definition with #line so the line after it is that line of the user file', () => {
    const lines = x.source.split('\n');
    let checked = 0;
    lines.forEach((l, i) => {
      if (!l.startsWith('#line ')) return;
      const [, n, quoted] = l.split(' ');
      const path = quoted!.slice(1, -1);
      const original = readFileSync(path, 'utf8').split('\n')[Number(n) - 1];
      // A prototype is the definition's first lines with a `;` where the body starts.
      expect([original, `${original};`], `${path}:${n}`).toContain(lines[i + 1]);
      checked++;
    });
    expect(checked).toBeGreaterThan(20);
  });

  it('starts with the provenance header, then the shim include', () => {
    expect(x.source.startsWith(x.header)).toBe(true);
    expect(x.header).toContain('mm/mprotect.c: 8 functions');
    expect(x.header).toContain('From the shim');
    expect(x.source).toContain('\n#include "mprotect_shim.h"\n');
    expect(x.vocabulary).toEqual(['leafent', 'per-pte']);
  });

  it('compiles with cc -fsyntax-only against the stand-in shim', () => {
    const r = syntaxCheck(x.source, STANDIN_SHIM);
    expect(r.stderr).toBe('');
    expect(r.ok).toBe(true);
  });
});
