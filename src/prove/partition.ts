// SPDX-License-Identifier: GPL-2.0-only
// How the enumeration order is split over shards (machines, `--shard I/N`)
// and jobs (worker threads, `--jobs N`): fixed-size chunks of consecutive
// worlds, chunk c to shard c mod N, and within a shard to job
// floor(c / N) mod J. The split depends only on the chunk size and N, never on
// timing, so every world is checked by exactly one job of one shard and the
// merged result is the same for any J.

/** Worlds per chunk (a shard result records it; shards of different chunk sizes do not merge). */
export const DEFAULT_CHUNK = 4096;

export interface Partition {
  /** 0-based shard index and shard count (`--shard I/N` is shard I-1 of N). */
  readonly shard: number;
  readonly shards: number;
  /** 0-based job index and job count within the shard. */
  readonly job: number;
  readonly jobs: number;
  readonly chunk: number;
}

export const WHOLE: Partition = Object.freeze({ shard: 0, shards: 1, job: 0, jobs: 1, chunk: DEFAULT_CHUNK });

/** Whether chunk c belongs to this shard (any job). */
export const shardOwns = (p: Partition, c: number): boolean => c % p.shards === p.shard;

/** Whether chunk c belongs to this shard and job. */
export const owns = (p: Partition, c: number): boolean => shardOwns(p, c) && Math.floor(c / p.shards) % p.jobs === p.job;

/** The `want` predicate of enumerateWorlds() for a partition: does [lo, lo + size) hold a world of ours? */
export function wantOf(p: Partition): (lo: number, size: number) => boolean {
  if (p.shards === 1 && p.jobs === 1) return () => true;
  const period = p.shards * p.jobs;
  return (lo, size) => {
    if (size <= 0) return false;
    const c0 = Math.floor(lo / p.chunk);
    const c1 = Math.floor((lo + size - 1) / p.chunk);
    if (c1 - c0 + 1 >= period) return true;
    for (let c = c0; c <= c1; c++) if (owns(p, c)) return true;
    return false;
  };
}

/** How many of the worlds 0..total-1 belong to this shard (all jobs), for progress and for merging. */
export function shardSize(p: Partition, total: number): number {
  let n = 0;
  const chunks = Math.ceil(total / p.chunk);
  for (let c = p.shard; c < chunks; c += p.shards) n += Math.min(p.chunk, total - c * p.chunk);
  return n;
}
