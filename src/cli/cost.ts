// SPDX-License-Identifier: GPL-2.0-only
// `mprotect-spec cost`: primitive calls per PTE of one target against
// another on the standard shapes (src/cost/). Exit 0 whatever the costs: a
// cost difference is information for the reviewer, not a divergence.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { type CostSide, compareCost, renderCostText } from '../cost/index.js';
import { getVariant } from '../kernel/index.js';
import type { KernelOutcome, World } from '../pte/index.js';
import { importModule } from './check/open_target.js';
import { EXIT_OK, UsageError } from './errors.js';
import type { Io } from './io.js';

export interface CostOptions {
  readonly variant?: string;
  readonly impl?: string;
  readonly against: string;
  readonly json: boolean;
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
  const a = o.impl !== undefined ? await implSide(o.impl, io.cwd) : variantSide(o.variant ?? 'falcato-v3');
  const b = variantSide(o.against);
  const report = compareCost(a, b);
  io.out(o.json ? `${JSON.stringify(report, null, 2)}\n` : renderCostText(report));
  return EXIT_OK;
}
