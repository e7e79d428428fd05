// SPDX-License-Identifier: GPL-2.0-only
// fast-check scenarios, valid by construction: a record of raw choices mapped
// into a program by clamping every index to what exists at that point (no
// chain, no filter, so shrinking removes steps and shrinks numbers).
import fc from 'fast-check';
import { FEATURES, type Feature } from './compare.js';
import { lifecycleArb } from './lifecycle.js';
import { ALIASABLE_KINDS, aliasKind, MAX_CHILDREN, type Op, type Prot, type RegionKind, type Scenario } from './scenario.js';

export interface RegionChoice {
  readonly kind: RegionKind;
  readonly pages: number;
  readonly thp: boolean;
  /**
   * Map the file or memfd of the region before this one again instead (map_alias), MAP_SHARED or
   * MAP_PRIVATE as `aliasShared` says; ignored (a plain map of `kind`) when that region has no file.
   */
  readonly alias?: boolean;
  readonly aliasShared?: boolean;
}

/** A region as the scenario will really map it. */
export interface ResolvedRegion {
  readonly kind: RegionKind;
  readonly pages: number;
  readonly thp: boolean;
  /** The region whose file this one maps again (MAP_SHARED when `aliasShared`), or null. */
  readonly aliasOf: number | null;
  readonly aliasShared: boolean;
}

/** What each region choice becomes: a second mapping of the previous region's file where it asks for one and can. */
export function resolveRegions(regions: readonly RegionChoice[]): ResolvedRegion[] {
  const out: ResolvedRegion[] = [];
  regions.forEach((r, i) => {
    const prev = out[i - 1];
    if (r.alias && prev && ALIASABLE_KINDS.includes(prev.kind))
      out.push({
        kind: aliasKind(prev.kind, r.aliasShared ?? true),
        pages: prev.pages,
        thp: false,
        aliasOf: i - 1,
        aliasShared: r.aliasShared ?? true,
      });
    else out.push({ kind: r.kind, pages: r.pages, thp: r.thp, aliasOf: null, aliasShared: false });
  });
  return out;
}

export type StepChoice =
  | { readonly t: 'access'; readonly r: number; readonly p: number; readonly write: boolean }
  | { readonly t: 'look'; readonly r: number; readonly p: number }
  | { readonly t: 'fork' }
  | { readonly t: 'exit'; readonly c: number }
  /** A live child accesses its copy of a page; `c` counts back from the newest live child (0 = newest). */
  | {
      readonly t: 'child';
      readonly c: number;
      readonly r: number;
      readonly p: number;
      readonly access: 'read' | 'write' | 'none';
    }
  | { readonly t: 'mprotect'; readonly r: number; readonly p: number; readonly n: number; readonly prot: Prot }
  | { readonly t: 'dontneed'; readonly r: number; readonly p: number; readonly n: number }
  | { readonly t: 'guard'; readonly r: number; readonly p: number; readonly n: number; readonly install: boolean }
  | { readonly t: 'uffd_register'; readonly r: number; readonly unpopulated: boolean; readonly async?: boolean }
  | { readonly t: 'uffd_wp'; readonly r: number; readonly p: number; readonly n: number; readonly on: boolean }
  | { readonly t: 'msync'; readonly r: number };

export interface ScenarioArbOptions {
  /** Restrict to these features (default: all). */
  readonly features?: readonly Feature[];
  readonly maxSteps?: number;
  /**
   * Also generate file_shared_large regions (order-4 ext4 folios). Off by default: there the per-PTE spec
   * and the batched kernel differ by design (SEMANTICS §11 Δ4), see properties/oracle.
   */
  readonly largeFileFolios?: boolean;
  /**
   * Also generate MADV_GUARD_INSTALL over a uffd-wp registered shared-memory region. Off by default: on
   * 6.18 the call does not return (oracle/README.md finding 1); the runner's alarm ends the worker.
   */
  readonly guardOverUffdShmem?: boolean;
  /**
   * Also generate msync(MS_SYNC) (writeback cleans a shared file page: the next write faults again). Off by
   * default only so the default campaign's pinned seeds keep their scenarios; `--features writeback`.
   */
  readonly writeback?: boolean;
}

/** Regions the default campaign leaves out, each behind an explicit opt-in name (`--features`). */
export const OPT_IN_FEATURES = ['large-file-folios', 'guard-over-uffd-shmem', 'writeback'] as const;
export type OptInFeature = (typeof OPT_IN_FEATURES)[number];

const sel = fc.nat(15);

/** Regions with a file or memfd behind them are generated, so a second mapping of one can be. */
export const aliasable = (features: ReadonlySet<Feature>): boolean =>
  features.has('two-mappings') && (features.has('shmem') || features.has('file-writenotify'));
