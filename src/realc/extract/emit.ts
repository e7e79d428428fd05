// SPDX-License-Identifier: GPL-2.0-only
// Emitting the translation unit: the shim include, then the extracted
// definitions in an order that compiles: macros and types (headers first:
// pgtable.h, internal.h, then mprotect.c; source order within a file), then a
// prototype of every extracted function, then globals, then the functions.
// Each piece is copied from the original bytes (attribute macros included),
// with the arms the configuration leaves out blanked to spaces so line numbers
// hold, and is preceded by a `#line` marker naming the user's file.
import type { Definition } from './definitions.js';
import type { Scan } from './references.js';

export interface EmitInput {
  readonly defs: readonly Definition[];
  readonly scans: ReadonlyMap<Definition, Scan>;
  /** File order: headers first. */
  readonly fileOrder: readonly string[];
  /** What `#line` names for a kernel file path. */
  readonly lineName: (path: string) => string;
}

type Section = 'early' | 'variable' | 'function';

function sectionOf(d: Definition): Section {
  if (d.node.type === 'function_definition') return 'function';
  if (d.node.type === 'declaration' && d.node.childrenForFieldName('declarator').length > 0) return 'variable';
  return 'early';
}

/** The compiled text of a definition: original bytes, dead arms blanked. */
export function compiledText(d: Definition, scan: Scan | undefined): string {
  const { startIndex: s, endIndex: e } = d.node;
  let text = d.file.text.slice(s, e);
  const dead = (scan?.inactive ?? []).filter(([a, z]) => z > s && a < e);
  if (dead.length > 0) {
    const chars = text.split('');
    // Inactive ranges are string indices into the file; the slice starts at s.
    for (const [a, z] of dead) {
      for (let i = Math.max(a, s); i < Math.min(z, e); i++) if (!WHITESPACE.has(chars[i - s]!)) chars[i - s] = ' ';
    }
    text = chars.join('');
  }
  if (d.node.type.endsWith('_specifier')) text += ';';
  return text;
}

function prototypeOf(d: Definition): string {
  const body = d.node.childForFieldName('body');
  const end = body ? body.startIndex : d.node.endIndex;
  return `${d.file.text.slice(d.node.startIndex, end).trimEnd()};`;
}

export function emitDefinitions(input: EmitInput): string {
  const rank = (d: Definition) => input.fileOrder.indexOf(d.file.path);
  const ordered = [...new Map(input.defs.map((d) => [`${d.file.path}:${d.node.startIndex}`, d])).values()].sort(
    (a, b) => rank(a) - rank(b) || a.node.startIndex - b.node.startIndex,
  );
  const marker = (d: Definition) => `#line ${d.line} "${input.lineName(d.file.path)}"\n`;
  const parts: string[] = [];
  const section = (s: Section) => ordered.filter((d) => sectionOf(d) === s);
  for (const d of section('early')) parts.push(marker(d) + ensureNewline(compiledText(d, input.scans.get(d))));
  const functions = section('function');
  if (functions.length > 0) {
    parts.push('/* Prototypes of the extracted functions, so their order does not matter. */\n');
    for (const d of functions) parts.push(marker(d) + ensureNewline(prototypeOf(d)));
  }
  for (const d of section('variable')) parts.push(marker(d) + ensureNewline(compiledText(d, input.scans.get(d))));
  for (const d of functions) parts.push(`\n${marker(d)}${ensureNewline(compiledText(d, input.scans.get(d)))}`);
  return parts.join('');
}

const WHITESPACE = new Set([' ', '\t', '\n', '\r', '\f', '\v']);
const ensureNewline = (s: string) => (s.endsWith('\n') ? s : `${s}\n`);
