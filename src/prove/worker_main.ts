// SPDX-License-Identifier: GPL-2.0-only
// One prove job in a worker thread: its share of the enumeration (a
// partition), the registered variants by name and the --impl candidate loaded
// here (each job loads its own, isolated in a thread of its own as
// `check --impl` does). Progress goes to a shared array the main thread
// reads; a shared flag set by the main thread (SIGINT) stops the job, which
// still posts what it covered.
import { parentPort, workerData } from 'node:worker_threads';
import type { CheckTarget } from '../check/index.js';
import { type CandidateTarget, loadCandidate } from '../cli/candidate.js';
import type { JobReply, JobSpec } from './pool.js';
import { prove } from './prove.js';

const port = parentPort;
if (port === null) throw new Error('worker_main runs only inside a worker thread');
const spec = workerData.job as JobSpec;
const stop = new Int32Array(workerData.stop as SharedArrayBuffer);
const progress = new Float64Array(workerData.progress as SharedArrayBuffer);
const slot = workerData.slot as number;

let candidate: CandidateTarget | null = null;
try {
  if (spec.impl) candidate = loadCandidate(spec.impl.path, { caseTimeoutMs: spec.impl.caseTimeoutMs });
  const targets: CheckTarget[] = candidate ? [candidate] : [];
  const result = prove({
    ...spec.options,
    ...(targets.length ? { targets } : {}),
    shouldStop: () => Atomics.load(stop, 0) !== 0,
    onProgress: (p) => {
      progress[2 * slot] = p.worlds;
      progress[2 * slot + 1] = p.position;
    },
  });
  progress[2 * slot] = result.worlds;
  const hang = candidate?.hang() ?? null;
  port.postMessage({ type: 'result', result, hang } satisfies JobReply);
} catch (error) {
  const e = error as Error;
  port.postMessage({ type: 'error', name: e.name, message: e.message, stack: e.stack ?? '' } satisfies JobReply);
} finally {
  await candidate?.close();
}
