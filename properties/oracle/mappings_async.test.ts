// SPDX-License-Identifier: GPL-2.0-only
// Issue 12 item 5, the last observables: two mappings of one file or memfd
// (one page cache, two page tables) and userfaultfd's WP_ASYNC mode (the
// kernel resolves a write-protect fault itself). Each rule is shown on the
// live kernel, and shown able to disagree: the prediction of the same program
// by a model without the rule differs from what the kernel did.
import { describe, expect, it } from 'vitest';
import {
  checkScenarios,
  compareScenario,
  type FieldDiff,
  featuresOf,
  type Op,
  predict,
  renderTable,
  runOracleCampaign,
  type Scenario,
  scenarioProblems,
  toRunnerLines,
} from '../../src/oracle/index.js';
import type { OpResult } from '../../src/oracle/observation.js';
import { BROKEN_ENGINES } from './broken.js';
import { liveTally } from './live.js';

const live = liveTally('mappings_async.test.ts');

type Kind = Extract<Op, { op: 'map' }>['kind'];
const map = (kind: Kind, pages: number): Op => ({ op: 'map', kind, pages, thp: false });
const alias = (of: number, shared: boolean): Op => ({ op: 'map_alias', of, shared });
const acc = (region: number, page: number, access: 'read' | 'write' | 'none'): Op => ({ op: 'access', region, page, access });
const mp = (region: number, first: number, count: number, prot: 'r' | 'rw'): Op => ({
  op: 'mprotect',
  region,
  first,
  count,
  prot,
});
const register = (region: number, async: boolean, unpopulated = false): Op => ({
  op: 'uffd_register',
  region,
  unpopulated,
  async,
});
const wp = (region: number, first: number, count: number, on: boolean): Op => ({ op: 'uffd_wp', region, first, count, on });

async function observe(s: Scenario): Promise<OpResult[]> {
  const [r] = await checkScenarios([s]);
  if (!r?.observed) throw new Error(`run failed: ${r?.error}`);
  expect(compareScenario(s, r.predicted, r.observed).diffs, renderTable(s, r.predicted, r.observed)).toEqual([]);
  expect(r.notes.specErrors).toEqual([]);
  return r.observed;
}

/** The model's prediction of `t` (a same-length variant of the program) against what the kernel did for the original. */
const against = (t: Scenario, observed: readonly OpResult[]): readonly FieldDiff[] =>
  compareScenario(t, predict(t).ops, observed).diffs;

/** The same program with op `i` replaced. */
const replaced = (s: Scenario, i: number, op: Op): Scenario => ({ ops: s.ops.map((o, k) => (k === i ? op : o)) });

describe('the scenario language', () => {
  it('a second mapping needs a region with a file or memfd behind it, mapped before', () => {
    expect(scenarioProblems({ ops: [map('anon', 2), alias(0, true)] })).toEqual([
      'ops[1] (map_alias): region 0 is anon: only memfd_shared, memfd_private, file_shared, file_private, file_shared_large regions have a file to map again',
    ]);
    expect(scenarioProblems({ ops: [alias(0, true)] })).toEqual(['ops[0] (map_alias): region 0 is not mapped yet']);
    expect(scenarioProblems({ ops: [map('memfd_shared', 2), alias(0, false), acc(1, 1, 'write')] })).toEqual([]);
    // The alias has the source's pages: an access past them is refused like any other.
    expect(scenarioProblems({ ops: [map('memfd_shared', 2), alias(0, false), acc(1, 2, 'write')] })).toEqual([
      "ops[2] (access): range [2, +1) is not inside the region's 2 pages",
    ]);
    expect(scenarioProblems({ ops: [map('anon', 2), { op: 'uffd_register', region: 0, unpopulated: false, async: 1 }] })).toEqual(
      ['ops[1] (uffd_register): async must be a boolean'],
    );
  });

  it('the runner lines name the source region and the mapping type, and the async flag', () => {
    const s: Scenario = { ops: [map('file_shared', 2), alias(0, false), register(0, true)] };
    expect(toRunnerLines(s, 'x')).toBe('S x\nM file_shared 2 0\nL 0 0\nU 0 0 1\nE\n');
  });

  it('probes through a second mapping or on a WP_ASYNC region are tagged with their own feature rows', () => {
    const s: Scenario = {
      ops: [map('memfd_shared', 2), alias(0, true), acc(1, 0, 'write'), register(0, true), acc(0, 1, 'read')],
    };
    const f = featuresOf(s);
    expect(f[2]).toContain('two-mappings');
    expect(f[4]).toEqual(expect.arrayContaining(['two-mappings', 'wp-async', 'uffd-wp', 'shmem']));
  });
});

