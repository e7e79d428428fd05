// SPDX-License-Identifier: GPL-2.0-only
// Test helpers: a C fixture tree as one translation unit (the shim include,
// then the tree's include/linux/pgtable.h, mm/internal.h and mm/mprotect.c
// with #line markers), and broken edits applied with patch(1) in a temp copy.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const FIXTURES = resolve(dirname(fileURLToPath(import.meta.url)), 'fixtures');
export const PATCHES = join(FIXTURES, 'patches');

const FILES = ['include/linux/pgtable.h', 'mm/internal.h', 'mm/mprotect.c'] as const;

/** The TU of a fixture tree: the files that exist, headers first, as the extractor orders them. */
export function fixtureTU(treeDir: string): string {
  const parts = ['#include "mprotect_shim.h"'];
  for (const f of FILES) {
    const path = join(treeDir, f);
    if (!existsSync(path)) continue;
    parts.push(`#line 1 "${f}"`, readFileSync(path, 'utf8'));
  }
  return `${parts.join('\n')}\n`;
}

/** A temp copy of fixture `name` with `patch` applied (patch -p1); returns the TU and cleans up. */
export function patchedFixtureTU(name: string, patch: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'mprotect-fixture-'));
  try {
    cpSync(join(FIXTURES, name), dir, { recursive: true });
    execFileSync('patch', ['-p1', '--no-backup-if-mismatch', '--quiet', '-i', join(PATCHES, patch)], { cwd: dir });
    return fixtureTU(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
