// `mprotect-spec prove` (issue 6 item 3): a bounded exhaustive run finds the
// head-page bug, says how far it got, and rejects bad input.
import { describe, expect, it } from 'vitest';
import { cli } from './helpers.js';

describe('mprotect-spec prove', () => {
  it('finds v6.17-cac1db8c3aad among one-slot worlds and exits 1', async () => {
    const r = await cli(['prove', '--bound', '1', '--variant', 'v6.17-cac1db8c3aad', '--time-limit', '8']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/v6\.17-cac1db8c3aad/);
  });
  it('reports the bound reached within a time limit', async () => {
    const r = await cli(['prove', '--bound', '3', '--variant', 'falcato-v3', '--time-limit', '2', '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.complete).toBe(false);
    expect(j.stoppedBy).toBe('time-limit');
    expect(j.worlds).toBeGreaterThan(0);
  });
  it('rejects a bad bound and an unknown variant with exit 2', async () => {
    expect((await cli(['prove', '--bound', '0'])).code).toBe(2);
    const r = await cli(['prove', '--bound', '1', '--variant', 'nope']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown variant 'nope'/);
  });
});
