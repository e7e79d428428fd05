// SPDX-License-Identifier: GPL-2.0-only
// The job worker's loop: receive a unit, open its target (once per target),
// run it with the case tracker, post the outcome. A target that throws on load
// is reported as such; a target that hangs or exits is found by the pool from
// the tracker, not here.
import { parentPort, workerData } from 'node:worker_threads';
import type { CheckTarget } from '../../check/index.js';
import { cloneableOutcome } from './cloneable.js';
import { type OpenedTarget, openTarget, TargetLoadError } from './open_target.js';
import { specKey, type Unit } from './plan.js';
import { CaseTracker } from './tracker.js';
import { runUnit } from './unit.js';

export type JobRequest = { readonly type: 'unit'; readonly unit: Unit } | { readonly type: 'close' };
export type JobReply =
  | { readonly type: 'outcome'; readonly outcome: ReturnType<typeof runUnit> }
  | { readonly type: 'load-error'; readonly index: number; readonly message: string }
  | { readonly type: 'internal-error'; readonly index: number; readonly message: string }
  | { readonly type: 'closed' };

const port = parentPort;
if (port === null) throw new Error('job_main runs only inside a worker thread');
const tracker = new CaseTracker(workerData.tracker as SharedArrayBuffer);
const caseTimeoutMs = workerData.caseTimeoutMs as number;
const opened = new Map<string, OpenedTarget>();

port.on('message', async (req: JobRequest) => {
  if (req.type === 'close') {
    for (const o of opened.values()) o.dispose();
    opened.clear();
    port.postMessage({ type: 'closed' } satisfies JobReply);
    return;
  }
  const unit = req.unit;
  let target: CheckTarget;
  try {
    let o = opened.get(specKey(unit.target));
    if (!o) {
      o = await openTarget(unit.target);
      opened.set(specKey(unit.target), o);
    }
    target = o.target;
  } catch (error) {
    const message = error instanceof TargetLoadError ? error.message : String(error);
    port.postMessage({ type: 'load-error', index: unit.index, message } satisfies JobReply);
    return;
  }
  try {
    const outcome = runUnit(unit, target, { tracker, caseTimeoutMs });
    try {
      port.postMessage({ type: 'outcome', outcome } satisfies JobReply);
    } catch (error) {
      // a candidate's outcome in the report holds a function, a symbol...: say so, keep the world
      const safe = (error as Error).name === 'DataCloneError' ? cloneableOutcome(outcome) : null;
      if (!safe) throw error;
      port.postMessage({ type: 'outcome', outcome: safe } satisfies JobReply);
    }
  } catch (error) {
    const e = error as Error;
    port.postMessage({ type: 'internal-error', index: unit.index, message: e.stack ?? String(e) } satisfies JobReply);
  }
});
