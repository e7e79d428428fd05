// SPDX-License-Identifier: GPL-2.0-only
// `check`: agreement on the baseline, the head-page bug found, shrunk, rendered
// and saved, byte-identical JSON for one seed, shards, replay by seed and path.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildWorld, type Layout } from '../../src/arbitraries/index.js';
import { shardSeed } from '../../src/cli/options.js';
import { readCorpusFile } from '../../src/store/index.js';
import { BAD, cli, tempDir } from './helpers.js';

const files = (dir: string): string[] =>
  readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.json'))
    .sort();

describe('check on the baseline', () => {
  it('exits 0 and prints the summary table and the coverage table', async () => {
    const r = await cli(['check', '--runs', '60', '--seed', '1', '--no-save']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^property\s+target\s+cases\s+result\s+time$/m);
    for (const id of ['agree', 'agree-exact', 'single-pte', 'invariants', 'idempotent', 'range-split', 'try-monotonic'])
      expect(r.stdout).toMatch(new RegExp(`^${id}\\s+falcato-v3\\s+\\d+.*\\bok\\b`, 'm'));
    expect(r.stdout).toMatch(/coverage over \d+ passing 'agree' cases/);
    expect(r.stdout).toMatch(/^ {2}batch-starts-mid-folio\s+\d+/m);
    expect(r.stdout).toMatch(/AGREEMENT: falcato-v3/);
    expect(r.stderr).toMatch(/seed 1/); // progress goes to stderr, line-based when not a TTY
    expect(r.stderr).toMatch(/^ {2}agree on falcato-v3: \d+ cases, ok/m);
  });

  it('--json is byte-identical for the same seed', async () => {
    const args = ['check', '--runs', '80', '--seed', '12345', '--json', '--no-save'];
    const [a, b] = [await cli(args), await cli(args)];
    expect(a.code).toBe(0);
    expect(a.stdout).toBe(b.stdout);
    const doc = JSON.parse(a.stdout);
    expect(doc.verdict).toBe('agrees');
    expect(doc.seed).toBe(12345);
    expect(JSON.stringify(doc)).not.toMatch(/"ms"|"time"/);
    expect((await cli(['check', '--runs', '80', '--seed', '54321', '--json', '--no-save'])).stdout).not.toBe(a.stdout);
  });

  it('--shard I/N derives distinct deterministic seeds from --seed', async () => {
    const seeds = new Set<number>();
    for (let i = 1; i <= 4; i++) {
      const r = await cli([
        'check',
        '--runs',
        '5',
        '--seed',
        '7',
        '--shard',
        `${i}/4`,
        '--json',
        '--no-save',
        '--property',
        'agree',
      ]);
      const doc = JSON.parse(r.stdout);
      expect(doc.seed).toBe(shardSeed(7, i));
      expect(doc.shard).toEqual({ index: i, count: 4, baseSeed: 7 });
      seeds.add(doc.seed);
    }
    expect(seeds.size).toBe(4);
    for (let i = 1; i <= 1000; i++) seeds.add(shardSeed(7, i));
    expect(seeds.size).toBe(1000);
  });

  it('--arch restricts the generated worlds', async () => {
    const r = await cli([
      'check',
      '--runs',
      '40',
      '--seed',
      '3',
      '--arch',
      'arm64',
      '--json',
      '--no-save',
      '--property',
      'agree',
    ]);
    expect(r.code).toBe(0);
    const labels = JSON.parse(r.stdout).coverage.labels.map((l: { label: string }) => l.label);
    expect(labels).not.toContain('arm64');
    expect(labels).not.toContain('soft-dirty-tracking');
  });

  it('--junit writes a JUnit report', async () => {
    const dir = tempDir();
    const r = await cli(['check', '--runs', '10', '--seed', '3', '--no-save', '--junit', join(dir, 'out.xml')]);
    expect(r.code).toBe(0);
    const xml = readFileSync(join(dir, 'out.xml'), 'utf8');
    expect(xml).toMatch(/<testsuite name="falcato-v3" tests="7" failures="0"/);
  });
});

