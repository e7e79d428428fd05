// SPDX-License-Identifier: GPL-2.0-only
// Issue 12 item 5, more observables: msync(MS_SYNC) writeback (a shared ext4
// page is clean again, so the next write faults under writenotify, and a later
// mprotect() upgrade is refused), and fault counts. Each observable is shown
// able to disagree: the prediction of the same program without the step the
// observable is about differs from what the kernel did.
import { describe, expect, it } from 'vitest';
import {
  checkScenarios,
  compareScenario,
  type Op,
  predict,
  renderTable,
  runOracleCampaign,
  type Scenario,
  scenarioArb,
  scenarioProblems,
} from '../../src/oracle/index.js';
import type { OpResult } from '../../src/oracle/observation.js';
import { liveTally } from './live.js';

const live = liveTally('observables.test.ts');

const map = (kind: Extract<Op, { op: 'map' }>['kind'], pages: number): Op => ({ op: 'map', kind, pages, thp: false });
const write = (page: number): Op => ({ op: 'access', region: 0, page, access: 'write' });
const read = (page: number): Op => ({ op: 'access', region: 0, page, access: 'read' });
const msync: Op = { op: 'msync', region: 0 };
const mprotect = (first: number, count: number, prot: 'r' | 'rw'): Op => ({ op: 'mprotect', region: 0, first, count, prot });

async function observe(s: Scenario): Promise<OpResult[]> {
  const [r] = await checkScenarios([s]);
  if (!r?.observed) throw new Error(`run failed: ${r?.error}`);
  expect(compareScenario(s, r.predicted, r.observed).diffs, renderTable(s, r.predicted, r.observed)).toEqual([]);
  return r.observed;
}

/** The model's prediction of `s` with op `drop` removed, compared with the kernel's run of `s` (op indices after `drop` shift back). */
function withoutStep(s: Scenario, drop: number, observed: readonly OpResult[]) {
  const t: Scenario = { ops: s.ops.filter((_, i) => i !== drop) };
  const p = predict(t).ops;
  return compareScenario(
    t,
    p,
    observed.filter((_, i) => i !== drop),
  ).diffs;
}

describe('msync(MS_SYNC) writeback', () => {
  it('is a valid op only on a mapped region, and the runner line names it', () => {
    expect(scenarioProblems({ ops: [msync] })).toEqual(['ops[0] (msync): region 0 is not mapped yet']);
    expect(scenarioProblems({ ops: [map('file_shared', 2), msync] })).toEqual([]);
  });

  it('the writeback opt-in generates msync steps, the default campaign none', async () => {
    const fc = (await import('fast-check')).default;
    const count = (writeback: boolean) =>
      fc
        .sample(scenarioArb({ writeback }), { seed: 4, numRuns: 200 })
        .reduce((n, s) => n + s.ops.filter((o) => o.op === 'msync').length, 0);
    expect(count(false)).toBe(0);
    expect(count(true)).toBeGreaterThan(20);
  });

  live('a written ext4 shared page is clean after msync: the next write faults again (writenotify)', async () => {
    const s: Scenario = { ops: [map('file_shared', 4), write(1), write(1), msync, write(1), write(1)] };
    const ob = await observe(s);
    expect([ob[2]?.probe?.fault, ob[4]?.probe?.fault, ob[5]?.probe?.fault]).toEqual([false, true, false]);
    // Without the writeback the model would predict no fault at op 4: the observable can disagree.
    expect(withoutStep(s, 3, ob)).toEqual([{ op: 3, field: 'fault', predicted: false, observed: true }]);
  });

  live('after msync the mprotect() upgrade of a shared page is refused (shared-clean): the write faults', async () => {
    const s: Scenario = { ops: [map('file_shared', 4), write(2), mprotect(0, 4, 'r'), msync, mprotect(0, 4, 'rw'), write(2)] };
    const ob = await observe(s);
    expect(ob[5]?.probe?.fault).toBe(true);
    expect(withoutStep(s, 3, ob)).toEqual([{ op: 4, field: 'fault', predicted: false, observed: true }]);
  });

  live('shmem (memfd, shared anonymous) has no writeback: msync leaves the PTE writable', async () => {
    for (const kind of ['memfd_shared', 'anon_shared'] as const) {
      const ob = await observe({ ops: [map(kind, 4), write(0), msync, write(0), read(0)] });
      expect(ob[3]?.probe?.fault).toBe(false);
    }
  });

  live('private file and anonymous mappings keep their PTEs', async () => {
    for (const kind of ['file_private', 'anon'] as const) {
      const ob = await observe({ ops: [map(kind, 4), write(0), msync, write(0)] });
      expect(ob[3]?.probe?.fault).toBe(false);
    }
  });

  live(
    'a writeback campaign (seed 8, 120 scenarios) agrees on every probe',
    async () => {
      const r = await runOracleCampaign({ runs: 120, seed: 8, store: false, writeback: true });
      expect(r.disagreeProbes).toBe(0);
      expect(r.specFailures).toEqual([]);
    },
    { timeout: 180_000 },
  );
});

