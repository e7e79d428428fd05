// SPDX-License-Identifier: GPL-2.0-only
// The live-kernel tests' gate and tally: each test file registers its live
// tests through liveTest(); afterAll prints how many ran and, for the rest,
// why they were skipped (issue 12 item 3), so a machine without a compiler or
// without root is never mistaken for a passing oracle.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { buildRunner, type CampaignResult, campaignFailures, formatCampaign } from '../../src/oracle/index.js';
import { ORACLE_DIR } from '../../src/oracle/runner.js';

/**
 * `mprotect-spec oracle ARGS --json` run as nobody (setpriv; pfns hidden, no kpageflags), its report
 * parsed. The gallery's applied copies are written first, as this user: nobody cannot write into the
 * checkout, and on a fresh clone the CLI would otherwise try to (src/kernel/gallery.ts).
 */
export async function oracleAsNobody(args: readonly string[]): Promise<CampaignResult> {
  const { materializeGallery } = await import('../../src/kernel/gallery.js');
  expect(materializeGallery()).toEqual([]);
  const cli = join(ORACLE_DIR, '..', 'bin/mprotect-spec.js');
  const run = spawnSync(
    'setpriv',
    ['--reuid=65534', '--regid=65534', '--clear-groups', 'env', 'HOME=/tmp', process.execPath, cli, 'oracle', ...args, '--json'],
    { encoding: 'utf8', cwd: '/tmp', timeout: 240_000 },
  );
  expect(run.status, `${run.stderr}\n${run.stdout.slice(0, 2000)}`).toBe(0);
  return JSON.parse(run.stdout) as CampaignResult;
}

/** A campaign that ran every scenario and found no disagreement and no other failure. */
export function assertClean(r: CampaignResult): void {
  const text = formatCampaign(r);
  expect(r.failedRuns, text).toBe(0);
  expect(r.disagreeProbes, text).toBe(0);
  expect(campaignFailures(r), text).toEqual([]);
}

const avail = buildRunner();
export const liveAvailable = avail.ok;
export const unavailableReason = avail.ok ? null : `missing ${avail.missing}`;
export const isRoot = (process.getuid?.() ?? -1) === 0;

/** A live-kernel test: skipped, with the reason tallied, when `needs` names something missing. */
export function liveTally(file: string) {
  const ran: string[] = [];
  const skipped: { name: string; why: string }[] = [];
  afterAll(() => {
    const why = [...new Set(skipped.map((s) => s.why))];
    console.log(
      `[oracle] ${file}: ${ran.length} live-kernel tests ran, ${skipped.length} skipped${why.length ? ` (${why.join('; ')})` : ''}`,
    );
  });
  return (name: string, fn: () => Promise<void> | void, opts: { needsRoot?: boolean; timeout?: number } = {}) => {
    const why = unavailableReason ?? (opts.needsRoot && !isRoot ? 'needs root' : null);
    if (why !== null) {
      skipped.push({ name, why });
      it.skip(`${name} [skipped: ${why}]`, fn, opts.timeout);
      return;
    }
    ran.push(name);
    it(name, fn, opts.timeout);
  };
}
