// Turns the command line's target choice into target specs a job worker can
// open, and, for --in-process, into targets in this thread. A new kind of
// target (such as a kernel tree's C) is one more branch here.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type CheckTarget, variantTarget } from '../../check/index.js';
import { BASELINE_VARIANT, getVariant, type Variant } from '../../kernel/index.js';
import { PROJECT_ROOT } from '../../store/index.js';
import { loadCandidate } from '../candidate.js';
import { UsageError } from '../errors.js';
import { shellWord } from '../options.js';
import type { TargetSpec } from './plan.js';

export interface TargetChoice {
  readonly variants: readonly string[];
  readonly impl?: string;
  readonly batching: CheckTarget['batching'];
  readonly lookup?: (name: string) => Variant;
}

/** The variants named (default: the baseline when nothing else is chosen). */
export function chosenVariants(o: TargetChoice): Variant[] {
  const names = o.variants.length || o.impl ? o.variants : [BASELINE_VARIANT];
  return names.map((name) => {
    try {
      return (o.lookup ?? getVariant)(name);
    } catch (error) {
      throw new UsageError((error as Error).message.replace(/^unknown kernel variant/, 'unknown variant'));
    }
  });
}

export function targetSpecs(o: TargetChoice, cwd: string): TargetSpec[] {
  const root = fileURLToPath(PROJECT_ROOT);
  const specs: TargetSpec[] = chosenVariants(o).map((v) => ({
    kind: 'module',
    file: join(root, v.file),
    name: v.name,
    batching: v.batching,
    ...(v.drift ? { drift: v.drift } : {}),
    label: `--variant ${v.name} (${v.file})`,
    replayAs: `--variant ${shellWord(v.name)}`,
  }));
  if (o.impl) {
    if (!existsSync(resolve(cwd, o.impl))) throw new UsageError(`--impl ${o.impl}: no such file`);
    specs.push({
      kind: 'module',
      file: resolve(cwd, o.impl),
      name: `impl:${o.impl}`,
      batching: o.batching,
      label: `--impl ${o.impl}`,
      replayAs: `--impl ${shellWord(o.impl)}`,
    });
  }
  return specs;
}

/**
 * Targets for --in-process: registered variants run as functions in this
 * thread; an --impl candidate still runs in its own worker (candidate.ts).
 */
export function inProcessTargets(o: TargetChoice, caseTimeoutMs: number): { targets: CheckTarget[]; close: () => Promise<void> } {
  const variants = chosenVariants(o);
  const targets: CheckTarget[] = variants.map(variantTarget);
  const closers: (() => Promise<void>)[] = [];
  if (o.impl) {
    const c = loadCandidate(o.impl, { caseTimeoutMs, batching: o.batching });
    closers.push(c.close);
    targets.push(c);
  }
  return { targets, close: async () => void (await Promise.all(closers.map((f) => f()))) };
}
