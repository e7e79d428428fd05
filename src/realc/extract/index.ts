// SPDX-License-Identifier: GPL-2.0-only
// Extraction: the page-table half of a kernel tree's mm/mprotect.c (with the
// helpers it reaches in mm/internal.h and include/linux/pgtable.h) as one C
// translation unit that compiles against the shim. See docs in REAL-C design
// notes; each step lives in its own file:
//   parser.ts      tree-sitter C, loaded once per process
//   attributes.ts  attribute macros blanked before parsing
//   definitions.ts what a file defines, with the conditionals around it
//   conditions.ts  #if/#ifdef decided against config.ts (or refused)
//   shim.ts        the names the shim defines (the model boundary)
//   references.ts  what a definition uses (bodies, macro bodies, ## pastes)
//   reach.ts       the walk from change_protection()
//   emit.ts        the translation unit text
import { existsSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { ConditionEvaluator } from './conditions.js';
import { X86_64_ARCH_MACROS, X86_64_CONFIG, X86_64_UNDEFINED } from './config.js';
import { collectDefinitions, type Definition } from './definitions.js';
import { emitDefinitions } from './emit.js';
import { ExtractError } from './errors.js';
import { loadParser, type ParsedFile, parseC } from './parser.js';
import { type Missing, walk } from './reach.js';
import { readShim, type Shim } from './shim.js';
import { visitTokens } from './tokens.js';
import { detectVocabulary } from './vocabulary.js';

export { ExtractError } from './errors.js';

export type KernelFileKey = 'mprotect' | 'internal' | 'pgtable';

/** The three files read, headers first (the order definitions are emitted in). */
export const KERNEL_FILES: readonly { key: KernelFileKey; path: string; required: boolean }[] = [
  { key: 'pgtable', path: 'include/linux/pgtable.h', required: false },
  { key: 'internal', path: 'mm/internal.h', required: false },
  { key: 'mprotect', path: 'mm/mprotect.c', required: true },
];

/** The entry point the harness calls, as the tree defines it. */
export const ROOT_FUNCTION = 'change_protection';

/** The page-table walk a tree is expected to have; a missing one is a warning. */
export const EXPECTED_WALK = [
  'change_protection_range',
  'change_p4d_range',
  'change_pud_range',
  'change_pmd_range',
  'change_pte_range',
];

export interface Located {
  readonly name: string;
  /** Kernel-relative path, e.g. `mm/mprotect.c`. */
  readonly file: string;
  readonly line: number;
}

export interface Extraction {
  /** The complete translation unit. */
  readonly source: string;
  /** The provenance comment at the top of `source`. */
  readonly header: string;
  readonly roots: string[];
  readonly functions: Located[];
  readonly macros: Located[];
  /** typedefs, struct/union/enum tags (as `struct X`), enum constants, globals. */
  readonly types: (Located & { kind: string })[];
  /** Model names the extracted code uses (tags as `struct X`). */
  readonly fromShim: string[];
  /** C library names used (resolved through headers the shim includes). */
  readonly libc: string[];
  readonly vocabulary: string[];
  /** Names used but defined neither in the kernel files nor in the shim (tags as `struct X`). */
  readonly missing: string[];
  readonly missingDetail: (Missing & { suggest: string })[];
  readonly warnings: string[];
  /** The kernel files read, kernel-relative, headers first. */
  readonly filesRead: string[];
}

export interface ExtractOptions {
  readonly treeDir: string;
  readonly shimDir: string;
  /** Where to read each file instead of `treeDir/<kernel path>` (e.g. a patched copy). */
  readonly files?: Partial<Record<KernelFileKey, string>>;
  /** What `#line` markers name as the directory of the files (default: the directory read). */
  readonly displayDir?: string;
  /** Extra lines for the provenance header (e.g. the patches applied). */
  readonly notes?: readonly string[];
}

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

export async function extractTranslationUnit(opts: ExtractOptions): Promise<Extraction> {
  const treeDir = resolve(opts.treeDir);
  const where = (key: KernelFileKey, rel: string) => {
    const o = opts.files?.[key];
    return o === undefined ? join(treeDir, rel) : isAbsolute(o) ? o : join(treeDir, o);
  };
  if (!existsSync(treeDir) || !statSync(treeDir).isDirectory()) throw new ExtractError(`${opts.treeDir} is not a directory`);
  const mprotectPath = where('mprotect', 'mm/mprotect.c');
  if (!isFile(mprotectPath)) throw new ExtractError(`${opts.treeDir} has no mm/mprotect.c (is it a kernel tree?)`);

  await loadParser();
  const shim = readShim(resolve(opts.shimDir));
  const files: ParsedFile[] = [];
  try {
    for (const f of KERNEL_FILES) {
      const p = where(f.key, f.path);
      if (!isFile(p)) continue;
      files.push(parseC(f.path, readFileSync(p, 'utf8')));
    }
    return build(opts, treeDir, shim, files);
  } finally {
    for (const f of files) f.tree.delete();
  }
}

function build(opts: ExtractOptions, treeDir: string, shim: Shim, files: ParsedFile[]): Extraction {
  const order = files.map((f) => f.path);
  const all: Definition[] = files.flatMap((f) => collectDefinitions(f));
  const defs = new Map<string, Definition[]>();
  for (const d of all) {
    const k = `${d.ns}:${d.name}`;
    defs.set(k, [...(defs.get(k) ?? []), d]);
  }
  const evaluator: ConditionEvaluator = new ConditionEvaluator({
    config: X86_64_CONFIG,
    archMacros: X86_64_ARCH_MACROS,
    archUndefined: X86_64_UNDEFINED,
    shimMacros: shim.macros,
    kernelMacroBefore: (name, file, index) =>
      (defs.get(`id:${name}`) ?? []).some(
        (d) =>
          d.kind === 'macro' &&
          (order.indexOf(d.file.path) < order.indexOf(file.path) || (d.file === file && d.node.startIndex < index)) &&
          evaluator.guardsHold(d.guards),
      ),
  });

  const rootDefs = (defs.get(`id:${ROOT_FUNCTION}`) ?? []).filter(
    (d) => d.kind === 'function' && d.file.path === 'mm/mprotect.c' && evaluator.guardsHold(d.guards),
  );
  if (rootDefs.length === 0) throw new ExtractError(`mm/mprotect.c of ${opts.treeDir} does not define ${ROOT_FUNCTION}()`);

  const w = walk({ roots: [ROOT_FUNCTION], rootFile: 'mm/mprotect.c', defs, shim, evaluator });
  const located = (d: Definition): Located => ({ name: d.name, file: d.file.path, line: d.line });
  const extracted = w.defs.flatMap((node) =>
    all.filter((d) => d.node.equals(node.node) && d.file === node.file && d.kind !== 'prototype'),
  );
  const byPlace = (a: Located, b: Located) => order.indexOf(a.file) - order.indexOf(b.file) || a.line - b.line;
  const functions = extracted
    .filter((d) => d.kind === 'function')
    .map(located)
    .sort(byPlace);
  const macros = extracted
    .filter((d) => d.kind === 'macro')
    .map(located)
    .sort(byPlace);
  const types = extracted
    .filter((d) => d.kind !== 'function' && d.kind !== 'macro')
    .map((d) => ({ ...located(d), name: d.ns === 'tag' ? `${tagWord(d)} ${d.name}` : d.name, kind: d.kind }))
    .sort(byPlace);

  const warnings: string[] = [];
  for (const name of EXPECTED_WALK) {
    if (!functions.some((f) => f.name === name))
      warnings.push(`expected ${name}() in the walk from ${ROOT_FUNCTION}(), not found`);
  }
  const refNames = new Set<string>();
  for (const s of w.scans.values()) for (const r of s.refs) refNames.add(r.name);
  const vocabulary = detectVocabulary(
    [...w.fromShim, ...functions.map((f) => f.name), ...refNames],
    ['node_is_toptier', 'folio_nid', 'numa_node_id'].some((n) => refNames.has(n)),
  );
  const fromShim = [...w.fromShim].sort();
  const libc = [...w.libc].sort();
  const missingDetail = w.missing.map((m) => ({ ...m, suggest: suggestShimFile(m, shim, files) }));
  const missing = missingDetail.map((m) => (m.ns === 'tag' ? `struct ${m.name}` : m.name));

  const lineDir = opts.displayDir ?? treeDir;
  const lineName = (path: string) => {
    const key = KERNEL_FILES.find((f) => f.path === path)?.key;
    const o = key ? opts.files?.[key] : undefined;
    return o !== undefined && opts.displayDir === undefined ? (isAbsolute(o) ? o : join(treeDir, o)) : join(lineDir, path);
  };
  const header = renderHeader({
    tree: opts.displayDir ?? opts.treeDir,
    shimDir: opts.shimDir,
    order,
    functions,
    macros,
    types,
    fromShim,
    libc,
    vocabulary,
    notes: opts.notes ?? [],
  });
  const body = emitDefinitions({ defs: w.defs, scans: w.scans, fileOrder: order, lineName });
  const source = `${header}\n#include "mprotect_shim.h"\n\n${body}`;
  return {
    source,
    header,
    roots: [ROOT_FUNCTION],
    functions,
    macros,
    types,
    fromShim,
    libc,
    vocabulary,
    missing,
    missingDetail,
    warnings,
    filesRead: order,
  };
}

function tagWord(d: Definition): string {
  let n: typeof d.node | null = d.node;
  const spec = n.type.endsWith('_specifier') ? n : (n.childForFieldName('type') ?? null);
  n = spec;
  return n?.type === 'union_specifier' ? 'union' : n?.type === 'enum_specifier' ? 'enum' : 'struct';
}

/** The shim header that most likely should model a missing name: the one
 *  defining names with the longest common prefix; else the umbrella header. */
function suggestShimFile(m: Missing, shim: Shim, files: readonly ParsedFile[]): string {
  if (m.header) return `#include <${m.header}> in the shim`;
  let best = '';
  let bestLen = 3;
  for (const [name, where] of shim.ids) {
    let k = 0;
    while (k < name.length && k < m.name.length && name[k] === m.name[k]) k++;
    if (k > bestLen) {
      bestLen = k;
      best = where.file;
    }
  }
  const file = best || (shim.files.includes('mprotect_shim.h') ? 'mprotect_shim.h' : (shim.files[0] ?? 'mprotect_shim.h'));
  const hidden = files.find((f) => errorNodesMention(f, m.name));
  const note = hidden ? ` (note: ${hidden.path} has a parse error near a use of ${m.name}, which may hide a definition)` : '';
  return `${join(shim.dir, file)}${note}`;
}

function errorNodesMention(f: ParsedFile, name: string): boolean {
  if (!f.tree.rootNode.hasError) return false;
  for (const e of f.tree.rootNode.descendantsOfType('ERROR')) {
    if (!e) continue;
    let hit = false;
    visitTokens(e, (leaf) => {
      if (leaf.text === name) hit = true;
    });
    if (hit) return true;
  }
  return false;
}

interface HeaderInput {
  tree: string;
  shimDir: string;
  order: readonly string[];
  functions: readonly Located[];
  macros: readonly Located[];
  types: readonly Located[];
  fromShim: readonly string[];
  libc: readonly string[];
  vocabulary: readonly string[];
  notes: readonly string[];
}

function wrapList(prefix: string, items: readonly string[], width = 96): string[] {
  const lines: string[] = [];
  let cur = prefix;
  for (const it of items) {
    const add = cur === prefix ? it : ` ${it}`;
    if (cur.length + add.length > width && cur !== prefix) {
      lines.push(cur);
      cur = `${' '.repeat(prefix.length)}${it}`;
    } else cur += add;
  }
  lines.push(cur);
  return lines;
}

function renderHeader(h: HeaderInput): string {
  const lines = [
    `Translation unit extracted by mprotect-spec from the kernel tree ${h.tree}`,
    `(kernel code: GPL-2.0, generated, not for committing). Entry: ${ROOT_FUNCTION}().`,
    ...h.notes,
    'Kernel code, everything reachable from the entry, headers first:',
  ];
  for (const path of h.order) {
    const fs = h.functions.filter((f) => f.file === path).map((f) => f.name);
    const ms = h.macros.filter((f) => f.file === path).map((f) => f.name);
    const ts = h.types.filter((f) => f.file === path).map((f) => f.name);
    lines.push(`  ${path}: ${fs.length} functions, ${ms.length} macros, ${ts.length} types/constants`);
    if (fs.length) lines.push(...wrapList('    functions: ', fs));
    if (ms.length) lines.push(...wrapList('    macros: ', ms));
    if (ts.length) lines.push(...wrapList('    types: ', ts));
  }
  lines.push(`From the shim (${h.shimDir}, included below): ${h.fromShim.length} names`);
  lines.push(...wrapList('    ', h.fromShim));
  if (h.libc.length) lines.push(...wrapList('From the C library: ', h.libc));
  lines.push(`API vocabulary: ${h.vocabulary.join(', ')}`);
  return `/*\n${lines.map((l) => ` * ${l}`.trimEnd()).join('\n')}\n */\n`;
}
