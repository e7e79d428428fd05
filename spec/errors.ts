// SPDX-License-Identifier: GPL-2.0-only
// The one error the spec throws. A world the spec cannot read (invalid, or a
// situation the spec deliberately does not model) is refused with the rule id
// it breaks, never guessed at.
import type { WorldProblem } from '../src/pte/index.js';

/**
 * Thrown by change_protection_spec() and the caller entry points.
 * `rule` is a SEMANTICS id (e.g. R-CP.1), a world rule (W-*) or a spec-local
 * id for an unmodelled case. World validation failures are WRAPPED: `rule` is
 * the first problem's rule, `problems` lists all of them, and `cause` is the
 * WorldError that src/pte/validate.ts raised.
 */
export class SpecPreconditionError extends Error {
  readonly rule: string;
  readonly problems: readonly WorldProblem[];
  constructor(rule: string, message: string, problems: readonly WorldProblem[] = [], options?: { cause?: unknown }) {
    super(`[${rule}] ${message}`, options);
    this.name = 'SpecPreconditionError';
    this.rule = rule;
    this.problems = problems;
  }
}
