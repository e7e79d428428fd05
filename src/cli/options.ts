// SPDX-License-Identifier: GPL-2.0-only
// Flag values: parsed strictly, with a message naming the flag (exit 2).
import { UsageError } from './errors.js';

export function positiveInt(flag: string, raw: string): number {
  const n = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(n) || n < 1)
    throw new UsageError(`${flag} must be a positive integer, got '${raw}'`);
  return n;
}

/** A fast-check seed: any 32-bit integer (values up to 2^32 - 1 wrap to signed). */
export function seedValue(flag: string, raw: string): number {
  const n = Number(raw);
  if (!/^-?\d+$/.test(raw.trim()) || n < -(2 ** 31) || n >= 2 ** 32)
    throw new UsageError(`${flag} must be a 32-bit integer, got '${raw}'`);
  return n | 0;
}

export function positiveSeconds(flag: string, raw: string): number {
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n) || n <= 0)
    throw new UsageError(`${flag} must be a positive number of seconds, got '${raw}'`);
  return n;
}

export interface Shard {
  readonly index: number; // 1-based
  readonly count: number;
}

export function shardValue(raw: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(raw.trim());
  const index = Number(m?.[1]);
  const count = Number(m?.[2]);
  if (!m || count < 1 || index < 1 || index > count)
    throw new UsageError(`--shard must be I/N with 1 <= I <= N (e.g. --shard 2/8), got '${raw}'`);
  return { index, count };
}

/**
 * The seed of shard I: a bijective 32-bit mix of (base, I), so for one base
 * seed the N shards get N distinct seeds, the same on every machine.
 */
export function shardSeed(base: number, index: number): number {
  let h = (base ^ Math.imul(index, 0x9e3779b1)) | 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) | 0;
}

export const randomSeed = (): number => (Date.now() ^ (Math.random() * 0x7fffffff)) | 0;

/** Quote a shell word only when needed. */
export const shellWord = (s: string): string => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

/**
 * A fast-check replay path written short: a run of three or more equal steps
 * becomes `step*count` (`30:0:0:0:0:1` -> `30:0*4:1`), so a replay line fits
 * a mail. `expandPath` reads both forms.
 */
export function compressPath(path: string): string {
  if (path === '') return path;
  const steps = path.split(':');
  const out: string[] = [];
  for (let i = 0; i < steps.length; ) {
    let j = i;
    while (j < steps.length && steps[j] === steps[i]) j++;
    const n = j - i;
    out.push(n >= 3 ? `${steps[i]}*${n}` : steps.slice(i, j).join(':'));
    i = j;
  }
  return out.join(':');
}

export function expandPath(flag: string, raw: string): string {
  const parts = raw.trim().split(':');
  const out: string[] = [];
  for (const part of parts) {
    const [step, count, extra] = part.split('*');
    const isNat = (s: string | undefined) => s !== undefined && s !== '' && [...s].every((c) => c >= '0' && c <= '9');
    if (!isNat(step) || extra !== undefined || (count !== undefined && !isNat(count)))
      throw new UsageError(`${flag} must be steps like 30:0:2 or 30:0*4:2, got '${raw}'`);
    const n = count === undefined ? 1 : Number(count);
    if (n < 1 || n > 100_000) throw new UsageError(`${flag}: a repeat count must be 1..100000, got '${part}'`);
    for (let k = 0; k < n; k++) out.push(String(Number(step)));
  }
  return out.join(':');
}
