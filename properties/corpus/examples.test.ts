// SPDX-License-Identifier: GPL-2.0-only
// The stored worlds fed back to the properties as fast-check `examples`: every
// equivalent variant still passes them, and every variant recorded as failing a
// file still fails it (fast-check re-shrinks from the stored value).
import { describe, expect, it } from 'vitest';
import { getProperty, spec, variantTarget } from '../../src/check/index.js';
import { runProperty } from '../../src/check/run.js';
import { VARIANTS } from '../../src/kernel/index.js';
import { exampleWorld, loadCorpus } from '../../src/store/index.js';

const { entries } = loadCorpus();
const properties = [...new Set(entries.map((e) => e.data.property))].sort();

describe.each(properties)('stored examples of %s', (property) => {
  const mine = entries.filter((e) => e.data.property === property);
  const worlds = mine.map(exampleWorld);
  const prop = getProperty(property);

  it.each(VARIANTS.filter((v) => v.verdict === 'equivalent').map((v) => [v.name, v] as const))('%s passes them', (_, v) => {
    const r = runProperty(prop, variantTarget(v), spec, { seed: 1, numRuns: worlds.length, examples: worlds });
    expect(r.failure?.mismatches ?? []).toEqual([]);
  });

  const failing = VARIANTS.filter((v) => mine.some((e) => e.data.expected[v.name] === 'fails'));
  it.each(failing.map((v) => [v.name, v] as const))('%s still fails them', (_, v) => {
    const ws = mine.filter((e) => e.data.expected[v.name] === 'fails').map(exampleWorld);
    const r = runProperty(prop, variantTarget(v), spec, { seed: 1, numRuns: ws.length, examples: ws });
    expect(r.failure).not.toBeNull();
    expect(r.failure!.world.ptes.length).toBeLessThanOrEqual(ws[0]!.ptes.length);
  });
});
