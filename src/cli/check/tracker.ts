// SPDX-License-Identifier: GPL-2.0-only
// The case tracker: a job worker records, in shared memory, where fast-check
// is (how many cases, and the replay path of the case in progress), so the
// main thread can name the world a target hung on, or called process.exit()
// on, without the worker's help, by replaying that path.
//
// fast-check numbers the values it tries from 0; on a failure it appends that
// number to the path and numbers the shrink candidates of the failing value
// from 0 again (RunnerIterator.handleResult, fast-check 4). The tracker
// follows the same rule from the pass/fail result of each case.
import type { StuckCase } from './plan.js';

const PHASE = 0; // 0 generate, 1 shrink, 2 narrow, 3 done
const CASES = 1; // cases generated before the first failure
const CALLS = 2; // every predicate call (the heartbeat)
const CUR = 3; // index of the case in progress at its level
const DEPTH = 4; // entries in PATH
const PATH = 5;
export const TRACKER_SLOTS = 1024;
const MAX_DEPTH = TRACKER_SLOTS - PATH;

export const newTrackerBuffer = (): SharedArrayBuffer => new SharedArrayBuffer(TRACKER_SLOTS * 4);

/** Worker side: fed by runProperty's onCase / onResult / onNarrow hooks. */
export class CaseTracker {
  private readonly a: Int32Array;
  constructor(buffer: SharedArrayBuffer) {
    this.a = new Int32Array(buffer);
  }
  onCase(): void {
    Atomics.add(this.a, CALLS, 1);
  }
  onResult(passed: boolean): void {
    const a = this.a;
    const phase = a[PHASE];
    if (phase === 0 && passed) {
      a[CASES] = (a[CASES] ?? 0) + 1;
      a[CUR] = (a[CUR] ?? 0) + 1;
    } else if (phase === 0 || phase === 1) {
      if (phase === 0) a[CASES] = (a[CASES] ?? 0) + 1;
      if (!passed) {
        const depth = a[DEPTH] ?? 0;
        if (depth < MAX_DEPTH) a[PATH + depth] = a[CUR] ?? 0;
        a[DEPTH] = depth + 1;
        a[CUR] = 0;
        a[PHASE] = 1;
      } else a[CUR] = (a[CUR] ?? 0) + 1;
    }
  }
  onNarrow(): void {
    this.a[PHASE] = 2;
  }
  done(): void {
    this.a[PHASE] = 3;
  }
}

/** Main side: the heartbeat and, when the worker is stuck, the case in progress. */
export class TrackerView {
  private readonly a: Int32Array;
  constructor(buffer: SharedArrayBuffer) {
    this.a = new Int32Array(buffer);
  }
  /** Zero every field; call before handing the worker its next unit. */
  reset(): void {
    this.a.fill(0);
  }
  calls(): number {
    return Atomics.load(this.a, CALLS);
  }
  cases(): number {
    return Atomics.load(this.a, CASES);
  }
  stuck(): StuckCase | null {
    const a = this.a;
    const phase = Atomics.load(a, PHASE);
    const depth = Atomics.load(a, DEPTH);
    if (depth > MAX_DEPTH) return null; // too deep to name; the caller says so
    const prefix = Array.from(a.subarray(PATH, PATH + depth));
    const cases = Atomics.load(a, CASES);
    if (phase === 0) return { phase: 'generate', path: String(Atomics.load(a, CUR)), cases };
    if (phase === 1) return { phase: 'shrink', path: [...prefix, Atomics.load(a, CUR)].join(':'), cases };
    if (phase === 2) return { phase: 'narrow', path: prefix.join(':'), cases };
    return null;
  }
}
