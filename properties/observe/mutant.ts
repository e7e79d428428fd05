// SPDX-License-Identifier: GPL-2.0-only
// Deliberately broken candidates for the relation tests: a correct variant's
// source with one small textual edit, written to a temporary file and loaded
// like any candidate. The edit must match exactly once, so a change to the
// variant that moves the edited line fails loudly here instead of testing a
// candidate that is no longer broken. A kernel-lib file can be edited the same
// way (`deps`); the variant's edits then name the edited copy as {{key}}.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { CheckTarget } from '../../src/check/index.js';
import type { KernelOutcome, World } from '../../src/pte/index.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export interface Edit {
  readonly from: string;
  readonly to: string;
}

export interface Dep {
  readonly key: string;
  readonly file: string;
  readonly edits: readonly Edit[];
}

/** `file` (relative to the repository) with the edits applied, written under `dir`; returns its path. */
function writeEdited(dir: string, file: string, edits: readonly Edit[], names: Record<string, string>): string {
  const path = join(ROOT, file);
  let text = readFileSync(path, 'utf8');
  for (const e of edits) {
    const at = text.indexOf(e.from);
    if (at < 0 || text.indexOf(e.from, at + 1) >= 0) throw new Error(`an edit must match ${file} exactly once: ${e.from}`);
    const to = e.to.replace(/\{\{(\w+)\}\}/g, (_, key: string) => names[key] ?? `{{${key}}}`);
    text = text.slice(0, at) + to + text.slice(at + e.from.length);
  }
  // Relative imports point back into the repository from the temporary copy.
  text = text.replace(/from '(\.\.?\/[^']+)\.js'/g, (_, rel: string) => `from '${resolve(dirname(path), rel)}.ts'`);
  const out = join(dir, file.replaceAll('/', '__'));
  writeFileSync(out, text);
  return out;
}

/** `file` with every edit applied once, as a batched target named `name`. */
export async function mutant(
  name: string,
  file: string,
  edits: readonly Edit[],
  deps: readonly Dep[] = [],
): Promise<CheckTarget> {
  const dir = mkdtempSync(join(tmpdir(), `mprotect-mutant-${name}-`));
  const names: Record<string, string> = {};
  for (const d of deps) names[d.key] = writeEdited(dir, d.file, d.edits, names);
  const out = writeEdited(dir, file, edits, names);
  const mod = (await import(pathToFileURL(out).href)) as { change_protection: (w: World) => KernelOutcome };
  return { name, batching: 'batched', run: mod.change_protection };
}
