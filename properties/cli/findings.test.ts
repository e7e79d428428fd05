// SPDX-License-Identifier: GPL-2.0-only
// Findings are never lost or hidden (issue 13 items 3, 4, 6): outputs are
// checked before a run, a report shows what was really compared, a candidate
// that exits, is async or never answers gets its own message, an interrupted
// run says so, and the results do not depend on the number of job workers.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkReportSchema } from '../../src/cli/check/json.js';
import { memoryIo } from '../../src/cli/io.js';
import { poolProgressFor } from '../../src/cli/progress.js';
import { BAD, cli, fixture, tempDir } from './helpers.js';

describe('outputs are checked before the run', () => {
  it('a corpus under a regular file is exit 2 naming the path, before any case runs', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'plain'), 'x');
    const r = await cli(['check', '--variant', BAD, '--seed', '1', '--corpus', join(dir, 'plain', 'corpus')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--corpus .*plain\/corpus: .*plain is not a directory/);
    expect(r.stderr).not.toMatch(/cases/);
  });

  it('--junit into a missing directory is exit 2 before the run', async () => {
    const r = await cli(['check', '--runs', '10', '--no-save', '--junit', '/nonexistent-dir/out.xml']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--junit \/nonexistent-dir\/out\.xml: the directory \/nonexistent-dir does not exist/);
    expect(r.stdout).toBe('');
  });
});

describe('reports show what was compared', () => {
  it('exact mode on a batched target shows the batch-aware spec and a non-empty diff', async () => {
    const r = await cli([
      'check',
      '--impl',
      fixture('spec_batched'),
      '--property',
      'agree-exact',
      '--seed',
      '3',
      '--runs',
      '2000',
      '--no-save',
    ]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^\s*vpn\s+ex\s+before\s+batch-aware spec after\s+variant after\s+diff$/m);
    const starred = r.stdout.split('\n').filter((l) => l.startsWith('*'));
    expect(starred.length).toBeGreaterThan(0);
    expect(starred.some((l) => /[+-][A-Za-z]+\s*$/.test(l))).toBe(true);
  });

  it('an idempotence failure shows both calls and both traces', async () => {
    const r = await cli(['check', '--impl', fixture('drifts'), '--property', 'idempotent', '--seed', '2', '--no-save']);
    expect(r.code).toBe(1);
    // the table's two outcome columns (or, when too wide, each slot's two lines) are the two calls
    expect(r.stdout).toMatch(/1st call\s+2nd call\s+diff$|^\s+1st call .*\n\s+2nd call /m);
    expect(r.stdout).toMatch(/batch trace of impl:.*drifts\.ts, 1st call:/);
    expect(r.stdout).toMatch(/batch trace of impl:.*drifts\.ts, 2nd call:/);
  });

  it('the JSON output carries its format version and parses with the exported schema', async () => {
    const r = await cli(['check', '--variant', BAD, '--seed', '42', '--property', 'invariants', '--no-save', '--json']);
    expect(r.code).toBe(1);
    const doc = checkReportSchema.parse(JSON.parse(r.stdout));
    expect(doc.formatVersion).toBe(1);
    expect(doc.results[0]?.counterexample?.reference).toBe('spec');
  });
});

describe('candidates that do not return normally', () => {
  it('process.exit() is named as such, and shrunk like any divergence', async () => {
    const r = await cli([
      'check',
      '--impl',
      fixture('exits'),
      '--property',
      'agree',
      '--seed',
      '1',
      '--runs',
      '200',
      '--no-save',
    ]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/called process\.exit\(3\)/);
    expect(r.stdout).toMatch(/swap off=0x[0-9a-f]+/);
    expect(r.stdout).toMatch(/on 1 slot:/);
    expect(r.stdout).toMatch(/--path [\d:]+/); // the world replays
  });

  it('an async candidate is told it returned a Promise', async () => {
    const r = await cli(['check', '--impl', fixture('async'), '--property', 'agree', '--seed', '1', '--runs', '20', '--no-save']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/returned a Promise: change_protection\(world\) must be synchronous/);
  });
});

