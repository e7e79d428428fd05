// SPDX-License-Identifier: GPL-2.0-only
// Broken copies of model source files, made at test time: each named file is
// copied with a few exact text replacements (each must occur exactly once, so
// a change to the original fails loudly instead of testing nothing), and the
// copy is imported in-process. Relative imports between copied files stay
// relative (the copies keep the repository layout); every other relative
// import points back at the original, so module state (the current mm, the
// registry) is shared with the rest of the run.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { CheckTarget } from '../../src/check/index.js';
import type { KernelOutcome, World } from '../../src/pte/index.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** One replacement: the exact original text and what the broken copy has instead. */
export type Edit = readonly [from: string, to: string];

export interface Patch {
  /** Repository-relative source files to copy, with their edits (may be none). */
  readonly files: Readonly<Record<string, readonly Edit[]>>;
  /** A module text written next to the copies (repository layout) that exports change_protection(world). */
  readonly entry?: string;
  /** Otherwise: which copied file exports change_protection(world). */
  readonly entryFile?: string;
}

function rewriteImports(text: string, file: string, copied: ReadonlySet<string>): string {
  // Import specifiers of our own TypeScript sources: `from './x.js'` / `from '../y/index.js'`.
  return text.replace(/from '(\.{1,2}\/[^']+)\.js'/g, (whole, spec: string) => {
    const target = join(dirname(file), `${spec}.ts`);
    if (copied.has(target)) return whole;
    return `from '${pathToFileURL(join(ROOT, target)).href}'`;
  });
}

function applyEdits(text: string, file: string, edits: readonly Edit[]): string {
  let out = text;
  for (const [from, to] of edits) {
    const at = out.indexOf(from);
    if (at < 0 || out.indexOf(from, at + 1) >= 0)
      throw new Error(`patch site in ${file} must occur exactly once: ${JSON.stringify(from.slice(0, 80))}`);
    out = out.slice(0, at) + to + out.slice(at + from.length);
  }
  return out;
}

/** Writes the broken copy and returns it as a check target (batched, no declared drift). */
export async function patchedTarget(name: string, patch: Patch): Promise<CheckTarget> {
  const dir = mkdtempSync(join(tmpdir(), `mprotect-spec-${name}-`));
  const copied = new Set(Object.keys(patch.files));
  for (const [file, edits] of Object.entries(patch.files)) {
    const text = applyEdits(readFileSync(join(ROOT, file), 'utf8'), file, edits);
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), rewriteImports(text, file, copied));
  }
  let entry = patch.entryFile;
  if (patch.entry !== undefined) {
    entry = 'properties/generator/entry.ts';
    mkdirSync(dirname(join(dir, entry)), { recursive: true });
    writeFileSync(join(dir, entry), rewriteImports(patch.entry, entry, copied));
  }
  if (entry === undefined) throw new Error('a patch needs entry or entryFile');
  const mod = (await import(pathToFileURL(join(dir, entry)).href)) as { change_protection: (w: World) => KernelOutcome };
  return { name, batching: 'batched', run: (w: World) => mod.change_protection(w) };
}
