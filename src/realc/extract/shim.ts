// SPDX-License-Identifier: GPL-2.0-only
// The boundary between extracted kernel code and the model: every name the
// shim's headers define is "model". The headers are parsed with the same C
// parser; no list of API names is kept by hand.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { collectDefinitions, type DefKind } from './definitions.js';
import { ExtractError } from './errors.js';
import { parseC } from './parser.js';

export interface ShimName {
  readonly kind: DefKind;
  /** Header that defines it, relative to the shim directory. */
  readonly file: string;
}

export interface Shim {
  readonly dir: string;
  readonly files: readonly string[];
  /** Ordinary identifiers (functions, macros, typedefs, enum constants, globals). */
  readonly ids: ReadonlyMap<string, ShimName>;
  /** struct/union/enum tags defined with a body. */
  readonly tags: ReadonlyMap<string, ShimName>;
  readonly macros: ReadonlySet<string>;
  /** System headers the shim includes (`<stddef.h>` is `stddef.h`). */
  readonly systemIncludes: ReadonlySet<string>;
}

function headersUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile() && e.name.endsWith('.h')) out.push(p);
    }
  };
  walk(dir);
  return out;
}

/** Reads every `*.h` under `dir`. The parser must be loaded. */
export function readShim(dir: string): Shim {
  let isDir = false;
  try {
    isDir = statSync(dir).isDirectory();
  } catch {
    isDir = false;
  }
  if (!isDir) throw new ExtractError(`shim directory ${dir} does not exist`);
  const files = headersUnder(dir);
  if (files.length === 0) throw new ExtractError(`shim directory ${dir} has no .h files`);
  const ids = new Map<string, ShimName>();
  const tags = new Map<string, ShimName>();
  const macros = new Set<string>();
  const systemIncludes = new Set<string>();
  for (const f of files) {
    const rel = relative(dir, f);
    const parsed = parseC(rel, readFileSync(f, 'utf8'));
    try {
      for (const d of collectDefinitions(parsed)) {
        const map = d.ns === 'tag' ? tags : ids;
        const had = map.get(d.name);
        // A body beats a prototype: remember the strongest kind.
        if (!had || had.kind === 'prototype') map.set(d.name, { kind: d.kind, file: rel });
        if (d.kind === 'macro') macros.add(d.name);
      }
      for (const inc of parsed.tree.rootNode.descendantsOfType('preproc_include')) {
        const path = inc?.childForFieldName('path');
        if (path?.type === 'system_lib_string') systemIncludes.add(path.text.slice(1, -1));
      }
    } finally {
      parsed.tree.delete();
    }
  }
  return { dir, files: files.map((f) => relative(dir, f)), ids, tags, macros, systemIncludes };
}
