// SPDX-License-Identifier: GPL-2.0-only
// `check --variant NAME` runs a registered variant in a worker, like --impl:
// a patch ported into a variant that loops or writes its input is a reported
// divergence, not a hung tool (issue 5 item 2). The registry is fixed, so the
// test registers fixture variants through runCheck's lookup seam.
import { describe, expect, it } from 'vitest';
import { runCheck } from '../../src/cli/check.js';
import { memoryIo } from '../../src/cli/io.js';
import { getVariant, type Variant } from '../../src/kernel/index.js';
import { fixture } from './helpers.js';

function fixtureVariant(name: string, calls: { n: number }): Variant {
  return {
    ...getVariant('falcato-v3'),
    name: `test-${name}`,
    file: fixture(name),
    verdict: 'equivalent',
    run: () => {
      calls.n++; // only reached when the variant runs in this process
      throw new Error(`in-process run of test-${name}`);
    },
  };
}

async function check(name: string, extra: { inProcess?: boolean } = {}) {
  const calls = { n: 0 };
  const variant = fixtureVariant(name, calls);
  const io = memoryIo({});
  const code = await runCheck(
    {
      variants: [variant.name],
      runs: 50,
      seed: 1,
      json: false,
      save: false,
      properties: ['agree'],
      caseTimeoutMs: 400,
      quiet: true,
      batching: 'batched',
      lookup: (n) => (n === variant.name ? variant : getVariant(n)),
      ...extra,
    },
    io,
  );
  return { code, stdout: io.stdout(), stderr: io.stderr(), calls: calls.n };
}

describe('registered variants run isolated in a worker', () => {
  it('a variant that never returns is a REL-CRASH divergence with the world that hung', async () => {
    const t0 = Date.now();
    const r = await check('hangs');
    expect(Date.now() - t0).toBeLessThan(20_000);
    expect(r.code).toBe(1);
    expect(r.calls).toBe(0);
    expect(r.stdout).toMatch(/no progress after 400 ms \(per-case time limit, --case-timeout\)/);
    expect(r.stdout).toMatch(/^agree\s+test-hangs\s+\d+\s+FAIL REL-CRASH/m);
    expect(r.stdout).toMatch(/^vma 0x[0-9a-f]+-0x[0-9a-f]+ /m); // the world it hung on is shown
  });

  it('a variant that writes its input is REL-INPUT naming the slot', async () => {
    const r = await check('mutates');
    expect(r.code).toBe(1);
    expect(r.calls).toBe(0);
    expect(r.stdout).toMatch(/mutated slot 0 of its input/);
  });

  it('a faithful variant agrees', async () => {
    const r = await check('good');
    expect(r.code).toBe(0);
    expect(r.calls).toBe(0);
    expect(r.stdout).toMatch(/AGREEMENT: test-good/);
  });

  it('a variant whose file does not load is a usage error naming the variant', async () => {
    // runCheck throws the UsageError; main() prints it and exits 2 (bad_input.test.ts covers that path).
    await expect(check('wrong_export')).rejects.toThrow(
      /--variant test-wrong_export \(properties\/cli\/fixtures\/wrong_export\.ts\): the module must export/,
    );
  });

  it('--in-process runs the registered function in this process instead', async () => {
    const r = await check('good', { inProcess: true });
    expect(r.calls).toBeGreaterThan(0);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/threw Error: in-process run of test-good/);
  });
});
