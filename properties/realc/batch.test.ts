// SPDX-License-Identifier: GPL-2.0-only
// Many worlds per round trip (OP_BATCH), the shim's primitive counts
// (OP_COUNTS) and the in-child timing (OP_TIME): a batch gives exactly what
// one-at-a-time runs give; a crash or a hang inside a batch is still charged
// to the one world that caused it; counts are exact and deterministic.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { worldArb } from '../../src/arbitraries/index.js';
import {
  _PAGE_ACCESSED,
  _PAGE_PRESENT,
  _PAGE_RW,
  _PAGE_USER,
  MM_CP_TRY_CHANGE_WRITABLE,
  MM_CP_UFFD_WP,
  mk_pte,
  mkFolio,
  mkVma,
  mkWorld,
  VM_READ,
  VM_UFFD_WP,
  VM_WRITE,
  type World,
} from '../../src/pte/index.js';
import { BATCH_CASES } from '../../src/realc/target.js';
import { FIXTURES, fixtureTU } from './fixture_tu.js';
import { injected, PER_PTE_TU, testTargets } from './test_targets.js';

const { target } = testTargets('mprotect-realc-batch-');
const PER_PTE = PER_PTE_TU;
const BATCHED = fixtureTU(`${FIXTURES}/batched`);

const FLAGS = _PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED;
function small(cp_flags: number, present = 1): World {
  const vma = mkVma({ start: 0x1000, end: 0x1004, flags: VM_READ | VM_WRITE | VM_UFFD_WP });
  return mkWorld({
    vma,
    ptes: [0, 1, 2, 3].map((i) => (i < present ? mk_pte(0x2000 + i, FLAGS) : { kind: 'none' as const })),
    folios: [0, 1, 2, 3].slice(0, present).map((i) => mkFolio({ pfn: 0x2000 + i })),
    cp_flags,
  });
}

describe('OP_BATCH: many worlds per round trip', () => {
  it.each([
    ['per-pte', PER_PTE],
    ['batched', BATCHED],
  ])('%s fixture: runMany gives, world by world, what run gives (more worlds than one batch)', (name, tu) => {
    const t = target(tu, `batch-${name}`);
    const worlds = fc.sample(worldArb(), { seed: 11, numRuns: BATCH_CASES * 2 + 3 });
    const many = t.runMany(worlds);
    expect(many).toHaveLength(worlds.length);
    worlds.forEach((w, i) => {
      const r = many[i];
      let one: unknown;
      try {
        one = { ok: true, outcome: t.run(w) };
      } catch (error) {
        one = { ok: false, message: (error as Error).message };
      }
      expect(r?.ok ? { ok: true, outcome: r.outcome } : { ok: false, message: r?.error.message }).toEqual(one);
    });
  });

  it('a crash inside a batch is charged to the one world that crashed; the others keep their outcomes', () => {
    const t = target(injected('if (cp_flags & MM_CP_UFFD_WP) *(volatile int *)0 = 1;'), 'batch-crash');
    const worlds = [small(0), small(MM_CP_TRY_CHANGE_WRITABLE), small(MM_CP_UFFD_WP), small(0, 2), small(0, 3)];
    const many = t.runMany(worlds);
    expect(many.map((r) => r.ok)).toEqual([true, true, false, true, true]);
    expect(many[2]?.ok === false && many[2].error.message).toMatch(/C target crashed: SIGSEGV/);
    expect(many.map((r) => (r.ok ? r.outcome.count : -1))).toEqual([1, 1, -1, 2, 3]);
  });

  it('a hang inside a batch is charged to the world that hung', () => {
    const t = target(injected('if (cp_flags & MM_CP_UFFD_WP) for (;;) barrier();'), 'batch-hang', 1);
    const many = t.runMany([small(0), small(MM_CP_UFFD_WP), small(0, 2)]);
    expect(many.map((r) => r.ok)).toEqual([true, false, true]);
    expect(many[1]?.ok === false && many[1].error.message).toMatch(/hang: the case did not finish in time/);
  });

  it('a BUG in a batch stays a per-world finding (no respawn needed)', () => {
    const t = target(injected('BUG_ON(cp_flags & MM_CP_UFFD_WP);'), 'batch-bug');
    const many = t.runMany([small(MM_CP_UFFD_WP), small(0)]);
    expect(many[0]?.ok === false && many[0].error.message).toMatch(/hit a BUG: BUG at mm\/mprotect\.c:\d+/);
    expect(many[1]?.ok && many[1].outcome.count).toBe(1);
    expect(t.spawns()).toBe(1);
  });
});

describe('OP_COUNTS and OP_TIME', () => {
  it('counts follow the PTEs: the per-PTE fixture reads each entry once and changes each present one', () => {
    const t = target(PER_PTE, 'counts-per-pte');
    for (const present of [1, 2, 3]) {
      const { outcome, counts } = t.runCounted(small(0, present));
      expect(outcome.count).toBe(present);
      expect(counts.ptep_modify_prot_start).toBe(present);
      expect(counts.ptep_modify_prot_commit).toBe(present);
      expect(counts.ptep_get).toBeGreaterThanOrEqual(present);
    }
    // the same world twice: the same counts (reset per case)
    expect(t.runCounted(small(0, 2)).counts).toEqual(t.runCounted(small(0, 2)).counts);
  });

  it('times each repetition in the child on a fresh world', () => {
    const t = target(PER_PTE, 'time-per-pte');
    const ns = t.timeCase(small(0, 3), 7);
    expect(ns).toHaveLength(7);
    for (const x of ns) expect(x).toBeGreaterThan(0);
    // a fresh world each time: the outcome after timing is still that of one call
    expect(t.run(small(0, 3)).count).toBe(3);
  });
});
