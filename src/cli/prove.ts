// `mprotect-spec prove --bound K`: the bounded exhaustive check (src/prove/).
// "No counterexample found" becomes "none exists within the bound".
import { formatProveResult, prove } from '../prove/index.js';
import { EXIT_DIVERGENCE, EXIT_OK, UsageError } from './errors.js';
import type { Io } from './io.js';

export interface ProveCliOptions {
  readonly bound: number;
  readonly timeLimitMs?: number;
  readonly variants: readonly string[];
  readonly json: boolean;
}

export function runProve(o: ProveCliOptions, io: Io): number {
  let result: ReturnType<typeof prove>;
  try {
    result = prove({
      bound: o.bound,
      ...(o.timeLimitMs ? { timeLimitMs: o.timeLimitMs } : {}),
      ...(o.variants.length ? { variants: o.variants } : {}),
      ...(io.errIsTTY
        ? { onProgress: (p: { worlds: number; slots: number }) => io.err(`\r${p.worlds} worlds, ${p.slots} slot(s)`) }
        : {}),
    });
  } catch (error) {
    if (/unknown variant|bound must be/.test((error as Error).message)) throw new UsageError((error as Error).message);
    throw error;
  }
  if (io.errIsTTY) io.err('\n');
  io.out(o.json ? `${JSON.stringify(result, null, 2)}\n` : `${formatProveResult(result)}\n`);
  return result.failures.length ? EXIT_DIVERGENCE : EXIT_OK;
}