describe(`check --variant ${BAD} (the head-page bug)`, () => {
  const corpus = tempDir();
  let first: Awaited<ReturnType<typeof cli>>;

  it('exits 1 with a small, readable counterexample', async () => {
    first = await cli(['check', '--variant', BAD, '--seed', '42', '--corpus', corpus]);
    expect(first.code).toBe(1);
    const out = first.stdout;
    expect(out).toMatch(new RegExp(`${BAD} breaks 'invariants'`));
    expect(out).toMatch(/broken INV-1: no write to shared COW pages at vpn 0x[0-9a-f]+/);
    expect(out).toMatch(/kernel reason: private newprot is never writable/);
    expect(out).toMatch(/^folio 0x[0-9a-f]+-0x[0-9a-f]+ order \d anon .*AnonExclusive [01]+$/m);
    expect(out).toMatch(/^vma 0x[0-9a-f]+-0x[0-9a-f]+ anon private .*WRITE/m);
    expect(out).toMatch(/^\s*vpn\s+ex\s+before\s+spec after\s+variant after\s+diff$/m);
    expect(out).toMatch(/\+W$/m); // the differing field is marked
    expect(out).toMatch(/batch trace of v6.17-cac1db8c3aad:\n {2}0x[0-9a-f]+ nr=\d+ commit: \[0,\d+\) set_write/);
    expect(out).toMatch(/--seed 42 \\\n {4}--path [\d:]+/);
    expect(out).toMatch(/DIVERGENCE/);
    for (const line of out.split('\n')) expect(line.length).toBeLessThanOrEqual(80);
    const slots = [...out.matchAll(/on (\d+) slots?:/g)].map((m) => Number(m[1]));
    expect(Math.max(...slots)).toBeLessThanOrEqual(8);
  });

  it('saves one file per failing property, valid and replayable', async () => {
    const stored = files(corpus);
    expect(stored.some((f) => f.startsWith('invariants/'))).toBe(true);
    expect(stored.some((f) => f.startsWith('agree/'))).toBe(true);
    for (const f of stored) {
      const e = readCorpusFile(join(corpus, f));
      expect(e.data.provenance.variant).toBe(BAD);
      expect(e.data.expected[BAD]).toBe('fails');
      expect(e.data.expected['falcato-v3']).toBe('holds');
      // The layout is kept when it still builds the stored world; a narrowed world (narrow.ts) has none.
      if (e.data.provenance.narrowed) expect(e.data.layout).toBeNull();
      else expect(buildWorld(e.data.layout as Layout)).toEqual(e.data.world);
      expect(e.data.provenance.seed).toBe(42);
    }
    const r = await cli(['replay', corpus]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      new RegExp(`${stored.length} file\\(s\\) replayed: ${stored.length} as recorded, 0 changed, 0 invalid`),
    );
  });

  it('never overwrites a stored file', async () => {
    const stored = files(corpus);
    const before = stored.map((f) => [readFileSync(join(corpus, f), 'utf8'), statSync(join(corpus, f)).mtimeMs]);
    const again = await cli(['check', '--variant', BAD, '--seed', '42', '--corpus', corpus, '-q']);
    expect(again.code).toBe(1);
    expect(again.stdout).toMatch(/already in the corpus:/);
    expect(files(corpus)).toEqual(stored);
    expect(stored.map((f) => [readFileSync(join(corpus, f), 'utf8'), statSync(join(corpus, f)).mtimeMs])).toEqual(before);
  });

  it('the printed --seed/--path replays the same shrunk case', async () => {
    const cmd = /npx mprotect-spec check --variant \S+ \\\n {4}--property invariants --seed (\S+) \\\n {4}--path (\S+)/.exec(
      first.stdout,
    );
    expect(cmd).not.toBeNull();
    const replay = await cli([
      'check',
      '--variant',
      BAD,
      '--property',
      'invariants',
      '--seed',
      cmd![1]!,
      '--path',
      cmd![2]!,
      '--no-save',
      '--json',
    ]);
    expect(replay.code).toBe(1);
    const ce = JSON.parse(replay.stdout).results[0].counterexample;
    const orig = readCorpusFile(join(corpus, files(corpus).find((f) => f.startsWith('invariants/'))!));
    expect(ce.world).toEqual(JSON.parse(JSON.stringify(orig.data.world)));
  });

  it('show renders a stored file; --json gives the same content as data', async () => {
    const f = join(corpus, files(corpus).find((x) => x.startsWith('invariants/'))!);
    const r = await cli(['show', f]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/broken INV-1/);
    expect(r.stdout).toMatch(/^expected: /m);
    expect(r.stdout).toMatch(/v6\.17-cac1db8c3aad=fails/);
    const j = await cli(['show', f, '--json']);
    expect(JSON.parse(j.stdout).mismatches[0].rule).toBe('INV-1');
  });

  it('the same seed gives byte-identical JSON with a counterexample', async () => {
    const args = [
      'check',
      '--variant',
      BAD,
      '--seed',
      '42',
      '--json',
      '--no-save',
      '--property',
      'agree',
      '--property',
      'invariants',
    ];
    const [a, b] = [await cli(args), await cli(args)];
    expect(a.code).toBe(1);
    expect(a.stdout).toBe(b.stdout);
    expect(JSON.parse(a.stdout).verdict).toBe('diverges');
  });
});
