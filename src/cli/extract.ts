// SPDX-License-Identifier: GPL-2.0-only
// `mprotect-spec extract --kernel DIR [--patch FILE ...] [-o FILE]`: the C
// translation unit a kernel tree's page-table half compiles to against the
// shim, with a header saying what came from which file and from the shim.
// Bad input (no mm/mprotect.c, a file that does not parse, no
// change_protection(), a name the shim does not model, a patch that does not
// apply or touches another file) is exit 2 with nothing written.
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { ExtractError, type Extraction, extractTranslationUnit } from '../realc/extract/index.js';
import { applyPatches, describeTree, PatchError, type PatchedTree } from '../realc/patch/index.js';
import { EXIT_OK, UsageError } from './errors.js';
import type { Io } from './io.js';

/** The shim of this repository (src/realc/shim). */
export const DEFAULT_SHIM_DIR = fileURLToPath(new URL('../realc/shim', import.meta.url));

export interface ExtractCliOptions {
  readonly kernel: string;
  readonly patches: readonly string[];
  readonly output?: string;
  readonly shim?: string;
  readonly json: boolean;
}

/** One line per name the shim lacks, in the form the CLI and the check print. */
export function missingMessages(x: Extraction): string[] {
  return x.missingDetail.map((m) => {
    const shown = m.ns === 'tag' ? `struct ${m.name}` : m.name;
    return m.header
      ? `this tree uses ${shown} (${m.usedAt}), a C library name; add ${m.suggest}`
      : `this tree uses ${shown} (${m.usedAt}), which the shim does not model; add it in ${m.suggest}`;
  });
}

/** Extracts (after applying patches to a temporary copy); bad input is a UsageError. */
export async function extractForCli(
  o: { kernel: string; patches: readonly string[]; shim?: string },
  io: Io,
): Promise<{ extraction: Extraction; tree: string; patches: PatchedTree['applied']; ms: number }> {
  const kernel = resolve(io.cwd, o.kernel);
  const shimDir = o.shim ? resolve(io.cwd, o.shim) : DEFAULT_SHIM_DIR;
  const tree = describeTree(kernel).text;
  let patched: PatchedTree | undefined;
  const t0 = performance.now();
  try {
    patched =
      o.patches.length > 0
        ? applyPatches(
            kernel,
            o.patches.map((p) => resolve(io.cwd, p)),
          )
        : undefined;
    const notes = (patched?.applied ?? []).map(
      (p) => `Patched with ${p.file}${p.subject ? `: ${p.subject}` : ''} (line numbers are the patched file's)`,
    );
    const extraction = await extractTranslationUnit({
      treeDir: kernel,
      shimDir,
      ...(patched ? { files: patched.files, displayDir: kernel } : {}),
      notes: [`Tree: ${tree}`, ...notes],
    });
    if (extraction.missing.length > 0) throw new UsageError(missingMessages(extraction).join('\n'));
    return { extraction, tree, patches: patched?.applied ?? [], ms: performance.now() - t0 };
  } catch (error) {
    if (error instanceof ExtractError || error instanceof PatchError) throw new UsageError(error.message);
    throw error;
  } finally {
    patched?.cleanup();
  }
}

export async function runExtract(o: ExtractCliOptions, io: Io): Promise<number> {
  const { extraction: x, tree, patches, ms } = await extractForCli(o, io);
  const lines = x.source.split('\n').length;
  if (o.output) writeFileSync(resolve(io.cwd, o.output), x.source);
  if (o.json) {
    const { source, header, ...meta } = x;
    io.out(
      `${JSON.stringify({ tree, patches, lines, ms: Math.round(ms), ...meta, ...(o.output ? {} : { source }) }, null, 2)}\n`,
    );
  } else if (!o.output) {
    io.out(x.source);
  }
  if (!o.json) {
    io.err(
      `extracted ${x.functions.length} functions, ${x.macros.length} macros, ${x.types.length} types from ${tree}` +
        `${patches.length ? ` + ${patches.length} patch(es)` : ''}: ${lines} lines, ${x.fromShim.length} shim names, ` +
        `vocabulary ${x.vocabulary.join(', ')} (${Math.round(ms)} ms)${o.output ? `; wrote ${o.output}` : ''}\n`,
    );
    for (const w of x.warnings) io.err(`warning: ${w}\n`);
  }
  return EXIT_OK;
}

const collect = (value: string, previous: string[]) => [...previous, value];

/** Adds the `extract` command to the program. */
export function registerExtract(root: Command, io: Io, done: (code: number) => void): void {
  root
    .command('extract')
    .description("print the C translation unit a kernel tree's mm/mprotect.c page-table half compiles to against the shim")
    .requiredOption(
      '--kernel <dir>',
      'a kernel tree (needs mm/mprotect.c; mm/internal.h and include/linux/pgtable.h when present)',
    )
    .option(
      '--patch <file>',
      'apply this patch (mbox, git format-patch or unified diff) to a temporary copy first (repeatable)',
      collect,
      [],
    )
    .option('-o, --output <file>', 'write the translation unit here instead of stdout')
    .option('--shim <dir>', 'shim headers to compile against (default: src/realc/shim of this package)')
    .option('--json', 'machine-readable output: provenance, names, vocabulary (and the source unless -o)')
    .addHelpText(
      'after',
      `
Examples:
  mprotect-spec extract --kernel ~/linux > /tmp/mprotect-tu.c
  mprotect-spec extract --kernel ~/linux --patch 0001-foo.patch -o /tmp/tu.c

Exit codes: 0 printed; 2 bad input (no mm/mprotect.c, a file that does not
parse, no change_protection(), a name the shim does not model, a patch that
does not apply).`,
    )
    .action(async (raw: { kernel: string; patch: string[]; output?: string; shim?: string; json?: boolean }) => {
      done(
        await runExtract(
          {
            kernel: raw.kernel,
            patches: raw.patch,
            ...(raw.output ? { output: raw.output } : {}),
            ...(raw.shim ? { shim: raw.shim } : {}),
            json: Boolean(raw.json),
          },
          io,
        ),
      );
    });
}
