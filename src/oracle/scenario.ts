// SPDX-License-Identifier: GPL-2.0-only
// The oracle's scenario language: a short, JSON-serialisable userspace program
// run once on the live kernel (oracle/runner.c) and once on the process model
// (predict.ts). Every access op is also a probe: it is observed on both sides.

/**
 * file_* regions live in an O_TMPFILE on the local disk (ext4), written one page at a time so every
 * page-cache folio is order-0; file_shared_large is written 64 KiB at a time, so ext4 caches order-4
 * folios and the kernel's mprotect() batches over them (SEMANTICS §11).
 */
export const REGION_KINDS = [
  'anon',
  'anon_shared',
  'memfd_shared',
  'memfd_private',
  'file_shared',
  'file_private',
  'file_shared_large',
] as const;
export type RegionKind = (typeof REGION_KINDS)[number];

export const PROTS = ['none', 'r', 'rw', 'rx', 'rwx'] as const;
export type Prot = (typeof PROTS)[number];

export const PROT_BITS: Record<Prot, number> = { none: 0, r: 1, rw: 3, rx: 5, rwx: 7 };

export type Access = 'read' | 'write' | 'none';

export type Op =
  | { readonly op: 'map'; readonly kind: RegionKind; readonly pages: number; readonly thp: boolean }
  /**
   * A second mapping of the file or memfd behind region `of` (same pages, offset 0), MAP_SHARED or
   * MAP_PRIVATE: a new region whose page cache is `of`'s. Only memfd_* and file_* regions have one.
   */
  | { readonly op: 'map_alias'; readonly of: number; readonly shared: boolean }
  /** Access one page (or only look at it: 'none') and observe pagemap before and after. */
  | { readonly op: 'access'; readonly region: number; readonly page: number; readonly access: Access }
  /** Fork a child that holds its copy of the mappings until `exit`; `child_access` makes it touch them. */
  | { readonly op: 'fork' }
  /** The child with this index (0 = first fork) exits and is reaped. */
  | { readonly op: 'exit'; readonly child: number }
  /**
   * The live child with this index accesses one page of its copy of a region (mapped before its fork) and
   * observes it from its own pagemap; also a probe, compared like `access` (plus `sharedWithParent`).
   */
  | {
      readonly op: 'child_access';
      readonly child: number;
      readonly region: number;
      readonly page: number;
      readonly access: Access;
    }
  | { readonly op: 'mprotect'; readonly region: number; readonly first: number; readonly count: number; readonly prot: Prot }
  | { readonly op: 'dontneed'; readonly region: number; readonly first: number; readonly count: number }
  | { readonly op: 'guard_install'; readonly region: number; readonly first: number; readonly count: number }
  | { readonly op: 'guard_remove'; readonly region: number; readonly first: number; readonly count: number }
  /**
   * UFFDIO_REGISTER (MODE_WP) over the whole region; `unpopulated` asks for UFFD_FEATURE_WP_UNPOPULATED,
   * `async` for UFFD_FEATURE_WP_ASYNC (the kernel resolves write faults itself, no message; asking for it
   * turns WP_UNPOPULATED on too, userfaultfd_api() in fs/userfaultfd.c, v6.18). `async` absent = false
   * (older scenarios).
   */
  | { readonly op: 'uffd_register'; readonly region: number; readonly unpopulated: boolean; readonly async?: boolean }
  | { readonly op: 'uffd_wp'; readonly region: number; readonly first: number; readonly count: number; readonly on: boolean }
  /** msync(MS_SYNC) over the whole region: writeback of a shared file's dirty pages (the `writeback` opt-in). */
  | { readonly op: 'msync'; readonly region: number };

export interface Scenario {
  readonly ops: readonly Op[];
}

export const MAX_PAGES = 512; // one PMD: regions are PMD-aligned, so a region never straddles a PTE table
export const MAX_OPS = 200;
export const MAX_REGIONS = 8;
export const MAX_CHILDREN = 4;

/** Shared memory (shmem): a memfd mapped either way, or MAP_SHARED|MAP_ANONYMOUS. */
export const isShmem = (k: RegionKind): boolean => k === 'memfd_shared' || k === 'memfd_private' || k === 'anon_shared';
/** A MAP_PRIVATE mapping: writes copy (COW). */
export const isPrivate = (k: RegionKind): boolean => k === 'anon' || k === 'memfd_private' || k === 'file_private';
/** A file on the ext4 file directory. */
export const isFile = (k: RegionKind): boolean => k === 'file_shared' || k === 'file_private' || k === 'file_shared_large';

/** The region kinds that have a file or memfd behind them (a `map_alias` source). */
export const ALIASABLE_KINDS: readonly RegionKind[] = [
  'memfd_shared',
  'memfd_private',
  'file_shared',
  'file_private',
  'file_shared_large',
];

