// `mprotect-spec new-variant NAME [--from falcato-v3]`: copies a variant into a
// new file, registers it in src/kernel/registry.ts, and says what to edit.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BASELINE_VARIANT, getVariant, VARIANTS } from '../kernel/index.js';
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
const identifier = (name: string) => {
  const id = name.replace(/[^A-Za-z0-9_]/g, '_');
  return /^[0-9]/.test(id) ? `v${id}` : id;
};

/** The registry with an import and an entry for the new variant, or null if its shape is not recognised. */
export function registerIn(registry: string, name: string, from: string): string | null {
  const id = identifier(name);
  const imports = [...registry.matchAll(/^import \* as \w+ from '\.\/variants\/[^']+';\n/gm)];
  const last = imports.at(-1);
  const listStart = registry.indexOf('export const VARIANTS');
  const close = listStart < 0 ? null : /^\]\);/m.exec(registry.slice(listStart));
  if (!last || last.index === undefined || !close) return null;
  const at = last.index + last[0].length;
  const withImport = `${registry.slice(0, at)}import * as ${id} from './variants/${name}.js';\n${registry.slice(at)}`;
  const entry = [
    '  {',
    `    name: '${name}',`,
    `    file: 'src/kernel/variants/${name}.ts',`,
    `    upstream: 'TODO: the patch or list thread this variant models',`,
    `    baseline: '${from}',`,
    `    verdict: 'equivalent',`,
    `    description: 'TODO: what the patch changes, in one or two sentences.',`,
    `    run: ${id}.change_protection,`,
    '  },',
    '',
  ].join('\n');
  const listAt = withImport.indexOf('export const VARIANTS');
  const closeAt = listAt + (/^\]\);/m.exec(withImport.slice(listAt))?.index ?? 0);
  return `${withImport.slice(0, closeAt)}${entry}${withImport.slice(closeAt)}`;
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
  const registered = existsSync(registryFile) ? registerIn(readFileSync(registryFile, 'utf8'), o.name, o.from) : null;
  if (registered) writeFileSync(registryFile, registered);
  const lines = [
    `created ${file} (a copy of ${o.from})`,
    registered
      ? 'registered it in src/kernel/registry.ts (verdict: equivalent)'
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
