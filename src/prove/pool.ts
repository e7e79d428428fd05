// SPDX-License-Identifier: GPL-2.0-only
// `prove --jobs N`: the shard's chunks split over N worker threads (job j of
// N takes the chunks partition.ts gives it), results merged in world order.
// The main thread stays free for progress and SIGINT: it reads each job's
// count from a shared array and stops the jobs through a shared flag.
import { Worker } from 'node:worker_threads';
import type { Hang } from '../cli/candidate.js';
import { mergeResults } from './merge.js';
import type { Partition } from './partition.js';
import type { ProveOptions, ProveResult } from './prove.js';

const FROM_SOURCE = import.meta.url.endsWith('.ts');
const WORKER_URL = new URL('./worker.mjs', import.meta.url);
const MAIN_URL = new URL(FROM_SOURCE ? './worker_main.ts' : './worker_main.js', import.meta.url);

/** What a job is given: plain data only (it crosses to the worker). */
export interface JobSpec {
  readonly options: Omit<ProveOptions, 'targets' | 'onProgress' | 'shouldStop' | 'variants'> & {
    readonly variants?: readonly string[];
    readonly partition: Partition;
  };
  readonly impl?: { readonly path: string; readonly caseTimeoutMs: number };
}

export type JobReply =
  | { readonly type: 'result'; readonly result: ProveResult; readonly hang: Hang | null }
  | { readonly type: 'error'; readonly name: string; readonly message: string; readonly stack: string };

/** A job that failed in its thread (a load error of the candidate, an internal error). */
export class JobError extends Error {
  constructor(
    readonly errorName: string,
    message: string,
    readonly detail: string,
  ) {
    super(message);
    this.name = 'JobError';
  }
}

export interface JobsControl {
  /** Set to non-zero (Atomics.store) to stop every job; they still report what they covered. */
  readonly stop: Int32Array;
  /** Worlds checked so far, summed over the jobs. */
  readonly checked: () => number;
}

export interface JobsOutcome {
  readonly result: ProveResult;
  readonly hang: Hang | null;
}

/**
 * Starts `jobs` workers on one shard (spec.options.partition, its job fields
 * overwritten) and resolves with the merged result. `control` is available at
 * once for progress and SIGINT.
 */
export function runJobs(spec: JobSpec, jobs: number): { control: JobsControl; done: Promise<JobsOutcome> } {
  const stopBuf = new SharedArrayBuffer(4);
  const progressBuf = new SharedArrayBuffer(8 * 2 * jobs);
  const stop = new Int32Array(stopBuf);
  const progress = new Float64Array(progressBuf);
  const t0 = performance.now();
  const one = (job: number): Promise<JobsOutcome> =>
    new Promise((resolve, reject) => {
      const worker = new Worker(WORKER_URL, {
        workerData: {
          tsx: FROM_SOURCE,
          main: MAIN_URL.href,
          job: { ...spec, options: { ...spec.options, partition: { ...spec.options.partition, job, jobs } } },
          stop: stopBuf,
          progress: progressBuf,
          slot: job,
        },
        stdout: true, // a candidate's console output must not mix with the report
        stderr: true,
      });
      let settled = false;
      worker.on('message', (reply: JobReply) => {
        settled = true;
        if (reply.type === 'result') resolve({ result: reply.result, hang: reply.hang });
        else reject(new JobError(reply.name, reply.message, reply.stack));
        void worker.terminate();
      });
      worker.on('error', (error) => {
        if (settled) return;
        settled = true;
        reject(new JobError(error.name, `prove job ${job + 1}/${jobs} failed: ${error.message}`, error.stack ?? ''));
      });
      worker.on('exit', (code) => {
        if (settled) return;
        settled = true;
        reject(new JobError('Exit', `prove job ${job + 1}/${jobs} ended without a result (exit code ${code})`, ''));
      });
    });
  const done = Promise.all(Array.from({ length: jobs }, (_, j) => one(j))).then(
    (outs) => ({
      result: mergeResults(
        outs.map((o) => o.result),
        spec.options.keepFailures ?? 3,
        performance.now() - t0,
      ),
      hang: outs.find((o) => o.hang)?.hang ?? null,
    }),
    (error) => {
      Atomics.store(stop, 0, 1); // the other jobs stop too
      throw error;
    },
  );
  const checked = () => {
    let n = 0;
    for (let j = 0; j < jobs; j++) n += progress[2 * j] as number;
    return n;
  };
  return { control: { stop, checked }, done };
}
