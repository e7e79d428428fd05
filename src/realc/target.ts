// SPDX-License-Identifier: GPL-2.0-only
// The kernel's own C as a check target: one translation unit (an extracted
// tree, or a fixture) compiled with the shim, run in a long-lived child.
// Works with every property of src/check/properties.ts unchanged: a crash, a
// hang, a BUG or a WARN makes run() throw, which the guard turns into a
// REL-CRASH mismatch that fast-check shrinks like any divergence.
import type { CheckTarget } from '../check/target.js';
import type { KernelOutcome, World } from '../pte/index.js';
import { type Build, buildKernel } from './harness/build.js';
import {
  beginBatch,
  decodeCase,
  decodeCounts,
  decodeTimed,
  encodeTimed,
  encodeWorld,
  endBatch,
  OP_COUNTS,
  pushRequest,
  type ShimCountName,
  splitBatch,
  Words,
} from './harness/codec.js';
import { ChildDied, KernelProcess } from './harness/process.js';

export interface KernelTargetOptions {
  /** The translation unit (starts with #include "mprotect_shim.h"). */
  readonly tu: string;
  readonly name: string;
  /** Default: 'batched' when the TU defines mprotect_folio_pte_batch, else 'per-pte'. */
  readonly batching?: 'per-pte' | 'batched';
  readonly sanitize?: boolean;
  readonly cacheDir?: string;
  /** Seconds before a hung case is ended (default 5). */
  readonly timeoutS?: number;
}

export interface KernelTarget extends CheckTarget {
  readonly build: Build;
  /** API generation the TU was read as: 'v6.19+' (folio_can_map_prot_numa) or 'v6.16-v6.17'. */
  readonly generation: 'v6.19+' | 'v6.16-v6.17';
  /** Stops the child. The target respawns it if run() is called again. */
  readonly dispose: () => void;
  /** How many children were started (1 + respawns after crashes). */
  readonly spawns: () => number;
  /** One raw request to the child ([length, op, ...body] words); the response body. For harness tests. */
  readonly raw: (words: Uint32Array, len: number) => Uint32Array;
  /**
   * Many worlds, BATCH_CASES per round trip to the child, each result as run()
   * would give it (an outcome, or the error run() would throw). When the child
   * dies inside a batch, that batch is replayed one world at a time, so a
   * crash or a hang is charged to the exact world that caused it.
   */
  readonly runMany: (worlds: readonly World[]) => RunResult[];
  /** run() plus the shim's count of each primitive the kernel code called, in one round trip. */
  readonly runCounted: (world: World) => { outcome: KernelOutcome; counts: Record<ShimCountName, number> };
  /** Nanoseconds of each of `reps` change_protection() calls on fresh copies of the world (in the child). */
  readonly timeCase: (world: World, reps: number) => number[];
}

export type RunResult = { readonly ok: true; readonly outcome: KernelOutcome } | { readonly ok: false; readonly error: Error };

/** Worlds per round trip in runMany(). */
export const BATCH_CASES = 16;

/** A whole-word test on the TU text (not C parsing: is this identifier spelled anywhere?). */
function mentions(tu: string, name: string): boolean {
  let at = tu.indexOf(name);
  while (at >= 0) {
    const before = at === 0 ? '' : (tu[at - 1] as string);
    const after = tu[at + name.length] ?? '';
    const ident = (c: string) => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c === '_';
    if (!ident(before) && !ident(after)) return true;
    at = tu.indexOf(name, at + 1);
  }
  return false;
}

/** 'batched' when the TU has the batching helper of v6.17 and later. */
export function detectBatching(tu: string): 'per-pte' | 'batched' {
  return mentions(tu, 'mprotect_folio_pte_batch') || mentions(tu, 'folio_pte_batch_flags') || mentions(tu, 'folio_pte_batch')
    ? 'batched'
    : 'per-pte';
}

export function detectGeneration(tu: string): 'v6.19+' | 'v6.16-v6.17' {
  return mentions(tu, 'folio_can_map_prot_numa') ? 'v6.19+' : 'v6.16-v6.17';
}

