// SPDX-License-Identifier: GPL-2.0-only
// Runs units over N job workers. The main thread stays free: it watches each
// worker's case tracker, so a target that stops answering for the per-case
// time limit, or that ends its thread (process.exit()), is reported with the
// world it was given, found by replaying the tracked fast-check path; SIGINT
// stops the workers and keeps what finished.
import { Worker } from 'node:worker_threads';
import fc from 'fast-check';
import { getProperty } from '../../check/index.js';
import type { PropertyResult } from '../../check/run.js';
import type { World } from '../../pte/index.js';
import { archWorldArb } from '../arch.js';
import type { JobReply } from './job_main.js';
import type { StuckCase, Unit, UnitOutcome } from './plan.js';
import { newTrackerBuffer, TrackerView } from './tracker.js';
import { hangView } from './unit.js';

const FROM_SOURCE = import.meta.url.endsWith('.ts');
const WORKER_URL = new URL('./job_worker.mjs', import.meta.url);
const MAIN_URL = new URL(FROM_SOURCE ? './job_main.ts' : './job_main.js', import.meta.url);

export interface PoolOptions {
  readonly jobs: number;
  readonly caseTimeoutMs: number;
  /** Adjusts a unit just before it is handed to a worker (e.g. its share of --time-limit). */
  readonly prepare?: (unit: Unit) => Unit;
  /** Called when a unit starts and ends (progress). */
  readonly onStart?: (unit: Unit) => void;
  readonly onDone?: (outcome: UnitOutcome) => void;
  /** Polled for live case counts (progress). */
  readonly onPoll?: (running: ReadonlyMap<number, number>) => void;
}

export interface PoolResult {
  readonly outcomes: readonly UnitOutcome[];
  /** Units that were running when SIGINT arrived, with the cases they had done. */
  readonly interrupted: readonly { readonly unit: Unit; readonly cases: number }[];
  /** Set when a target could not be loaded: the first such message. */
  readonly loadError: string | null;
}

/** The world at a fast-check path of the unit's property, regenerated without running any target. */
export function worldAtPath(unit: Unit, path: string): World | null {
  const prop = getProperty(unit.property);
  let seen: World | null = null;
  fc.check(
    fc.property(archWorldArb({ ...prop.worldOptions }, unit.arch), (w) => {
      seen = w;
      return true;
    }),
    { seed: unit.seed, numRuns: unit.runs, path },
  );
  return seen;
}

function stuckOutcome(unit: Unit, stuck: StuckCase | null, why: string): UnitOutcome {
  const world = stuck ? worldAtPath(unit, stuck.path) : null;
  const where = stuck?.phase === 'narrow' ? ' while narrowing the shrunk failure shown below' : ' on the world below';
  const result: PropertyResult = {
    property: unit.property,
    target: unit.target.name,
    cases: Math.max(1, stuck?.cases ?? 1),
    ms: 0,
    failure: null,
    interrupted: false,
    excluded: 0,
    ...(world ? {} : { internalError: `${why}; the world could not be recovered (shrink path too deep)` }),
  };
  if (!world) return { index: unit.index, result, view: null, coverage: null };
  const view = hangView(unit, world, `${why}${where}`, stuck?.phase === 'narrow' ? undefined : stuck?.path);
  return {
    index: unit.index,
    result: {
      ...result,
      failure: { world, mismatches: view.mismatches, seed: unit.seed, path: stuck?.path ?? '', shrinks: 0, narrowed: 0 },
    },
    view,
    coverage: null,
  };
}

/** How long a module may take to load (tsx compiles it on the way). */
const LOAD_TIMEOUT_MS = 60_000;

/** Asks a worker to let go of its targets (a kernel target's child process), then ends it. */
function closeWorker(worker: Worker): void {
  const timer = setTimeout(() => void worker.terminate(), 1000);
  worker.on('message', (m: JobReply) => {
    if (m.type !== 'closed') return;
    clearTimeout(timer);
    void worker.terminate();
  });
  worker.postMessage({ type: 'close' });
}

interface Slot {
  worker: Worker;
  view: TrackerView;
  unit: Unit | null;
  lastCalls: number;
  lastChange: number;
}

