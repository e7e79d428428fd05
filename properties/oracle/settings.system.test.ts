// SPDX-License-Identifier: GPL-2.0-only
// Issue 12 item 4: the machine's THP settings are part of the result. Each
// test sets one system-wide sysfs knob (anonymous and shmem mTHP sizes, THP
// enabled, use_zero_page), checks hand scenarios and a campaign against the
// model of the machine as it then is, and puts the old value back on every exit
// path (properties/oracle/sysfs.ts). A *.system.test.ts file runs alone, after
// every other test file has finished (vitest.config.ts: project "system"), so
// no other campaign sees the setting change under it.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect } from 'vitest';
import {
  checkScenarios,
  compareScenario,
  predict,
  readEnvironment,
  renderTable,
  runOracleCampaign,
  type Scenario,
} from '../../src/oracle/index.js';
import { ORACLE_DIR } from '../../src/oracle/runner.js';
import { assertClean, liveTally } from './live.js';
import { readSelected, restorePending, withSysfs } from './sysfs.js';

const live = liveTally('settings.system.test.ts');
// Whatever happened to a test, no sysfs setting it changed outlives this file.
afterAll(() => {
  restorePending();
});
const MTHP_64K = '/sys/kernel/mm/transparent_hugepage/hugepages-64kB/enabled';

