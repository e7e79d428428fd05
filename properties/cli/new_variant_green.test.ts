// SPDX-License-Identifier: GPL-2.0-only
// Issue 13 item 1: an untouched copy made by `new-variant` passes every check
// a patch author will meet (type-check, lint, check in workers and in
// process, replay, its property tests), and a registered variant whose file
// does not load is named with its error while every other command works.
// Runs in a temporary copy of the checkout (sources, configs, a link to
// node_modules).
import { spawnSync } from 'node:child_process';
import { cpSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from './helpers.js';

const COPY = ['src', 'spec', 'bin', 'counterexamples', 'package.json', 'tsconfig.json', 'biome.json'];
let root = '';
const run = (cmd: string, args: string[]) => spawnSync(cmd, args, { cwd: root, encoding: 'utf8' });
const cliIn = (args: string[]) => run('node', ['bin/mprotect-spec.js', ...args]);

beforeAll(() => {
  root = tempDir('mprotect-spec-copy-');
  for (const p of COPY) cpSync(resolve(p), join(root, p), { recursive: true, filter: (src) => !src.includes('.gallery') });
  symlinkSync(resolve('node_modules'), join(root, 'node_modules'));
  const r = cliIn(['new-variant', 'my-patch']);
  expect(r.status).toBe(0);
});

describe('an untouched new-variant copy is green', () => {
  it('type-checks and lints', () => {
    const tsc = run('node', ['node_modules/typescript/bin/tsc', '--noEmit', '-p', 'tsconfig.json']);
    expect(tsc.stdout + tsc.stderr).toBe('');
    expect(tsc.status).toBe(0);
    const lint = run('node', ['node_modules/@biomejs/biome/bin/biome', 'check', 'src/kernel']);
    expect(lint.status, lint.stdout + lint.stderr).toBe(0);
  });

  it('agrees under check (job workers) and check --in-process', () => {
    const w = cliIn(['check', '--variant', 'my-patch', '--runs', '200', '--seed', '8', '--no-save', '-q']);
    expect(w.status, w.stdout).toBe(0);
    const p = cliIn(['check', '--variant', 'my-patch', '--runs', '200', '--seed', '8', '--no-save', '-q', '--in-process']);
    expect(p.status, p.stdout).toBe(0);
  });

  it('replays the corpus like its source (no CHANGED file)', () => {
    const r = cliIn(['replay']);
    expect(r.stdout).not.toMatch(/CHANGED/);
    expect(r.status).toBe(0);
  });
});

describe('a registered variant that does not load', () => {
  beforeAll(() => {
    writeFileSync(join(root, 'src/kernel/variants/my-patch.ts'), 'export function change_protection( {\n');
  });

  it('list still works and names the variant and its error', () => {
    const r = cliIn(['list']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/my-patch\s+FAILED TO LOAD/);
    expect(r.stdout).toMatch(/falcato-v3\s+equivalent/);
  });

  it('checking it is exit 2 naming the file; other variants still check', () => {
    const bad = cliIn(['check', '--variant', 'my-patch', '--runs', '10']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--variant my-patch \(src\/kernel\/variants\/my-patch\.ts\) failed to load/);
    const ok = cliIn(['check', '--runs', '20', '--seed', '1', '--no-save', '-q']);
    expect(ok.status).toBe(0);
  });
});
