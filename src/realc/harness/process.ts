// SPDX-License-Identifier: GPL-2.0-only
// The long-lived C child and its synchronous request/response channel: two
// FIFOs (mkfifo) opened with fs.openSync and driven with readSync/writeSync,
// so CheckTarget.run() can stay synchronous. A crash or hang of the child is
// reported as a ChildDied error carrying its stderr; the next call respawns.
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mkfifo } from './build.js';

/** The child ended (crash, sanitizer report, alarm) while handling a request. */
export class ChildDied extends Error {
  constructor(
    message: string,
    readonly stderr: string,
  ) {
    super(message);
    this.name = 'ChildDied';
  }
}

export interface ProcessOptions {
  readonly binary: string;
  /** Seconds before the child's alarm() ends a hung case (default 5). */
  readonly timeoutS?: number;
}

export class KernelProcess {
  private child: ChildProcess | null = null;
  private dir = '';
  private wfd = -1;
  private rfd = -1;
  private errPath = '';
  private header = new Uint32Array(1);
  private resp = new Uint32Array(4096);
  /** How many times a child was started (1 + respawns). */
  spawns = 0;

  constructor(private readonly options: ProcessOptions) {}

  private start(): void {
    this.dir = mkdtempSync(join(tmpdir(), 'mprotect-realc-'));
    const inPath = join(this.dir, 'in');
    const outPath = join(this.dir, 'out');
    this.errPath = join(this.dir, 'stderr');
    mkfifo(inPath);
    mkfifo(outPath);
    const errFd = openSync(this.errPath, 'w');
    this.child = spawn(this.options.binary, [inPath, outPath, String(this.options.timeoutS ?? 5)], {
      stdio: ['ignore', 'ignore', errFd],
      env: {
        ...process.env,
        ASAN_OPTIONS: 'detect_leaks=0:abort_on_error=0',
        UBSAN_OPTIONS: 'print_stacktrace=1:halt_on_error=1',
      },
    });
    closeSync(errFd);
    this.child.on('error', () => {});
    this.child.unref();
    // O_RDWR never blocks on a FIFO; the read side must be O_RDONLY to see EOF when the child dies.
    this.wfd = openSync(inPath, 'r+');
    this.rfd = openSync(outPath, 'r');
    this.spawns++;
  }

  private stop(): void {
    if (this.wfd >= 0) closeSync(this.wfd);
    if (this.rfd >= 0) closeSync(this.rfd);
    this.wfd = this.rfd = -1;
    const child = this.child;
    if (child?.pid !== undefined && child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(child.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
    this.child = null;
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
    this.dir = '';
  }

  private readExact(buf: Uint8Array): boolean {
    let off = 0;
    while (off < buf.length) {
      const n = readSync(this.rfd, buf, off, buf.length - off, null);
      if (n === 0) return false;
      off += n;
    }
    return true;
  }

  /** Send [len, op, ...] (words already hold the header) and return the response body. */
  request(words: Uint32Array, len: number): Uint32Array {
    if (this.child === null) this.start();
    writeSync(this.wfd, new Uint8Array(words.buffer, words.byteOffset, len * 4));
    const hb = new Uint8Array(this.header.buffer);
    if (!this.readExact(hb)) this.died();
    const n = this.header[0] as number;
    if (this.resp.length < n) this.resp = new Uint32Array(n * 2);
    const body = this.resp.subarray(0, n);
    if (!this.readExact(new Uint8Array(body.buffer, body.byteOffset, n * 4))) this.died();
    return body;
  }

  private died(): never {
    let stderr = '';
    try {
      stderr = readFileSync(this.errPath, 'utf8');
    } catch {
      /* no stderr file */
    }
    this.stop();
    const first = stderr
      .split('\n')
      .find((l) => l.startsWith('SHIM-FATAL') || l.includes('ERROR: AddressSanitizer') || l.includes('runtime error'));
    const what = first?.replace('SHIM-FATAL ', '') ?? 'the child exited';
    throw new ChildDied(`C target crashed: ${what}`, stderr);
  }

  dispose(): void {
    if (this.child !== null && this.wfd >= 0) {
      try {
        writeSync(this.wfd, new Uint8Array(new Uint32Array([0, 3]).buffer));
      } catch {
        /* the child is gone */
      }
    }
    this.stop();
  }
}
