// SPDX-License-Identifier: GPL-2.0-only
// `mprotect-spec cost`: primitive calls per PTE of one target against
// another on the standard shapes (src/cost/). Exit 0 whatever the costs: a
// cost difference is information for the reviewer, not a divergence.
import { existsSync } from 'node:fs';
import { basename, isAbsolute, relative, resolve } from 'node:path';
import { type CostSide, compareCost, kernelCostSide, renderCostText } from '../cost/index.js';
import { getVariant } from '../kernel/index.js';
import type { KernelOutcome, World } from '../pte/index.js';
import { BuildError, type KernelTarget, kernelTarget } from '../realc/index.js';
import { importModule } from './check/open_target.js';
import { EXIT_OK, UsageError } from './errors.js';
import { extractForCli } from './extract.js';
import type { Io } from './io.js';

export interface CostOptions {
  readonly variant?: string;
  readonly impl?: string;
  readonly against: string;
  readonly json: boolean;
  /** A kernel tree's own C as side A (with --patch applied first). */
  readonly kernel?: string;
  readonly patches?: readonly string[];
  /** A kernel tree's own C as side B, instead of --against. */
  readonly againstKernel?: string;
  readonly againstPatches?: readonly string[];
  readonly shim?: string;
  /** Timed runs per shape for a C side (0: counts only). */
  readonly reps?: number;
}

/** The default number of timed runs per shape of a C side. */
export const COST_REPS = 200;

async function kernelSide(
  flag: string,
  dir: string,
  patches: readonly string[],
  o: CostOptions,
  io: Io,
  opened: KernelTarget[],
): Promise<CostSide> {
  const x = await extractForCli({ kernel: dir, patches, ...(o.shim !== undefined ? { shim: o.shim } : {}) }, io);
  const rel = relative(io.cwd, x.tree);
  const shown = rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : x.tree;
  const name = `kernel:${shown}${x.patches.map((p) => ` + ${basename(p.file)}`).join('')}`;
  let target: KernelTarget;
  try {
    target = kernelTarget({ tu: x.extraction.source, name });
  } catch (error) {
    if (error instanceof BuildError) throw new UsageError(`${flag} ${dir}: ${error.message}`);
    throw error;
  }
  opened.push(target);
  return kernelCostSide({ name: `${name} (${target.batching})`, target, reps: o.reps ?? COST_REPS });
}

function variantSide(name: string): CostSide {
  try {
    const v = getVariant(name);
    return { name: v.name, run: v.run };
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

async function implSide(path: string, cwd: string): Promise<CostSide> {
  const abs = resolve(cwd, path);
  if (!existsSync(abs)) throw new UsageError(`--impl ${path}: no such file`);
  let mod: { change_protection?: unknown };
  try {
    mod = await importModule(abs);
  } catch (error) {
    throw new UsageError(`cannot load --impl ${path}: ${(error as Error).message}`);
  }
  if (typeof mod.change_protection !== 'function')
    throw new UsageError(`--impl ${path} does not export a function change_protection(world)`);
  return { name: path, run: mod.change_protection as (world: World) => KernelOutcome };
}

export async function runCost(o: CostOptions, io: Io): Promise<number> {
  if (o.variant !== undefined && o.impl !== undefined) throw new UsageError('give --variant or --impl, not both');
  if (o.kernel !== undefined && (o.variant !== undefined || o.impl !== undefined))
    throw new UsageError('give --kernel DIR on its own, not with --variant or --impl');
  if (o.patches?.length && o.kernel === undefined) throw new UsageError('--patch goes with --kernel DIR');
  if (o.againstPatches?.length && o.againstKernel === undefined)
    throw new UsageError('--against-patch goes with --against-kernel DIR');
  if (o.reps !== undefined && (!Number.isInteger(o.reps) || o.reps < 0))
    throw new UsageError(`--reps must be a non-negative integer, got '${o.reps}'`);
  const opened: KernelTarget[] = [];
  try {
    const a =
      o.kernel !== undefined
        ? await kernelSide('--kernel', o.kernel, o.patches ?? [], o, io, opened)
        : o.impl !== undefined
          ? await implSide(o.impl, io.cwd)
          : variantSide(o.variant ?? 'falcato-v3');
    const b =
      o.againstKernel !== undefined
        ? await kernelSide('--against-kernel', o.againstKernel, o.againstPatches ?? [], o, io, opened)
        : variantSide(o.against);
    const report = compareCost(a, b);
    io.out(o.json ? `${JSON.stringify(report, null, 2)}\n` : renderCostText(report));
    return EXIT_OK;
  } finally {
    for (const t of opened) t.dispose();
  }
}
