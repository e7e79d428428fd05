// SPDX-License-Identifier: GPL-2.0-only
// A unit's outcome crosses from the job worker to the main thread by the
// structured clone algorithm. A candidate's outcome is part of a failure
// report, and a candidate may return what cannot be cloned (a function, a
// symbol, a WeakMap...). Instead of the bare DataCloneError, the report names
// the value and where it sits in the outcome, and keeps the world and the
// property's own mismatches.
import type { Mismatch } from '../../observe/index.js';
import type { UnitOutcome } from './plan.js';

/** Where the first value that cannot be cloned sits, as a path like `actual.flushes[3]`, and what it is. */
export function findUncloneable(value: unknown, path = ''): { path: string; what: string } | null {
  const seen = new Set<object>();
  const walk = (v: unknown, at: string): { path: string; what: string } | null => {
    if (typeof v === 'function') return { path: at, what: 'a function' };
    if (typeof v === 'symbol') return { path: at, what: `a symbol (${String(v.description ?? '')})` };
    if (v === null || typeof v !== 'object') return null;
    if (seen.has(v)) return null;
    seen.add(v);
    if (v instanceof WeakMap || v instanceof WeakSet || v instanceof WeakRef)
      return { path: at, what: `a ${v.constructor.name}` };
    if (v instanceof Promise) return { path: at, what: 'a Promise' };
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        const r = walk(v[i], `${at}[${i}]`);
        if (r) return r;
      }
      return null;
    }
    if (v instanceof Map) {
      for (const [k, x] of v) {
        const r = walk(k, `${at}<key>`) ?? walk(x, `${at}.get(${String(k)})`);
        if (r) return r;
      }
      return null;
    }
    if (v instanceof Set) {
      for (const x of v) {
        const r = walk(x, `${at}<element>`);
        if (r) return r;
      }
      return null;
    }
    for (const k of Object.keys(v)) {
      const r = walk((v as Record<string, unknown>)[k], at ? `${at}.${k}` : k);
      if (r) return r;
    }
    return null;
  };
  return walk(value, path);
}

/** A copy with every value that cannot be cloned replaced by a short text naming it. */
function cloneableCopy(value: unknown, seen = new Map<object, unknown>()): unknown {
  if (typeof value === 'function') return `[function ${value.name || 'anonymous'}]`;
  if (typeof value === 'symbol') return `[${String(value)}]`;
  if (value === null || typeof value !== 'object') return value;
  if (seen.has(value)) return seen.get(value);
  if (value instanceof WeakMap || value instanceof WeakSet || value instanceof WeakRef || value instanceof Promise)
    return `[${value.constructor.name}]`;
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    seen.set(value, out);
    for (const x of value) out.push(cloneableCopy(x, seen));
    return out;
  }
  if (value instanceof Map) return new Map([...value].map(([k, v]) => [cloneableCopy(k, seen), cloneableCopy(v, seen)]));
  if (value instanceof Set) return new Set([...value].map((v) => cloneableCopy(v, seen)));
  const out: Record<string, unknown> = {};
  seen.set(value, out);
  for (const k of Object.keys(value)) out[k] = cloneableCopy((value as Record<string, unknown>)[k], seen);
  return out;
}

/** The message a report carries when the candidate's outcome could not be sent between threads. */
export function uncloneableMessage(found: { path: string; what: string }): string {
  return (
    `returned ${found.what} at outcome ${found.path}, which cannot be sent from its job worker ` +
    '(structured clone): change_protection(world) must return plain data (arrays, objects, ' +
    'numbers, strings, booleans, null)'
  );
}

/**
 * The outcome made cloneable, with a finding that says why, or null when it
 * holds nothing the clone rejects (the DataCloneError came from elsewhere).
 */
export function cloneableOutcome(outcome: UnitOutcome): UnitOutcome | null {
  const view = outcome.view;
  const found =
    (view && (findUncloneable(view.actual) ?? findUncloneable(view.firstCall, '(1st call)'))) ?? findUncloneable(outcome, 'unit');
  if (!found) return null;
  const safe = cloneableCopy(outcome) as UnitOutcome;
  const message = uncloneableMessage({ ...found, path: found.path || '(the whole value)' });
  if (safe.view) {
    const mismatches: Mismatch[] = [...safe.view.mismatches, { rule: 'REL-CRASH', message }];
    const failure = safe.result.failure && { ...safe.result.failure, mismatches };
    return { ...safe, view: { ...safe.view, mismatches }, result: { ...safe.result, failure } };
  }
  const where = `'${outcome.result.property}' on ${outcome.result.target}`;
  return { ...safe, result: { ...safe.result, internalError: `${where}: the candidate ${message}` } };
}