describe('THP settings on the live kernel, each modelled, each restored', () => {
  live(
    'with the 64 KiB anonymous mTHP size enabled, anonymous faults map 64 KiB folios, modelled: nothing skipped, all agree, the setting comes back',
    async () => {
      if (!existsSync(MTHP_64K)) return;
      const before = readSelected(MTHP_64K);
      const r = await withSysfs(MTHP_64K, 'always', async () => {
        expect(readSelected(MTHP_64K)).toBe('always');
        return runOracleCampaign({ runs: 120, seed: 9, store: false });
      });
      expect(readSelected(MTHP_64K)).toBe(before);
      expect(r.environment.mthpAnon['64kB']).toBe('always');
      expect(r.skippedScenarios).toEqual({});
      expect(r.scenarios).toBe(120);
      assertClean(r);
    },
    { needsRoot: true, timeout: 300_000 },
  );

  live(
    'with the 16 KiB size enabled, one write maps the whole aligned folio; a folio shared by fork with one page left is copied, with two reused',
    async () => {
      const path = '/sys/kernel/mm/transparent_hugepage/hugepages-16kB/enabled';
      if (!existsSync(path)) return;
      const m = { op: 'map', kind: 'anon', pages: 8, thp: false } as const;
      const w = (page: number) => ({ op: 'access', region: 0, page, access: 'write' }) as const;
      const look = (page: number) => ({ op: 'access', region: 0, page, access: 'none' }) as const;
      const zap = (first: number, count: number) => ({ op: 'dontneed', region: 0, first, count }) as const;
      const cases: Scenario[] = [
        { ops: [m, w(5), look(4), look(7), look(3)] },
        { ops: [m, w(4), zap(4, 3), { op: 'fork' }, { op: 'exit', child: 0 }, w(7)] },
        { ops: [m, w(4), zap(5, 2), { op: 'fork' }, { op: 'exit', child: 0 }, w(7)] },
      ];
      const rs = await withSysfs(path, 'always', () => checkScenarios(cases));
      rs.forEach((r, i) => {
        if (!r.observed) throw new Error(`run failed: ${r.error}`);
        expect(
          compareScenario(cases[i]!, r.predicted, r.observed).diffs,
          renderTable(cases[i]!, r.predicted, r.observed),
        ).toEqual([]);
      });
      const [one, single, two] = rs.map((r) => r.observed!);
      expect([2, 3, 4].map((i) => one![i]?.probe?.after.present)).toEqual([true, true, false]);
      expect(one![1]?.probe?.after.thp).toBe(true);
      expect(single![5]?.probe?.copied).toBe(true);
      expect(two![5]?.probe?.copied).toBe(false);
    },
    { needsRoot: true, timeout: 120_000 },
  );

  const THP_ENABLED = '/sys/kernel/mm/transparent_hugepage/enabled';
  const USE_ZERO_PAGE = '/sys/kernel/mm/transparent_hugepage/use_zero_page';
  const thpRegion = { op: 'map', kind: 'anon', pages: 512, thp: true } as const;
  const plainPmdRegion = { op: 'map', kind: 'anon', pages: 512, thp: false } as const;
  const at = (page: number, access: 'read' | 'write' | 'none') => ({ op: 'access', region: 0, page, access }) as const;

  /** Run the cases with `path` set to `value`: every case agrees with the model of the machine as it is then. */
  async function agreeUnder(path: string, value: string, cases: readonly Scenario[]) {
    const rs = await withSysfs(path, value, async () => ({
      env: readEnvironment(),
      runs: await checkScenarios(cases),
      campaign: await runOracleCampaign({ runs: 120, seed: 9, store: false }),
    }));
    rs.runs.forEach((r, i) => {
      if (!r.observed) throw new Error(`run failed: ${r.error}`);
      expect(compareScenario(cases[i]!, r.predicted, r.observed).diffs, renderTable(cases[i]!, r.predicted, r.observed)).toEqual(
        [],
      );
    });
    expect(rs.campaign.skippedScenarios).toEqual({});
    assertClean(rs.campaign);
    return { env: rs.env, observed: rs.runs.map((r) => r.observed!) };
  }

  live(
    'THP enabled=never: MADV_HUGEPAGE regions stay on PTEs, modelled: nothing skipped, all agree, the setting comes back',
    async () => {
      const before = readSelected(THP_ENABLED);
      const s: Scenario = { ops: [thpRegion, at(3, 'write'), at(4, 'none')] };
      const { env, observed } = await agreeUnder(THP_ENABLED, 'never', [s]);
      expect(readSelected(THP_ENABLED)).toBe(before);
      expect(env.thp).toBe('never');
      expect(observed[0]![1]?.probe).toMatchObject({ pmdMapped: false, after: { present: true, thp: false } });
      // The default model (THP for MADV_HUGEPAGE) predicts a PMD the kernel did not map.
      expect(compareScenario(s, predict(s).ops, observed[0]!).diffs.map((d) => d.field)).toContain('pmdMapped');
    },
    { needsRoot: true, timeout: 300_000 },
  );

  live(
    'THP enabled=always: a whole-PMD region without MADV_HUGEPAGE faults in a THP, modelled: nothing skipped, all agree',
    async () => {
      const before = readSelected(THP_ENABLED);
      const s: Scenario = { ops: [plainPmdRegion, at(7, 'write'), at(300, 'none')] };
      const { env, observed } = await agreeUnder(THP_ENABLED, 'always', [s]);
      expect(readSelected(THP_ENABLED)).toBe(before);
      expect(env.thp).toBe('always');
      expect(observed[0]![2]?.probe?.after).toMatchObject({ present: true, thp: true, excl: true });
      expect(compareScenario(s, predict(s).ops, observed[0]!).diffs.map((d) => d.field)).toContain('after.present');
    },
    { needsRoot: true, timeout: 300_000 },
  );

  live(
    'use_zero_page=0: a read in a THP region maps a new writable THP instead of the huge zero page, modelled',
    async () => {
      if (!existsSync(USE_ZERO_PAGE)) return;
      const before = readSelected(USE_ZERO_PAGE);
      const s: Scenario = { ops: [thpRegion, at(3, 'read'), at(3, 'write'), at(9, 'none')] };
      // The same in a forked child's copy (its own fault path in the model).
      const inChild: Scenario = {
        ops: [thpRegion, { op: 'fork' }, { op: 'child_access', child: 0, region: 0, page: 0, access: 'read' }, at(0, 'write')],
      };
      const { env, observed } = await agreeUnder(USE_ZERO_PAGE, '0', [s, inChild]);
      expect(observed[1]![2]?.probe).toMatchObject({ after: { present: true, zero: false, thp: true } });
      expect(readSelected(USE_ZERO_PAGE)).toBe(before);
      expect(env.useZeroPage).toBe(false);
      expect(observed[0]![1]?.probe).toMatchObject({
        pmdMapped: true,
        after: { present: true, zero: false, thp: true, excl: true },
      });
      expect(observed[0]![2]?.probe).toMatchObject({ fault: false, copied: false });
      expect(compareScenario(s, predict(s).ops, observed[0]!).diffs.map((d) => d.field)).toContain('after.zero');
    },
    { needsRoot: true, timeout: 300_000 },
  );

  live(
    'with the 64 KiB shmem size enabled, shmem faults allocate 64 KiB folios and map them whole where they can, modelled',
    async () => {
      const path = '/sys/kernel/mm/transparent_hugepage/hugepages-64kB/shmem_enabled';
      if (!existsSync(path)) return;
      const before = readSelected(path);
      const m = (kind: 'memfd_shared' | 'memfd_private' | 'anon_shared', pages = 32) =>
        ({ op: 'map', kind, pages, thp: false }) as const;
      const cases: Scenario[] = [
        // A write maps all 16 pages of the new folio; a private read too; a private write copies one page.
        { ops: [m('memfd_shared'), at(5, 'write'), at(4, 'none'), at(15, 'none'), at(16, 'none')] },
        { ops: [m('anon_shared'), at(5, 'read'), at(0, 'none')] },
        { ops: [m('memfd_private'), at(5, 'write'), at(4, 'read'), at(6, 'none')] },
        // A marker in the folio's range, a uffd-armed VMA, or a VMA too small for the folio: one page only.
        { ops: [m('memfd_shared'), { op: 'guard_install', region: 0, first: 9, count: 1 }, at(5, 'write'), at(4, 'none')] },
        { ops: [m('memfd_shared'), { op: 'uffd_register', region: 0, unpopulated: false }, at(5, 'write'), at(4, 'none')] },
        { ops: [m('memfd_shared'), { op: 'mprotect', region: 0, first: 8, count: 8, prot: 'r' }, at(5, 'write'), at(4, 'none')] },
        // The second mapping of the memfd finds the folio in the page cache.
        {
          ops: [
            m('memfd_shared'),
            { op: 'map_alias', of: 0, shared: true },
            at(5, 'write'),
            { op: 'access', region: 1, page: 9, access: 'read' },
          ],
        },
      ];
      const { env, observed } = await agreeUnder(path, 'always', cases);
      expect(readSelected(path)).toBe(before);
      expect(env.mthpShmem['64kB']).toBe('always');
      expect(observed[0]!.slice(2).map((o) => o.probe?.after.present)).toEqual([true, true, false]);
      expect(observed[0]![1]?.probe?.after.thp).toBe(true);
      expect([3, 4, 5].map((i) => observed[i]![3]?.probe?.after.present)).toEqual([false, false, false]);
      expect([3, 4].map((i) => observed[i]![2]?.probe?.after.thp)).toEqual([true, true]);
      expect(observed[5]![2]?.probe?.after.thp).toBe(false);
      // The default model (no shmem size) predicts small folios: it disagrees with the kernel.
      expect(compareScenario(cases[0]!, predict(cases[0]!).ops, observed[0]!).diffs.map((d) => d.field)).toContain('after.thp');
    },
    { needsRoot: true, timeout: 300_000 },
  );

  live(
    'a setting left changed by a crashed run is restored at the next start',
    async () => {
      if (!existsSync(MTHP_64K)) return;
      const before = readSelected(MTHP_64K);
      const other = before === 'never' ? 'madvise' : 'never';
      // A run that crashed between recording and restoring leaves exactly this behind.
      const file = join(ORACLE_DIR, 'build', 'sysfs-restore.json');
      writeFileSync(file, JSON.stringify({ [MTHP_64K]: before }));
      writeFileSync(MTHP_64K, other);
      try {
        expect(readSelected(MTHP_64K)).toBe(other);
        expect(restorePending()).toEqual([MTHP_64K]);
        expect(readSelected(MTHP_64K)).toBe(before);
        expect(existsSync(file)).toBe(false);
      } finally {
        writeFileSync(MTHP_64K, before);
      }
    },
    { needsRoot: true },
  );
});
