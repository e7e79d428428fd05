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
/** Checks shard 1 of `n` completely; returns its worlds, wall and CPU seconds (worker threads included). */
async function sample(n: number) {
  const partition = { ...WHOLE, shards: n, jobs };
  const worlds = shardSize(partition, count.total);
  console.log(`checking shard 1/${n}: ${int(worlds)} worlds spread over the whole order, ${jobs} job(s), ${variants.join(', ')}`);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const { result } = await runJobs({ options: { bound, variants, partition } }, jobs).done;
  const wall = (performance.now() - t0) / 1000;
  const u = process.cpuUsage(cpu0);
  console.log(formatProveResult(result, { ofWorlds: worlds, shard: { index: 1, count: n } }));
  return { result, worlds: result.worlds, wall, cpu: (u.user + u.system) / 1e6 };
}

// Two samples, 1/(2S) and 1/S: their difference is the cost per world without the fixed part (thread
// start, module load, each job's walk over the enumeration), which the extrapolation adds once.
const small = await sample(2 * shards);
const big = await sample(shards);
const perWorld = (big.cpu - small.cpu) / (big.worlds - small.worlds);
const fixed = Math.max(0, small.cpu - small.worlds * perWorld);
const whole = (count.total * perWorld + fixed) / jobs;
const result = big.result;
console.log(
  `throughput: ${int(big.worlds / big.wall)} worlds/s with ${jobs} job(s) on this machine now ` +
    `(${(big.cpu / big.wall).toFixed(2)} CPUs used); ${int(1 / perWorld)} worlds per CPU-second per job, ` +
    `${fixed.toFixed(1)} CPU-s fixed; the whole bound ${bound} on ${jobs} free core(s): about ${int(whole)} s`,
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
      domain: count,
      countSeconds: countS,
      samples: [small, big].map((x) => ({ worlds: x.worlds, wallSeconds: x.wall, cpuSeconds: x.cpu })),
      worldsPerCpuSecond: 1 / perWorld,
      fixedCpuSeconds: fixed,
      extrapolatedSeconds: whole,
      complete: result.complete,
      failures: result.failures.map((f) => ({ variant: f.variant, index: f.index, slots: f.slots })),
    },
    null,
    2,
  )}\n`,
);
