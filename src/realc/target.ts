// SPDX-License-Identifier: GPL-2.0-only
// The kernel's own C as a check target: one translation unit (an extracted
// tree, or a fixture) compiled with the shim, run in a long-lived child.
// Works with every property of src/check/properties.ts unchanged: a crash, a
// hang, a BUG or a WARN makes run() throw, which the guard turns into a
// REL-CRASH mismatch that fast-check shrinks like any divergence.
import type { CheckTarget } from '../check/target.js';
import type { KernelOutcome, World } from '../pte/index.js';
import { type Build, buildKernel } from './harness/build.js';
import { decodeCase, encodeWorld, Words } from './harness/codec.js';
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
}

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
  const run = (world: World): KernelOutcome => {
    encodeWorld(world, words);
    let body: Uint32Array;
    try {
      body = proc.request(words.buf, words.len);
    } catch (error) {
      if (error instanceof ChildDied) {
        const excerpt = error.stderr.split('\n').slice(0, 12).join('\n');
        throw new Error(`${error.message}${excerpt ? `\n${excerpt}` : ''}`);
      }
      throw error;
    }
    const result = decodeCase(world, body);
    if (result.findings.length > 0 || result.status !== 0) throw new Error(describeFindings(result.findings, result.status));
    return result.outcome;
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
  };
}