/** The kind of a second mapping of a `source`-kind region's file, shared or private. */
export function aliasKind(source: RegionKind, shared: boolean): RegionKind {
  if (source === 'memfd_shared' || source === 'memfd_private') return shared ? 'memfd_shared' : 'memfd_private';
  if (source === 'file_shared_large') return shared ? 'file_shared_large' : 'file_private';
  return shared ? 'file_shared' : 'file_private';
}

export class ScenarioError extends Error {
  constructor(
    readonly index: number,
    message: string,
  ) {
    super(index < 0 ? message : `ops[${index}]: ${message}`);
    this.name = 'ScenarioError';
  }
}

const isInt = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n);

/** Every problem of a scenario, each naming the op index. Empty when valid. */
export function scenarioProblems(s: unknown): string[] {
  const out: string[] = [];
  if (typeof s !== 'object' || s === null || !Array.isArray((s as Scenario).ops)) return ['a scenario is { ops: Op[] }'];
  const ops = (s as Scenario).ops;
  if (ops.length > MAX_OPS) out.push(`at most ${MAX_OPS} ops`);
  const regions: { pages: number; kind: RegionKind; thp: boolean; uffd: boolean }[] = [];
  let forks = 0;
  const exited = new Set<number>();
  const regionsAtFork: number[] = []; // per child: how many regions it inherited
  for (const [i, o] of ops.entries()) {
    const bad = (m: string): void => {
      out.push(`ops[${i}] (${(o as { op?: string })?.op ?? '?'}): ${m}`);
    };
    if (typeof o !== 'object' || o === null) {
      bad('not an object');
      continue;
    }
    const range = (r: unknown, first: unknown, count: unknown): void => {
      if (!isInt(r) || r < 0 || r >= regions.length) {
        bad(`region ${String(r)} is not mapped yet`);
        return;
      }
      const pages = regions[r]!.pages;
      if (!isInt(first) || !isInt(count) || first < 0 || count < 1 || first + count > pages)
        bad(`range [${String(first)}, +${String(count)}) is not inside the region's ${pages} pages`);
    };
    switch (o.op) {
      case 'map':
        if (!REGION_KINDS.includes(o.kind)) bad(`kind must be one of ${REGION_KINDS.join(', ')}`);
        if (!isInt(o.pages) || o.pages < 1 || o.pages > MAX_PAGES) bad(`pages must be 1..${MAX_PAGES}`);
        if (typeof o.thp !== 'boolean') bad('thp must be a boolean');
        if (regions.length >= MAX_REGIONS) bad(`at most ${MAX_REGIONS} regions`);
        regions.push({ pages: o.pages, kind: o.kind, thp: o.thp, uffd: false });
        continue;
      case 'map_alias': {
        if (typeof o.shared !== 'boolean') bad('shared must be a boolean');
        if (regions.length >= MAX_REGIONS) bad(`at most ${MAX_REGIONS} regions`);
        if (!isInt(o.of) || o.of < 0 || o.of >= regions.length) {
          bad(`region ${String(o.of)} is not mapped yet`);
          continue;
        }
        const src = regions[o.of]!;
        if (!ALIASABLE_KINDS.includes(src.kind))
          bad(`region ${o.of} is ${src.kind}: only ${ALIASABLE_KINDS.join(', ')} regions have a file to map again`);
        regions.push({ pages: src.pages, kind: aliasKind(src.kind, o.shared === true), thp: false, uffd: false });
        continue;
      }
      case 'access':
        if (!['read', 'write', 'none'].includes(o.access)) bad('access must be read, write or none');
        range(o.region, o.page, 1);
        continue;
      case 'fork':
        if (forks - exited.size >= MAX_CHILDREN) bad(`at most ${MAX_CHILDREN} live children`);
        regionsAtFork.push(regions.length);
        forks++;
        continue;
      case 'child_access':
        if (!['read', 'write', 'none'].includes(o.access)) bad('access must be read, write or none');
        if (!isInt(o.child) || o.child < 0 || o.child >= forks) bad(`child ${String(o.child)} was never forked`);
        else if (exited.has(o.child)) bad(`child ${o.child} already exited`);
        else if (isInt(o.region) && o.region >= regionsAtFork[o.child]! && o.region < regions.length)
          bad(`region ${o.region} was mapped after child ${o.child} was forked: the child has no copy of it`);
        range(o.region, o.page, 1);
        continue;
      case 'exit':
        if (!isInt(o.child) || o.child < 0 || o.child >= forks) bad(`child ${String(o.child)} was never forked`);
        else if (exited.has(o.child)) bad(`child ${o.child} already exited`);
        else exited.add(o.child);
        continue;
      case 'mprotect':
        if (!PROTS.includes(o.prot)) bad(`prot must be one of ${PROTS.join(', ')}`);
        range(o.region, o.first, o.count);
        continue;
      case 'dontneed':
      case 'guard_install':
      case 'guard_remove':
        range(o.region, o.first, o.count);
        continue;
      case 'uffd_register': {
        if (typeof o.unpopulated !== 'boolean') bad('unpopulated must be a boolean');
        if (o.async !== undefined && typeof o.async !== 'boolean') bad('async must be a boolean');
        if (!isInt(o.region) || o.region < 0 || o.region >= regions.length) {
          bad(`region ${String(o.region)} is not mapped yet`);
          continue;
        }
        const r = regions[o.region]!;
        if (r.uffd) bad('the region is already registered');
        r.uffd = true;
        continue;
      }
      case 'uffd_wp':
        if (typeof o.on !== 'boolean') bad('on must be a boolean');
        range(o.region, o.first, o.count);
        continue;
      case 'msync':
        if (!isInt(o.region) || o.region < 0 || o.region >= regions.length) bad(`region ${String(o.region)} is not mapped yet`);
        continue;
      default:
        bad(`unknown op ${JSON.stringify((o as { op?: unknown }).op)}`);
    }
  }
  return out;
}

