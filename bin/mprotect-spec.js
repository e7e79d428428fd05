#!/usr/bin/env node
// SPDX-License-Identifier: GPL-2.0-only
// Runs the TypeScript CLI directly through tsx, so a patch author's variant
// file (.ts) loads without a build step.
import { register as registerHooks } from 'node:module';
import { register } from 'tsx/esm/api';

register();
// candidates outside the checkout import this package by name (src/cli/self_resolve.mjs)
registerHooks('../src/cli/self_resolve.mjs', import.meta.url);
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
