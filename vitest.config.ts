import { defineConfig } from 'vitest/config';

// The JSON report is what .ci/run counts; the default reporter is for people.
export default defineConfig({
  test: {
    include: ['properties/**/*.test.ts'],
    setupFiles: ['./vitest.setup.ts'],
    reporters: ['default', 'json'],
    outputFile: { json: 'reports/vitest.json' },
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
