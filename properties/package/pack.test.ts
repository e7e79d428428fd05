// SPDX-License-Identifier: GPL-2.0-only
// The published package, as a user gets it (issue 13 item 8, "Done when"):
// `npm pack`, install the tarball into an empty project, then import it with
// plain node, import the `mprotect-spec/kernel` export, run the CLI, and see
// the corpus written in the current directory, never inside node_modules.
// Opt-in (MPROTECT_PACK_TEST=1): it builds, packs and installs from the npm
// registry, minutes of work and a network dependency.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const enabled = process.env.MPROTECT_PACK_TEST === '1';
const why = enabled ? '' : ' (skipped: set MPROTECT_PACK_TEST=1; it runs npm pack and npm install)';
const root = resolve(import.meta.dirname, '../..');
const MINUTES = 60_000;

describe.skipIf(!enabled)(`the packed tarball installed in an empty project${why}`, () => {
  let work = '';
  let project = '';
  const node = (args: string[]) => spawnSync(process.execPath, args, { cwd: project, encoding: 'utf8', timeout: 5 * MINUTES });
  const npx = (args: string[]) =>
    spawnSync('npx', ['--no-install', 'mprotect-spec', ...args], { cwd: project, encoding: 'utf8', timeout: 10 * MINUTES });

  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'mprotect-pack-'));
    const out = execFileSync('npm', ['pack', '--json', '--pack-destination', work], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const tarball = join(work, (JSON.parse(out) as { filename: string }[])[0]?.filename ?? '');
    expect(existsSync(tarball)).toBe(true);
    project = join(work, 'user project');
    execFileSync('mkdir', ['-p', project]);
    writeFileSync(join(project, 'package.json'), '{ "name": "user-project", "version": "1.0.0", "private": true }\n');
    execFileSync('npm', ['install', '--no-audit', '--no-fund', tarball], {
      cwd: project,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  }, 15 * MINUTES);
  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('plain node imports the package and its kernel export (no TypeScript loader)', () => {
    const main = node(['-e', "import('mprotect-spec').then((m) => console.log(Object.keys(m).length))"]);
    expect(main.stderr).toBe('');
    expect(main.status).toBe(0);
    expect(Number(main.stdout.trim())).toBeGreaterThan(0);
    const kernel = node([
      '-e',
      "import('mprotect-spec/kernel').then((k) => console.log(['run_change_protection', 'folio_pte_batch_flags', 'modify_prot_start_ptes'].map((n) => typeof k[n]).join(' ')))",
    ]);
    expect(kernel.status).toBe(0);
    expect(kernel.stdout.trim()).toBe('function function function');
  });

  it('the tarball ships no tests, benchmarks or CI files', () => {
    const pkg = join(project, 'node_modules', 'mprotect-spec');
    for (const absent of ['properties', 'bench', '.ci', 'stryker.config.json']) expect(existsSync(join(pkg, absent))).toBe(false);
    for (const present of ['LICENSE', 'README.md', 'bin/mprotect-spec.js', 'dist'])
      expect(existsSync(join(pkg, present))).toBe(true);
  });

  it('npx mprotect-spec check passes, and a finding is saved under the current directory, not node_modules', () => {
    const ok = npx(['check', '--runs', '50', '--seed', '1', '-q']);
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/AGREEMENT: falcato-v3: all 7 property runs pass/);
    const bad = npx(['check', '--variant', 'v6.17-cac1db8c3aad', '--property', 'agree', '--runs', '2000', '--seed', '42', '-q']);
    expect(bad.status, bad.stderr).toBe(1);
    expect(bad.stdout).toMatch(/saved to /);
    const here = join(project, 'counterexamples');
    expect(existsSync(here)).toBe(true);
    const saved = readdirSync(here, { recursive: true }).filter((f) => String(f).endsWith('.json'));
    expect(saved.length).toBeGreaterThan(0);
    const installed = join(project, 'node_modules', 'mprotect-spec', 'counterexamples');
    const inside = existsSync(installed)
      ? readdirSync(installed, { recursive: true }).filter((f) => String(f).includes('v6.17-cac1db8c3aad'))
      : [];
    expect(inside).toEqual([]);
  });
});
