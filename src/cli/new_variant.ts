// SPDX-License-Identifier: GPL-2.0-only
// `mprotect-spec new-variant NAME [--from falcato-v3]`: copies a variant into a
// new file, registers it in src/kernel/registry.ts, and says what to edit.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BASELINE_VARIANT, getVariant, VARIANTS, type Variant } from '../kernel/index.js';
import { PROJECT_ROOT } from '../store/index.js';
import { EXIT_OK, UsageError } from './errors.js';
import type { Io } from './io.js';

export interface NewVariantOptions {
  readonly name: string;
  readonly from: string;
  /** Repository root to write into (tests use a copy). */
  readonly root?: string;
  /** Write a stand-alone copy here instead (outside any checkout), importing this package by name. */
  readonly out?: string;
}

/** The import paths a variant file uses, and the package names an out-of-tree copy uses instead. */
const PACKAGE_IMPORTS: readonly (readonly [string, string])[] = [
  ["'../../pte/index.js'", "'mprotect-spec/pte'"],
  ["'../lib/index.js'", "'mprotect-spec/kernel'"],
];

/** A variant's source with its in-tree imports replaced by the package's names. */
export function outOfTreeSource(source: string): string {
  let out = source;
  for (const [from, to] of PACKAGE_IMPORTS) out = out.split(`from ${from}`).join(`from ${to}`);
  return out;
}

function writeOutOfTree(o: NewVariantOptions, out: string, source: string, io: Io): number {
  const target = resolve(io.cwd, out);
  if (existsSync(target)) throw new UsageError(`--out ${out}: already exists`);
  if (!existsSync(dirname(target))) throw new UsageError(`--out ${out}: the directory ${dirname(target)} does not exist`);
  const header = [
    `// Variant ${o.name}: a stand-alone copy of ${o.from} made by \`mprotect-spec new-variant --out\`.`,
    '// It imports the kernel primitives and world types from the mprotect-spec',
    '// package by name, so it can live anywhere. Port your patch into the',
    '// functions below (keep kernel names, parameter order and branch order).',
    '//',
  ].join('\n');
  writeFileSync(target, `${header}\n${outOfTreeSource(readFileSync(source, 'utf8'))}`, { flag: 'wx' });
  const lines = [
    `created ${out} (a copy of ${o.from}, importing mprotect-spec/kernel and mprotect-spec/pte)`,
    '',
    'next:',
    `  1. edit ${out}: port your patch;`,
    `  2. npx mprotect-spec check --impl ${out}`,
  ];
  io.out(`${lines.join('\n')}\n`);
  return EXIT_OK;
}

const NAME = /^[a-z0-9][a-z0-9._-]*$/i;

