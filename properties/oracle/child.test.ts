// SPDX-License-Identifier: GPL-2.0-only
// Issue 12 item 5: the forked child as an actor the oracle observes. A child
// accesses its copy of a page (op child_access, runner line C) and reports
// from its own pagemap; the parent's later probes show the effect. Each rule
// is shown on the live kernel with the model agreeing, and shown able to
// disagree: a model with that one rule broken (a subclass of the process
// model) mispredicts the same kernel run.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  campaignFailures,
  compareScenario,
  emitC,
  formatCampaign,
  type Op,
  observedOps,
  predict,
  renderTable,
  runOracleCampaign,
  runScenarios,
  type Scenario,
  scenarioArb,
  scenarioProblems,
} from '../../src/oracle/index.js';
import type { RegionState } from '../../src/oracle/model/state.js';
import type { OpResult, Probe } from '../../src/oracle/observation.js';
import { ProcessModel } from '../../src/oracle/predict.js';
import { toRunnerLines } from '../../src/oracle/scenario.js';
import type { Pte } from '../../src/pte/index.js';
import { liveTally, oracleAsNobody } from './live.js';

const live = liveTally('child.test.ts');

type Kind = Extract<Op, { op: 'map' }>['kind'];
const map = (kind: Kind, pages: number, thp = false): Op => ({ op: 'map', kind, pages, thp });
const write = (page: number, region = 0): Op => ({ op: 'access', region, page, access: 'write' });
const read = (page: number, region = 0): Op => ({ op: 'access', region, page, access: 'read' });
const look = (page: number, region = 0): Op => ({ op: 'access', region, page, access: 'none' });
const fork: Op = { op: 'fork' };
const exit = (child = 0): Op => ({ op: 'exit', child });
const cw = (page: number, child = 0, region = 0): Op => ({ op: 'child_access', child, region, page, access: 'write' });
const cr = (page: number, child = 0, region = 0): Op => ({ op: 'child_access', child, region, page, access: 'read' });
const cl = (page: number, child = 0, region = 0): Op => ({ op: 'child_access', child, region, page, access: 'none' });
const mprotect = (first: number, count: number, prot: 'r' | 'rw'): Op => ({ op: 'mprotect', region: 0, first, count, prot });

// ---------- models with one child rule broken ----------

/** The child's copy-on-write copy does not release its mapping of the shared folio. */
class ChildCopyKeepsMapping extends ProcessModel {
  protected override childUnmap(): void {}
}
/** The child's read fault maps only the faulting page (no fault-around). */
class ChildNoFaultAround extends ProcessModel {
  protected override childFaultAround(): void {}
}
/** fork() copies entries to the child as they are: uffd-wp bits and markers survive. */
class ChildKeepsUffdWp extends ProcessModel {
  protected override copyForChild(_r: RegionState, pte: Pte): Pte {
    return pte;
  }
}
/** fork() drops guard markers from the child's copy. */
class ChildDropsGuards extends ProcessModel {
  protected override copyForChild(r: RegionState, pte: Pte): Pte {
    return pte.kind === 'softleaf' ? { kind: 'none' } : super.copyForChild(r, pte);
  }
}

/** Run once on the kernel; the model agrees on every probe; return the observation. */
async function agreeing(s: Scenario): Promise<OpResult[]> {
  const [run] = await runScenarios([s]);
  const observed = observedOps(s, run!);
  if (!observed) throw new Error(`run failed: ${run?.error}`);
  const p = predict(s).ops;
  expect(compareScenario(s, p, observed).diffs, renderTable(s, p, observed)).toEqual([]);
  return observed;
}

/** The fields where a model with one rule broken mispredicts the same kernel run. */
function brokenDiffs(s: Scenario, observed: readonly OpResult[], model: typeof ProcessModel): string[] {
  const p = predict(s, { model }).ops;
  return compareScenario(s, p, observed).diffs.map((d) => `${d.op}:${d.field}`);
}

const probe = (obs: readonly OpResult[], i: number): Probe => {
  const p = obs[i]?.probe;
  if (!p) throw new Error(`op ${i} is not a probe`);
  return p;
};

