// SPDX-License-Identifier: GPL-2.0-only
// `mprotect-spec prove` (issue 6 item 3): a bounded exhaustive run finds the
// head-page bug, says how far it got, and rejects bad input.
import { describe, expect, it } from 'vitest';
import { cli, fixture } from './helpers.js';

describe('mprotect-spec prove', () => {
  it('finds v6.17-cac1db8c3aad among one-slot worlds and exits 1 (no time limit: the same world on any machine)', async () => {
    // One-slot anonymous mprotect() worlds, stopping at the first failure.
    const firstFailure = (jobs: number) =>
      cli([
        ...['prove', '--bound', '1', '--variant', 'v6.17-cac1db8c3aad', '--kind', 'anon-private', '--cp-flags', '1'],
        ...['--stop-at-first-failure', '--json', '--jobs', String(jobs)],
      ]);
    const r = await firstFailure(1);
    expect(r.code).toBe(1);
    const j = JSON.parse(r.stdout);
    expect(j.stoppedBy).toBe('first-failure');
    expect(j.variants[0]).toMatchObject({ variant: 'v6.17-cac1db8c3aad', failed: 1 });
    expect(j.failures[0].index).toBe(j.variants[0].firstFailureAt);
    // the first failing world is the same for any number of jobs
    const two = JSON.parse((await firstFailure(2)).stdout);
    expect(two.variants[0].firstFailureAt).toBe(j.variants[0].firstFailureAt);
  });
  it('reports the bound reached within a time limit', async () => {
    const r = await cli([
      'prove',
      '--bound',
      '3',
      '--kind',
      'pfnmap-shared',
      '--variant',
      'falcato-v3',
      '--time-limit',
      '2',
      '--json',
    ]);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.complete).toBe(false);
    expect(j.stoppedBy).toBe('time-limit');
    expect(j.worlds).toBeGreaterThan(0);
  });
  it('checks a candidate module (--impl): prints the domain size up front and tallies the candidate', async () => {
    const r = await cli(['prove', '--bound', '1', '--impl', fixture('good'), '--time-limit', '3', '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.domain.total).toBeGreaterThan(0);
    expect(j.variants.map((v: { variant: string; verdict: string }) => v.verdict)).toEqual(['candidate']);
    expect(j.variants[0].checked).toBeGreaterThan(0);
    const text = await cli(['prove', '--bound', '1', '--impl', fixture('good'), '--time-limit', '2']);
    expect(text.stdout).toMatch(/the domain holds (more than )?[\d,]+ worlds/);
  });
  it('finds a candidate that throws (--impl) and exits 1', async () => {
    const r = await cli(['prove', '--bound', '1', '--impl', fixture('throws'), '--time-limit', '4']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/FAILS/);
  });
  it('rejects a missing --impl module with exit 2', async () => {
    const r = await cli(['prove', '--bound', '1', '--impl', 'no/such/file.ts']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no such file/);
  });
  it('rejects a bad bound and an unknown variant with exit 2', async () => {
    expect((await cli(['prove', '--bound', '0'])).code).toBe(2);
    const r = await cli(['prove', '--bound', '1', '--variant', 'nope']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown variant 'nope'/);
    for (const line of r.stderr.split('\n')) expect(line.length, line).toBeLessThanOrEqual(80);
    expect(r.stderr).toMatch(/falcato-v3/);
  });
});
