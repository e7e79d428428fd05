// SPDX-License-Identifier: GPL-2.0-only
// `mprotect-spec list`: the variants with upstream reference and expected verdict.
import { BASELINE_VARIANT, loadErrorOf, VARIANTS } from '../kernel/index.js';
import { wrap } from '../report/text.js';
import { EXIT_OK } from './errors.js';
import type { Io } from './io.js';

export function runList(o: { json: boolean }, io: Io): number {
  if (o.json) {
    const doc = VARIANTS.map((v) => ({
      name: v.name,
      file: v.file,
      baseline: v.baseline,
      verdict: v.verdict,
      breaks: v.breaks ?? null,
      drift: v.drift ?? [],
      upstream: v.upstream,
      isBaseline: v.name === BASELINE_VARIANT,
      loadError: loadErrorOf(v.name),
    }));
    io.out(`${JSON.stringify(doc, null, 2)}\n`);
    return EXIT_OK;
  }
  const lines: string[] = [];
  for (const v of VARIANTS) {
    const failed = loadErrorOf(v.name);
    const verdict =
      failed !== null ? 'FAILED TO LOAD' : v.verdict === 'known-bad' ? `known-bad (breaks ${v.breaks ?? '?'})` : 'equivalent';
    const tags = [v.name === BASELINE_VARIANT ? 'BASELINE' : '', v.drift?.length ? `drift ${v.drift.join(',')}` : '']
      .filter(Boolean)
      .join(', ');
    lines.push(`${v.name.padEnd(24)} ${verdict}${tags ? `  [${tags}]` : ''}`);
    lines.push(...wrap(`    ${v.upstream}`, 80, '      '));
    if (v.baseline) lines.push(`    derived from ${v.baseline}; ${v.file}`);
    if (failed !== null) lines.push(...wrap(`    ${v.file}: ${failed}`, 80, '      '));
  }
  io.out(`${lines.join('\n')}\n`);
  return EXIT_OK;
}
