// SPDX-License-Identifier: GPL-2.0-only
// `mprotect-spec oracle` (issue 7 item 5): a small live campaign, C reproducers
// of stored cases, and bad input. The live run skips where the runner cannot
// be built, naming why.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildRunner } from '../../src/oracle/index.js';
import { cli, tempDir } from './helpers.js';

const STORED = 'counterexamples/kernel/bd6fb4c3e216.json';
const runner = buildRunner();
const why = runner.ok ? '' : `(skipped: no ${runner.missing})`;

describe('mprotect-spec oracle', () => {
  it.skipIf(!runner.ok)(`runs a fixed-seed campaign and prints agreement per feature ${why}`, async () => {
    const r = await cli(['oracle', '--runs', '40', '--seed', '7', '--no-save']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/kernel/i);
    expect(r.stdout).toMatch(/anon-cow/);
  });

  it('writes a stand-alone C reproducer of a stored case, and it compiles', async () => {
    const out = join(tempDir(), 'repro.c');
    const r = await cli(['oracle', '--emit-c', out, '--from', STORED]);
    expect(r.code).toBe(0);
    expect(existsSync(out)).toBe(true);
    expect(readFileSync(out, 'utf8')).toMatch(/int main/);
    execFileSync('cc', ['-fsyntax-only', '-pthread', out]);
  });

  it('names a malformed stored case and exits 2', async () => {
    const bad = join(tempDir(), 'bad.json');
    writeFileSync(bad, '{"kind": "kernel-oracle", "scenario": {"regions": 3}');
    const r = await cli(['oracle', '--emit-c', join(tempDir(), 'x.c'), '--from', bad]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(bad);
  });

  it('rejects an unknown feature and --from without --emit-c', async () => {
    const r = await cli(['oracle', '--features', 'anon-cow,teleport']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown feature 'teleport'/);
    expect((await cli(['oracle', '--from', STORED])).code).toBe(2);
  });
});
