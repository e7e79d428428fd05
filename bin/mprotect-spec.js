#!/usr/bin/env node
// SPDX-License-Identifier: GPL-2.0-only
// Runs the TypeScript CLI directly through tsx, so a patch author's variant
// file (.ts) loads without a build step.
import { register as registerHooks } from 'node:module';
import { register } from 'tsx/esm/api';

register();
// candidates outside the checkout import this package by name (src/cli/self_resolve.mjs)
registerHooks('../src/cli/self_resolve.mjs', import.meta.url);
let main;
try {
  ({ main } = await import('../src/cli/main.ts'));
} catch (error) {
  // Loading failed before any command ran (src/kernel/gallery.ts GalleryWriteError: a checkout this user
  // cannot write): the reason in one line, exit 2 (bad usage or input), as for every other refusal.
  if (error?.name !== 'GalleryWriteError') throw error;
  process.stderr.write(`mprotect-spec: ${error.message}\n`);
  process.exit(2);
}
process.exitCode = await main(process.argv.slice(2));
