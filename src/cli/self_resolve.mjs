// SPDX-License-Identifier: GPL-2.0-only
// Module resolution hooks for target modules (--impl, and variants):
// - a candidate anywhere on disk may import this package by name
//   (`mprotect-spec`, `mprotect-spec/kernel`, `mprotect-spec/pte`) even when no
//   node_modules above it holds the package: the names resolve to this
//   checkout's (or installed package's) own sources;
// - a .ts or .js candidate outside any `"type": "module"` package is still
//   loaded as an ES module (Node would read it as CommonJS, which cannot
//   import this ESM package).
const ROOT = new URL('../../', import.meta.url);
const NAMES = {
  'mprotect-spec': 'src/index.ts',
  'mprotect-spec/kernel': 'src/kernel/lib/index.ts',
  'mprotect-spec/pte': 'src/pte/index.ts',
};
const AS_ESM = /\.(?:ts|mts|tsx|js)$/;

export async function resolve(specifier, context, nextResolve) {
  const file = NAMES[specifier];
  if (file !== undefined) return { url: new URL(file, ROOT).href, format: 'module', shortCircuit: true };
  const r = await nextResolve(specifier, context);
  const path = r.url.split('?')[0] ?? '';
  if (r.format === 'commonjs' && path.startsWith('file:') && AS_ESM.test(path) && !path.includes('/node_modules/'))
    return { ...r, format: 'module' };
  return r;
}
