// SPDX-License-Identifier: GPL-2.0-only
// Progress on stderr: a redrawn bar on a terminal, one quiet line per finished
// property otherwise (CI logs). Own code, no dependency; a library such as
// cli-progress could replace `TtyProgress` behind the same interface.
import type { Io } from './io.js';

export interface Progress {
  /** A property run on a target begins; `total` cases are planned. */
  start(label: string, total: number): void;
  /** One more case. */
  tick(): void;
  /** The run ended with this one-word result. */
  finish(result: string, ms: number): void;
  /** Free text (seeds, notes). */
  note(text: string): void;
}

const SILENT: Progress = { start() {}, tick() {}, finish() {}, note() {} };

class LineProgress implements Progress {
  private label = '';
  private count = 0;
  constructor(private readonly io: Io) {}
  start(label: string): void {
    this.label = label;
    this.count = 0;
  }
  tick(): void {
    this.count++;
  }
  finish(result: string, ms: number): void {
    this.io.err(`  ${this.label}: ${this.count} cases, ${result} (${(ms / 1000).toFixed(2)} s)\n`);
  }
  note(text: string): void {
    this.io.err(`${text}\n`);
  }
}

class TtyProgress implements Progress {
  private label = '';
  private total = 1;
  private count = 0;
  private t0 = 0;
  private lastDraw = 0;
  constructor(private readonly io: Io) {}
  start(label: string, total: number): void {
    this.label = label;
    this.total = Math.max(1, total);
    this.count = 0;
    this.t0 = Date.now();
    this.draw();
  }
  tick(): void {
    this.count++;
    const now = Date.now();
    if (now - this.lastDraw >= 80) this.draw(now);
  }
  private draw(now = Date.now()): void {
    this.lastDraw = now;
    const width = Math.max(10, Math.min(30, this.io.columns - this.label.length - 30));
    const frac = Math.min(1, this.count / this.total);
    const filled = Math.round(frac * width);
    const bar = `${'#'.repeat(filled)}${'-'.repeat(width - filled)}`;
    const secs = ((now - this.t0) / 1000).toFixed(1);
    this.io.err(`\r\x1b[2K  ${this.label} [${bar}] ${this.count}/${this.total} ${secs} s`);
  }
  finish(result: string, ms: number): void {
    this.io.err(`\r\x1b[2K  ${this.label}: ${this.count} cases, ${result} (${(ms / 1000).toFixed(2)} s)\n`);
  }
  note(text: string): void {
    this.io.err(`\r\x1b[2K${text}\n`);
  }
}

export function progressFor(io: Io, quiet: boolean): Progress {
  if (quiet) return SILENT;
  return io.errIsTTY ? new TtyProgress(io) : new LineProgress(io);
}

/** Progress of units running in parallel job workers (check --jobs). */
export interface PoolProgress {
  start(label: string): void;
  done(label: string, result: string, cases: number, ms: number): void;
  /** Live case counts of the running units, by label. */
  poll(running: ReadonlyMap<string, number>): void;
  note(text: string): void;
  /** Clear any redrawn line before the report is written. */
  clear(): void;
}

const SILENT_POOL: PoolProgress = { start() {}, done() {}, poll() {}, note() {}, clear() {} };

/** Outside a terminal: a line per finished unit, and a line at least every `everyMs` while units run. */
class PoolLines implements PoolProgress {
  private last = Date.now();
  constructor(
    private readonly io: Io,
    private readonly everyMs: number,
  ) {}
  start(): void {}
  done(label: string, result: string, cases: number, ms: number): void {
    this.io.err(`  ${label}: ${cases} cases, ${result} (${(ms / 1000).toFixed(2)} s)\n`);
    this.last = Date.now();
  }
  poll(running: ReadonlyMap<string, number>): void {
    const now = Date.now();
    if (now - this.last < this.everyMs || running.size === 0) return;
    this.last = now;
    const parts = [...running].map(([label, n]) => `${label} ${n}`);
    this.io.err(`  ... running: ${parts.join('; ')} cases so far\n`);
  }
  note(text: string): void {
    this.io.err(`${text}\n`);
  }
  clear(): void {}
}

/** On a terminal: finished units as lines, the running ones on one redrawn line. */
class PoolTty implements PoolProgress {
  private drawn = false;
  private lastText = '';
  private lastDraw = 0;
  constructor(private readonly io: Io) {}
  start(): void {}
  done(label: string, result: string, cases: number, ms: number): void {
    this.drawn = false;
    this.lastText = '';
    this.io.err(`\r\x1b[2K  ${label}: ${cases} cases, ${result} (${(ms / 1000).toFixed(2)} s)\n`);
  }
  poll(running: ReadonlyMap<string, number>): void {
    if (running.size === 0) return;
    const text = `  running: ${[...running].map(([label, n]) => `${label} ${n}`).join('; ')} cases`;
    const now = Date.now();
    if (text === this.lastText || now - this.lastDraw < 80) return;
    this.lastText = text;
    this.lastDraw = now;
    this.io.err(`\r\x1b[2K${text.slice(0, Math.max(20, this.io.columns - 1))}`);
    this.drawn = true;
  }
  note(text: string): void {
    this.clear();
    this.io.err(`${text}\n`);
  }
  clear(): void {
    if (this.drawn) this.io.err('\r\x1b[2K');
    this.drawn = false;
  }
}

export function poolProgressFor(io: Io, quiet: boolean, everyMs = 10_000): PoolProgress {
  if (quiet) return SILENT_POOL;
  return io.errIsTTY ? new PoolTty(io) : new PoolLines(io, everyMs);
}