describe('fault counts', () => {
  live('an access that faults is accounted once; one that does not, zero; the model predicts the same count', async () => {
    const s: Scenario = { ops: [map('anon', 4), read(0), write(0), write(0), write(1)] };
    const [r] = await checkScenarios([s]);
    if (!r?.observed) throw new Error(`run failed: ${r?.error}`);
    const counts = [1, 2, 3, 4].map((i) => r.observed![i]?.probe?.faults);
    expect(counts).toEqual([1, 1, 0, 1]);
    expect([1, 2, 3, 4].map((i) => r.predicted[i]?.probe?.faults)).toEqual(counts);
  });
});

describe('VMA layout after mprotect() (/proc/self/smaps VmFlags)', () => {
  const anonWrite = (page: number): Op => ({ op: 'access', region: 0, page, access: 'write' });
  const mp = (first: number, count: number, prot: 'r' | 'rw' | 'rwx'): Op => ({ op: 'mprotect', region: 0, first, count, prot });

  live('a VMA with an anon_vma keeps VM_ACCOUNT when made read-only, one without drops it: they do not merge', async () => {
    const s: Scenario = { ops: [map('anon', 2), mp(1, 1, 'r'), anonWrite(0), mp(0, 1, 'r')] };
    const ob = await observe(s);
    expect(ob[1]?.vmas).toBe('0-1 rd wr ac;1-2 rd');
    expect(ob[3]?.vmas).toBe('0-1 rd ac;1-2 rd');
    // Without the write there is no anon_vma, both halves drop VM_ACCOUNT and merge: the observable can disagree.
    expect(withoutStep(s, 2, ob)).toEqual([{ op: 2, field: 'vmas', predicted: '0-2 rd', observed: '0-1 rd ac;1-2 rd' }]);
  });

  live('a neighbour reuses the anon_vma of the VMA next to it, so both merge again (find_mergeable_anon_vma)', async () => {
    const s: Scenario = { ops: [map('anon', 2), mp(0, 1, 'rwx'), anonWrite(0), anonWrite(1), mp(0, 2, 'r')] };
    const ob = await observe(s);
    expect(ob[4]?.vmas).toBe('0-2 rd ac');
  });

  live('shared and private file mappings: sh and ac as mmap() and mprotect() set them', async () => {
    const sh = await observe({ ops: [map('memfd_shared', 3), mp(1, 1, 'r')] });
    expect(sh[1]?.vmas).toBe('0-1 rd wr sh;1-2 rd sh;2-3 rd wr sh');
    const pr = await observe({ ops: [map('file_private', 3), mp(1, 1, 'r'), mp(1, 1, 'rw')] });
    expect([pr[1]?.vmas, pr[2]?.vmas]).toEqual(['0-1 rd wr ac;1-2 rd ac;2-3 rd wr ac', '0-3 rd wr ac']);
  });
});

describe('userfaultfd features in the recorded environment', () => {
  live('the runner reports what the kernel offers; WP_UNPOPULATED scenarios are skipped where it is not offered', async () => {
    const { environmentLimits, readEnvironment, scenarioSkipReason } = await import('../../src/oracle/index.js');
    const env = readEnvironment();
    expect(env.uffdFeatures, env.uffdError).not.toBeNull();
    const unpop: Scenario = { ops: [map('anon', 2), { op: 'uffd_register', region: 0, unpopulated: true }] };
    const plain: Scenario = { ops: [map('anon', 2), { op: 'uffd_register', region: 0, unpopulated: false }] };
    const without = environmentLimits({ ...env, uffdFeatures: { wpUnpopulated: false, wpAsync: false } });
    expect(scenarioSkipReason(unpop, without)).toMatch(/does not offer UFFD_FEATURE_WP_UNPOPULATED/);
    expect(scenarioSkipReason(plain, without)).toBeNull();
    const withIt = environmentLimits({ ...env, uffdFeatures: { wpUnpopulated: true, wpAsync: true } });
    expect(scenarioSkipReason(unpop, withIt)).toBeNull();
  });
});
