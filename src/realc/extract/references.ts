// SPDX-License-Identifier: GPL-2.0-only
// What a definition refers to: the identifiers and tags its compiled text
// uses, minus its own parameters and locals, struct members and labels. Code
// in a conditional arm that is not compiled is left out (and blanked when
// emitted). Macro bodies are opaque text to the grammar, so they are parsed on
// their own for their tokens; a `##` paste with a parameter yields one name
// per argument the macro is invoked with (`low##_alloc` invoked with `pmd`
// gives `pmd_alloc`), and an argument used only for pasting or `#` is not a
// reference itself.
import type { Node } from 'web-tree-sitter';
import type { ConditionEvaluator } from './conditions.js';
import { branchesOf, type Conditional, type Definition, isConditional, type Namespace } from './definitions.js';
import { ExtractError } from './errors.js';
import { parseFragment } from './parser.js';
import { visitTokens } from './tokens.js';

export interface Reference {
  readonly name: string;
  readonly ns: Namespace;
  /** 1-based line in the definition's file, for messages. */
  readonly line: number;
}

export interface Invocation {
  readonly macro: string;
  /** Each argument's text when it is a single identifier, else null. */
  readonly args: readonly (string | null)[];
}

/** A `##` run inside a macro body: literal text pieces and parameter pieces. */
export type PastePiece = { readonly param: string } | { readonly text: string };

export interface MacroShape {
  readonly params: readonly string[];
  /** Parameters used only next to `##` or after `#`: their arguments are not references. */
  readonly pasteOnly: ReadonlySet<number>;
  readonly pastes: readonly (readonly PastePiece[])[];
}

export interface Scan {
  readonly refs: readonly Reference[];
  readonly invocations: readonly Invocation[];
  /** Ranges [start, end) of the file text that are not compiled (directives and dead arms). */
  readonly inactive: readonly (readonly [number, number])[];
}

const TAG_PARENTS = new Set(['struct_specifier', 'union_specifier', 'enum_specifier']);
const REF_TOKENS = new Set(['identifier', 'type_identifier']);
/** C keywords the grammar reads as identifiers where it recovers from a
 *  macro argument it cannot parse (`min_t(unsigned long, ...)`). */
const C_KEYWORDS = new Set(
  (
    'auto break case char const continue default do double else enum extern float for goto if inline int long ' +
    'register restrict return short signed sizeof static struct switch typedef union unsigned void volatile while _Bool bool'
  ).split(' '),
);
const isRefToken = (n: Node) => REF_TOKENS.has(n.type) && !C_KEYWORDS.has(n.text);

/** The ranges of `root` that the configuration leaves out, deciding each conditional inside it. */
export function inactiveRanges(def: Definition, evaluator: ConditionEvaluator): [number, number][] {
  const out: [number, number][] = [];
  const visit = (n: Node) => {
    if (isConditional(n)) {
      const c: Conditional = { file: def.file, node: n, branches: branchesOf(n) };
      const chosen = evaluator.selected(c);
      const keep = chosen < 0 ? [] : c.branches[chosen]!.content.filter((x) => x.type !== 'comment');
      let at = n.startIndex;
      for (const k of keep) {
        if (k.startIndex > at) out.push([at, k.startIndex]);
        at = k.endIndex;
      }
      if (n.endIndex > at) out.push([at, n.endIndex]);
      for (const k of keep) visit(k);
      return;
    }
    for (const child of n.children) if (child) visit(child);
  };
  visit(def.node);
  return out;
}

const inside = (ranges: readonly (readonly [number, number])[], index: number) =>
  ranges.some(([s, e]) => index >= s && index < e);

/** Names a set of nodes declares: parameters and local variables. */
function declaredNames(root: Node): Set<string> {
  const out = new Set<string>();
  for (const d of root.descendantsOfType(['declaration', 'parameter_declaration'])) {
    if (!d) continue;
    for (const decl of d.childrenForFieldName('declarator')) {
      let cur: Node | null = decl;
      while (cur && cur.type !== 'identifier') {
        if (cur.type === 'function_declarator' && d.type === 'declaration') break;
        cur = cur.childForFieldName('declarator') ?? (cur.type === 'parenthesized_declarator' ? cur.namedChild(0) : null);
      }
      if (cur?.type === 'identifier') out.add(cur.text);
    }
  }
  return out;
}

