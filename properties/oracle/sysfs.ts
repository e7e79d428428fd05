// SPDX-License-Identifier: GPL-2.0-only
// Temporarily change one sysfs setting and put it back on every exit path:
// the old value is written to a restore file BEFORE the change (so a crash is
// repaired by the next run: restorePending()), and restored in finally, on
// process exit and on SIGINT/SIGTERM.
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ORACLE_DIR } from '../../src/oracle/runner.js';

const RESTORE_FILE = join(ORACLE_DIR, 'build', 'sysfs-restore.json');

type Saved = Record<string, string>;

/** The selected value of a "a [b] c" knob, or the whole value of a plain one ("1"). */
const selected = (text: string): string => {
  const open = text.indexOf('[');
  if (open < 0) {
    const plain = text.trim();
    if (plain === '' || plain.includes(' ')) throw new Error(`no [selected] or single value in ${JSON.stringify(text)}`);
    return plain;
  }
  const close = text.indexOf(']', open);
  if (close < 0) throw new Error(`no [selected] value in ${JSON.stringify(text)}`);
  return text.slice(open + 1, close);
};

function readSaved(): Saved {
  if (!existsSync(RESTORE_FILE)) return {};
  return JSON.parse(readFileSync(RESTORE_FILE, 'utf8')) as Saved;
}

function writeSaved(saved: Saved): void {
  mkdirSync(join(ORACLE_DIR, 'build'), { recursive: true });
  if (Object.keys(saved).length === 0) {
    rmSync(RESTORE_FILE, { force: true });
    return;
  }
  const tmp = `${RESTORE_FILE}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(saved)}\n`);
  renameSync(tmp, RESTORE_FILE);
}

/** Put back every setting a crashed run left changed; returns the paths restored. */
export function restorePending(): string[] {
  const saved = readSaved();
  for (const [path, value] of Object.entries(saved)) writeFileSync(path, value);
  writeSaved({});
  return Object.keys(saved);
}

/** Run `fn` with the sysfs file `path` set to `value`; the old selection comes back on every exit path. */
export async function withSysfs<T>(path: string, value: string, fn: () => Promise<T>): Promise<T> {
  restorePending();
  const old = selected(readFileSync(path, 'utf8'));
  writeSaved({ ...readSaved(), [path]: old });
  const restore = (): void => {
    try {
      writeFileSync(path, old);
      const rest = readSaved();
      delete rest[path];
      writeSaved(rest);
    } catch {
      // The restore file stays; the next run repairs it.
    }
  };
  const onSignal = (sig: NodeJS.Signals): void => {
    restore();
    process.kill(process.pid, sig);
  };
  process.once('exit', restore);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    writeFileSync(path, value);
    return await fn();
  } finally {
    restore();
    process.off('exit', restore);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

export const readSelected = (path: string): string => selected(readFileSync(path, 'utf8'));