describe('the child_access op', () => {
  it('is validated: the child must be forked and alive, the region mapped before its fork, the page inside', () => {
    expect(scenarioProblems({ ops: [map('anon', 4), cw(0)] })).toEqual(['ops[1] (child_access): child 0 was never forked']);
    expect(scenarioProblems({ ops: [map('anon', 4), fork, exit(0), cw(0)] })[0]).toMatch(/child 0 already exited/);
    expect(scenarioProblems({ ops: [map('anon', 4), fork, map('anon', 2), cw(0, 0, 1)] })[0]).toMatch(
      /region 1 was mapped after child 0 was forked/,
    );
    expect(scenarioProblems({ ops: [map('anon', 4), fork, cw(4)] })[0]).toMatch(/inside the region's 4 pages/);
    expect(scenarioProblems({ ops: [map('anon', 4), fork, { ...cw(0), access: 'exec' }] })[0]).toMatch(/read, write or none/);
    expect(scenarioProblems({ ops: [map('anon', 4), fork, cw(3), cr(0), cl(1)] })).toEqual([]);
  });

  it('is one runner line C <child> <r> <page> <r|w|n>', () => {
    const lines = toRunnerLines({ ops: [map('anon', 4), fork, fork, cw(3, 1), cr(0), cl(1)] }, 'x').split('\n');
    expect(lines.slice(4, 7)).toEqual(['C 1 0 3 w', 'C 0 0 0 r', 'C 0 0 1 n']);
  });

  it('the model keeps the parent and the child apart: the parent mprotect() does not reach the child copy', () => {
    const s: Scenario = { ops: [map('anon', 2), write(0), fork, mprotect(0, 2, 'r'), cw(0), write(0)] };
    const p = predict(s).ops;
    expect(p[4]?.probe).toMatchObject({ segv: false, fault: true, copied: true, sharedWithParent: false });
    expect(p[5]?.probe).toMatchObject({ segv: true });
  });

  it('the generator draws child accesses, only for live children', () => {
    const sample = fc.sample(scenarioArb(), { seed: 5, numRuns: 300 });
    const child = sample.flatMap((s) => s.ops.filter((o) => o.op === 'child_access'));
    expect(child.length).toBeGreaterThan(100);
    expect(child.some((o) => o.op === 'child_access' && o.access === 'write')).toBe(true);
    expect(child.some((o) => o.op === 'child_access' && o.access === 'read')).toBe(true);
    for (const s of sample) expect(scenarioProblems(s)).toEqual([]);
  });
});

describe('the child on the live kernel', () => {
  live('a child write copies its page away: the parent page is exclusive again and its next write reuses it', async () => {
    const s: Scenario = {
      ops: [map('anon', 4), write(0), write(1), fork, cw(0), look(0), mprotect(0, 4, 'r'), mprotect(0, 4, 'rw'), write(0)],
    };
    const obs = await agreeing(s);
    expect(probe(obs, 4)).toMatchObject({ fault: true, copied: true, sharedWithParent: false, uffd: false });
    expect(probe(obs, 4).after.excl).toBe(true);
    expect(probe(obs, 5).before.excl).toBe(true);
    // PageAnonExclusive stayed clear, so mprotect could not upgrade; the fault reuses the page.
    expect(probe(obs, 8)).toMatchObject({ fault: true, copied: false });
    expect(brokenDiffs(s, obs, ChildCopyKeepsMapping)).toEqual(
      expect.arrayContaining(['5:before.excl', '8:before.excl', '8:copied']),
    );
  });

  live('a child that only reads keeps the page shared: the parent write copies', async () => {
    const s: Scenario = { ops: [map('anon', 4), write(0), fork, cr(0), mprotect(0, 4, 'r'), mprotect(0, 4, 'rw'), write(0)] };
    const obs = await agreeing(s);
    expect(probe(obs, 3)).toMatchObject({ fault: false, copied: false, sharedWithParent: true });
    expect(probe(obs, 6)).toMatchObject({ fault: true, copied: true });
  });

  live('a child read of a file page faults around in the child: the parent neighbours lose pagemap exclusivity', async () => {
    const s: Scenario = { ops: [map('file_shared', 20), read(2), read(18), fork, look(3), cr(5), look(3), look(18), cl(3)] };
    const obs = await agreeing(s);
    expect(probe(obs, 4).before.excl).toBe(true);
    expect(probe(obs, 5)).toMatchObject({ fault: true, sharedWithParent: true });
    expect(probe(obs, 6).before.excl).toBe(false); // mapped by the child's fault-around
    expect(probe(obs, 7).before.excl).toBe(true); // outside the child's 16-page window
    expect(probe(obs, 8).before.present).toBe(true);
    expect(brokenDiffs(s, obs, ChildNoFaultAround)).toEqual(expect.arrayContaining(['6:before.excl', '8:before.present']));
  });

  live('the child VMA is not uffd-armed: fault-around in the child where the parent has none', async () => {
    const s: Scenario = {
      ops: [
        map('memfd_shared', 8),
        { op: 'uffd_register', region: 0, unpopulated: false },
        write(0),
        write(1),
        fork,
        cr(0),
        look(1),
      ],
    };
    const obs = await agreeing(s);
    expect(probe(obs, 6).before.excl).toBe(false);
    expect(brokenDiffs(s, obs, ChildNoFaultAround)).toContain('6:before.excl');
  });

  live('uffd-wp does not follow the child: its write takes no uffd fault, the parent page stays protected', async () => {
    const s: Scenario = {
      ops: [
        map('anon', 4),
        { op: 'uffd_register', region: 0, unpopulated: true },
        write(0),
        { op: 'uffd_wp', region: 0, first: 0, count: 4, on: true },
        fork,
        cl(0),
        cl(1),
        cw(0),
        look(0),
        look(1),
        write(0),
      ],
    };
    const obs = await agreeing(s);
    expect(probe(obs, 5).before.uffdwp).toBe(false); // the PTE bit was dropped at fork
    expect(probe(obs, 6).before.uffdwp).toBe(false); // and so was the marker
    expect(probe(obs, 7)).toMatchObject({ fault: true, copied: true, uffd: false });
    expect(probe(obs, 8).before).toMatchObject({ uffdwp: true, excl: true });
    expect(probe(obs, 9).before.uffdwp).toBe(true);
    expect(probe(obs, 10)).toMatchObject({ uffd: true });
    expect(brokenDiffs(s, obs, ChildKeepsUffdWp)).toEqual(expect.arrayContaining(['5:before.uffdwp', '6:before.uffdwp']));
  });

  live('guard markers are copied to the child: its access to a guard page is a SIGSEGV', async () => {
    const s: Scenario = {
      ops: [map('anon', 4), write(0), { op: 'guard_install', region: 0, first: 1, count: 1 }, fork, cr(1), cw(1), cw(0)],
    };
    const obs = await agreeing(s);
    expect(probe(obs, 4)).toMatchObject({ segv: true });
    expect(probe(obs, 4).before.guard).toBe(true);
    expect(probe(obs, 5)).toMatchObject({ segv: true });
    expect(probe(obs, 6)).toMatchObject({ segv: false, copied: true });
    expect(brokenDiffs(s, obs, ChildDropsGuards)).toEqual(expect.arrayContaining(['4:segv', '5:segv']));
  });

  live('a PMD-mapped THP is reported exclusive from its first page: the child copying page 0 or page 1 decides', async () => {
    const head: Scenario = { ops: [map('anon', 512, true), write(0), fork, cw(0), look(1), look(0)] };
    const tail: Scenario = { ops: [map('anon', 512, true), write(0), fork, cw(1), look(1), look(0)] };
    const h = await agreeing(head);
    const t = await agreeing(tail);
    expect(probe(h, 3)).toMatchObject({ copied: true, pmdMapped: false });
    expect(probe(h, 4)).toMatchObject({ pmdMapped: true });
    expect([probe(h, 4).before.excl, probe(h, 5).before.excl]).toEqual([true, true]);
    expect([probe(t, 4).before.excl, probe(t, 5).before.excl]).toEqual([false, false]);
  });

  live('emitC() reproduces a child scenario stand-alone', async () => {
    const s: Scenario = { ops: [map('anon', 2), write(0), fork, cw(0), cr(1), exit(0)] };
    const dir = mkdtempSync(join(tmpdir(), 'oracle-child-repro-'));
    writeFileSync(join(dir, 'repro.c'), emitC(s, 'child scenario'));
    const cc = spawnSync('cc', ['-O2', '-pthread', '-o', join(dir, 'repro'), join(dir, 'repro.c')], { encoding: 'utf8' });
    expect(cc.status, cc.stderr).toBe(0);
    const run = spawnSync(join(dir, 'repro'), [dir], { encoding: 'utf8' });
    const out = JSON.parse(run.stdout) as { ok: boolean; ops: { op: string; child?: number; minflt?: number }[] };
    expect(out.ok).toBe(true);
    expect(out.ops[3]).toMatchObject({ op: 'C', child: 0, minflt: 1 });
    expect(out.ops[5]).toMatchObject({ op: 'X', err: 0 });
  });

  live(
    'as nobody (pfns hidden), child probes leave copied and sharedWithParent uncompared: no false disagreement',
    async () => {
      const r = await oracleAsNobody(['--runs', '80', '--seed', '31', '--features', 'anon-cow', '--no-save']);
      expect(r.environment.pfnVisible).toBe(false);
      expect(r.scenarios).toBe(80);
      expect(r.disagreeProbes).toBe(0);
    },
    { needsRoot: true, timeout: 300_000 },
  );

  live(
    'a fixed-seed campaign (seed 31, 150 scenarios, child steps included) agrees on every probe',
    async () => {
      const sample = fc.sample(scenarioArb(), { seed: 31, numRuns: 150 });
      expect(sample.flatMap((s) => s.ops.filter((o) => o.op === 'child_access')).length).toBeGreaterThan(50);
      const r = await runOracleCampaign({ runs: 150, seed: 31, store: false, shrinkLimit: 1 });
      expect(r.failedRuns, formatCampaign(r)).toBe(0);
      expect(r.disagreeProbes, formatCampaign(r)).toBe(0);
      expect(campaignFailures(r), formatCampaign(r)).toEqual([]);
    },
    { timeout: 300_000 },
  );
});
