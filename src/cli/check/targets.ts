// SPDX-License-Identifier: GPL-2.0-only
// Turns the command line's target choice into target specs a job worker can
// open, and, for --in-process, into targets in this thread. A new kind of
// target (such as a kernel tree's C) is one more branch here.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type CheckTarget, variantTarget } from '../../check/index.js';
import { BASELINE_VARIANT, getVariant, loadErrorOf, type Variant } from '../../kernel/index.js';
import { kernelTarget } from '../../realc/index.js';
import { wrap } from '../../report/text.js';
import { PROJECT_ROOT } from '../../store/index.js';
import { loadCandidate } from '../candidate.js';
import { UsageError } from '../errors.js';
import { shellWord } from '../options.js';
import type { KernelSpec, TargetSpec } from './plan.js';

export interface TargetChoice {
  readonly variants: readonly string[];
  readonly impl?: string;
  /** A kernel tree's C, extracted (check --kernel). */
  readonly kernel?: KernelChoice;
  readonly batching: CheckTarget['batching'];
  readonly lookup?: (name: string) => Variant;
}

/** A kernel tree (with patches) as the CLI named it, and its extracted translation unit. */
export interface KernelChoice {
  readonly dir: string;
  readonly patches: readonly string[];
  /** What the report calls it: `git describe` of the tree and the patch files. */
  readonly name: string;
  readonly tu: string;
  readonly batching: CheckTarget['batching'];
  readonly drift?: readonly string[];
  readonly sanitize: boolean;
}

/** The variants named (default: the baseline when nothing else is chosen). */
export function chosenVariants(o: TargetChoice): Variant[] {
  const names = o.variants.length || o.impl || o.kernel ? o.variants : [BASELINE_VARIANT];
  return names.map((name) => {
    let v: Variant;
    try {
      v = (o.lookup ?? getVariant)(name);
    } catch (error) {
      const message = (error as Error).message.replace(/^unknown kernel variant/, 'unknown variant');
      const [head, known] = message.split('; known: ');
      if (known === undefined) throw new UsageError(message);
      throw new UsageError(`${head}; known (see \`list\`):\n${wrap(`  ${known}`, 78, '  ').join('\n')}`);
    }
    const failed = loadErrorOf(v.name);
    if (failed !== null) throw new UsageError(`--variant ${v.name} (${v.file}) failed to load: ${failed}`);
    return v;
  });
}

export function targetSpecs(o: TargetChoice, cwd: string, caseTimeoutMs = 5000): TargetSpec[] {
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
  if (o.kernel) specs.push(kernelSpec(o.kernel, caseTimeoutMs));
  return specs;
}

/** Seconds the C child may spend on one case: within the per-case time limit of the job worker. */
export const kernelCaseSeconds = (caseTimeoutMs: number): number => Math.max(1, Math.floor(caseTimeoutMs / 2000));

export function kernelSpec(k: KernelChoice, caseTimeoutMs = 5000): KernelSpec {
  const patches = k.patches.map((p) => ` --patch ${shellWord(p)}`).join('');
  return {
    kind: 'kernel',
    tu: k.tu,
    name: k.name,
    batching: k.batching,
    ...(k.drift ? { drift: k.drift } : {}),
    sanitize: k.sanitize,
    timeoutS: kernelCaseSeconds(caseTimeoutMs),
    label: `--kernel ${k.dir}`,
    replayAs: `--kernel ${shellWord(k.dir)}${patches}`,
  };
}

/**
 * Targets for --in-process: registered variants run as functions in this
 * thread; an --impl candidate still runs in its own worker (candidate.ts).
 */
export function inProcessTargets(o: TargetChoice, caseTimeoutMs: number): { targets: CheckTarget[]; close: () => Promise<void> } {
  const variants = chosenVariants(o);
  const targets: CheckTarget[] = variants.map(variantTarget);
  const closers: (() => Promise<void>)[] = [];
  if (o.kernel) {
    const t = kernelTarget({
      tu: o.kernel.tu,
      name: o.kernel.name,
      batching: o.kernel.batching,
      sanitize: o.kernel.sanitize,
      timeoutS: kernelCaseSeconds(caseTimeoutMs),
    });
    closers.push(async () => t.dispose());
    targets.push(t);
  }
  if (o.impl) {
    const c = loadCandidate(o.impl, { caseTimeoutMs, batching: o.batching });
    closers.push(c.close);
    targets.push(c);
  }
  return { targets, close: async () => void (await Promise.all(closers.map((f) => f()))) };
}
