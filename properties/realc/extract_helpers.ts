// SPDX-License-Identifier: GPL-2.0-only
// Fixture trees for the extractor tests: the kernel-style tree and stand-in
// shim under fixtures/extract (written for these tests, not kernel code),
// copied to a temp dir when a test edits them.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const FIXTURE_TREE = resolve('properties/realc/fixtures/extract/tree');
export const STANDIN_SHIM = resolve('properties/realc/fixtures/extract/shim');

export const tempDir = (prefix = 'mprotect-spec-extract-'): string => mkdtempSync(join(tmpdir(), prefix));

/** A copy of the fixture tree with `edit` applied to one of its files. */
export function editedTree(file: string, edit: (text: string) => string): string {
  const dir = tempDir();
  cpSync(FIXTURE_TREE, dir, { recursive: true });
  const p = join(dir, file);
  const before = readFileSync(p, 'utf8');
  const after = edit(before);
  if (after === before) throw new Error(`edit of ${file} changed nothing`);
  writeFileSync(p, after);
  return dir;
}

/** Replaces exactly one occurrence (the test fails loudly if the fixture changed). */
export function replaceOnce(text: string, from: string, to: string): string {
  const at = text.indexOf(from);
  if (at < 0 || text.indexOf(from, at + 1) >= 0) throw new Error(`expected exactly one '${from}' in the fixture`);
  return text.slice(0, at) + to + text.slice(at + from.length);
}

/** `cc -fsyntax-only` of a translation unit against a shim directory. */
export function syntaxCheck(source: string, shimDir: string): { ok: boolean; stderr: string } {
  const dir = tempDir('mprotect-spec-tu-');
  const file = join(dir, 'tu.c');
  writeFileSync(file, source);
  const r = spawnSync(process.env.CC ?? 'cc', ['-fsyntax-only', '-Werror=implicit-function-declaration', '-I', shimDir, file], {
    encoding: 'utf8',
  });
  return { ok: r.status === 0, stderr: `${r.stderr ?? ''}${r.error ? r.error.message : ''}` };
}
