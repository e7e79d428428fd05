// SPDX-License-Identifier: GPL-2.0-only
// A candidate module (`--impl PATH`) as a check target, isolated in a worker
// thread. Each case is a synchronous round trip (the engine is synchronous):
// post the world, block on a shared counter with a per-case time limit, read
// the answer with receiveMessageOnPort. A case that does not answer in time is
// a hang: the worker is terminated and the world that hung is kept.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker } from 'node:worker_threads';
import type { CheckTarget } from '../check/index.js';
import type { KernelOutcome, World } from '../pte/index.js';
import { UsageError } from './errors.js';

const WORKER_URL = new URL('./candidate_worker.mjs', import.meta.url);

interface WireError {
  readonly name: string;
  readonly message: string;
  readonly stack: string;
}
type Reply =
  | { type: 'ready'; exports: string[] }
  | { type: 'bad-export'; exports: string[]; kind: string }
  | { type: 'load-error'; error: WireError }
  | { type: 'outcome'; outcome: KernelOutcome }
  | { type: 'error'; error: WireError };

/** Thrown inside the engine when a case hangs; the CLI reports the recorded hang instead. */
export class CandidateHang extends Error {
  constructor(readonly ms: number) {
    super(`no progress after ${ms} ms`);
    this.name = 'CandidateHang';
  }
}

export interface Hang {
  readonly world: World;
  readonly ms: number;
}

export interface CandidateTarget extends CheckTarget {
  /** The first hang since the last reset(), if any. */
  readonly hang: () => Hang | null;
  /** Forget a hang and start a fresh worker on the next case. */
  readonly reset: () => void;
  readonly close: () => Promise<void>;
}

export interface CandidateOptions {
  /** Per-case time limit. */
  readonly caseTimeoutMs: number;
  /** Time allowed to load the module (tsx compiles it on the way). */
  readonly loadTimeoutMs?: number;
  readonly batching?: CheckTarget['batching'];
  readonly name?: string;
  /** Documented drift of a registered variant (its worlds are not compared with the spec). */
  readonly drift?: CheckTarget['drift'];
  /** How errors name the candidate (default: `--impl PATH`). */
  readonly label?: string;
}

function rebuildError(e: WireError): Error {
  const err = e.name === 'TypeError' ? new TypeError(e.message) : new Error(e.message);
  if (e.name !== 'TypeError') err.name = e.name;
  err.stack = e.stack || `${e.name}: ${e.message}`;
  return err;
}

class Session {
  readonly worker: Worker;
  readonly port: MessagePort;
  readonly flag = new Int32Array(new SharedArrayBuffer(4));
  private seen = 0;

  constructor(path: string) {
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    this.worker = new Worker(WORKER_URL, {
      workerData: { path, port: port2, signal: this.flag.buffer },
      transferList: [port2],
      stdout: true, // the candidate's console output must not mix with ours
      stderr: true,
    });
    this.worker.unref();
    this.port.unref();
  }

  /** Blocks until the next reply or the deadline. */
  await(timeoutMs: number): Reply | null {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const msg = receiveMessageOnPort(this.port);
      if (msg) {
        this.seen++;
        return msg.message as Reply;
      }
      const left = deadline - Date.now();
      if (left <= 0) return null;
      Atomics.wait(this.flag, 0, this.seen, left);
    }
  }

  call(world: World, timeoutMs: number): Reply | null {
    this.port.postMessage(world);
    return this.await(timeoutMs);
  }

  close(): Promise<number> {
    this.port.close();
    return this.worker.terminate();
  }
}

/** Loads the candidate; a missing file, a load error or a wrong export is a UsageError (exit 2). */
export function loadCandidate(pathArg: string, options: CandidateOptions): CandidateTarget {
  const path = resolve(pathArg);
  const label = options.label ?? `--impl ${pathArg}`;
  if (!existsSync(path)) throw new UsageError(`${label}: no such file`);
  const loadTimeout = options.loadTimeoutMs ?? 60_000;
  let session: Session | null = null;
  let hang: Hang | null = null;

  const start = (): Session => {
    const s = new Session(path);
    const reply = s.await(loadTimeout);
    if (reply?.type === 'ready') return s;
    void s.close();
    if (reply === null) throw new UsageError(`${label}: the module did not load within ${loadTimeout} ms`);
    if (reply.type === 'load-error')
      throw new UsageError(`${label}: the module failed to load: ${reply.error.name}: ${reply.error.message}`);
    if (reply.type === 'bad-export')
      throw new UsageError(
        `${label}: the module must export a function change_protection(world: World): KernelOutcome ` +
          `(its change_protection is ${reply.kind}; it exports: ${reply.exports.join(', ') || 'nothing'})`,
      );
    throw new UsageError(`${label}: unexpected reply from the worker`);
  };
  session = start(); // fail fast on a wrong export, before any case runs

  const target: CandidateTarget = {
    name: options.name ?? `impl:${pathArg}`,
    batching: options.batching ?? 'batched',
    ...(options.drift ? { drift: options.drift } : {}),
    run(world: World): KernelOutcome {
      if (hang) throw new CandidateHang(hang.ms); // a hung candidate is not asked again in this property
      session ??= start();
      const reply = session.call(world, options.caseTimeoutMs);
      if (reply === null) {
        hang = { world, ms: options.caseTimeoutMs };
        void session.close();
        session = null;
        throw new CandidateHang(options.caseTimeoutMs);
      }
      if (reply.type === 'outcome') return reply.outcome;
      if (reply.type === 'error') throw rebuildError(reply.error);
      throw new Error(`unexpected reply ${reply.type} from the candidate worker`);
    },
    hang: () => hang,
    reset: () => {
      hang = null;
    },
    close: async () => {
      if (session) await session.close();
      session = null;
    },
  };
  return target;
}
