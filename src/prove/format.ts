// SPDX-License-Identifier: GPL-2.0-only
// A human summary of a prove() result: coverage of the bound, per-variant
// tallies, and the first failing worlds with their mismatches.
import { describeMismatch } from '../observe/index.js';
import { formatPte } from '../pte/index.js';
import type { ProveResult } from './prove.js';

const int = (n: number): string => n.toLocaleString('en-US');

const STOPPED: Record<NonNullable<ProveResult['stoppedBy']>, string> = {
  'first-failure': 'at the first failure',
  'time-limit': 'at the time limit',
  sigint: 'by SIGINT',
};

export function formatProveResult(
  r: ProveResult,
  options: {
    readonly maxFailures?: number;
    /** Worlds the run was given (its shard of the domain). */
    readonly ofWorlds?: number;
    /** The run's shard, when it is one of several (its coverage is that shard's worlds). */
    readonly shard?: { readonly index: number; readonly count: number };
    /** What the elapsed time is (default: the run's). */
    readonly timeLabel?: string;
  } = {},
): string {
  const lines: string[] = [];
  const secs = (r.ms / 1000).toFixed(1);
  const part = options.shard && options.shard.count > 1 ? ` of shard ${options.shard.index}/${options.shard.count}` : '';
  const reach = r.complete
    ? `every world${part} with 1..${r.bound} slot(s)`
    : r.stoppedBy === null
      ? 'the worlds of the shards given only'
      : `${r.completedSlots > 0 ? `every world with 1..${r.completedSlots} slot(s), then ` : ''}stopped ${STOPPED[r.stoppedBy]} inside ${r.completedSlots + 1} slot(s)`;
  const of = options.ofWorlds === undefined ? '' : ` of ${int(options.ofWorlds)}`;
  lines.push(
    `prove --bound ${r.bound}: ${int(r.worlds)}${of} worlds, ${int(r.checked)} world x variant comparisons in ${secs}s${options.timeLabel ?? ''}`,
  );
  lines.push(`  covered: ${reach}`);
  lines.push(`  worlds by slot count: ${r.worldsBySlots.map((n, i) => `${i + 1}: ${int(n)}`).join(', ')}`);
  for (const v of r.variants) {
    const state = v.failed === 0 ? 'agrees on every world' : `FAILS on ${int(v.failed)} world(s), first at #${v.firstFailureAt}`;
    const drift = v.excluded ? ` (${int(v.excluded)} left out for declared drift)` : '';
    lines.push(`  ${v.variant.padEnd(28)} ${v.verdict.padEnd(10)} ${int(v.checked).padStart(11)} checked  ${state}${drift}`);
  }
  if (r.specErrors) lines.push(`  the spec threw on ${int(r.specErrors)} world(s): an enumerator or spec bug`);
  for (const f of r.failures.slice(0, options.maxFailures ?? 3)) {
    const w = f.world;
    lines.push('');
    lines.push(
      `  ${f.variant}: world #${f.index} (${f.slots} slot(s)), cp_flags=${w.cp_flags}, ${w.config.arch}${w.config.memSoftDirty ? ' soft-dirty' : ''}`,
    );
    lines.push(
      `    vma [0x${w.vma.start.toString(16)}, 0x${w.vma.end.toString(16)}) flags=0x${w.vma.flags.toString(16)} range [0x${w.range.start.toString(16)}, 0x${w.range.end.toString(16)})`,
    );
    for (const [i, p] of w.ptes.entries()) lines.push(`    0x${(w.vma.start + i).toString(16)} ${formatPte(p)}`);
    for (const fo of w.folios)
      lines.push(
        `    folio pfn=0x${fo.pfn.toString(16)} order=${fo.order} anon=${fo.anon} exclusive=[${fo.anonExclusive.map((x) => (x ? 1 : 0)).join('')}]`,
      );
    for (const m of f.mismatches.slice(0, 4)) lines.push(`    ${describeMismatch(m).split('\n').join('\n    ')}`);
  }
  return lines.join('\n');
}