describe('two mappings of one file or memfd', () => {
  live(
    'a memfd page written through one shared mapping is the page the other maps: mapped twice, exclusive in neither',
    async () => {
      const s: Scenario = {
        ops: [map('memfd_shared', 4), alias(0, true), acc(0, 0, 'write'), acc(1, 0, 'read'), acc(0, 0, 'none')],
      };
      const ob = await observe(s);
      expect(ob[3]?.probe?.after).toMatchObject({ present: true, excl: false, file: true });
      expect(ob[4]?.probe?.after).toMatchObject({ present: true, excl: false });
      // A model that gave the second mapping a page cache of its own predicts exclusive pages.
      const own = against(replaced(s, 1, map('memfd_shared', 4)), ob);
      expect(own.map((d) => `${d.op} ${d.field}`)).toEqual(expect.arrayContaining(['3 after.excl', '4 before.excl']));
    },
  );

  live('a write through a private mapping copies the shared page; the shared mapping keeps the page cache page', async () => {
    const s: Scenario = {
      ops: [map('file_shared', 4), alias(0, false), acc(0, 1, 'write'), acc(1, 1, 'read'), acc(1, 1, 'write'), acc(0, 1, 'none')],
    };
    const ob = await observe(s);
    expect(ob[3]?.probe?.after).toMatchObject({ present: true, excl: false, file: true });
    expect(ob[4]?.probe).toMatchObject({ copied: true, after: { present: true, excl: true, file: false } });
    expect(ob[5]?.probe?.after).toMatchObject({ present: true, excl: true, file: true });
  });

  live(
    'a page dirty through one ext4 mapping is still clean in the other: its mprotect() upgrade is refused, the write faults',
    async () => {
      // Written through region 1 (dirty there), read through region 0 (a clean read-only PTE under writenotify).
      const s: Scenario = {
        ops: [
          map('file_shared', 4),
          alias(0, true),
          acc(1, 2, 'write'),
          acc(0, 2, 'read'),
          mp(0, 0, 4, 'r'),
          mp(0, 0, 4, 'rw'),
          acc(0, 2, 'write'),
        ],
      };
      const ob = await observe(s);
      expect(ob[6]?.probe).toMatchObject({ fault: true, segv: false });
      // The gate reads this PTE's dirty bit, never the folio's: a spec that ignores it upgrades and skips the fault.
      const broken = predict(s, { engine: BROKEN_ENGINES['shared-upgrade-ignores-dirty'].engine });
      expect(compareScenario(s, broken.ops, ob).diffs.map((d) => `${d.op} ${d.field}`)).toContain('6 fault');
    },
  );

  live('msync(MS_SYNC) through one mapping cleans the page in every shared mapping of the file (writeback)', async () => {
    const s: Scenario = {
      ops: [
        map('file_shared', 2),
        alias(0, true),
        acc(0, 0, 'write'),
        acc(1, 0, 'write'),
        { op: 'msync', region: 0 },
        acc(1, 0, 'write'),
      ],
    };
    const ob = await observe(s);
    expect(ob[5]?.probe).toMatchObject({ fault: true, copied: false });
    // A model whose writeback cleans only the mapping msync() named predicts no fault through the other one.
    const onlyNamed = against(replaced(s, 1, map('file_shared', 2)), ob);
    expect(onlyNamed.map((d) => `${d.op} ${d.field}`)).toContain('5 fault');
  });
});

describe('userfaultfd WP_ASYNC', () => {
  live(
    'a write to a write-protected anonymous page faults once, no message is delivered, the bit is gone, the page reused',
    async () => {
      const s: Scenario = {
        ops: [map('anon', 4), register(0, true), acc(0, 0, 'write'), wp(0, 0, 4, true), acc(0, 0, 'write'), acc(0, 1, 'write')],
      };
      const ob = await observe(s);
      expect(ob[4]?.probe).toMatchObject({
        fault: true,
        uffd: false,
        copied: false,
        before: { uffdwp: true },
        after: { uffdwp: false },
      });
      // WP_ASYNC turns WP_UNPOPULATED on: the untouched page got a marker, and its write is resolved the same way.
      expect(ob[5]?.probe).toMatchObject({
        uffd: false,
        before: { present: false, uffdwp: true },
        after: { present: true, uffdwp: false },
      });
      // Without the async rule the model expects a message to the handler, and no marker on the empty page.
      const sync = against(replaced(s, 1, register(0, false)), ob);
      expect(sync.map((d) => `${d.op} ${d.field}`)).toEqual(expect.arrayContaining(['4 uffd', '5 before.uffdwp']));
    },
  );

  live('a WP_ASYNC context may write-protect an ext4 file mapping; without WP_ASYNC registering it fails', async () => {
    const s: Scenario = {
      ops: [
        map('file_shared', 2),
        register(0, true),
        acc(0, 0, 'read'),
        wp(0, 0, 2, true),
        acc(0, 0, 'write'),
        acc(0, 1, 'none'),
      ],
    };
    const ob = await observe(s);
    expect(ob[1]?.err).toBe(0);
    expect(ob[4]?.probe).toMatchObject({ fault: true, uffd: false, before: { uffdwp: true }, after: { uffdwp: false } });
    expect(ob[5]?.probe?.after).toMatchObject({ present: false, uffdwp: true }); // file-backed: a marker on the empty page
    const sync = await observe(replaced(s, 1, register(0, false)));
    expect(sync[1]?.err).toBe(22);
    expect(against(replaced(s, 1, register(0, false)), ob).map((d) => `${d.op} ${d.field}`)).toContain('1 errno');
  });
});

describe('campaign', () => {
  live(
    'a fixed-seed campaign over two mappings and WP_ASYNC agrees on every probe, and reaches both',
    async () => {
      const r = await runOracleCampaign({
        runs: 200,
        seed: 0x2a11a5,
        features: [
          'shmem',
          'file-writenotify',
          'uffd-wp',
          'two-mappings',
          'wp-async',
          'anon-cow',
          'exclusive-reuse',
          'prot-none',
        ],
        shrinkLimit: 2,
        store: false,
      });
      expect(r.failedRuns).toBe(0);
      expect(r.disagreeProbes).toBe(0);
      expect(r.perFeature['two-mappings'].probes).toBeGreaterThan(100);
      expect(r.perFeature['wp-async'].probes).toBeGreaterThan(50);
    },
    { timeout: 180_000 },
  );
});
