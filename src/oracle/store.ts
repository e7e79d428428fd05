// SPDX-License-Identifier: GPL-2.0-only
// Disagreements between the model and the live kernel, stored as data under
// counterexamples/kernel/: the shrunk scenario itself, both tables, provenance.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FieldDiff } from './compare.js';
import type { OpResult, PredictedOpResult } from './observation.js';
import { type Scenario, scenarioProblems } from './scenario.js';

export const KERNEL_CE_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../counterexamples/kernel');

export interface KernelCounterexample {
  readonly kind: 'kernel-oracle';
  readonly scenario: Scenario;
  readonly predicted: readonly PredictedOpResult[];
  readonly observed: readonly OpResult[];
  readonly diffs: readonly FieldDiff[];
  readonly table: string;
  /** Why the disagreement is expected, when it is explained (a documented kernel behaviour or a spec gap). */
  readonly explanation?: string;
  readonly provenance: {
    readonly kernel: string;
    readonly seed: number | null;
    readonly fastCheck: string;
    readonly date: string;
    readonly engine: string;
  };
}

/** Writes atomically (temp file + rename) and never overwrites: an existing case is kept as it is. */
export function saveCounterexample(ce: KernelCounterexample, dir = KERNEL_CE_DIR): string {
  mkdirSync(dir, { recursive: true });
  const hash = createHash('sha256').update(JSON.stringify(ce.scenario)).digest('hex').slice(0, 12);
  const file = join(dir, `${hash}.json`);
  if (existsSync(file)) return file;
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(ce, null, 2)}\n`);
  renameSync(tmp, file);
  return file;
}

/** Thrown for a stored case that cannot be read; names the file. */
export class KernelCounterexampleError extends Error {
  constructor(
    readonly file: string,
    reason: string,
  ) {
    super(`${file}: ${reason}`);
    this.name = 'KernelCounterexampleError';
  }
}

/** One stored case, checked enough to be replayed: JSON, kind, and a valid scenario. */
export function readCounterexample(file: string): KernelCounterexample {
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new KernelCounterexampleError(file, `not readable JSON (${(error as Error).message})`);
  }
  const ce = doc as Partial<KernelCounterexample>;
  if (ce?.kind !== 'kernel-oracle') throw new KernelCounterexampleError(file, "field 'kind' must be 'kernel-oracle'");
  const problems = ce.scenario ? scenarioProblems(ce.scenario) : ['missing'];
  if (problems.length) throw new KernelCounterexampleError(file, `field 'scenario': ${problems.join('; ')}`);
  return ce as KernelCounterexample;
}

export function loadCounterexamples(dir = KERNEL_CE_DIR): { file: string; ce: KernelCounterexample }[] {
  let names: string[] = [];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.json'));
  } catch {
    return [];
  }
  return names.map((n) => ({ file: join(dir, n), ce: readCounterexample(join(dir, n)) }));
}
