// SPDX-License-Identifier: GPL-2.0-only
// The C parser: web-tree-sitter with the tree-sitter C grammar, both loaded
// from node_modules as WebAssembly (no native build). The runtime is set up
// once per process, lazily, on the first parse.
import { createRequire } from 'node:module';
import { Edit, Language, type Node, Parser, type Tree } from 'web-tree-sitter';
import { blankAttributes } from './attributes.js';

let ready: Promise<Parser> | undefined;
let loaded: Parser | undefined;

/** Loads the runtime and the grammar (once per process); parsing is synchronous afterwards. */
export function loadParser(): Promise<Parser> {
  ready ??= (async () => {
    await Parser.init();
    const require = createRequire(import.meta.url);
    const language = await Language.load(require.resolve('tree-sitter-c/tree-sitter-c.wasm'));
    const p = new Parser();
    p.setLanguage(language);
    loaded = p;
    return p;
  })();
  return ready;
}

function sync(): Parser {
  if (!loaded) throw new Error('the C parser is not loaded yet: await loadParser() first');
  return loaded;
}

/** A parsed C file: the original text, and the tree of the attribute-blanked text (same offsets). */
export interface ParsedFile {
  /** Path as shown to the user, e.g. `mm/mprotect.c`. */
  readonly path: string;
  readonly text: string;
  readonly tree: Tree;
  /** Attribute macros blanked before parsing: name and offset, for the shim check. */
  readonly blanked: readonly { name: string; index: number }[];
}

/** Parses C text: a first parse finds the attribute-macro tokens, which are
 *  blanked to spaces before the final parse (see attributes.ts). */
export function parseC(path: string, text: string): ParsedFile {
  const p = sync();
  const first = p.parse(text);
  if (!first) throw new Error(`tree-sitter returned no tree for ${path}`);
  const { text: clean, blanked } = blankAttributes(text, first.rootNode);
  if (blanked.length === 0) return { path, text, tree: first, blanked };
  // Same-length edits: tell the old tree where they are and reparse incrementally.
  for (const b of blanked) {
    first.edit(
      new Edit({
        startIndex: b.index,
        oldEndIndex: b.index + b.name.length,
        newEndIndex: b.index + b.name.length,
        startPosition: b.start,
        oldEndPosition: b.end,
        newEndPosition: b.end,
      }),
    );
  }
  const tree = p.parse(clean, first);
  first.delete();
  if (!tree) throw new Error(`tree-sitter returned no tree for ${path}`);
  return { path, text, tree, blanked };
}

/** Parses a fragment (a macro body) for its tokens; the caller deletes the tree. */
export function parseFragment(text: string): Tree {
  const p = sync();
  const tree = p.parse(text);
  if (!tree) throw new Error('tree-sitter returned no tree for a macro body');
  return tree;
}

/** 1-based line of a node. */
export const lineOf = (node: Node): number => node.startPosition.row + 1;
