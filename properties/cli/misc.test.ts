// SPDX-License-Identifier: GPL-2.0-only
// list, new-variant, NO_COLOR, the TTY progress bar, and the real binary.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { registerIn } from '../../src/cli/new_variant.js';
import { getVariant } from '../../src/kernel/index.js';
import { cli, tempDir } from './helpers.js';

const ESC = String.fromCharCode(27);

describe('list', () => {
  it('shows every variant with upstream reference and verdict', async () => {
    const r = await cli(['list']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^falcato-v3\s+equivalent\s+\[BASELINE\]/m);
    expect(r.stdout).toMatch(/^v6\.17-cac1db8c3aad\s+known-bad \(breaks R-WR\.4\)/m);
    expect(r.stdout).toMatch(/cac1db8c3aad "mm: optimize mprotect\(\) by PTE batching"/);
    const j = JSON.parse((await cli(['list', '--json'])).stdout);
    expect(j.find((v: { name: string }) => v.name === 'falcato-v3').isBaseline).toBe(true);
  });
});

describe('new-variant', () => {
  it('copies the baseline, registers it, and says what to edit', async () => {
    const root = tempDir();
    mkdirSync(join(root, 'src/kernel/variants'), { recursive: true });
    cpSync('src/kernel/variants/falcato-v3.ts', join(root, 'src/kernel/variants/falcato-v3.ts'));
    cpSync('src/kernel/registry.ts', join(root, 'src/kernel/registry.ts'));
    const r = await cli(['new-variant', 'my-patch', '--root', root]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/created src\/kernel\/variants\/my-patch\.ts \(a copy of falcato-v3\)/);
    expect(r.stdout).toMatch(/registered it in src\/kernel\/registry\.ts/);
    expect(r.stdout).toMatch(/npx mprotect-spec check --variant my-patch/);
    const copy = readFileSync(join(root, 'src/kernel/variants/my-patch.ts'), 'utf8');
    expect(copy).toContain(readFileSync('src/kernel/variants/falcato-v3.ts', 'utf8'));
    const reg = readFileSync(join(root, 'src/kernel/registry.ts'), 'utf8');
    expect(reg).toMatch(/'my-patch': \(\) => import\('\.\/variants\/my-patch\.js'\),/);
    expect(reg).toMatch(/name: 'my-patch',[\s\S]*batching: 'batched',[\s\S]*run: runOf\('my-patch'\),\n {2}\},/);
    const again = await cli(['new-variant', 'my-patch', '--root', root]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already exists/);
  });

  it('leaves an unrecognised registry alone', () => {
    expect(registerIn('export const X = 1;\n', 'a', getVariant('falcato-v3'))).toBeNull();
  });
});

describe('colour and progress', () => {
  it('colours a terminal, and NO_COLOR turns it off', async () => {
    const args = ['check', '--runs', '5', '--seed', '1', '--no-save', '--property', 'agree', '-q'];
    expect((await cli(args, { outIsTTY: true })).stdout).toContain(`${ESC}[32m`);
    const plain = await cli(args, { outIsTTY: true, env: { NO_COLOR: '1' } });
    expect(plain.stdout).not.toContain(ESC);
  });

  it('redraws one progress line on a terminal, quiet lines otherwise', async () => {
    const args = ['check', '--runs', '20', '--seed', '1', '--no-save', '--property', 'agree'];
    const tty = (await cli(args, { errIsTTY: true })).stderr;
    expect(tty).toMatch(new RegExp(`\r${ESC}\\[2K {2}agree on falcato-v3: 20 cases, ok`));
    // each redraw replaces the line; the same text is never drawn twice in a row
    const draws = tty.split(`\r${ESC}[2K`).filter((d) => d.startsWith('  running:'));
    for (let i = 1; i < draws.length; i++) expect(draws[i]).not.toBe(draws[i - 1]);
    const lines = (await cli(args)).stderr;
    expect(lines).not.toMatch(/\r/);
    expect(lines.trim().split('\n')).toHaveLength(2);
  });
});

describe('the installed binary', () => {
  it('bin/mprotect-spec.js check exits 0 on the baseline; bad usage exits 2', () => {
    const ok = spawnSync('node', ['bin/mprotect-spec.js', 'check', '--runs', '20', '--seed', '9', '--no-save', '-q'], {
      encoding: 'utf8',
    });
    expect(ok.status).toBe(0);
    expect(ok.stdout).toMatch(/AGREEMENT/);
    const bad = spawnSync('node', ['bin/mprotect-spec.js', 'check', '--variant', 'nope'], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/unknown variant "nope"/);
    expect(existsSync('bin/mprotect-spec.js')).toBe(true);
    void execFileSync;
  });
});
