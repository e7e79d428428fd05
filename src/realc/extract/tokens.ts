// SPDX-License-Identifier: GPL-2.0-only
// Token walks over a tree-sitter subtree.
import type { Node } from 'web-tree-sitter';

/** Calls `f` on every leaf (token) of `root` in source order; a comment counts as one token. */
export function visitTokens(root: Node, f: (leaf: Node) => void): void {
  const cursor = root.walk();
  for (;;) {
    const n = cursor.currentNode;
    if (n.childCount === 0 || n.type === 'comment') f(n);
    else if (cursor.gotoFirstChild()) continue;
    while (!cursor.gotoNextSibling()) {
      if (!cursor.gotoParent()) {
        cursor.delete();
        return;
      }
    }
  }
}

/** Every leaf (token) of a subtree, in source order. */
export function leaves(root: Node): Node[] {
  const out: Node[] = [];
  visitTokens(root, (n) => out.push(n));
  return out;
}
