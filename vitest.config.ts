import { defineConfig } from 'vitest/config';

// One fast-check seed for the whole run. The config is evaluated once in the
// main process before any worker starts, and workers inherit process.env, so
// every test file sees the same FC_SEED (vitest.setup.ts applies it).
if (process.env.FC_SEED === undefined || process.env.FC_SEED === '') {
  process.env.FC_SEED = String((Date.now() ^ (Math.random() * 0x7fffffff)) >>> 1);
}

// The JSON report is what .ci/run counts; the default reporter is for people.
export default defineConfig({
  test: {
    include: ['properties/**/*.test.ts'],
    setupFiles: ['./vitest.setup.ts'],
    globalSetup: ['./vitest.global.ts'],
    reporters: ['default', 'json'],
    outputFile: { json: 'reports/vitest.json' },
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