export function assertValidScenario(s: unknown): asserts s is Scenario {
  const problems = scenarioProblems(s);
  if (problems.length > 0) throw new ScenarioError(-1, `invalid scenario:\n  ${problems.join('\n  ')}`);
}

/** The runner's line format (see oracle/runner.c). */
export function toRunnerLines(s: Scenario, id: string): string {
  const lines = [`S ${id}`];
  for (const o of s.ops) {
    switch (o.op) {
      case 'map':
        lines.push(`M ${o.kind} ${o.pages} ${o.thp ? 1 : 0}`);
        break;
      case 'map_alias':
        lines.push(`L ${o.of} ${o.shared ? 1 : 0}`);
        break;
      case 'access':
        lines.push(`A ${o.region} ${o.page} ${o.access === 'read' ? 'r' : o.access === 'write' ? 'w' : 'n'}`);
        break;
      case 'fork':
        lines.push('F');
        break;
      case 'exit':
        lines.push(`X ${o.child}`);
        break;
      case 'child_access':
        lines.push(`C ${o.child} ${o.region} ${o.page} ${o.access === 'read' ? 'r' : o.access === 'write' ? 'w' : 'n'}`);
        break;
      case 'mprotect':
        lines.push(`P ${o.region} ${o.first} ${o.count} ${PROT_BITS[o.prot]}`);
        break;
      case 'dontneed':
        lines.push(`D ${o.region} ${o.first} ${o.count}`);
        break;
      case 'guard_install':
        lines.push(`G ${o.region} ${o.first} ${o.count}`);
        break;
      case 'guard_remove':
        lines.push(`H ${o.region} ${o.first} ${o.count}`);
        break;
      case 'uffd_register':
        lines.push(`U ${o.region} ${o.unpopulated ? 1 : 0} ${o.async ? 1 : 0}`);
        break;
      case 'uffd_wp':
        lines.push(`W ${o.region} ${o.first} ${o.count} ${o.on ? 1 : 0}`);
        break;
      case 'msync':
        lines.push(`Y ${o.region}`);
        break;
    }
  }
  lines.push('E');
  return `${lines.join('\n')}\n`;
}

/** A one-line human rendering of an op. */
export function showOp(o: Op): string {
  switch (o.op) {
    case 'map':
      return `map ${o.kind} ${o.pages}p${o.thp ? ' MADV_HUGEPAGE' : ''}`;
    case 'map_alias':
      return `map r${o.of}'s file again ${o.shared ? 'MAP_SHARED' : 'MAP_PRIVATE'}`;
    case 'access':
      return `${o.access === 'none' ? 'look at' : o.access} r${o.region}[${o.page}]`;
    case 'fork':
      return 'fork';
    case 'exit':
      return `child ${o.child} exits`;
    case 'child_access':
      return `child ${o.child}: ${o.access === 'none' ? 'look at' : o.access} r${o.region}[${o.page}]`;
    case 'mprotect':
      return `mprotect r${o.region}[${o.first}..+${o.count}] ${o.prot}`;
    case 'dontneed':
      return `MADV_DONTNEED r${o.region}[${o.first}..+${o.count}]`;
    case 'guard_install':
      return `MADV_GUARD_INSTALL r${o.region}[${o.first}..+${o.count}]`;
    case 'guard_remove':
      return `MADV_GUARD_REMOVE r${o.region}[${o.first}..+${o.count}]`;
    case 'uffd_register':
      return `uffd register WP r${o.region}${o.unpopulated ? ' WP_UNPOPULATED' : ''}${o.async ? ' WP_ASYNC' : ''}`;
    case 'uffd_wp':
      return `UFFDIO_WRITEPROTECT ${o.on ? 'on' : 'off'} r${o.region}[${o.first}..+${o.count}]`;
    case 'msync':
      return `msync(MS_SYNC) r${o.region}`;
  }
}
