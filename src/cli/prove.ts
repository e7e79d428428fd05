// SPDX-License-Identifier: GPL-2.0-only
// `mprotect-spec prove --bound K`: the bounded exhaustive check (src/prove/).
// "No counterexample found" becomes "none exists within the bound".
// `--variant NAME` picks registered variants; `--impl FILE` checks a candidate
// module (loaded and isolated exactly as `check --impl` loads it).
import type { CheckTarget } from '../check/index.js';
import { countDomain, formatProveResult, prove } from '../prove/index.js';
import { type CandidateTarget, loadCandidate } from './candidate.js';
import { EXIT_DIVERGENCE, EXIT_OK, UsageError } from './errors.js';
import type { Io } from './io.js';

export interface ProveCliOptions {
  readonly bound: number;
  readonly timeLimitMs?: number;
  readonly variants: readonly string[];
  /** A candidate module exporting change_protection(world). */
  readonly impl?: string;
  /** Per-world time limit for the candidate. */
  readonly caseTimeoutMs?: number;
  readonly json: boolean;
}

const int = (n: number): string => n.toLocaleString('en-US');

export async function runProve(o: ProveCliOptions, io: Io): Promise<number> {
  if (!Number.isInteger(o.bound) || o.bound < 1) throw new UsageError(`bound must be a positive integer, got ${o.bound}`);
  let candidate: CandidateTarget | null = null;
  if (o.impl) candidate = loadCandidate(o.impl, { caseTimeoutMs: o.caseTimeoutMs ?? 10_000 });
  try {
    const targets: CheckTarget[] = candidate ? [candidate] : [];
    // The exact size of the domain, up front: counting runs the enumeration loops without building worlds
    // (a bound too large to count in time is reported as "more than").
    // Counting gets a quarter of the time limit (at most 60 s), the check all of it.
    const countMs = Math.min(60_000, o.timeLimitMs ? o.timeLimitMs / 4 : 60_000);
    const count = countDomain({ bound: o.bound, timeLimitMs: countMs });
    const by = count.bySlots.map((n, i) => `${i + 1} slot(s): ${int(n)}`).join(', ');
    if (!o.json)
      io.out(
        count.complete
          ? `prove --bound ${o.bound}: the domain holds ${int(count.total)} worlds (${by})\n`
          : `prove --bound ${o.bound}: the domain holds more than ${int(count.total)} worlds (counting stopped at the time limit; ${by})\n`,
      );
    let result: ReturnType<typeof prove>;
    try {
      result = prove({
        bound: o.bound,
        ...(o.timeLimitMs ? { timeLimitMs: o.timeLimitMs } : {}),
        ...(o.variants.length ? { variants: o.variants } : {}),
        ...(targets.length ? { targets } : {}),
        ...(io.errIsTTY
          ? { onProgress: (p: { worlds: number; slots: number }) => io.err(`\r${p.worlds} worlds, ${p.slots} slot(s)`) }
          : {}),
      });
    } catch (error) {
      if (/unknown variant|bound must be/.test((error as Error).message)) throw new UsageError((error as Error).message);
      throw error;
    }
    if (io.errIsTTY) io.err('\n');
    io.out(o.json ? `${JSON.stringify({ domain: count, ...result }, null, 2)}\n` : `${formatProveResult(result)}\n`);
    const hang = candidate?.hang();
    if (hang) io.out(`the candidate hung (no answer within ${hang.ms} ms) on a world; it was counted as a failure\n`);
    return result.failures.length ? EXIT_DIVERGENCE : EXIT_OK;
  } finally {
    await candidate?.close();
  }
}
