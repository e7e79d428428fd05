// SPDX-License-Identifier: GPL-2.0-only
// Test helpers shared by the harness and batch suites: C targets built in a
// temp cache that is removed (with every child disposed) after the file, and
// the per-PTE fixture with one statement run first in change_protection().
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect } from 'vitest';
import { type KernelTarget, kernelTarget } from '../../src/realc/target.js';
import { FIXTURES, fixtureTU } from './fixture_tu.js';

export const PER_PTE_TU = fixtureTU(`${FIXTURES}/per-pte`);

/** A cache directory and a target builder for one test file; both cleaned up after it. */
export function testTargets(prefix: string): {
  readonly cacheDir: string;
  readonly target: (tu: string, name: string, timeoutS?: number) => KernelTarget;
} {
  const cacheDir = mkdtempSync(join(tmpdir(), prefix));
  const targets: KernelTarget[] = [];
  afterAll(() => {
    for (const t of targets) t.dispose();
    rmSync(cacheDir, { recursive: true, force: true });
  });
  return {
    cacheDir,
    target: (tu, name, timeoutS) => {
      const t = kernelTarget({ tu, name, cacheDir, ...(timeoutS ? { timeoutS } : {}) });
      targets.push(t);
      return t;
    },
  };
}

/** The per-PTE fixture with `stmt` run first in change_protection(). */
export function injected(stmt: string): string {
  const anchor = 'pgprot_t newprot = vma->vm_page_prot;\n';
  expect(PER_PTE_TU.includes(anchor)).toBe(true);
  return PER_PTE_TU.replace(anchor, `${anchor}\t${stmt}\n`);
}
