// SPDX-License-Identifier: GPL-2.0-only
// Versions recorded in every counterexample's provenance.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';

/** The repository root (this file is src/store/versions.ts). */
export const PROJECT_ROOT = new URL('../../', import.meta.url);

export const FAST_CHECK_VERSION: string = fc.__version;

export const PROJECT_VERSION: string = (() => {
  try {
    return (JSON.parse(readFileSync(new URL('package.json', PROJECT_ROOT), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
})();
