// SPDX-License-Identifier: GPL-2.0-only
// `replay --accept VARIANT` (issue 13 item 5): after review, a variant's
// current verdicts are written into the corpus files, each change listed;
// replay on a directory without a corpus warns instead of failing silently.
import { cpSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, tempDir } from './helpers.js';

function corpusCopy(): { dir: string; file: string } {
  const dir = tempDir();
  const src = 'counterexamples/invariants';
  const name = readdirSync(src).find((f) => f.endsWith('.json')) as string;
  cpSync(join(src, name), join(dir, name));
  return { dir, file: join(dir, name) };
}

describe('replay --accept', () => {
  it('records the current verdict of a variant whose expectation changed, and lists the change', async () => {
    const { dir, file } = corpusCopy();
    const data = JSON.parse(readFileSync(file, 'utf8')) as { expected: Record<string, string> };
    const before = data.expected['falcato-v3'];
    expect(before).toBe('holds');
    data.expected['falcato-v3'] = 'fails'; // as if a fidelity fix had changed the baseline's verdict
    writeFileSync(file, `${JSON.stringify(data, null, 2)}\n`);
    expect((await cli(['replay', dir])).code).toBe(1);

    const r = await cli(['replay', dir, '--accept', 'falcato-v3']);
    expect(r.stdout).toMatch(/accepted .*\.json: falcato-v3 fails -> holds/);
    expect(r.code).toBe(0);
    expect(JSON.parse(readFileSync(file, 'utf8')).expected['falcato-v3']).toBe('holds');
    expect((await cli(['replay', dir])).code).toBe(0);
  });

  it('changes nothing for a variant whose verdicts are as recorded', async () => {
    const { dir, file } = corpusCopy();
    const text = readFileSync(file, 'utf8');
    const r = await cli(['replay', dir, '--accept', 'falcato-v3']);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toMatch(/accepted/);
    expect(readFileSync(file, 'utf8')).toBe(text);
  });

  it('rejects an unknown variant (exit 2)', async () => {
    const { dir } = corpusCopy();
    const r = await cli(['replay', dir, '--accept', 'no-such-variant']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--accept no-such-variant: not a registered variant/);
  });
});

describe('replay without a corpus', () => {
  it('warns when the current directory has no counterexamples/', async () => {
    const r = await cli(['replay'], { cwd: tempDir() });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/warning: no corpus here/);
  });

  it('warns when the corpus is empty', async () => {
    const r = await cli(['replay', tempDir()]);
    expect(r.stderr).toMatch(/warning: the corpus is empty/);
  });
});
