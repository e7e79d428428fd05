// SPDX-License-Identifier: GPL-2.0-only
// prove throughput: npx tsx bench/prove.ts [bound] [shards] [jobs] [variant...]
// Counts the domain (exact, timed), then checks shard 1 of `shards` completely
// with `jobs` worker threads: its chunks are spread evenly over the whole
// enumeration order, so it is a fair sample of every part of the domain (one
// slot, THP, two slots, every context), and the whole bound takes about
// `shards` times as long. Prints worlds/s, worlds per CPU-second and that
// extrapolation. Writes reports/prove.json.
// Default: bound 2, 1/40 of it, 2 jobs, falcato-v3 (the issue 15 target run).
import { mkdirSync, writeFileSync } from 'node:fs';
import { countDomain, formatProveResult, runJobs, shardSize, WHOLE } from '../src/prove/index.js';

const bound = Number(process.argv[2] ?? 2);
const shards = Number(process.argv[3] ?? 40);
const jobs = Number(process.argv[4] ?? 2);
const variants = process.argv.slice(5).length ? process.argv.slice(5) : ['falcato-v3'];
const int = (n: number): string => Math.round(n).toLocaleString('en-US');

const c0 = performance.now();
const count = countDomain({ bound });
const countS = (performance.now() - c0) / 1000;
console.log(
  `domain: ${int(count.total)} worlds (${count.bySlots.map((n, i) => `${i + 1} slot(s): ${int(n)}`).join(', ')}), counted in ${countS.toFixed(1)}s`,
);
const partition = { ...WHOLE, shards, jobs };
const sample = shardSize(partition, count.total);
console.log(
  `checking shard 1/${shards}: ${int(sample)} worlds spread over the whole order, ${jobs} job(s), ${variants.join(', ')}`,
);
const cpu0 = process.cpuUsage();
const t0 = performance.now();
const { done } = runJobs({ options: { bound, variants, partition } }, jobs);
const { result } = await done;
const wall = (performance.now() - t0) / 1000;
// worker threads run in this process: its CPU time covers them
const u = process.cpuUsage(cpu0);
const cpu = (u.user + u.system) / 1e6;
console.log(formatProveResult(result, { ofWorlds: sample }));
const rate = result.worlds / wall;
const perCpu = result.worlds / cpu;
console.log(
  `throughput: ${int(rate)} worlds/s with ${jobs} job(s) (${int(perCpu)} worlds per CPU-second, ${(cpu / wall).toFixed(2)} CPUs used); ` +
    `the whole bound ${bound}: about ${int(count.total / rate)} s at this rate, ${int(count.total / perCpu / jobs)} s on ${jobs} free core(s)`,
);
mkdirSync('reports', { recursive: true });
writeFileSync(
  'reports/prove.json',
  `${JSON.stringify(
    {
      bound,
      variants,
      jobs,
      shards,
      sample,
      domain: count,
      countSeconds: countS,
      worlds: result.worlds,
      wallSeconds: wall,
      cpuSeconds: cpu,
      worldsPerSecond: rate,
      worldsPerCpuSecond: perCpu,
      complete: result.complete,
      failures: result.failures.map((f) => ({ variant: f.variant, index: f.index, slots: f.slots })),
    },
    null,
    2,
  )}\n`,
);