const len = fc.integer({ min: 1, max: 16 });

function regionArb(features: ReadonlySet<Feature>, largeFileFolios: boolean, writeback = false): fc.Arbitrary<RegionChoice> {
  const kinds: RegionKind[] = ['anon'];
  if (features.has('shmem')) kinds.push('memfd_shared', 'anon_shared', 'memfd_private');
  if (features.has('file-writenotify')) kinds.push('file_shared', 'file_private');
  // Writeback only changes shared ext4 pages: with the opt-in they are drawn three times as often.
  if (features.has('file-writenotify') && writeback) kinds.push('file_shared', 'file_shared');
  if (features.has('file-writenotify') && largeFileFolios) kinds.push('file_shared_large');
  const plain = fc.record({ kind: fc.constantFrom(...kinds), pages: fc.integer({ min: 1, max: 24 }), thp: fc.constant(false) });
  // A second mapping of the previous region's file or memfd (when it has one), one region in four.
  const small = aliasable(features)
    ? fc.oneof(
        { weight: 3, arbitrary: plain },
        {
          weight: 1,
          arbitrary: fc.record({
            kind: fc.constantFrom(...kinds),
            pages: fc.integer({ min: 1, max: 24 }),
            thp: fc.constant(false),
            alias: fc.constant(true),
            aliasShared: fc.boolean(),
          }),
        },
      )
    : plain;
  if (!features.has('thp')) return small;
  const thp = fc.record({ kind: fc.constant<RegionKind>('anon'), pages: fc.constant(512), thp: fc.constant(true) });
  return fc.oneof({ weight: 3, arbitrary: small }, { weight: 1, arbitrary: thp });
}

export function stepArb(features: ReadonlySet<Feature>, writeback = false): fc.Arbitrary<StepChoice> {
  const prots: Prot[] = features.has('prot-none') ? ['none', 'r', 'rw', 'rx', 'rwx'] : ['r', 'rw', 'rx', 'rwx'];
  const arbs: fc.WeightedArbitrary<StepChoice>[] = [
    { weight: 6, arbitrary: fc.record({ t: fc.constant('access' as const), r: sel, p: sel, write: fc.boolean() }) },
    { weight: 2, arbitrary: fc.record({ t: fc.constant('look' as const), r: sel, p: sel }) },
    {
      weight: 4,
      arbitrary: fc.record({ t: fc.constant('mprotect' as const), r: sel, p: sel, n: len, prot: fc.constantFrom(...prots) }),
    },
    { weight: 1, arbitrary: fc.record({ t: fc.constant('dontneed' as const), r: sel, p: sel, n: len }) },
  ];
  if (features.has('anon-cow')) {
    arbs.push({ weight: 1, arbitrary: fc.record({ t: fc.constant('fork' as const) }) });
    arbs.push({ weight: 1, arbitrary: fc.record({ t: fc.constant('exit' as const), c: fc.nat(3) }) });
    arbs.push({
      weight: 1,
      arbitrary: fc.record({
        t: fc.constant('child' as const),
        c: fc.nat(3),
        r: sel,
        p: sel,
        access: fc.constantFrom<'read' | 'write' | 'none'>('write', 'write', 'read', 'none'),
      }),
    });
  }
  if (features.has('guard-markers'))
    arbs.push({
      weight: 1,
      arbitrary: fc.record({ t: fc.constant('guard' as const), r: sel, p: sel, n: len, install: fc.boolean() }),
    });
  if (features.has('uffd-wp')) {
    arbs.push({
      weight: 1,
      arbitrary: fc.record({
        t: fc.constant('uffd_register' as const),
        r: sel,
        unpopulated: fc.boolean(),
        async: features.has('wp-async') ? fc.constantFrom(false, false, true) : fc.constant(false),
      }),
    });
    arbs.push({
      weight: 2,
      arbitrary: fc.record({ t: fc.constant('uffd_wp' as const), r: sel, p: sel, n: len, on: fc.boolean() }),
    });
  }
  if (writeback && features.has('file-writenotify'))
    arbs.push({ weight: 2, arbitrary: fc.record({ t: fc.constant('msync' as const), r: sel }) });
  return fc.oneof(...arbs);
}