/** Scans a non-macro definition (function, type, variable). */
export function scanCode(
  def: Definition,
  evaluator: ConditionEvaluator,
  macroShape: (name: string) => MacroShape | undefined,
  isMacro: (name: string) => boolean,
): Scan {
  const inactive = inactiveRanges(def, evaluator);
  const firstError = firstErrorNode(def.node, inactive, isMacro);
  if (firstError) {
    throw new ExtractError(
      `${def.file.path}:${firstError.startPosition.row + 1}: does not parse (in the definition of ${def.name}): ` +
        `unexpected \`${clip(firstError.text)}\``,
    );
  }
  const locals = declaredNames(def.node);
  locals.delete(def.name);
  const skip: [number, number][] = [];
  const invocations: Invocation[] = [];
  for (const call of def.node.descendantsOfType('call_expression')) {
    if (!call || inside(inactive, call.startIndex)) continue;
    const fn = call.childForFieldName('function');
    if (fn?.type !== 'identifier') continue;
    const args = (call.childForFieldName('arguments')?.namedChildren ?? []).filter(
      (a): a is Node => a !== null && a.type !== 'comment',
    );
    invocations.push({ macro: fn.text, args: args.map((a) => (a.type === 'identifier' ? a.text : null)) });
    const shape = macroShape(fn.text);
    if (!shape) continue;
    for (const i of shape.pasteOnly) {
      const a = args[i];
      if (a?.type === 'identifier') skip.push([a.startIndex, a.endIndex]);
    }
  }
  const refs: Reference[] = [];
  let previous: Node | null = null;
  visitTokens(def.node, (leaf) => {
    if (leaf.type === 'comment' || inside(inactive, leaf.startIndex)) return;
    const prev = previous;
    previous = leaf;
    if (!isRefToken(leaf) || inside(skip, leaf.startIndex)) return;
    if (prev && (prev.type === '.' || prev.type === '->')) return;
    const name = leaf.text;
    const parent = leaf.parent;
    const isTag = parent !== null && TAG_PARENTS.has(parent.type) && parent.childForFieldName('name')?.equals(leaf) === true;
    if (!isTag && (locals.has(name) || name === def.name)) return;
    refs.push({ name, ns: isTag ? 'tag' : 'id', line: leaf.startPosition.row + 1 });
  });
  return { refs, invocations, inactive };
}

/** A call of a function-like macro may take what C cannot parse as an
 *  argument (a type: `min_t(unsigned long, a, b)`) or be followed by a block
 *  (iterator macros): the grammar's ERROR or MISSING node there is not an
 *  error of the file. */
function underMacroCall(n: Node, isMacro: (name: string) => boolean): boolean {
  const callee = (call: Node | null) => {
    const fn = call?.type === 'call_expression' ? call.childForFieldName('function') : null;
    return fn?.type === 'identifier' && isMacro(fn.text);
  };
  if (n.isMissing) {
    const stmt = n.parent;
    if (stmt?.type === 'expression_statement' && callee(stmt.namedChild(0))) return true;
  }
  for (let p = n.parent; p; p = p.parent) {
    if (p.type === 'argument_list') return callee(p.parent);
    if (p.type === 'compound_statement' || p.type === 'function_definition') return false;
  }
  return false;
}

/** The first ERROR or MISSING node of a subtree outside the given ranges. */
export function firstErrorNode(
  root: Node,
  outside: readonly (readonly [number, number])[],
  isMacro: (name: string) => boolean = () => false,
): Node | null {
  if (!root.hasError) return null;
  let found: Node | null = null;
  const visit = (n: Node) => {
    if (found || !n.hasError) return;
    if ((n.isError || n.isMissing) && !inside(outside, n.startIndex)) {
      if (underMacroCall(n, isMacro)) return;
      found = n;
      return;
    }
    for (const c of n.children) if (c) visit(c);
  };
  visit(root);
  if (!found && root.isMissing && !inside(outside, root.startIndex)) return root;
  return found;
}

const clip = (s: string) => {
  const one = s.split('\n')[0] ?? '';
  return one.length > 40 ? `${one.slice(0, 40)}...` : one || '(missing token)';
};

const FRAGMENT_HEAD = 'void __mprotect_spec_macro_body(void) {\n';

interface MacroTokens {
  readonly shape: MacroShape;
  readonly refs: readonly Reference[];
  readonly invocations: readonly Invocation[];
}

