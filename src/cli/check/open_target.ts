// SPDX-License-Identifier: GPL-2.0-only
// Loads a target module (a registered variant's file or an --impl candidate)
// in the thread that will run it, and names what is wrong with it.
import { pathToFileURL } from 'node:url';
import type { CheckTarget } from '../../check/index.js';
import type { KernelOutcome, World } from '../../pte/index.js';
import { BuildError, kernelTarget } from '../../realc/index.js';
import type { ModuleSpec, TargetSpec } from './plan.js';

/** What a target's call to process.exit() becomes while it runs: a throw the checker reports and shrinks. */
export class CandidateExit extends Error {
  constructor(readonly code: number | string | null | undefined) {
    super(`called process.exit(${code ?? ''}), which would have ended the check`);
    this.name = 'CandidateExit';
  }
}

/** Why a module cannot be a target; the CLI turns it into exit 2. */
export class TargetLoadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TargetLoadError';
  }
}

/**
 * Imports a target module as ESM wherever it lives (src/cli/self_resolve.mjs,
 * registered by the CLI and its workers, makes a .ts file outside a
 * `"type": "module"` package load as ESM and resolves this package by name).
 */
export async function importModule(file: string): Promise<Record<string, unknown>> {
  return (await import(pathToFileURL(file).href)) as Record<string, unknown>;
}

/** A target and how to let go of it (a kernel target's child process). */
export interface OpenedTarget {
  readonly target: CheckTarget;
  readonly dispose: () => void;
}

export async function openTarget(spec: TargetSpec): Promise<OpenedTarget> {
  if (spec.kind === 'kernel') {
    try {
      const t = kernelTarget({
        tu: spec.tu,
        name: spec.name,
        batching: spec.batching,
        sanitize: spec.sanitize,
        timeoutS: spec.timeoutS,
      });
      return { target: t, dispose: t.dispose };
    } catch (error) {
      throw new TargetLoadError(`${spec.label}: ${error instanceof BuildError ? error.message : String(error)}`);
    }
  }
  return { target: await openModule(spec), dispose: () => {} };
}

async function openModule(spec: ModuleSpec): Promise<CheckTarget> {
  let mod: Record<string, unknown>;
  try {
    mod = await importModule(spec.file);
  } catch (error) {
    const e = error as Error;
    throw new TargetLoadError(`${spec.label}: the module failed to load: ${e.name}: ${e.message}`);
  }
  const fn = mod.change_protection;
  if (typeof fn !== 'function')
    throw new TargetLoadError(
      `${spec.label}: the module must export a function change_protection(world: World): KernelOutcome ` +
        `(its change_protection is ${typeof fn}; it exports: ${Object.keys(mod).sort().join(', ') || 'nothing'})`,
    );
  return {
    name: spec.name,
    batching: spec.batching,
    ...(spec.drift ? { drift: spec.drift } : {}),
    run: (world) => {
      // process.exit() inside the target throws instead, so the case is a divergence fast-check can shrink
      const exit = process.exit;
      process.exit = ((code?: number | string | null) => {
        throw new CandidateExit(code);
      }) as typeof process.exit;
      try {
        // called as a plain function, so a stack names `change_protection`, not a method of this object
        return (fn as (world: World) => KernelOutcome)(world);
      } finally {
        process.exit = exit;
      }
    },
  };
}
