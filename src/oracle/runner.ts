// SPDX-License-Identifier: GPL-2.0-only
// Build oracle/runner.c with the system compiler and run scenarios on the live
// kernel. The binary goes to oracle/build/ (git-ignored) and is rebuilt
// whenever the source is newer.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RawRun } from './observation.js';
import { assertValidScenario, type Scenario, toRunnerLines } from './scenario.js';

export const ORACLE_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../oracle');
export const RUNNER_SOURCE = join(ORACLE_DIR, 'runner.c');
export const RUNNER_BINARY = join(ORACLE_DIR, 'build', 'runner');

export interface RunnerAvailability {
  readonly ok: boolean;
  /** When not ok: the missing feature, e.g. "C compiler (cc)" or "/proc/self/pagemap". */
  readonly missing?: string;
  readonly binary?: string;
}

/** Compile the runner if needed. Never throws; says what is missing instead. */
export function buildRunner(): RunnerAvailability {
  if (process.platform !== 'linux') return { ok: false, missing: 'a Linux kernel (this is the live-kernel oracle)' };
  if (!existsSync('/proc/self/pagemap')) return { ok: false, missing: '/proc/self/pagemap' };
  const cc = process.env.CC ?? 'cc';
  const fresh = existsSync(RUNNER_BINARY) && statSync(RUNNER_BINARY).mtimeMs >= statSync(RUNNER_SOURCE).mtimeMs;
  if (fresh) return { ok: true, binary: RUNNER_BINARY };
  const probe = spawnSync(cc, ['--version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) return { ok: false, missing: `C compiler (${cc})` };
  mkdirSync(join(ORACLE_DIR, 'build'), { recursive: true });
  const tmp = `${RUNNER_BINARY}.${process.pid}.tmp`;
  const r = spawnSync(cc, ['-O2', '-std=gnu11', '-Wall', '-Wextra', '-pthread', '-o', tmp, RUNNER_SOURCE], { encoding: 'utf8' });
  if (r.status !== 0) return { ok: false, missing: `a successful build of oracle/runner.c: ${r.stderr.trim().slice(0, 500)}` };
  spawnSync('mv', [tmp, RUNNER_BINARY]);
  return { ok: true, binary: RUNNER_BINARY };
}

export interface RunOptions {
  /** Directory for the on-disk file regions (O_TMPFILE there). Default /var/tmp. */
  readonly fileDir?: string;
  readonly timeoutMs?: number;
  /** Per-scenario alarm in the runner (seconds). Default 10. */
  readonly scenarioTimeoutS?: number;
  /** Abort: the runner is killed and the promise rejects with an AbortError. */
  readonly signal?: AbortSignal;
}

/** The rejection of runScenarios() when its signal aborted it. */
export class RunAborted extends Error {
  constructor() {
    super('oracle runner stopped (aborted)');
    this.name = 'AbortError';
  }
}

/** Run scenarios in one runner process; each scenario runs in its own forked worker. */
export async function runScenarios(scenarios: readonly Scenario[], opts: RunOptions = {}): Promise<RawRun[]> {
  const avail = buildRunner();
  if (!avail.ok) throw new Error(`oracle runner unavailable: missing ${avail.missing}`);
  for (const s of scenarios) assertValidScenario(s);
  const input = scenarios.map((s, i) => toRunnerLines(s, `s${i}`)).join('');
  const dir = opts.fileDir ?? (existsSync('/var/tmp') ? '/var/tmp' : '/tmp');
  if (opts.signal?.aborted) throw new RunAborted();
  return new Promise((resolvePromise, reject) => {
    // Its own process group: a terminal's Ctrl-C reaches only this process, which then stops the
    // runner itself (signal), so a run is never cut in two by a race between the two.
    const child = spawn(avail.binary!, [dir, String(opts.scenarioTimeoutS ?? 10)], {
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
    });
    let aborted = false;
    const onAbort = (): void => {
      aborted = true;
      child.kill('SIGKILL');
    };
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    let out = '';
    let err = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000 + scenarios.length * 2_000);
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      err += d;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      if (aborted) return reject(new RunAborted());
      if (code !== 0) return reject(new Error(`runner exited with ${code}: ${err.trim()}`));
      const byId = new Map<string, RawRun>();
      for (const line of out.split('\n')) {
        if (!line.trim()) continue;
        const run = JSON.parse(line) as RawRun;
        byId.set(run.id, run);
      }
      resolvePromise(
        scenarios.map((_, i) => byId.get(`s${i}`) ?? { id: `s${i}`, ok: false, error: `no output (stderr: ${err.trim()})` }),
      );
    });
    // A killed runner closes its stdin early; the close handler reports why.
    child.stdin.on('error', () => {});
    child.stdin.end(input);
  });
}

/** uname -r of the live kernel. */
export function kernelRelease(): string {
  const r = spawnSync('uname', ['-r'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : 'unknown';
}