/** Turn raw choices into a valid scenario. */
export function buildScenario(
  choices: readonly RegionChoice[],
  steps: readonly StepChoice[],
  finalLooks: number,
  guardOverUffdShmem = false,
): Scenario {
  const resolved = resolveRegions(choices);
  const regions = resolved;
  const ops: Op[] = resolved.map(
    (r): Op =>
      r.aliasOf !== null
        ? { op: 'map_alias', of: r.aliasOf, shared: r.aliasShared }
        : { op: 'map', kind: r.kind, pages: r.pages, thp: r.thp },
  );
  const registered = new Set<number>();
  const live: number[] = [];
  let forks = 0;
  const page = (r: number, p: number): number => p % regions[r]!.pages;
  const span = (r: number, p: number, n: number): { first: number; count: number } => {
    const first = page(r, p);
    return { first, count: Math.min(n, regions[r]!.pages - first) };
  };
  for (const s of steps) {
    switch (s.t) {
      case 'access': {
        const r = s.r % regions.length;
        ops.push({ op: 'access', region: r, page: page(r, s.p), access: s.write ? 'write' : 'read' });
        break;
      }
      case 'look': {
        const r = s.r % regions.length;
        ops.push({ op: 'access', region: r, page: page(r, s.p), access: 'none' });
        break;
      }
      case 'fork':
        if (live.length >= MAX_CHILDREN) break;
        live.push(forks++);
        ops.push({ op: 'fork' });
        break;
      case 'exit': {
        if (live.length === 0) break;
        const [child] = live.splice(s.c % live.length, 1);
        ops.push({ op: 'exit', child: child! });
        break;
      }
      case 'child': {
        // Clamped to the live children (every region is mapped before any fork, so each child has them all).
        if (live.length === 0) break;
        const r = s.r % regions.length;
        const child = live[live.length - 1 - (s.c % live.length)]!;
        ops.push({ op: 'child_access', child, region: r, page: page(r, s.p), access: s.access });
        break;
      }
      case 'mprotect': {
        const r = s.r % regions.length;
        ops.push({ op: 'mprotect', region: r, ...span(r, s.p, s.n), prot: s.prot });
        break;
      }
      case 'dontneed': {
        const r = s.r % regions.length;
        ops.push({ op: 'dontneed', region: r, ...span(r, s.p, s.n) });
        break;
      }
      case 'guard': {
        const r = s.r % regions.length;
        // Known livelock on the live kernel (oracle/README.md): not generated.
        if (!guardOverUffdShmem && s.install && registered.has(r) && regions[r]!.kind !== 'anon') break;
        ops.push({ op: s.install ? 'guard_install' : 'guard_remove', region: r, ...span(r, s.p, s.n) });
        break;
      }
      case 'uffd_register': {
        const r = s.r % regions.length;
        if (registered.has(r)) break; // (uffd-wp on THP regions: the model answers unknown)
        registered.add(r);
        ops.push({ op: 'uffd_register', region: r, unpopulated: s.unpopulated, ...(s.async ? { async: true } : {}) });
        break;
      }
      case 'uffd_wp': {
        const r = s.r % regions.length;
        if (!registered.has(r)) break;
        ops.push({ op: 'uffd_wp', region: r, ...span(r, s.p, s.n), on: s.on });
        break;
      }
      case 'msync':
        ops.push({ op: 'msync', region: s.r % regions.length });
        break;
    }
  }
  // Final probes: look at the first pages of every region.
  regions.forEach((reg, r) => {
    for (let p = 0; p < Math.min(finalLooks, reg.pages); p++) ops.push({ op: 'access', region: r, page: p, access: 'none' });
  });
  return { ops };
}

export const ALL_FEATURES: readonly Feature[] = FEATURES;

/**
 * The campaign's scenarios: two thirds decisive life cycles (lifecycle.ts), one third free random
 * programs (which reach the combinations no template names).
 */
export function scenarioArb(opts: ScenarioArbOptions = {}): fc.Arbitrary<Scenario> {
  const features = new Set(opts.features ?? ALL_FEATURES);
  return fc.oneof(
    { weight: 2, arbitrary: lifecycleArb(features, opts.guardOverUffdShmem ?? false) },
    { weight: 1, arbitrary: randomScenarioArb(opts) },
  );
}

/** Free random programs over the features (issue 7's generator). */
export function randomScenarioArb(opts: ScenarioArbOptions = {}): fc.Arbitrary<Scenario> {
  const features = new Set(opts.features ?? ALL_FEATURES);
  return fc
    .record({
      regions: fc.array(regionArb(features, opts.largeFileFolios ?? false, opts.writeback ?? false), {
        minLength: 1,
        maxLength: 2,
      }),
      steps: fc.array(stepArb(features, opts.writeback ?? false), { maxLength: opts.maxSteps ?? 24 }),
      finalLooks: fc.integer({ min: 0, max: 4 }),
    })
    .map(({ regions, steps, finalLooks }) => buildScenario(regions, steps, finalLooks, opts.guardOverUffdShmem ?? false));
}
