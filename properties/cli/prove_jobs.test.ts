// SPDX-License-Identifier: GPL-2.0-only
// `prove --jobs N`, `--shard I/N` and `prove merge` (issue 15 items 1, 3):
// the result does not depend on how the enumeration is split; merge accepts
// only the shards of one campaign and says which are missing. Progress and
// SIGINT (issue 13 item 6).
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { memoryIo } from '../../src/cli/io.js';
import { runProve } from '../../src/cli/prove.js';
import { ProveFileSchema } from '../../src/prove/index.js';
import { BAD, cli, tempDir } from './helpers.js';

/** A sub-domain where the known-bad head-page variant fails on some worlds and not on others. */
const TRY_ANON = ['--bound', '1', '--kind', 'anon-private', '--config', 'x86-64-nosd', '--cp-flags', '1', '--chunk', '64'];
const TARGETS = ['--variant', BAD, '--variant', 'falcato-v3'];

/** The result without its timing (the one field that depends on the machine). */
function untimed(json: string): Record<string, unknown> {
  const j = JSON.parse(json) as Record<string, unknown>;
  delete j.ms;
  return j;
}

describe('prove --jobs', () => {
  it('gives the same JSON for --jobs 1 and --jobs 2, failures in world order', async () => {
    const one = await cli(['prove', ...TRY_ANON, ...TARGETS, '--jobs', '1', '--json']);
    const two = await cli(['prove', ...TRY_ANON, ...TARGETS, '--jobs', '2', '--json']);
    expect(one.code).toBe(1);
    expect(two.code).toBe(1);
    const a = untimed(one.stdout);
    expect(untimed(two.stdout)).toEqual(a);
    expect(ProveFileSchema.safeParse(JSON.parse(one.stdout)).success).toBe(true);
    const j = a as { worlds: number; domain: { total: number }; failures: { index: number; variant: string }[] };
    expect(j.worlds).toBe(j.domain.total);
    const idx = j.failures.map((f) => f.index);
    expect(idx).toEqual([...idx].sort((x, y) => x - y));
    expect(j.failures.every((f) => f.variant === BAD)).toBe(true);
    // the failures are spread over several chunks: both jobs found some
    const v = (a as { variants: { variant: string; failed: number; checked: number }[] }).variants;
    expect(v.find((t) => t.variant === BAD)?.failed).toBeGreaterThan(64);
    expect(v.find((t) => t.variant === 'falcato-v3')).toMatchObject({ failed: 0, checked: j.domain.total });
  });
});