const quote = (text: string) => `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

/**
 * The registry with the new variant added: a line in MODULES (in path order)
 * and an entry at the end of the upstream list that copies every field of the
 * variant it comes from (baseline, verdict, batching, drift), so an untouched
 * copy is judged exactly like its source. Null if the registry's shape is not
 * recognised.
 */
export function registerIn(registry: string, name: string, from: Variant): string | null {
  const table = registry.indexOf('const MODULES');
  const open = table < 0 ? -1 : registry.indexOf('{\n', table);
  const close = open < 0 ? -1 : registry.indexOf('\n};', open);
  const list = registry.indexOf('export const VARIANTS');
  const end = list < 0 ? -1 : registry.indexOf('\n]);', list);
  if (open < 0 || close < 0 || end < 0) return null;
  const lines = registry
    .slice(open + 2, close + 1)
    .split('\n')
    .filter((l) => l.trim() !== '');
  const line = `  ${quote(name)}: () => import(${quote(`./variants/${name}.js`)}),`;
  const pathOf = (l: string) => l.slice(l.indexOf('import('));
  const at = lines.findIndex((l) => pathOf(l) > pathOf(line));
  lines.splice(at < 0 ? lines.length : at, 0, line);
  const entry = [
    '  {',
    `    name: ${quote(name)},`,
    `    file: ${quote(`src/kernel/variants/${name}.ts`)},`,
    "    upstream: 'TODO: the patch or list thread this variant models',",
    `    baseline: ${quote(from.name)},`,
    `    verdict: ${quote(from.verdict)},`,
    ...(from.breaks ? [`    breaks: ${quote(from.breaks)},`] : []),
    `    batching: ${quote(from.batching)},`,
    ...(from.drift?.length ? [`    drift: [${from.drift.map(quote).join(', ')}],`] : []),
    "    description: 'TODO: what the patch changes, in one or two sentences.',",
    `    run: runOf(${quote(name)}),`,
    '  },',
  ].join('\n');
  // the gallery comment, if any, stays last in the list
  const gallery = registry.lastIndexOf('\n  // The known-bug gallery', end);
  const insertAt = gallery > list ? gallery : end;
  const withEntry = `${registry.slice(0, insertAt)}\n${entry}${registry.slice(insertAt)}`;
  return `${withEntry.slice(0, open + 2)}${lines.join('\n')}\n${withEntry.slice(close + 1)}`;
}

export function runNewVariant(o: NewVariantOptions, io: Io): number {
  if (!NAME.test(o.name)) throw new UsageError(`variant name must be letters, digits, '.', '_' or '-', got '${o.name}'`);
  if (VARIANTS.some((v) => v.name === o.name)) throw new UsageError(`a variant called '${o.name}' is already registered`);
  let from: ReturnType<typeof getVariant>;
  try {
    from = getVariant(o.from);
  } catch (error) {
    throw new UsageError(`--from: ${(error as Error).message}`);
  }
  const root = o.root ? resolve(io.cwd, o.root) : fileURLToPath(PROJECT_ROOT);
  const source = join(root, from.file);
  if (o.out !== undefined)
    return writeOutOfTree(o, o.out, existsSync(source) ? source : join(fileURLToPath(PROJECT_ROOT), from.file), io);
  const file = `src/kernel/variants/${o.name}.ts`;
  const target = join(root, file);
  const registryFile = join(root, 'src/kernel/registry.ts');
  if (!existsSync(source)) throw new UsageError(`--from ${o.from}: ${source} not found`);
  if (existsSync(target)) throw new UsageError(`${file} already exists`);
  const header = [
    `// Variant ${o.name}: a copy of ${o.from} made by \`mprotect-spec new-variant\`.`,
    '// TODO: name the patch this variant models, then port it into the functions',
    '// below (keep kernel names, parameter order and branch order).',
    '//',
  ].join('\n');
  writeFileSync(target, `${header}\n${readFileSync(source, 'utf8')}`, { flag: 'wx' });
  const registered = existsSync(registryFile) ? registerIn(readFileSync(registryFile, 'utf8'), o.name, from) : null;
  if (registered) writeFileSync(registryFile, registered);
  const lines = [
    `created ${file} (a copy of ${o.from})`,
    registered
      ? `registered it in src/kernel/registry.ts (verdict: ${from.verdict}, as ${o.from})`
      : `could not find where to register it in src/kernel/registry.ts: add an import of ./variants/${o.name}.js and an entry to VARIANTS by hand`,
    '',
    'next:',
    `  1. edit ${file}: port your patch to change_pte_range() and the helpers it`,
    '     calls (primitives such as folio_pte_batch_flags live in src/kernel/lib/);',
    '  2. fill in upstream and description in src/kernel/registry.ts;',
    `  3. npx mprotect-spec check --variant ${o.name}`,
    `     (or, without registering: npx mprotect-spec check --impl ${file})`,
    '',
    `baseline for comparison: ${BASELINE_VARIANT}; see README "Validate a patch in five minutes".`,
  ];
  io.out(`${lines.join('\n')}\n`);
  return EXIT_OK;
}
