// SPDX-License-Identifier: GPL-2.0-only
// The counterexample corpus: counterexamples/<property>/<signature-hash>.json.
// Reads are validated (zod, then the world rules of src/pte); writes are atomic
// (temp file + link) and never overwrite an existing file.
import { createHash, randomBytes } from 'node:crypto';
import {
  existsSync,
  linkSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildWorld, type Layout, layoutOf } from '../arbitraries/index.js';
import type { Mismatch } from '../observe/index.js';
import { _PAGE_ACCESSED, checkWorld, deepFreeze, type KernelOutcome, type Pte, type World } from '../pte/index.js';
import { CORPUS_SCHEMA_VERSION, type CorpusFile, corpusFileSchema, describeZodError } from './schema.js';
import { PROJECT_ROOT } from './versions.js';

/** The committed corpus of this repository. */
/** The corpus directory the CLI uses by default, relative to the current directory. */
export const CORPUS_DIR_NAME = 'counterexamples';

/** This checkout's own corpus (what `npm test` replays). */
export const DEFAULT_CORPUS_DIR: string = fileURLToPath(new URL('counterexamples/', PROJECT_ROOT));

/** Folders of the corpus directory that are not ours (the oracle's recordings). */
const FOREIGN_DIRS = new Set(['kernel']);

/** One stored counterexample, validated, with its world frozen. */
export interface CorpusEntry {
  readonly file: string;
  readonly data: CorpusFile & { readonly world: World };
}

/** A file that could not be read: its path and what is wrong, naming the field. */
export interface CorpusReadError {
  readonly file: string;
  readonly message: string;
}

export interface CorpusLoad {
  readonly entries: readonly CorpusEntry[];
  readonly errors: readonly CorpusReadError[];
}

export class CorpusError extends Error {
  constructor(
    readonly file: string,
    detail: string,
  ) {
    super(`${file}: ${detail}`);
    this.name = 'CorpusError';
  }
}

