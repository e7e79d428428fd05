// SPDX-License-Identifier: GPL-2.0-only
// `check --kernel DIR [--patch FILE ...]`: the tree's own mm/mprotect.c,
// patched in a temporary copy, extracted (src/realc/extract) and compiled
// with the shim (src/realc/harness) once here, so a tree the extractor or the
// compiler cannot take is exit 2 before any case runs. Each job worker then
// opens the cached build as its own target.
import { basename, resolve } from 'node:path';
import { BuildError, kernelTarget } from '../../realc/index.js';
import { UsageError } from '../errors.js';
import { extractForCli } from '../extract.js';
import type { Io } from '../io.js';
import type { KernelChoice } from './targets.js';

export interface KernelOptions {
  readonly kernel: string;
  readonly patches: readonly string[];
  readonly shim?: string;
  readonly sanitize?: boolean;
}

export interface PreparedKernel {
  readonly choice: KernelChoice;
  /** Lines for the report's head: tree, patches, API vocabulary, what was extracted and built. */
  readonly describe: readonly string[];
}

export async function prepareKernel(o: KernelOptions, io: Io): Promise<PreparedKernel> {
  const x = await extractForCli({ kernel: o.kernel, patches: o.patches, ...(o.shim !== undefined ? { shim: o.shim } : {}) }, io);
  const name = `kernel:${x.tree}${x.patches.map((p) => ` + ${basename(p.file)}`).join('')}`;
  let built: ReturnType<typeof kernelTarget>;
  try {
    built = kernelTarget({ tu: x.extraction.source, name, ...(o.sanitize ? { sanitize: true } : {}) });
  } catch (error) {
    if (error instanceof BuildError) throw new UsageError(`--kernel ${o.kernel}: ${error.message}`);
    throw error;
  }
  built.dispose();
  const describe = [
    `kernel tree: ${x.tree === resolve(io.cwd, o.kernel) ? x.tree : `${x.tree} (${resolve(io.cwd, o.kernel)})`}`,
    ...x.patches.map((p) => `  patch: ${p.file}${p.subject ? `: ${p.subject}` : ''}`),
    `  API: ${x.extraction.vocabulary.join(', ')}; ${built.batching}; ${built.generation}${built.drift ? ` (drift ${built.drift.join(',')})` : ''}`,
    `  extracted ${x.extraction.functions.length} functions from ${x.extraction.filesRead.join(', ')}; build ${built.build.cached ? 'cached' : `${Math.round(built.build.ms)} ms`}`,
  ];
  return {
    choice: {
      dir: o.kernel,
      patches: o.patches,
      name,
      tu: x.extraction.source,
      batching: built.batching,
      ...(built.drift ? { drift: built.drift } : {}),
      sanitize: Boolean(o.sanitize),
    },
    describe,
  };
}
