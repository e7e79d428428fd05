// SPDX-License-Identifier: GPL-2.0-only
// Running a target defensively: a throw, a write to the frozen input or a
// malformed outcome becomes a named mismatch, never a crash of the checker.
import type { Mismatch } from '../observe/index.js';
import type { KernelOutcome, World } from '../pte/index.js';
import type { CheckTarget } from './target.js';

export type GuardedRun =
  | { readonly ok: true; readonly outcome: KernelOutcome }
  | { readonly ok: false; readonly mismatch: Mismatch };

const FROZEN_WRITE =
  /Cannot (?:assign to read only property|add property|delete property|define property) '?([^' ]+)'?(?:,)? (?:of )?(?:object )?'?([^']*)'?/;

/** Stack frames with paths relative to the working directory: shorter, and the same on every machine. */
function relativePaths(stack: string): string {
  const cwd = process.cwd().replace(/\/$/, '');
  return stack.split(`file://${cwd}/`).join('').split(`${cwd}/`).join('');
}

/** A human description of what a thrown error means for the candidate. */
export function describeThrow(error: unknown): Mismatch {
  const err = error instanceof Error ? error : new Error(String(error));
  const frozen = FROZEN_WRITE.exec(err.message);
  if (err instanceof TypeError && frozen) {
    const what = /^\d+$/.test(frozen[1] ?? '') ? `slot ${frozen[1]}` : `property '${frozen[1]}'`;
    return { rule: 'REL-INPUT', message: `mutated ${what} of its input (${err.message})` };
  }
  const stack = relativePaths(err.stack ?? err.message)
    .split('\n')
    .slice(0, 6)
    .join('\n      ');
  return { rule: 'REL-CRASH', message: `threw ${err.name}: ${err.message}\n      ${stack}` };
}

function malformed(world: World, out: unknown): string | null {
  if (out === null || typeof out !== 'object') return `returned ${out === null ? 'null' : typeof out}, not an outcome`;
  if (typeof (out as { then?: unknown }).then === 'function')
    return 'returned a Promise: change_protection(world) must be synchronous (no async, no await), as the kernel function is';
  const o = out as Partial<KernelOutcome>;
  if (!Array.isArray(o.ptes) || o.ptes.length !== world.ptes.length)
    return `ptes must be an array of ${world.ptes.length} entries`;
  for (const [i, pte] of o.ptes.entries())
    if (!pte || !['none', 'present', 'softleaf'].includes((pte as { kind: string }).kind)) return `ptes[${i}] is not an entry`;
  if (!Array.isArray(o.pmds) || o.pmds.length !== world.pmds.length) return `pmds must be an array of ${world.pmds.length} slots`;
  if (typeof o.count !== 'number' || !Number.isInteger(o.count)) return 'count must be an integer';
  if (!Array.isArray(o.flushes) || !Array.isArray(o.trace) || !Array.isArray(o.numaStamps))
    return 'flushes, trace and numaStamps must be arrays';
  return null;
}

export function runGuarded(target: CheckTarget, world: World): GuardedRun {
  let outcome: unknown;
  try {
    outcome = target.run(world);
  } catch (error) {
    return { ok: false, mismatch: describeThrow(error) };
  }
  const problem = malformed(world, outcome);
  if (problem) return { ok: false, mismatch: { rule: 'REL-CRASH', message: problem } };
  return { ok: true, outcome: outcome as KernelOutcome };
}
