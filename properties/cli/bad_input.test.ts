// SPDX-License-Identifier: GPL-2.0-only
// Every bad input of issue 5's "Done when": each gets its clear message and
// exit code (2 for bad usage or input, 1 for a candidate's divergence).
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCorpus } from '../../src/store/index.js';
import { BAD, cli, fixture, tempDir } from './helpers.js';

describe('bad flag values and names exit 2 with a message naming the flag', () => {
  it.each([
    [['check', '--runs', 'abc'], /--runs must be a positive integer, got 'abc'/],
    [['check', '--runs', '0'], /--runs must be a positive integer, got '0'/],
    [['check', '--runs', '-5'], /--runs must be a positive integer|unknown option '-5'|argument/],
    [['check', '--seed', '1.5'], /--seed must be a 32-bit integer, got '1.5'/],
    [['check', '--seed', '99999999999'], /--seed must be a 32-bit integer/],
    [['check', '--time-limit', 'soon'], /--time-limit must be a positive number of seconds, got 'soon'/],
    [['check', '--shard', '3/2'], /--shard must be I\/N with 1 <= I <= N/],
    [['check', '--shard', 'two'], /--shard must be I\/N/],
    [['check', '--arch', 'mips'], /argument 'mips' is invalid. Allowed choices are x86-64, arm64/],
    [['check', '--case-timeout', 'x'], /--case-timeout must be a positive integer/],
    [['check', '--frobnicate'], /unknown option '--frobnicate'/],
    [['check', '--variant', 'no-such-variant'], /unknown variant "no-such-variant"; known \(see `list`\):\n {2}falcato-v3/],
    [['check', '--property', 'no-such-property'], /unknown property 'no-such-property'/],
    [['check', '--path', '1:2'], /--path replays one failure: give it with --seed and exactly one --property/],
    [['check', '--impl', 'does/not/exist.ts'], /--impl does\/not\/exist.ts: no such file/],
    [['frobnicate'], /unknown command 'frobnicate'/],
    [['show'], /missing required argument 'file'/],
    [['show', 'nowhere.json'], /nowhere.json: cannot read/],
    [['replay', 'nowhere'], /nowhere: no such file or directory/],
    [['new-variant', 'bad name!'], /variant name must be letters/],
    [['new-variant', 'falcato-v3'], /a variant called 'falcato-v3' is already registered/],
    [['new-variant', 'x', '--from', 'nope'], /--from: unknown kernel variant "nope"/],
  ])('%j', async (args, message) => {
    const r = await cli(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
  });

  it('no command prints the help and exits 2', async () => {
    const r = await cli([]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Usage: mprotect-spec/);
  });
});

describe('--help on every command exits 0', () => {
  it.each([[[]], [['check']], [['replay']], [['show']], [['list']], [['new-variant']]])('%j --help', async (cmd) => {
    const r = await cli([...cmd, '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Usage: mprotect-spec/);
    if (cmd[0] === 'check') expect(r.stdout).toMatch(/--shard <I\/N>[\s\S]*Exit codes:/);
  });
});

describe('candidate modules (--impl) are isolated: a divergence with its cause, never a crash or hang', () => {
  const run = (name: string, ...extra: string[]) =>
    cli(['check', '--impl', fixture(name), '--runs', '100', '--seed', '1', '--no-save', '-q', '--property', 'agree', ...extra]);

  it('a candidate that throws: REL-CRASH with the stack', async () => {
    const r = await run('throws');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/broken REL-CRASH: the candidate must return an outcome/);
    expect(r.stdout).toMatch(/threw Error: BUG: unexpected swap entry at vpn \d+/);
    expect(r.stdout).toMatch(/at change_protection \(.*fixtures\/throws\.ts:\d+:\d+\)/);
    expect(r.stdout).toMatch(/swap off=0x[0-9a-f]+/); // the shrunk world shows the swap entry
  });

  it('a candidate that never returns: "no progress after N ms" with the world that hung', async () => {
    const t0 = Date.now();
    const r = await run('hangs', '--case-timeout', '400');
    expect(Date.now() - t0).toBeLessThan(20_000);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/no progress after 400 ms \(per-case time limit, --case-timeout\)/);
    expect(r.stdout).toMatch(/^folio 0x[0-9a-f]+-0x[0-9a-f]+ order [2-9]/m);
    expect(r.stdout).toMatch(/^agree\s+impl:properties\/cli\/fixtures\/hangs\.ts\s+\d+\s+FAIL REL-CRASH/m);
  });

  it('a candidate that mutates its input: REL-INPUT naming the slot', async () => {
    const r = await run('mutates');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/broken REL-INPUT: the candidate must not write to its input/);
    expect(r.stdout).toMatch(/mutated slot 0 of its input/);
  });

  it('a candidate with the wrong export: usage error, exit 2', async () => {
    const r = await run('wrong_export');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /the module must export a function change_protection\(world: World\): KernelOutcome \(its change_protection is undefined; it exports: changeProtection\)/,
    );
  });

  it('a faithful candidate agrees (exit 0) and its failures would be saved under impl:<path>', async () => {
    const r = await run('good');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/AGREEMENT: impl:properties\/cli\/fixtures\/good\.ts/);
  });
});

