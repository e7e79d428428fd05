// SPDX-License-Identifier: GPL-2.0-only
// `check --kernel DIR [--patch F]` and `replay --kernel DIR` from the command
// line (issue 10 item 4), on the kernel-style fixture tree this project wrote
// (properties/realc/fixtures/batched): the tree's C agrees, a broken patch is
// caught with a replay line that names the tree and the patch, and every
// misuse is exit 2 with the reason.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, tempDir } from './helpers.js';

const TREE = 'properties/realc/fixtures/batched';
const BROKEN = 'properties/realc/fixtures/patches/head-page-single-pte.patch';
let haveCc = true;
try {
  execFileSync(process.env.CC ?? 'cc', ['--version'], { stdio: 'ignore' });
} catch {
  haveCc = false;
  console.log('[kernel_cli] skipped: no C compiler (cc) on this machine');
}

describe.skipIf(!haveCc)('check --kernel', () => {
  it("the fixture tree's own C agrees with the spec, and the report names the tree and its API", async () => {
    const r = await cli(['check', '--kernel', TREE, '--runs', '300', '--seed', '7', '--no-save']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^kernel tree: .*fixtures\/batched/m);
    expect(r.stdout).toMatch(/API: softleaf, .*batched/);
    expect(r.stdout).toMatch(/AGREEMENT: kernel:/);
  });

  it('a broken patch is caught; the replay line names --kernel and --patch', async () => {
    const r = await cli(['check', '--kernel', TREE, '--patch', BROKEN, '--seed', '3', '--runs', '500', '--no-save']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/patch: .*head-page-single-pte\.patch/);
    expect(r.stdout).toMatch(/npx mprotect-spec check --kernel \S+fixtures\/batched --patch \S+head-page-single-pte\.patch/);
    expect(r.stdout).toMatch(/DIVERGENCE/);
  });

  it('replay --kernel adds the tree as one more row per corpus file', async () => {
    const r = await cli(['replay', 'counterexamples/invariants', '--kernel', TREE, '-v']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/kernel:\S*fixtures\/batched (holds|fails)/);
  });
});

describe('check --kernel: bad input is exit 2 with the reason', () => {
  it('--kernel with --variant', async () => {
    const r = await cli(['check', '--kernel', TREE, '--variant', 'falcato-v3']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--kernel checks a tree on its own/);
  });

  it('--patch without --kernel', async () => {
    const r = await cli(['check', '--patch', BROKEN]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--patch, --shim and --sanitize go with --kernel DIR/);
  });

  it('a directory without mm/mprotect.c', async () => {
    const r = await cli(['check', '--kernel', tempDir()]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/mm\/mprotect\.c/);
  });

  it('a patch that does not apply names the hunk', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'p'));
    const bad = join(dir, 'p', 'stale.patch');
    writeFileSync(
      bad,
      ['--- a/mm/mprotect.c', '+++ b/mm/mprotect.c', '@@ -1,3 +1,3 @@', ' no such line', '-nor this', '+x', ' end', ''].join(
        '\n',
      ),
    );
    const r = await cli(['check', '--kernel', TREE, '--patch', bad]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/does not apply/);
    expect(r.stderr).toMatch(/hunk/);
  });
});