/** Reads and validates one corpus file; throws CorpusError naming the file and the field. */
export function readCorpusFile(file: string): CorpusEntry {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new CorpusError(file, `cannot read (${(error as Error).message})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    const truncated = text.trim().length === 0 || !/[}\]]\s*$/.test(text);
    throw new CorpusError(file, `not valid JSON${truncated ? ' (truncated?)' : ''}: ${(error as Error).message}`);
  }
  const parsed = corpusFileSchema.safeParse(json);
  if (!parsed.success) throw new CorpusError(file, `does not match the corpus schema: ${describeZodError(parsed.error)}`);
  const data = migrate(parsed.data);
  const problems = checkWorld(data.world as World);
  if (problems.length) {
    const p = problems[0]!;
    throw new CorpusError(file, `field 'world.${p.field}': ${p.message} [${p.rule}]`);
  }
  return { file, data: deepFreeze(data) as CorpusEntry['data'] };
}

/**
 * Brings an older file up to CORPUS_SCHEMA_VERSION. 1 -> 2: the VMA's
 * vm_page_prot gains _PAGE_ACCESSED (W-VMA.6), which every PAGE_* protection
 * has. pte_modify() keeps the old entry's accessed bit, so only a huge PMD
 * split reads it (young PTEs from a young PMD); a changed verdict there is
 * what `replay` reports. The repository's own version-1 files held no huge PMD.
 */
function migrate(data: CorpusFile): CorpusFile {
  if (data.schemaVersion === CORPUS_SCHEMA_VERSION) return data;
  const vma = data.world.vma;
  return {
    ...data,
    schemaVersion: CORPUS_SCHEMA_VERSION,
    world: { ...data.world, vma: { ...vma, vm_page_prot: vma.vm_page_prot | _PAGE_ACCESSED } },
  };
}

/** Every *.json file under the given paths (files or directories), sorted, skipping foreign folders. */
export function corpusFiles(paths: readonly string[]): string[] {
  const out: string[] = [];
  const walk = (p: string, top: boolean) => {
    if (!existsSync(p)) {
      if (top) throw new CorpusError(p, 'no such file or directory');
      return;
    }
    if (statSync(p).isDirectory()) {
      for (const name of readdirSync(p).sort()) {
        if (name.startsWith('.') || name === '_new' || (top && FOREIGN_DIRS.has(name))) continue;
        walk(join(p, name), false);
      }
    } else if (top || p.endsWith('.json')) out.push(p);
  };
  for (const p of paths) walk(p, true);
  return out.sort();
}

/**
 * The corpus reader: every stored counterexample under `dir` (default: the
 * repository's counterexamples/). Malformed files are returned in `errors`,
 * never thrown, so one bad file does not hide the others.
 */
export function loadCorpus(dir: string = DEFAULT_CORPUS_DIR): CorpusLoad {
  const entries: CorpusEntry[] = [];
  const errors: CorpusReadError[] = [];
  if (!existsSync(dir)) return { entries, errors };
  for (const file of corpusFiles([dir])) {
    try {
      entries.push(readCorpusFile(file));
    } catch (error) {
      errors.push({ file, message: (error as Error).message });
    }
  }
  return { entries, errors };
}

/**
 * The stored world in the form fast-check can shrink again: rebuilt from its
 * layout when the current generators still build exactly the stored world,
 * else the stored world itself (which replays, but does not shrink).
 */
export function exampleWorld(entry: CorpusEntry): World {
  const { layout, world } = entry.data;
  if (layout === null) return world;
  try {
    const rebuilt = buildWorld(layout as Layout);
    if (JSON.stringify(rebuilt) === JSON.stringify(world)) return rebuilt;
  } catch {
    // a layout from an older generator: fall back to the stored value
  }
  return world;
}

/** Stored worlds for a property (all properties if omitted), ready for fast-check `examples`. */
export function corpusExamples(property?: string, dir?: string): World[] {
  return loadCorpus(dir)
    .entries.filter((e) => property === undefined || e.data.property === property)
    .map(exampleWorld);
}

// ---------------------------------------------------------------------------
// Writing

export interface Signature {
  readonly hash: string;
  readonly variant: string;
  readonly rules: string[];
  readonly kinds: string[];
  readonly fields: string[];
}

const sortedUnique = (xs: Iterable<string>): string[] => [...new Set(xs)].sort();

/** Flag-level difference of two entries, e.g. ['+W', '-SvD'] (see report/). */
export type FieldDiff = (a: Pte | undefined, b: Pte | undefined) => string[];

/**
 * The failure signature: property, finding target, broken rules, the kinds of
 * the entries involved and the fields that differ. Two shrunk worlds of the
 * same bug share it, so the corpus gets one file per bug, not one per run.
 */
export function signatureOf(property: string, variant: string, mismatches: readonly Mismatch[], diff: FieldDiff): Signature {
  const rules = sortedUnique(mismatches.map((m) => m.rule));
  const kinds = sortedUnique(mismatches.map((m) => m.before?.kind ?? 'call'));
  const fields = sortedUnique(mismatches.flatMap((m) => diff(m.spec, m.variant)));
  const hash = createHash('sha256')
    .update(JSON.stringify({ property, variant, rules, kinds, fields }))
    .digest('hex')
    .slice(0, 12);
  return { hash, variant, rules, kinds, fields };
}

export interface NewCounterexample {
  readonly property: string;
  readonly signature: Signature;
  readonly world: World;
  readonly mismatches: readonly Mismatch[];
  readonly actual: KernelOutcome | null;
  readonly expected: Record<string, 'holds' | 'fails'>;
  readonly provenance: CorpusFile['provenance'];
}

export type SaveStatus = 'saved' | 'exists';

/** Where a counterexample with this signature lives. */
export function corpusPath(dir: string, property: string, hash: string): string {
  return join(dir, property, `${hash}.json`);
}

/** Writes `text` to `file` atomically and only if `file` does not exist. */
export function writeNew(file: string, text: string): SaveStatus {
  if (existsSync(file)) return 'exists';
  const tmp = join(resolve(file, '..'), `.${basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  writeFileSync(tmp, text, { flag: 'wx' });
  try {
    linkSync(tmp, file); // atomic, and fails if the file appeared meanwhile
    return 'saved';
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return 'exists';
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EXDEV') throw error;
    if (existsSync(file)) return 'exists'; // file systems without hard links
    renameSync(tmp, file);
    return 'saved';
  } finally {
    if (existsSync(tmp)) unlinkSync(tmp);
  }
}

/** The JSON text of a corpus file (stable key order, two-space indent). */
export function corpusText(c: NewCounterexample): string {
  const data: CorpusFile = {
    schemaVersion: CORPUS_SCHEMA_VERSION,
    property: c.property,
    signature: c.signature,
    world: c.world as CorpusFile['world'],
    layout: layoutOf(c.world) ?? null,
    mismatches: c.mismatches as CorpusFile['mismatches'],
    actual: c.actual as CorpusFile['actual'],
    expected: c.expected,
    provenance: c.provenance,
  };
  return `${JSON.stringify(data, null, 2)}\n`;
}

/** Saves a counterexample under `dir`; an existing file with the same signature is kept as it is. */
export function saveCounterexample(dir: string, c: NewCounterexample): { file: string; status: SaveStatus } {
  const file = corpusPath(dir, c.property, c.signature.hash);
  mkdirSync(resolve(file, '..'), { recursive: true });
  return { file, status: writeNew(file, corpusText(c)) };
}

/** A path for messages: relative to cwd when inside it. */
export function displayPath(file: string, cwd = process.cwd()): string {
  const rel = relative(cwd, file);
  return rel && !rel.startsWith('..') ? rel : file;
}
