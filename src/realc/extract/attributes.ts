// SPDX-License-Identifier: GPL-2.0-only
// Attribute macros. Written before a return type (`static __always_inline
// void f(...)`) they make the C grammar read the macro as the type and wrap
// the real type in an ERROR node, so they are blanked to spaces of the same
// length before parsing; offsets stay valid and the emitted text is copied
// from the original bytes, so the compiler still sees them (the shim defines
// them). Names are the kernel's compiler-attribute spellings from
// include/linux/compiler_types.h and compiler_attributes.h; `inline` is a C
// keyword the grammar knows, listed so the two spellings parse alike.
import type { Node, Point } from 'web-tree-sitter';

/** A blanked token: its name, offset and span (for an incremental reparse). */
export interface BlankedToken {
  readonly name: string;
  readonly index: number;
  readonly start: Point;
  readonly end: Point;
}

export const ATTRIBUTE_MACROS: ReadonlySet<string> = new Set([
  'inline',
  '__inline',
  '__inline__',
  '__always_inline',
  'noinline',
  '__noinline',
  '__maybe_unused',
  '__always_unused',
  '__must_check',
  '__bitwise',
  '__force',
  '__pure',
  '__cold',
  '__weak',
  'notrace',
  '__init',
  '__meminit',
  '__ref',
  '__read_mostly',
  '__ro_after_init',
  '__used',
  '__unused',
]);

/** Names that are C keywords rather than macros the shim must define. */
export const KEYWORD_ATTRIBUTES: ReadonlySet<string> = new Set(['inline', '__inline', '__inline__']);

/** Blanks every attribute-macro token of `root` (a parse of `text`) to spaces.
 *  The walk reads the cursor's fields only (no node objects) and makes a node
 *  just for a hit, to spare the macro's own `#define` and `#ifdef` tests. */
export function blankAttributes(text: string, root: Node): { text: string; blanked: BlankedToken[] } {
  const hits: BlankedToken[] = [];
  const cursor = root.walk();
  for (;;) {
    const type = cursor.nodeType;
    if (type !== 'comment' && type !== 'preproc_arg' && type !== 'string_literal' && cursor.gotoFirstChild()) continue;
    const start = cursor.startIndex;
    const end = cursor.endIndex;
    const opaque = type === 'comment' || type === 'preproc_arg' || type === 'string_literal';
    if (!opaque && end - start <= LONGEST && end - start >= SHORTEST) {
      const word = text.slice(start, end);
      if (ATTRIBUTE_MACROS.has(word) && !isOwnDefinition(cursor.currentNode))
        hits.push({ name: word, index: start, start: cursor.startPosition, end: cursor.endPosition });
    }
    let up = false;
    while (!cursor.gotoNextSibling()) {
      if (!cursor.gotoParent()) {
        up = true;
        break;
      }
    }
    if (up) break;
  }
  cursor.delete();
  if (hits.length === 0) return { text, blanked: hits };
  let out = '';
  let at = 0;
  for (const h of hits) {
    out += text.slice(at, h.index) + ' '.repeat(h.name.length);
    at = h.index + h.name.length;
  }
  return { text: out + text.slice(at), blanked: hits };
}

const LONGEST = Math.max(...[...ATTRIBUTE_MACROS].map((n) => n.length));
const SHORTEST = Math.min(...[...ATTRIBUTE_MACROS].map((n) => n.length));

/** The macro's own definition and `#ifdef` tests of it keep their name. */
function isOwnDefinition(leaf: Node): boolean {
  const parent = leaf.parent?.type ?? '';
  return (
    parent === 'preproc_def' || parent === 'preproc_function_def' || parent === 'preproc_ifdef' || parent === 'preproc_defined'
  );
}
