// SPDX-License-Identifier: GPL-2.0-only
// What a C file defines, collected from its tree-sitter parse: functions,
// macros, typedefs, struct/union/enum tags, enum constants, globals, and
// function prototypes (declarations only). Each definition remembers the
// preprocessor conditionals around it, so the caller can decide whether it is
// compiled in the configuration at hand.
import type { Node } from 'web-tree-sitter';
import { lineOf, type ParsedFile } from './parser.js';

export type DefKind = 'function' | 'prototype' | 'macro' | 'typedef' | 'tag' | 'enumerator' | 'variable';
/** C has two namespaces that matter here: ordinary identifiers and struct/union/enum tags. */
export type Namespace = 'id' | 'tag';

/** One arm of a conditional: `#if X`, `#ifdef X`, `#ifndef X`, `#elif X`, `#else`. */
export interface Branch {
  readonly kind: 'if' | 'ifdef' | 'ifndef' | 'else';
  /** The condition (expression for `if`, identifier for `ifdef`/`ifndef`), null for `else`. */
  readonly condition: Node | null;
  /** Where the directive is, for messages. */
  readonly line: number;
  /** The code of this arm. */
  readonly content: readonly Node[];
}

export interface Conditional {
  readonly file: ParsedFile;
  readonly node: Node;
  readonly branches: readonly Branch[];
}

export interface Guard {
  readonly conditional: Conditional;
  readonly branch: number;
}

export interface Definition {
  readonly name: string;
  readonly ns: Namespace;
  readonly kind: DefKind;
  readonly file: ParsedFile;
  /** The top-level node that holds the definition (what gets emitted). */
  readonly node: Node;
  readonly line: number;
  readonly guards: readonly Guard[];
}

const CONDITIONAL_TYPES = new Set(['preproc_if', 'preproc_ifdef']);
const BRANCH_TYPES = new Set(['preproc_else', 'preproc_elif', 'preproc_elifdef']);

export const isConditional = (n: Node): boolean => CONDITIONAL_TYPES.has(n.type);

/** The arms of a `preproc_if`/`preproc_ifdef` node, `#elif` chains flattened. */
export function branchesOf(node: Node): Branch[] {
  const out: Branch[] = [];
  let cur: Node | null = node;
  while (cur) {
    const alternative: Node | null = cur.childForFieldName('alternative');
    const condition = cur.childForFieldName('condition') ?? cur.childForFieldName('name');
    const parent: Node = cur;
    const content = parent.namedChildren.filter((c): c is Node => c !== null && !isField(parent, c));
    out.push({ kind: branchKind(cur), condition: cur.type === 'preproc_else' ? null : condition, line: lineOf(cur), content });
    cur = alternative && BRANCH_TYPES.has(alternative.type) ? alternative : null;
  }
  return out;
}

function isField(parent: Node, child: Node): boolean {
  for (const f of ['condition', 'name', 'alternative']) {
    const x = parent.childForFieldName(f);
    if (x?.equals(child)) return true;
  }
  return false;
}

function branchKind(n: Node): Branch['kind'] {
  if (n.type === 'preproc_else') return 'else';
  if (n.type === 'preproc_if' || n.type === 'preproc_elif') return 'if';
  // preproc_ifdef / preproc_elifdef: the first token says which.
  const t = n.child(0)?.text ?? '';
  return t.endsWith('ndef') ? 'ifndef' : 'ifdef';
}

/** Collects the file-scope definitions of a parsed file, descending into conditionals. */
export function collectDefinitions(file: ParsedFile): Definition[] {
  const out: Definition[] = [];
  const visit = (nodes: readonly Node[], guards: readonly Guard[]) => {
    for (const n of nodes) {
      if (isConditional(n)) {
        const conditional: Conditional = { file, node: n, branches: branchesOf(n) };
        conditional.branches.forEach((b, i) => {
          visit(b.content, [...guards, { conditional, branch: i }]);
        });
        continue;
      }
      for (const d of definedBy(n)) out.push({ ...d, file, node: n, line: lineOf(n), guards });
    }
  };
  visit(
    file.tree.rootNode.namedChildren.filter((c): c is Node => c !== null),
    [],
  );
  return out;
}

type Named = { name: string; ns: Namespace; kind: DefKind };

/** Names a file-scope node defines. */
export function definedBy(n: Node): Named[] {
  switch (n.type) {
    case 'function_definition': {
      const name = declaratorName(n.childForFieldName('declarator'));
      return name ? [{ name, ns: 'id', kind: 'function' }] : [];
    }
    case 'preproc_def':
    case 'preproc_function_def': {
      const name = n.childForFieldName('name')?.text;
      return name ? [{ name, ns: 'id', kind: 'macro' }] : [];
    }
    case 'type_definition': {
      const out: Named[] = typeSpecifierNames(n.childForFieldName('type'));
      for (const d of n.childrenForFieldName('declarator')) {
        const name = declaratorName(d);
        if (name) out.push({ name, ns: 'id', kind: 'typedef' });
      }
      return out;
    }
    case 'struct_specifier':
    case 'union_specifier':
    case 'enum_specifier':
      return typeSpecifierNames(n);
    case 'declaration': {
      const out: Named[] = typeSpecifierNames(n.childForFieldName('type'));
      const isExtern = n.namedChildren.some((c) => c?.type === 'storage_class_specifier' && c.text === 'extern');
      for (const d of n.childrenForFieldName('declarator')) {
        const name = declaratorName(d);
        if (!name) continue;
        const fn = isFunctionDeclarator(d);
        out.push({ name, ns: 'id', kind: fn || isExtern ? 'prototype' : 'variable' });
      }
      return out;
    }
    default:
      return [];
  }
}

/** A struct/union/enum with a body defines its tag, and an enum its constants. */
function typeSpecifierNames(t: Node | null): Named[] {
  if (!t || !['struct_specifier', 'union_specifier', 'enum_specifier'].includes(t.type)) return [];
  const body = t.childForFieldName('body');
  if (!body) return [];
  const out: Named[] = [];
  const tag = t.childForFieldName('name')?.text;
  if (tag) out.push({ name: tag, ns: 'tag', kind: 'tag' });
  if (t.type === 'enum_specifier') {
    for (const e of body.namedChildren) {
      if (e?.type !== 'enumerator') continue;
      const name = e.childForFieldName('name')?.text;
      if (name) out.push({ name, ns: 'id', kind: 'enumerator' });
    }
  }
  return out;
}

/** The identifier a declarator declares (through pointers, arrays, parentheses, initialisers). */
export function declaratorName(d: Node | null): string | null {
  let cur: Node | null = d;
  while (cur) {
    if (cur.type === 'identifier' || cur.type === 'type_identifier' || cur.type === 'field_identifier') return cur.text;
    const inner: Node | null =
      cur.childForFieldName('declarator') ?? (cur.type === 'parenthesized_declarator' ? cur.namedChild(0) : null);
    cur = inner;
  }
  return null;
}

function isFunctionDeclarator(d: Node): boolean {
  let cur: Node | null = d;
  while (cur) {
    if (cur.type === 'function_declarator') return true;
    if (cur.type === 'init_declarator') return false;
    cur = cur.childForFieldName('declarator');
  }
  return false;
}