describe('prove --shard and prove merge', () => {
  it('three shards merge to the whole run; a missing shard makes the verdict incomplete', async () => {
    const dir = tempDir();
    const whole = untimed((await cli(['prove', ...TRY_ANON, ...TARGETS, '--jobs', '2', '--json'])).stdout);
    const files: string[] = [];
    for (const i of [1, 2, 3]) {
      const out = join(dir, `s${i}.json`);
      const r = await cli(['prove', ...TRY_ANON, ...TARGETS, '--jobs', '1', '--shard', `${i}/3`, '--out', out]);
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(new RegExp(`shard ${i}/3 holds [\\d,]+ of them`));
      files.push(out);
    }
    const merged = await cli(['prove', 'merge', ...files, '--json']);
    expect(merged.code).toBe(1);
    const m = untimed(merged.stdout) as Record<string, unknown>;
    expect(m.verdict).toBe('diverges');
    expect(m.missing).toEqual([]);
    for (const key of ['worlds', 'checked', 'variants', 'failures', 'worldsBySlots', 'complete'])
      expect(m[key], key).toEqual(whole[key]);

    const partial = await cli(['prove', 'merge', files[0] as string, files[2] as string]);
    expect(partial.code).toBe(1); // a counterexample is never hidden behind a missing shard
    expect(partial.stdout).toMatch(/INCOMPLETE: shard\(s\) 2\/3 missing/);
  });

  it('without a counterexample, a missing shard is exit 2 and the verdict "incomplete"', async () => {
    const dir = tempDir();
    const small = ['--bound', '1', '--kind', 'pfnmap-shared', '--config', 'arm64', '--chunk', '64', '--variant', 'falcato-v3'];
    const a = join(dir, 'a.json');
    const b = join(dir, 'b.json');
    expect((await cli(['prove', ...small, '--shard', '1/2', '--out', a])).code).toBe(0);
    expect((await cli(['prove', ...small, '--shard', '2/2', '--out', b])).code).toBe(0);
    const ok = await cli(['prove', 'merge', a, b]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/verdict: agrees/);
    const one = await cli(['prove', 'merge', a, '--json']);
    expect(one.code).toBe(2);
    expect(JSON.parse(one.stdout)).toMatchObject({ verdict: 'incomplete', missing: [2] });

    // refused: the same shard twice, another bound, other targets, not a result file
    const dup = await cli(['prove', 'merge', a, a]);
    expect(dup.code).toBe(2);
    expect(dup.stderr).toMatch(/shard 1\/2 is given twice/);
    const other = join(dir, 'other.json');
    expect((await cli(['prove', ...small, '--bound', '2', '--shard', '2/2', '--out', other])).code).toBe(0);
    const bounds = await cli(['prove', 'merge', a, other]);
    expect(bounds.code).toBe(2);
    expect(bounds.stderr).toMatch(/not shards of one campaign: bounds differ/);
    const v = join(dir, 'v.json');
    expect((await cli(['prove', ...small, '--variant', 'v6.16-per-pte', '--shard', '2/2', '--out', v])).code).toBe(0);
    const targets = await cli(['prove', 'merge', a, v]);
    expect(targets.code).toBe(2);
    expect(targets.stderr).toMatch(/targets differ/);
    const junk = join(dir, 'junk.json');
    writeFileSync(junk, '{"formatVersion": 1}');
    const bad = await cli(['prove', 'merge', a, junk]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/junk\.json: not a prove result file/);
    // the shard file is what --json prints
    expect(ProveFileSchema.safeParse(JSON.parse(readFileSync(a, 'utf8'))).success).toBe(true);
  });

  it('rejects a bad --shard, --jobs, --config, --kind and --cp-flags with exit 2', async () => {
    for (const [flag, value, message] of [
      ['--shard', '3/2', /--shard must be I\/N/],
      ['--jobs', '0', /--jobs must be a positive integer/],
      ['--config', 'sparc', /unknown --config 'sparc'/],
      ['--kind', 'anon', /unknown --kind 'anon'/],
      ['--cp-flags', '3', /--cp-flags 3 is not a real caller's combination/],
    ] as const) {
      const r = await cli(['prove', '--bound', '1', flag, value]);
      expect(r.code, flag).toBe(2);
      expect(r.stderr, flag).toMatch(message);
    }
  });
});

describe('prove progress and SIGINT', () => {
  it('prints progress lines (done / total, %, rate, ETA) outside a terminal', async () => {
    const io = memoryIo();
    const code = await runProve(
      {
        bound: 1,
        variants: ['falcato-v3'],
        kinds: ['anon-private'],
        configs: ['x86-64-nosd'],
        cpFlags: [1],
        json: false,
        jobs: 1,
        progressEveryS: 1,
      },
      io,
    );
    expect(code).toBe(0);
    expect(io.stderr()).toMatch(/prove: [\d,]+ \/ [\d,]+ worlds \(\d+\.\d%\), [\d,]+ worlds\/s, ETA \S+\n/);
  });

  it('SIGINT stops the jobs, prints what was covered and exits 130', async () => {
    const child = spawn(
      'node',
      ['bin/mprotect-spec.js', 'prove', '--bound', '2', '--kind', 'file-private', '--variant', 'falcato-v3', '--jobs', '2'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    let err = '';
    const started = new Promise<void>((resolve) => {
      child.stderr.on('data', (d) => {
        err += d;
      });
      child.stdout.on('data', () => {
        if (/the domain holds/.test(out)) resolve();
      });
    });
    await started;
    await new Promise((r) => setTimeout(r, 4000));
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code, err).toBe(130);
    expect(out).toMatch(/stopped by SIGINT inside 1 slot\(s\)/);
    expect(out).toMatch(/falcato-v3 +equivalent +[\d,]+ checked {2}agrees on every world/);
    expect(out).toMatch(/STOPPED by SIGINT: [\d,]+ of [\d,]+ worlds checked; the summary above is partial/);
  });
});