export function runPool(units: readonly Unit[], o: PoolOptions): Promise<PoolResult> {
  const queue = [...units];
  const outcomes: UnitOutcome[] = [];
  const slots: Slot[] = [];
  let loadError: string | null = null;
  let stopping = false;
  const interrupted: { unit: Unit; cases: number }[] = [];

  return new Promise((resolveAll) => {
    let timer: NodeJS.Timeout | null = null;
    const finishIfIdle = () => {
      if (slots.some((s) => s.unit !== null) || (queue.length > 0 && !stopping)) return;
      if (timer) clearInterval(timer);
      process.off('SIGINT', onSigint);
      for (const s of slots) closeWorker(s.worker);
      outcomes.sort((a, b) => a.index - b.index);
      resolveAll({ outcomes, interrupted, loadError });
    };

    const spawn = (slot?: Slot): Slot => {
      // a fresh tracker per thread: a terminated thread may still write to its old one
      const tracker = newTrackerBuffer();
      const worker = new Worker(WORKER_URL, {
        workerData: { tsx: FROM_SOURCE, main: MAIN_URL.href, tracker, caseTimeoutMs: o.caseTimeoutMs },
        stdout: true, // a target's console output must not mix with the report
        stderr: true,
      });
      const view = new TrackerView(tracker);
      const s: Slot = slot ?? { worker, view, unit: null, lastCalls: 0, lastChange: 0 };
      s.worker = worker;
      s.view = view;
      worker.on('message', (reply: JobReply) => onReply(s, reply));
      worker.on('exit', (code) => onExit(s, worker, code));
      worker.on('error', (error) => onError(s, worker, error));
      return s;
    };

    const next = (s: Slot) => {
      s.unit = null;
      const queued = stopping ? undefined : queue.shift();
      if (!queued) return finishIfIdle();
      const unit = o.prepare ? o.prepare(queued) : queued;
      s.unit = unit;
      s.view.reset();
      s.lastCalls = 0;
      s.lastChange = Date.now();
      o.onStart?.(unit);
      s.worker.postMessage({ type: 'unit', unit });
    };

    const complete = (s: Slot, outcome: UnitOutcome) => {
      outcomes.push(outcome);
      o.onDone?.(outcome);
      next(s);
    };

    const onReply = (s: Slot, reply: JobReply) => {
      if (s.unit === null) return;
      if (reply.type === 'closed') return;
      if (reply.type === 'outcome') return complete(s, reply.outcome);
      if (reply.type === 'load-error') {
        loadError ??= reply.message;
        stopping = true;
        s.unit = null;
        return finishIfIdle();
      }
      const unit = s.unit;
      complete(s, {
        index: unit.index,
        result: {
          property: unit.property,
          target: unit.target.name,
          cases: s.view.cases(),
          ms: 0,
          failure: null,
          interrupted: false,
          excluded: 0,
          internalError: reply.message,
        },
        view: null,
        coverage: null,
      });
    };

    /** The worker thread is gone while running a unit: the target ended it, or we terminated it. */
    const replaceWorker = (s: Slot, why: string) => {
      const unit = s.unit;
      if (unit === null) return;
      const stuck = s.view.stuck();
      s.unit = null;
      const outcome = stuckOutcome(unit, stuck, why);
      spawn(s);
      complete(s, outcome);
    };

    const onExit = (s: Slot, worker: Worker, code: number) => {
      if (s.worker !== worker || stopping) return;
      if (s.unit === null) return;
      if (s.view.calls() === 0 && s.lastCalls === 0) {
        // gone before its first case: the module ended the thread while loading
        loadError ??= `${s.unit.target.label}: the module ended its thread while loading (exit code ${code})`;
        stopping = true;
        s.unit = null;
        return finishIfIdle();
      }
      replaceWorker(s, `called process.exit(${code}) (ended its thread)`);
    };

    const onError = (s: Slot, worker: Worker, error: Error) => {
      if (s.worker !== worker || s.unit === null) return;
      replaceWorker(s, `threw outside any case: ${error.name}: ${error.message}`);
    };

    const poll = () => {
      const now = Date.now();
      const running = new Map<number, number>();
      for (const s of slots) {
        if (s.unit === null) continue;
        const calls = s.view.calls();
        running.set(s.unit.index, s.view.cases());
        if (calls !== s.lastCalls) {
          s.lastCalls = calls;
          s.lastChange = now;
        } else if (calls === 0 && now - s.lastChange > LOAD_TIMEOUT_MS) {
          loadError ??= `${s.unit.target.label}: the module did not load within ${LOAD_TIMEOUT_MS} ms`;
          stopping = true;
          s.unit = null;
          void s.worker.terminate();
          finishIfIdle();
        } else if (calls > 0 && now - s.lastChange > o.caseTimeoutMs) {
          void s.worker.terminate();
          replaceWorker(s, `no progress after ${o.caseTimeoutMs} ms (per-case time limit, --case-timeout): the candidate hung`);
        }
      }
      o.onPoll?.(running);
    };

    const onSigint = () => {
      stopping = true;
      for (const s of slots) {
        if (s.unit) interrupted.push({ unit: s.unit, cases: s.view.cases() });
        s.unit = null;
        void s.worker.terminate();
      }
      finishIfIdle();
    };

    process.on('SIGINT', onSigint);
    timer = setInterval(poll, Math.min(100, Math.max(10, Math.floor(o.caseTimeoutMs / 4))));
    const n = Math.max(1, Math.min(o.jobs, units.length));
    for (let i = 0; i < n; i++) slots.push(spawn());
    for (const s of slots) next(s);
    if (units.length === 0) finishIfIdle();
  });
}