function describeFindings(findings: readonly string[], status: number): string {
  const parts = findings.map((f) => {
    const [kind, where, cond] = f.split('\t');
    return `${kind} at ${where}: ${cond}`;
  });
  return `C target ${status === 1 ? 'hit a BUG' : 'reported'}: ${parts.join('; ')}`;
}

export function kernelTarget(options: KernelTargetOptions): KernelTarget {
  const generation = detectGeneration(options.tu);
  const build = buildKernel({
    tu: options.tu,
    ...(options.sanitize ? { sanitize: true } : {}),
    ...(options.cacheDir ? { cacheDir: options.cacheDir } : {}),
    defines: generation === 'v6.19+' ? ['SHIM_V6_19', 'SHIM_HUGE_NUMA_V6_19'] : [],
  });
  const proc = new KernelProcess({ binary: build.binary, ...(options.timeoutS ? { timeoutS: options.timeoutS } : {}) });
  const words = new Words();
  const request = (): Uint32Array => {
    try {
      return proc.request(words.buf, words.len);
    } catch (error) {
      if (error instanceof ChildDied) {
        const excerpt = error.stderr.split('\n').slice(0, 12).join('\n');
        throw new Error(`${error.message}${excerpt ? `\n${excerpt}` : ''}`);
      }
      throw error;
    }
  };
  const outcomeOf = (world: World, body: Uint32Array): KernelOutcome => {
    const result = decodeCase(world, body);
    if (result.findings.length > 0 || result.status !== 0) throw new Error(describeFindings(result.findings, result.status));
    return result.outcome;
  };
  const run = (world: World): KernelOutcome => {
    encodeWorld(world, words);
    return outcomeOf(world, request());
  };
  const settle = (fn: () => KernelOutcome): RunResult => {
    try {
      return { ok: true, outcome: fn() };
    } catch (error) {
      return { ok: false, error: error instanceof Error ? error : new Error(String(error)) };
    }
  };
  const runMany = (worlds: readonly World[]): RunResult[] => {
    const results: RunResult[] = [];
    for (let from = 0; from < worlds.length; from += BATCH_CASES) {
      const chunk = worlds.slice(from, from + BATCH_CASES);
      beginBatch(words);
      for (const w of chunk) encodeWorld(w, words, true);
      endBatch(words, chunk.length);
      let bodies: Uint32Array[];
      try {
        bodies = splitBatch(proc.request(words.buf, words.len));
      } catch (error) {
        if (!(error instanceof ChildDied)) throw error;
        // the child died somewhere in this batch: one world at a time finds which
        for (const w of chunk) results.push(settle(() => run(w)));
        continue;
      }
      for (const [k, w] of chunk.entries()) results.push(settle(() => outcomeOf(w, bodies[k] as Uint32Array)));
    }
    return results;
  };
  const runCounted = (world: World) => {
    beginBatch(words);
    encodeWorld(world, words, true);
    pushRequest(words, OP_COUNTS);
    endBatch(words, 2);
    const [caseBody, countsBody] = splitBatch(request());
    return { outcome: outcomeOf(world, caseBody as Uint32Array), counts: decodeCounts(countsBody as Uint32Array) };
  };
  const timeCase = (world: World, reps: number): number[] => {
    encodeTimed(world, reps, words);
    const { status, ns } = decodeTimed(request());
    if (status !== 0) throw new Error(`C target ${status === 1 ? 'hit a BUG' : 'rejected the world'} while timing`);
    return ns;
  };
  return {
    name: options.name,
    batching: options.batching ?? detectBatching(options.tu),
    // MODEL: trees before v6.19 show the documented version drift of SEMANTICS §11.
    ...(generation === 'v6.16-v6.17' ? { drift: ['Δ9', 'Δ10', 'Δ11'] } : {}),
    run,
    build,
    generation,
    dispose: () => proc.dispose(),
    spawns: () => proc.spawns,
    raw: (w, len) => proc.request(w, len),
    runMany,
    runCounted,
    timeCase,
  };
}
