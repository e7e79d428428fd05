// SPDX-License-Identifier: GPL-2.0-only
// The README's user-property example, verbatim between the markers, so the
// documented code is the code that runs.

// --- README example start ---
import fc from 'fast-check';
import { change_protection_spec, compareRelaxed, corpusExamples, describeMismatch, getVariant, worldArb } from 'mprotect-spec';
import { describe, expect, it } from 'vitest';

const variant = getVariant('falcato-v3');
const agrees = fc.property(worldArb(), (world) => {
  const mismatches = compareRelaxed(world, change_protection_spec(world), variant.run(world));
  if (mismatches.length) throw new Error(mismatches.map(describeMismatch).join('\n'));
});
const examples = corpusExamples('agree').map((world) => [world] as [typeof world]);
it('agrees with the spec', () => fc.assert(agrees, { examples }));
// --- README example end ---

describe('README user-property example', () => {
  it('runs and passes on the baseline, with the stored counterexamples first', () => {
    expect(examples.length).toBeGreaterThan(0);
    expect(() => fc.assert(agrees, { examples, numRuns: 200 })).not.toThrow();
  });

  it('the same property fails on the head-page bug', () => {
    const bad = getVariant('v6.17-cac1db8c3aad');
    const prop = fc.property(worldArb(), (w) => compareRelaxed(w, change_protection_spec(w), bad.run(w)).length === 0);
    expect(fc.check(prop, { examples, numRuns: 200 }).failed).toBe(true);
  });
});

it('the README shows this example verbatim', async () => {
  const { readFileSync } = await import('node:fs');
  const me = readFileSync(new URL(import.meta.url), 'utf8');
  const block = /\/\/ --- README example start ---\n([\s\S]*?)\/\/ --- README example end ---/.exec(me)![1]!;
  // the README imports only `it` from vitest; this file also needs describe/expect
  expect(readFileSync('README.md', 'utf8')).toContain(
    block.trim().replace(/import \{[^}]*\} from 'vitest';/, "import { it } from 'vitest';"),
  );
});
