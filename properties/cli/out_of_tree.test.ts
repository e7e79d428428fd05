// SPDX-License-Identifier: GPL-2.0-only
// The patch author's path from outside the checkout (issue 13 item 2): a
// stand-alone copy made by `new-variant --out` in a directory with no
// package.json imports the package by name and is checked with --impl, as
// the README shows; an edit that breaks it is caught.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from './helpers.js';

const BIN = resolve('bin/mprotect-spec.js');
const run = (cwd: string, args: string[]) => spawnSync('node', [BIN, ...args], { cwd, encoding: 'utf8' });

describe('a candidate outside the checkout', () => {
  const dir = tempDir('mprotect-spec-outside-');

  it('new-variant --out writes a copy importing mprotect-spec/kernel and mprotect-spec/pte', () => {
    const r = run(dir, ['new-variant', 'my-patch', '--out', 'my-patch.ts']);
    expect(r.status).toBe(0);
    const text = readFileSync(join(dir, 'my-patch.ts'), 'utf8');
    expect(text).toContain("from 'mprotect-spec/kernel'");
    expect(text).toContain("from 'mprotect-spec/pte'");
    expect(text).not.toContain("'../");
  });

  it('check --impl agrees on the untouched copy, from a directory with no package.json', () => {
    const r = run(dir, ['check', '--impl', 'my-patch.ts', '--runs', '150', '--seed', '4', '--no-save', '-q']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/AGREEMENT: impl:my-patch\.ts: all 7 property runs pass/);
  });

  it('a broken edit of the copy (the head-page bug) is caught and saved in the current directory', () => {
    const text = readFileSync(join(dir, 'my-patch.ts'), 'utf8');
    const broken = text.replace(/PageAnonExclusive\(first_page \+ ([a-z_]+)\)/, 'PageAnonExclusive(first_page)');
    expect(broken).not.toBe(text);
    writeFileSync(join(dir, 'broken.ts'), broken);
    const r = run(dir, ['check', '--impl', 'broken.ts', '--seed', '42', '-q']);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/saved to counterexamples\//);
  });
});
