// SPDX-License-Identifier: GPL-2.0-only
// The patch path: patch files in each form a reviewer has (a list mail in an
// mbox with a cover letter, git format-patch output, a git diff, a diff -u)
// are parsed into patches with their subjects and applied, in order, to a
// temporary copy of the three files; the tree itself is never written.
import { readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { extractTranslationUnit } from '../../src/realc/extract/index.js';
import { applyPatches, describeTree, PatchError, parsePatchText } from '../../src/realc/patch/index.js';
import { cli } from '../cli/helpers.js';
import { FIXTURE_TREE, STANDIN_SHIM } from './extract_helpers.js';

const P = resolve('properties/realc/fixtures/extract/patches');
const sample = (name: string) => join(P, name);
const read = (name: string) => readFileSync(sample(name), 'utf8');

describe('parsing patch files', () => {
  it('git format-patch output: one patch, folded Subject joined, one file', () => {
    const ps = parsePatchText(read('0001-relax-range-check.patch'), 'x');
    expect(ps).toHaveLength(1);
    expect(ps[0]!.subject).toBe('[PATCH] mm/mprotect: relax the range check in change_protection_range');
    expect(ps[0]!.files.map((f) => [f.oldPath, f.newPath])).toEqual([['mm/mprotect.c', 'mm/mprotect.c']]);
  });

  it('an mbox series: the cover letter (no diff) is skipped, the patches keep their order and subjects', () => {
    const ps = parsePatchText(read('series.mbox'), 'x');
    expect(ps.map((p) => p.subject)).toEqual([
      '[PATCH 1/2] mm/internal: spell the batch start unsigned',
      '[PATCH 2/2] mm/mprotect: spell the batch length unsigned',
    ]);
    expect(ps.map((p) => p.files.map((f) => f.newPath))).toEqual([['mm/internal.h'], ['mm/mprotect.c']]);
  });

  it('plain diffs: git diff and diff -u (timestamps dropped), no subject', () => {
    const git = parsePatchText(read('plain-git.diff'), 'x');
    expect(git.map((p) => [p.subject, p.files.map((f) => f.newPath)])).toEqual([[null, ['include/linux/pgtable.h']]]);
    const u = parsePatchText(read('plain-u.diff'), 'x');
    expect(u.map((p) => [p.subject, p.files.map((f) => f.oldPath)])).toEqual([[null, ['mm/internal.h']]]);
  });

  it('a file with no diff at all is refused', () => {
    expect(() => parsePatchText('Subject: hello\n\njust text\n', 'notes.txt')).toThrow(
      new PatchError('notes.txt has no diff (expected an mbox mail, git format-patch output or a unified diff)'),
    );
  });
});

describe('applying patches to a temporary copy', () => {
  const snapshot = () =>
    ['mm/mprotect.c', 'mm/internal.h', 'include/linux/pgtable.h'].map((f) => {
      const p = join(FIXTURE_TREE, f);
      return [readFileSync(p, 'utf8'), statSync(p).mtimeMs];
    });

  it('applies every patch of every file in order, and never writes the tree', async () => {
    const before = snapshot();
    const t = applyPatches(FIXTURE_TREE, [
      sample('series.mbox'),
      sample('0001-relax-range-check.patch'),
      sample('plain-git.diff'),
    ]);
    try {
      expect(t.dir.startsWith(FIXTURE_TREE)).toBe(false);
      expect(t.applied.map((a) => a.subject)).toEqual([
        '[PATCH 1/2] mm/internal: spell the batch start unsigned',
        '[PATCH 2/2] mm/mprotect: spell the batch length unsigned',
        '[PATCH] mm/mprotect: relax the range check in change_protection_range',
        null,
      ]);
      const x = await extractTranslationUnit({
        treeDir: FIXTURE_TREE,
        shimDir: STANDIN_SHIM,
        files: t.files,
        displayDir: FIXTURE_TREE,
      });
      expect(x.source).toContain('unsigned int nr = 1U;');
      expect(x.source).toContain('nr_ptes = 1U;');
      expect(x.source).toContain('BUG_ON(addr > end);');
      expect(x.source).not.toContain('BUG_ON(addr >= end);');
    } finally {
      t.cleanup();
    }
    expect(snapshot()).toEqual(before);
  });

  it('a patch that does not apply names the patch, the tree, the hunk and shows it', () => {
    let message = '';
    try {
      applyPatches(FIXTURE_TREE, [sample('stale.patch')]);
    } catch (error) {
      expect(error).toBeInstanceOf(PatchError);
      message = (error as Error).message;
    }
    expect(message).toContain(
      `patch stale.patch ([PATCH] stale context) does not apply to ${FIXTURE_TREE}: hunk #1 of mm/mprotect.c (at 118) failed:`,
    );
    expect(message).toContain('-\tBUG_ON(addr == end);');
  });

  it('a patch touching a file outside the three read is refused before anything is applied', () => {
    expect(() => applyPatches(FIXTURE_TREE, [sample('plain-git.diff'), sample('other-file.diff')])).toThrow(
      /^patch .*other-file\.diff touches mm\/memory\.c, outside the files a check reads \(include\/linux\/pgtable\.h, mm\/internal\.h, mm\/mprotect\.c\)$/,
    );
  });

  it('describes a tree that is not a git work tree by its path', () => {
    expect(describeTree(FIXTURE_TREE)).toEqual({ path: FIXTURE_TREE, git: null, text: FIXTURE_TREE });
  });
});

describe('mprotect-spec extract --patch', () => {
  it('extracts the patched files and names the patches in the header', async () => {
    const r = await cli([
      'extract',
      '--kernel',
      FIXTURE_TREE,
      '--shim',
      STANDIN_SHIM,
      '--patch',
      sample('0001-relax-range-check.patch'),
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('BUG_ON(addr > end);');
    expect(r.stdout).toContain('Patched with');
    expect(r.stdout).toContain('relax the range check');
    expect(r.stderr).toContain('+ 1 patch(es)');
  });

  it.each([
    ['stale.patch', /does not apply to .*: hunk #1 of mm\/mprotect\.c/],
    ['other-file.diff', /touches mm\/memory\.c, outside the files a check reads/],
  ])('%s is exit 2', async (name, message) => {
    const r = await cli(['extract', '--kernel', FIXTURE_TREE, '--shim', STANDIN_SHIM, '--patch', sample(name)]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
  });
});