describe('malformed and truncated corpus files', () => {
  async function corpusWithBadFiles() {
    const dir = tempDir();
    const r = await cli([
      'check',
      '--variant',
      BAD,
      '--seed',
      '42',
      '--corpus',
      dir,
      '-q',
      '--property',
      'invariants',
      '--property',
      'agree',
    ]);
    expect(r.code).toBe(1);
    const good = join(dir, 'invariants');
    const file = join(good, (await import('node:fs')).readdirSync(good)[0]!);
    const text = readFileSync(file, 'utf8');
    mkdirSync(join(dir, 'broken'));
    const malformed = join(dir, 'broken', 'malformed.json');
    const json = JSON.parse(text);
    json.world.ptes[1] = { kind: 'present', pfn: 'zero', flags: 1 };
    writeFileSync(malformed, JSON.stringify(json));
    const truncated = join(dir, 'broken', 'truncated.json');
    writeFileSync(truncated, text.slice(0, Math.floor(text.length / 2)));
    return { dir, file, malformed, truncated };
  }

  it('replay: each bad file named with its field, exit 2, the other files still replayed', async () => {
    const { dir } = await corpusWithBadFiles();
    const r = await cli(['replay', dir]);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(
      /INVALID .*broken\/malformed\.json: does not match the corpus schema: field 'world\.ptes\.1\.pfn': Invalid input: expected number, received string/,
    );
    expect(r.stdout).toMatch(/INVALID .*broken\/truncated\.json: not valid JSON \(truncated\?\)/);
    expect(r.stdout).toMatch(/^ok {5}.*invariants\/[0-9a-f]{12}\.json \(invariants\)$/m);
    expect(r.stdout).toMatch(/2 file\(s\) replayed: 2 as recorded, 0 changed, 2 invalid/);
  });

  it('show on a bad file: exit 2 naming the file and field', async () => {
    const { malformed, truncated } = await corpusWithBadFiles();
    const a = await cli(['show', malformed]);
    expect(a.code).toBe(2);
    expect(a.stderr).toMatch(/malformed\.json: does not match the corpus schema: field 'world\.ptes\.1\.pfn'/);
    const b = await cli(['show', truncated]);
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/truncated\.json: not valid JSON \(truncated\?\)/);
  });

  it('a world that breaks a world rule is named by its field too', async () => {
    const { dir, file } = await corpusWithBadFiles();
    const json = JSON.parse(readFileSync(file, 'utf8'));
    json.world.range = { start: json.world.vma.end + 5, end: json.world.vma.end + 9 };
    const bad = join(dir, 'broken', 'range.json');
    writeFileSync(bad, JSON.stringify(json));
    const r = await cli(['show', bad]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/range\.json: field 'world\.range/);
  });

  it('loadCorpus returns bad files as errors and keeps the good ones', async () => {
    const { dir } = await corpusWithBadFiles();
    const { entries, errors } = loadCorpus(dir);
    expect(entries).toHaveLength(2);
    expect(errors.map((e) => e.file.replace(`${dir}/`, ''))).toEqual(['broken/malformed.json', 'broken/truncated.json']);
  });

  it('a changed expectation exits 1', async () => {
    const { dir, file } = await corpusWithBadFiles();
    const json = JSON.parse(readFileSync(file, 'utf8'));
    json.expected['falcato-v3'] = 'fails';
    const only = tempDir();
    cpSync(file, join(only, 'x.json'));
    writeFileSync(join(only, 'x.json'), JSON.stringify(json));
    const r = await cli(['replay', only]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/CHANGED .*x\.json/);
    expect(r.stdout).toMatch(/falcato-v3\s+expected fails, now holds/);
    void dir;
  });
});
