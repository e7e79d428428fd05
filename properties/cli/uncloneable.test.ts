// SPDX-License-Identifier: GPL-2.0-only
// A candidate whose outcome holds what a worker cannot send to the main
// thread (a function, a symbol) gets its own message naming the value, the
// property and the world, never "internal error" with a DataCloneError.
import { describe, expect, it } from 'vitest';
import { cloneableOutcome, findUncloneable } from '../../src/cli/check/cloneable.js';
import type { UnitOutcome } from '../../src/cli/check/plan.js';
import { cli, fixture } from './helpers.js';

describe('values a job worker cannot send', () => {
  it('finds the first function or symbol and names its path', () => {
    expect(findUncloneable({ a: [1, { b: () => 0 }] })).toEqual({ path: 'a[1].b', what: 'a function' });
    expect(findUncloneable({ a: 1, s: Symbol('x') })).toEqual({ path: 's', what: 'a symbol (x)' });
    expect(findUncloneable({ a: [1, 2, { c: 'x' }], m: new Map([[1, 2]]) })).toBeNull();
    const cyclic: Record<string, unknown> = { n: 1 };
    cyclic.self = cyclic;
    expect(findUncloneable(cyclic)).toBeNull();
  });

  it('an outcome without a report of the candidate becomes an error naming the property and target', () => {
    const outcome = {
      index: 0,
      result: { property: 'agree', target: 'impl:x.ts', cases: 3, ms: 0, failure: null, interrupted: false, excluded: 0 },
      view: null,
      coverage: null,
      extra: Symbol('y'),
    } as unknown as UnitOutcome;
    expect(() => structuredClone(outcome)).toThrow();
    const safe = cloneableOutcome(outcome);
    expect(safe).not.toBeNull();
    expect(() => structuredClone(safe)).not.toThrow();
    expect(safe?.result.internalError).toMatch(
      /^'agree' on impl:x\.ts: the candidate returned a symbol \(y\) at outcome unit\.extra/,
    );
  });

  it('check --impl: the report keeps the world and the real mismatch, and names the function', async () => {
    const r = await cli([
      'check',
      '--impl',
      fixture('uncloneable'),
      '--runs',
      '50',
      '--seed',
      '1',
      '--no-save',
      '-q',
      '--property',
      'agree',
    ]);
    expect(r.code).toBe(1);
    expect(r.stdout + r.stderr).not.toMatch(/DataCloneError|internal error/);
    expect(r.stdout).toMatch(/breaks 'agree'/);
    expect(r.stdout).toMatch(/^vma 0x[0-9a-f]+-0x[0-9a-f]+ /m);
    expect(r.stdout).toMatch(/broken REL-COUNT/);
    expect(r.stdout).toMatch(/returned a function at outcome flushes\[\d+\], which cannot be sent from its job/);
    expect(r.stdout).toMatch(/^agree\s+impl:properties\/cli\/fixtures\/uncloneable\.ts\s+\d+\s+FAIL REL-COUNT,REL-CRASH/m);
  });
});
