#!/usr/bin/env node
// SPDX-License-Identifier: GPL-2.0-only
// Builds the package: JavaScript and declarations into dist/ (tsc), plus the
// plain .mjs worker bootstraps that tsc does not copy.
import { execFileSync } from 'node:child_process';
import { cpSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
rmSync(join(root, 'dist'), { recursive: true, force: true });
// the gallery's applied copies (src/kernel/.gallery, made by loading the gallery) are compiled too
execFileSync(process.execPath, ['--import', 'tsx', '-e', "await import('./src/kernel/gallery.ts')"], {
  cwd: root,
  stdio: 'inherit',
});
execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], {
  cwd: root,
  stdio: 'inherit',
});
const copy = (dir) => {
  for (const e of readdirSync(join(root, dir), { withFileTypes: true })) {
    const rel = join(dir, e.name);
    if (e.isDirectory()) copy(rel);
    else if (e.name.endsWith('.mjs')) cpSync(join(root, rel), join(root, 'dist', rel));
  }
};
copy('src');