describe('job workers', () => {
  it('--jobs 1 and --jobs 2 give byte-identical JSON for the same seed, failures included', async () => {
    const args = ['check', '--variant', 'falcato-v3', '--variant', BAD, '--seed', '5', '--runs', '150', '--no-save', '--json'];
    const one = await cli([...args, '--jobs', '1']);
    const two = await cli([...args, '--jobs', '2']);
    expect(one.code).toBe(1);
    expect(two.code).toBe(one.code);
    expect(two.stdout).toBe(one.stdout);
    const doc = checkReportSchema.parse(JSON.parse(one.stdout));
    expect(doc.results.some((x) => x.result === 'fail')).toBe(true);
  });

  it('outside a terminal, a progress line comes at least every period while units run', () => {
    const io = memoryIo();
    const p = poolProgressFor(io, false, 0);
    p.poll(new Map([['agree on x', 12]]));
    p.poll(new Map([['agree on x', 40]]));
    expect(
      io
        .stderr()
        .split('\n')
        .filter((l) => l.includes('running: agree on x')),
    ).toHaveLength(2);
  });
});

describe('interrupted runs say so', () => {
  it('--time-limit: the text summary says the runs were cut short', async () => {
    const r = await cli(['check', '--runs', '100000000', '--time-limit', '2', '--seed', '1', '--no-save', '-q']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/INTERRUPTED by --time-limit: 7 of 7 property runs were cut short/);
    expect(r.stdout).toMatch(/ok \(cut\)/);
    expect(r.stdout).not.toMatch(/all 7 property runs pass/);
  });

  it('SIGINT prints the summary so far and exits 130', async () => {
    const child = spawn('node', ['bin/mprotect-spec.js', 'check', '--runs', '100000000', '--seed', '1', '--no-save'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    const started = new Promise<void>((resolve) => {
      child.stderr.on('data', (d) => {
        err += d;
        if (/mprotect-spec check:/.test(err)) resolve();
      });
    });
    await started;
    await new Promise((r) => setTimeout(r, 1500));
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(130);
    expect(out).toMatch(/STOPPED by SIGINT: 0 of 7 property runs finished/);
    expect(out).toMatch(/stopped/);
  });
});

describe('replay paths', () => {
  it('a long fast-check path is printed short and read back exactly', async () => {
    const { compressPath, expandPath } = await import('../../src/cli/options.js');
    const full = '30:0:0:0:0:0:0:2:4:2:2:3:3:3:3:5:5:2:6:4:6:6:7:7:4:1:0:4:1:2:0:5:4:5:5:5:5:6:6:6:6:6:6';
    const short = compressPath(full);
    expect(short).toBe('30:0*6:2:4:2:2:3*4:5:5:2:6:4:6:6:7:7:4:1:0:4:1:2:0:5:4:5*4:6*6');
    expect(expandPath('--path', short)).toBe(full);
    expect(expandPath('--path', full)).toBe(full);
    expect(() => expandPath('--path', '3:x*2')).toThrow(/--path must be steps/);
  });
});

describe('help and messages fit 80 columns', () => {
  it.each([
    [[]],
    [['check']],
    [['replay']],
    [['show']],
    [['list']],
    [['prove']],
    [['oracle']],
    [['new-variant']],
    [['cost']],
    [['extract']],
    [['gallery']],
  ])('%j --help: every line within 80 columns, no empty default shown', async (cmd) => {
    const r = await cli([...cmd, '--help']);
    const text = r.stdout + r.stderr;
    expect(text.length).toBeGreaterThan(0);
    for (const line of text.split('\n')) expect(line.length, line).toBeLessThanOrEqual(80);
    expect(text).not.toContain('(default: [])');
  });

  it('the unknown-variant error is wrapped, and lists every variant', async () => {
    const r = await cli(['check', '--variant', 'no-such']);
    expect(r.code).toBe(2);
    for (const line of r.stderr.split('\n')) expect(line.length).toBeLessThanOrEqual(80);
    expect(r.stderr).toMatch(/b18-numa-null-folio-hinted/);
  });
});
