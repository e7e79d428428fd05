// SPDX-License-Identifier: GPL-2.0-only
// `mprotect-spec show FILE`: a stored counterexample rendered as a report.
import { resolve } from 'node:path';
import { getProperty, runGuarded, spec, variantTarget } from '../check/index.js';
import { VARIANTS } from '../kernel/index.js';
import type { KernelOutcome } from '../pte/index.js';
import { counterexampleJson, renderCounterexample } from '../report/counterexample.js';
import { wrap } from '../report/text.js';
import { CorpusError, displayPath, readCorpusFile } from '../store/index.js';
import { EXIT_OK, UsageError } from './errors.js';
import type { Io } from './io.js';

export function runShow(file: string, o: { json: boolean }, io: Io): number {
  let entry: ReturnType<typeof readCorpusFile>;
  try {
    entry = readCorpusFile(resolve(io.cwd, file));
  } catch (error) {
    if (error instanceof CorpusError) throw new UsageError(error.message);
    throw error;
  }
  const d = entry.data;
  let property: { id: string; title: string; cites: string };
  try {
    property = getProperty(d.property);
  } catch {
    property = { id: d.property, title: '(property not in this version)', cites: '-' };
  }
  // Re-run the variant when it is still in the registry; else show what was stored.
  const variant = VARIANTS.find((v) => v.name === d.signature.variant);
  let actual = d.actual as KernelOutcome | null;
  if (variant) {
    const g = runGuarded(variantTarget(variant), d.world);
    actual = g.ok ? g.outcome : actual;
  }
  let specOut = null;
  try {
    specOut = spec(d.world);
  } catch {
    specOut = null;
  }
  const p = d.provenance;
  const view = {
    target: d.signature.variant,
    property,
    world: d.world,
    mismatches: d.mismatches as never,
    spec: specOut,
    actual,
    seed: p.seed,
    path: p.path,
    shrinks: p.shrinks,
    ...(p.narrowed !== undefined ? { narrowed: p.narrowed } : {}),
    ...(p.path ? { replay: `npx mprotect-spec replay ${displayPath(entry.file, io.cwd)}` } : {}),
  };
  if (o.json) {
    io.out(
      `${JSON.stringify({ file: displayPath(entry.file, io.cwd), ...counterexampleJson(view), expected: d.expected, provenance: p }, null, 2)}\n`,
    );
    return EXIT_OK;
  }
  const expected = Object.entries(d.expected)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  io.out(
    [
      `${displayPath(entry.file, io.cwd)}`,
      ...wrap(
        `found ${p.date} by ${p.variant} (seed ${p.seed}${p.path ? `, path ${p.path}` : ''}, ${p.shrinks} shrinks${p.narrowed ? `, ${p.narrowed} narrowing steps` : ''}; fast-check ${p.fastCheckVersion}, mprotect-spec ${p.projectVersion})`,
      ),
      ...wrap(`expected: ${expected}`),
      '',
      renderCounterexample(view),
      '',
    ].join('\n'),
  );
  return EXIT_OK;
}
