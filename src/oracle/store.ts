// Disagreements between the model and the live kernel, stored as data under
// counterexamples/kernel/: the shrunk scenario itself, both tables, provenance.
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FieldDiff } from './compare.js';
import type { OpResult, PredictedOpResult } from './observation.js';
import type { Scenario } from './scenario.js';

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

export function saveCounterexample(ce: KernelCounterexample, dir = KERNEL_CE_DIR): string {
  mkdirSync(dir, { recursive: true });
  const hash = createHash('sha256').update(JSON.stringify(ce.scenario)).digest('hex').slice(0, 12);
  const file = join(dir, `${hash}.json`);
  writeFileSync(file, `${JSON.stringify(ce, null, 2)}\n`);
  return file;
}

export function loadCounterexamples(dir = KERNEL_CE_DIR): { file: string; ce: KernelCounterexample }[] {
  let names: string[] = [];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.json'));
  } catch {
    return [];
  }
  return names.map((n) => ({ file: join(dir, n), ce: JSON.parse(readFileSync(join(dir, n), 'utf8')) as KernelCounterexample }));
}
