// Deliberately broken candidates for the relation tests: a correct variant's
// source with one small textual edit, written to a temporary file and loaded
// like any candidate. The edit must match exactly once, so a change to the
// variant that moves the edited line fails loudly here instead of testing a
// candidate that is no longer broken.
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

/** `file` (relative to the repository) with every edit applied once, as a batched target named `name`. */
export async function mutant(name: string, file: string, edits: readonly Edit[]): Promise<CheckTarget> {
  const path = join(ROOT, file);
  let text = readFileSync(path, 'utf8');
  for (const e of edits) {
    const at = text.indexOf(e.from);
    if (at < 0 || text.indexOf(e.from, at + 1) >= 0) throw new Error(`edit for ${name} must match ${file} exactly once`);
    text = text.slice(0, at) + e.to + text.slice(at + e.from.length);
  }
  // Relative imports point back into the repository from the temporary copy.
  text = text.replace(/from '(\.\.?\/[^']+)\.js'/g, (_, rel: string) => `from '${resolve(dirname(path), rel)}.ts'`);
  const out = join(mkdtempSync(join(tmpdir(), 'mprotect-mutant-')), `${name}.ts`);
  writeFileSync(out, text);
  const mod = (await import(pathToFileURL(out).href)) as { change_protection: (w: World) => KernelOutcome };
  return { name, batching: 'batched', run: mod.change_protection };
}
