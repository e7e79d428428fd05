// SPDX-License-Identifier: GPL-2.0-only
// The 5-minute bounded exhaustive run: npx tsx bench/prove.ts [bound] [seconds]
// Prints formatProveResult() and writes reports/prove.json (counts only).
import { mkdirSync, writeFileSync } from 'node:fs';
import { countWorlds, formatProveResult, prove } from '../src/prove/index.js';

const bound = Number(process.argv[2] ?? 2);
const seconds = Number(process.argv[3] ?? 300);
// Counting is cheap next to checking, but not free: count only up to COUNT_BOUND (default: bound - 1).
const planned = countWorlds({ bound: Number(process.env.COUNT_BOUND ?? Math.max(1, bound - 1)) });
console.log(`domain: ${planned.map((n, i) => `${i + 1} slot(s): ${n.toLocaleString('en-US')}`).join(', ')} worlds`);
const r = prove({
  bound,
  timeLimitMs: seconds * 1000,
  onProgress: (p) => {
    if (p.worlds % 500_000 === 0)
      console.log(`  ${p.worlds.toLocaleString('en-US')} worlds, ${p.slots} slot(s), ${(p.ms / 1000).toFixed(0)}s`);
  },
});
console.log(formatProveResult(r));
mkdirSync('reports', { recursive: true });
const { failures, ...counts } = r;
writeFileSync(
  'reports/prove.json',
  `${JSON.stringify({ ...counts, planned, failures: failures.map((f) => ({ variant: f.variant, index: f.index, slots: f.slots })) }, null, 2)}\n`,
);