/** Parses a macro's body on its own and reads its tokens. */
export function scanMacro(def: Definition): MacroTokens {
  const n = def.node;
  const params: string[] = [];
  const paramsNode = n.childForFieldName('parameters');
  for (const p of paramsNode?.namedChildren ?? []) {
    if (p?.type === 'identifier') params.push(p.text);
  }
  if (paramsNode?.children.some((c) => c?.type === '...')) params.push('__VA_ARGS__');
  const value = n.childForFieldName('value');
  if (!value) return { shape: { params, pasteOnly: new Set(), pastes: [] }, refs: [], invocations: [] };
  const bodyLine = value.startPosition.row + 1;
  const tree = parseFragment(`${FRAGMENT_HEAD}${value.text}\n;}`);
  try {
    const root = tree.rootNode;
    const lo = FRAGMENT_HEAD.length;
    const hi = lo + value.text.length;
    const toks: Node[] = [];
    visitTokens(root, (leaf) => {
      if (leaf.startIndex >= lo && leaf.endIndex <= hi && leaf.type !== 'comment') toks.push(leaf);
    });
    // Merge `#` `#` written together into one `##`.
    const t: { text: string; node: Node }[] = [];
    for (const leaf of toks) {
      const last = t[t.length - 1];
      if (last && last.text === '#' && leaf.text === '#' && last.node.endIndex === leaf.startIndex) {
        last.text = '##';
        continue;
      }
      t.push({ text: leaf.text, node: leaf });
    }
    const locals = declaredNames(root);
    const isParam = (s: string) => params.includes(s);
    const pastedAt = new Set<number>();
    const pastes: PastePiece[][] = [];
    for (let i = 0; i < t.length; i++) {
      if (t[i]!.text !== '##') continue;
      // Extend to the whole run a ## b ## c.
      let s = i - 1;
      while (s - 2 >= 0 && t[s - 1]!.text === '##') s -= 2;
      let e = i + 1;
      while (e + 2 < t.length && t[e + 1]!.text === '##') e += 2;
      if (s < 0 || e >= t.length) continue;
      const run: PastePiece[] = [];
      for (let k = s; k <= e; k += 2) {
        const tok = t[k]!.text;
        pastedAt.add(k);
        run.push(isParam(tok) ? { param: tok } : { text: tok });
      }
      if (!pastes.some((p) => JSON.stringify(p) === JSON.stringify(run))) pastes.push(run);
      i = e;
    }
    const stringified = new Set<number>();
    for (let i = 0; i + 1 < t.length; i++) if (t[i]!.text === '#' && isParam(t[i + 1]!.text)) stringified.add(i + 1);
    const pasteOnly = new Set<number>();
    params.forEach((p, idx) => {
      const uses = t.map((x, k) => (x.text === p ? k : -1)).filter((k) => k >= 0);
      if (uses.length > 0 && uses.every((k) => pastedAt.has(k) || stringified.has(k))) pasteOnly.add(idx);
    });
    const refs: Reference[] = [];
    const invocations: Invocation[] = [];
    for (let k = 0; k < t.length; k++) {
      const { node } = t[k]!;
      if (pastedAt.has(k) || stringified.has(k) || !isRefToken(node)) continue;
      const prev = t[k - 1]?.text;
      if (prev === '.' || prev === '->') continue;
      const name = node.text;
      if (isParam(name) || locals.has(name) || name === def.name) continue;
      const parent = node.parent;
      const isTag = parent !== null && TAG_PARENTS.has(parent.type) && parent.childForFieldName('name')?.equals(node) === true;
      refs.push({ name, ns: isTag ? 'tag' : 'id', line: bodyLine + node.startPosition.row - 1 });
    }
    for (const call of root.descendantsOfType('call_expression')) {
      const fn = call?.childForFieldName('function');
      if (!call || fn?.type !== 'identifier' || fn.startIndex < lo || fn.endIndex > hi) continue;
      const args = (call.childForFieldName('arguments')?.namedChildren ?? []).filter(
        (a): a is Node => a !== null && a.type !== 'comment',
      );
      invocations.push({ macro: fn.text, args: args.map((a) => (a.type === 'identifier' ? a.text : null)) });
    }
    return { shape: { params, pasteOnly, pastes }, refs, invocations };
  } finally {
    tree.delete();
  }
}

/** The names a paste run yields for one invocation, or null when an argument is not an identifier. */
export function pastedName(run: readonly PastePiece[], shape: MacroShape, args: readonly (string | null)[]): string | null {
  let out = '';
  for (const piece of run) {
    if ('text' in piece) {
      out += piece.text;
      continue;
    }
    const idx = shape.params.indexOf(piece.param);
    const a = idx >= 0 ? args[idx] : null;
    if (a === null || a === undefined) return null;
    out += a;
  }
  return out;
}
