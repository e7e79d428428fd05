// SPDX-License-Identifier: GPL-2.0-only
import { fileURLToPath } from 'node:url';
import { configDefaults, defineConfig } from 'vitest/config';

// One fast-check seed for the whole run. The config is evaluated once in the
// main process before any worker starts, and workers inherit process.env, so
// every test file sees the same FC_SEED (vitest.setup.ts applies it).
if (process.env.FC_SEED === undefined || process.env.FC_SEED === '') {
  process.env.FC_SEED = String((Date.now() ^ (Math.random() * 0x7fffffff)) >>> 1);
}

// The JSON report is what .ci/run counts; the default reporter is for people.
const source = (path: string) => fileURLToPath(new URL(path, import.meta.url));

// The package's own name resolves to its sources in tests (the published build is in dist/).
export default defineConfig({
  resolve: {
    alias: [
      { find: /^mprotect-spec$/, replacement: source('./src/index.ts') },
      { find: /^mprotect-spec\/kernel$/, replacement: source('./src/kernel/lib/index.ts') },
      { find: /^mprotect-spec\/pte$/, replacement: source('./src/pte/index.ts') },
    ],
  },
  test: {
    setupFiles: ['./vitest.setup.ts'],
    globalSetup: ['./vitest.global.ts'],
    reporters: ['default', 'json'],
    outputFile: { json: 'reports/vitest.json' },
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Files named *.system.test.ts change a system-wide setting (sysfs THP knobs) for a few seconds: they
    // run one at a time after every other file has finished (groupOrder), so that no live-kernel campaign
    // of another file runs while a setting is changed under it.
    projects: [
      {
        extends: true,
        test: {
          name: 'main',
          include: ['properties/**/*.test.ts'],
          exclude: [...configDefaults.exclude, 'properties/**/*.system.test.ts'],
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: 'system',
          include: ['properties/**/*.system.test.ts'],
          fileParallelism: false,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
