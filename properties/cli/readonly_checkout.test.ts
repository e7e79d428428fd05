// SPDX-License-Identifier: GPL-2.0-only
// A source checkout that the running user cannot write: the CLI makes the
// gallery's applied copies on first use (src/kernel/gallery.ts), so a user who
// does not own a fresh checkout used to get an EACCES stack trace. Now: one line
// naming the file and what to do, exit 2; once the owner has run the tool, the
// same user runs it normally.
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from './helpers.js';

const REPO = join(import.meta.dirname, '..', '..');
const isRoot = (process.getuid?.() ?? -1) === 0;
const hasSetpriv = spawnSync('setpriv', ['--version']).status === 0;
const why = !isRoot ? 'needs root (to run the CLI as another user)' : !hasSetpriv ? 'needs setpriv' : null;

/** A copy of the tracked files (no applied gallery copies), readable by everyone, writable by root only. */
function freshCheckout(): string {
  const dir = tempDir('mprotect-spec-readonly-');
  const files = spawnSync('git', ['ls-files'], { cwd: REPO, encoding: 'utf8' }).stdout.split('\n').filter(Boolean);
  for (const f of files) {
    if (!existsSync(join(REPO, f))) continue;
    mkdirSync(join(dir, f, '..'), { recursive: true });
    cpSync(join(REPO, f), join(dir, f));
  }
  symlinkSync(join(REPO, 'node_modules'), join(dir, 'node_modules'));
  spawnSync('chmod', ['-R', 'a+rX', dir]);
  chmodSync(dir, 0o755);
  return dir;
}

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('a checkout the user cannot write', () => {
  const run = (dir: string, asNobody: boolean, args: readonly string[]) =>
    spawnSync(
      asNobody ? 'setpriv' : process.execPath,
      [
        ...(asNobody ? ['--reuid=65534', '--regid=65534', '--clear-groups', 'env', 'HOME=/tmp', process.execPath] : []),
        join(dir, 'bin/mprotect-spec.js'),
        ...args,
      ],
      { encoding: 'utf8', cwd: '/tmp', timeout: 120_000 },
    );

  it.skipIf(why !== null)(
    `before its owner ran the tool: one line naming the file and the remedy, exit 2; after: it runs${why ? ` [skipped: ${why}]` : ''}`,
    () => {
      const dir = freshCheckout();
      dirs.push(dir);
      expect(existsSync(join(dir, 'src/kernel/.gallery'))).toBe(false);
      const refused = run(dir, true, ['list']);
      expect(refused.status, refused.stderr).toBe(2);
      expect(refused.stderr).toMatch(
        /^mprotect-spec: cannot write the gallery's applied copy .*src\/kernel\/\.gallery\/.* \(EACCES\): run mprotect-spec once as the owner of this checkout/,
      );
      expect(refused.stderr).not.toMatch(/\n\s+at /); // no stack trace
      expect(run(dir, false, ['list']).status).toBe(0); // the owner
      const after = run(dir, true, ['list']);
      expect(after.status, after.stderr).toBe(0);
      expect(after.stdout).toContain('falcato-v3');
    },
    180_000,
  );
});
