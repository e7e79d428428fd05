// SPDX-License-Identifier: GPL-2.0-only
// Decisive scenarios: each follows a few pages through the life cycle where
// change_protection() decides something a later access can see (issue 12):
//   touch (read or write) -> share (fork, fork + child exit, fork + the child
//   writes or reads some of the span, uffd-wp protect (WP_ASYNC or not), guard,
//   MADV_DONTNEED, a read or write through a second mapping of the same file or
//   memfd, or nothing) -> change (mprotect away and back,
//   PROT_NONE, UFFDIO_WRITEPROTECT off, mprotect to the same or a wider range)
//   -> probe (write, read, neighbours) -> again.
// Built from the same raw choices as the random scenarios (arbitrary.ts
// buildScenario), so they are valid by construction and shrink the same way.
import fc from 'fast-check';
import { aliasable, buildScenario, type RegionChoice, resolveRegions, type StepChoice, stepArb } from './arbitrary.js';
import type { Feature } from './compare.js';
import type { Prot, RegionKind, Scenario } from './scenario.js';

type Touch = 'write' | 'read' | 'partial' | 'skip' | 'mixed';
/**
 * fork-child-*: the forked child writes or reads some of the span. alias-*: the same pages are read or
 * written through a second mapping of the region's file (map_alias). uffd-guard: a guard marker on the page
 * past the span, then uffd-wp protect over the span and that page (a marker under a uffd-wp walk and its
 * resolve; anonymous regions only, see buildScenario()).
 */
type Share =
  | 'none'
  | 'fork'
  | 'fork-exit'
  | 'fork-child-writes'
  | 'fork-child-reads'
  | 'uffd'
  | 'uffd-guard'
  | 'dontneed'
  | 'guard'
  | 'alias-write'
  | 'alias-read';
type Change = 'away-back' | 'prot-none' | 'uffd-off' | 'same' | 'wider' | 'uffd-off-then-away-back';

interface Cycle {
  readonly region: number;
  readonly page: number;
  readonly span: number;
  readonly touch: Touch;
  readonly share: Share;
  readonly change: Change;
  readonly away: Prot;
  readonly back: Prot;
  readonly unpopulated: boolean;
  /** The uffd-wp registration asks for UFFD_FEATURE_WP_ASYNC (write faults resolved by the kernel). */
  readonly async: boolean;
  /** With a uffd-wp share step: resolve (UFFDIO_WRITEPROTECT off) before any other change. */
  readonly resolveFirst: boolean;
  readonly probeRead: boolean;
  /** Write the last page of the span right after the share step (a uffd-wp PTE or marker decides it). */
  readonly earlyProbe: boolean;
  readonly probeNeighbour: boolean;
  readonly exitAfter: boolean;
  /** With a fork-child-* share step: the child touches its copy after the parent's change, not before. */
  readonly childAfter: boolean;
}

/**
 * The raw steps of one cycle. Indices are clamped later by buildScenario(). `partner`: the region that maps
 * the same file or memfd as the cycle's (for the alias-* share steps), or null.
 */
function cycleSteps(c: Cycle, regionPages: number, partner: number | null): StepChoice[] {
  const out: StepChoice[] = [];
  const r = c.region;
  const pages = Array.from({ length: c.span }, (_, k) => c.page + k);
  // A uffd-wp cycle protects, changes and resolves one page past the touched ones, so that an untouched
  // page carries a marker (shared memory, or WP_UNPOPULATED) through the change.
  const uffdLike = c.share === 'uffd' || c.share === 'uffd-guard';
  const span = { r, p: c.page, n: uffdLike ? c.span + 1 : c.span };
  if (uffdLike) out.push({ t: 'uffd_register', r, unpopulated: c.unpopulated, async: c.async });
  pages.forEach((p, k) => {
    if (c.touch === 'skip' || (c.touch === 'partial' && k % 2 === 1)) return;
    // mixed: written and read pages side by side (dirty and clean entries in one walk).
    out.push({ t: 'access', r, p, write: c.touch === 'mixed' ? k % 2 === 0 : c.touch !== 'read' });
  });
  // The forked child's own accesses (c: 0 = the newest live child): every other page of the span, so
  // the parent's later writes meet both pages the child copied away and pages still shared with it.
  const childSteps = (): StepChoice[] =>
    pages
      .filter((_, k) => k % 2 === 0)
      .map((p) => ({ t: 'child', c: 0, r, p, access: c.share === 'fork-child-writes' ? 'write' : 'read' }));
  const childShare = c.share === 'fork-child-writes' || c.share === 'fork-child-reads';
  switch (c.share) {
    case 'fork':
    case 'fork-exit':
      out.push({ t: 'fork' });
      break;
    case 'fork-child-writes':
    case 'fork-child-reads':
      out.push({ t: 'fork' });
      if (!c.childAfter) out.push(...childSteps());
      break;
    case 'uffd':
      // Look at the page past the touched ones at once: a marker there (or none) is the walk's decision.
      out.push({ t: 'uffd_wp', ...span, on: true }, { t: 'look', r, p: c.page + c.span });
      break;
    case 'uffd-guard':
      out.push(
        { t: 'guard', r, p: c.page + c.span, n: 1, install: true },
        { t: 'uffd_wp', ...span, on: true },
        { t: 'look', r, p: c.page + c.span },
      );
      break;
    case 'dontneed':
      out.push({ t: 'dontneed', r, p: c.page + c.span - 1, n: 1 });
      break;
    case 'guard':
      out.push({ t: 'guard', r, p: c.page, n: 1, install: true });
      break;
    case 'alias-write':
    case 'alias-read':
      if (partner !== null) for (const p of pages) out.push({ t: 'access', r: partner, p, write: c.share === 'alias-write' });
      break;
    case 'none':
      break;
  }
  if (c.share === 'fork-exit') out.push({ t: 'exit', c: 0 });
  if (c.earlyProbe) out.push({ t: 'access', r, p: c.page + c.span - 1, write: true });
  const mp = (prot: Prot, wide = false): StepChoice =>
    wide ? { t: 'mprotect', r, p: 0, n: regionPages, prot } : { t: 'mprotect', ...span, prot };
  switch (c.change) {
    case 'away-back':
      out.push(mp(c.away), mp(c.back));
      break;
    case 'prot-none':
      out.push(mp('none'), { t: 'access', r, p: c.page, write: false }, mp(c.back));
      break;
    case 'uffd-off':
      out.push({ t: 'uffd_wp', ...span, on: false });
      break;
    case 'uffd-off-then-away-back':
      out.push({ t: 'uffd_wp', ...span, on: false }, mp(c.away), mp(c.back));
      break;
    case 'same':
      out.push(mp(c.back));
      break;
    case 'wider':
      out.push(mp(c.away, true), mp(c.back, true));
      break;
  }
  if (childShare && c.childAfter) out.push(...childSteps());
  if (c.probeRead) out.push({ t: 'access', r, p: c.page, write: false });
  for (const p of pages) out.push({ t: 'access', r, p, write: true });
  // The guard marker went through the uffd-wp walks: a read must still hit it.
  if (c.share === 'uffd-guard') out.push({ t: 'access', r, p: c.page + c.span, write: false });
  // Through the other mapping after the change: the page cache is one, the page tables are two.
  if (partner !== null && c.share.startsWith('alias')) out.push({ t: 'access', r: partner, p: c.page, write: true });
  // After a uffd-wp share the page past the span carries the walk's marker decision: always probe it.
  if (c.probeNeighbour || c.share === 'uffd') {
    out.push({ t: 'look', r, p: c.page + c.span });
    out.push({ t: 'access', r, p: c.page + c.span, write: true });
  }
  if (c.exitAfter && (c.share === 'fork' || c.share === 'guard' || childShare)) {
    out.push({ t: 'exit', c: 0 }, mp(c.away), mp(c.back), { t: 'access', r, p: c.page, write: true });
  }
  return out;
}

function regionKinds(features: ReadonlySet<Feature>): RegionKind[] {
  const kinds: RegionKind[] = ['anon', 'anon'];
  if (features.has('shmem')) kinds.push('memfd_shared', 'anon_shared', 'memfd_private');
  if (features.has('file-writenotify')) kinds.push('file_shared', 'file_shared', 'file_private');
  return kinds;
}

function cycleArb(features: ReadonlySet<Feature>): fc.Arbitrary<Cycle> {
  const shares: Share[] = ['none', 'dontneed'];
  // One fork and one fork-exit of issue 12's four gave their place to the child variants, so the other
  // share steps (uffd-wp, guard) keep their share of the campaign and the decisive minimums hold.
  if (features.has('anon-cow'))
    shares.push('fork', 'fork-child-writes', 'fork-child-writes', 'fork-exit', 'fork-child-reads', 'fork-child-reads');
  if (features.has('uffd-wp')) shares.push('uffd', 'uffd', 'uffd', 'uffd');
  if (features.has('uffd-wp') && features.has('guard-markers')) shares.push('uffd-guard');
  if (features.has('guard-markers')) shares.push('guard');
  if (aliasable(features)) shares.push('alias-write', 'alias-read');
  const changes: Change[] = ['away-back', 'away-back', 'away-back', 'same', 'wider'];
  if (features.has('prot-none')) changes.push('prot-none');
  if (features.has('uffd-wp')) changes.push('uffd-off', 'uffd-off', 'uffd-off-then-away-back');
  return fc.record({
    region: fc.nat(1),
    page: fc.nat(15),
    span: fc.integer({ min: 1, max: 3 }),
    touch: fc.constantFrom<Touch>('write', 'write', 'read', 'partial', 'skip', 'mixed'),
    share: fc.constantFrom(...shares),
    change: fc.constantFrom(...changes),
    away: fc.constantFrom<Prot>('r', 'r', 'rx', ...(features.has('prot-none') ? (['none'] as Prot[]) : [])),
    back: fc.constantFrom<Prot>('rw', 'rw', 'rwx'),
    unpopulated: fc.boolean(),
    async: features.has('wp-async') ? fc.constantFrom(false, false, true) : fc.constant(false),
    resolveFirst: fc.constantFrom(true, false, false),
    probeRead: fc.boolean(),
    earlyProbe: fc.boolean(),
    probeNeighbour: fc.boolean(),
    exitAfter: fc.boolean(),
    childAfter: fc.boolean(),
  });
}

function lifecycleRegionArb(features: ReadonlySet<Feature>): fc.Arbitrary<RegionChoice> {
  const plain = fc.record({
    kind: fc.constantFrom(...regionKinds(features)),
    pages: fc.integer({ min: 2, max: 20 }),
    thp: fc.constant(false),
  });
  // One region in three asks to map the previous region's file again (resolveRegions()).
  const small = aliasable(features)
    ? fc.oneof(
        { weight: 2, arbitrary: plain },
        {
          weight: 1,
          arbitrary: fc.record({
            kind: fc.constantFrom(...regionKinds(features)),
            pages: fc.integer({ min: 2, max: 20 }),
            thp: fc.constant(false),
            alias: fc.constant(true),
            aliasShared: fc.boolean(),
          }),
        },
      )
    : plain;
  if (!features.has('thp')) return small;
  const thp = fc.record({ kind: fc.constant<RegionKind>('anon'), pages: fc.constant(512), thp: fc.constant(true) });
  return fc.oneof({ weight: 5, arbitrary: small }, { weight: 1, arbitrary: thp });
}

/** Decisive life-cycle scenarios over the given features. */
export function lifecycleArb(features: ReadonlySet<Feature>, guardOverUffdShmem = false): fc.Arbitrary<Scenario> {
  return fc
    .record({
      regions: fc.array(lifecycleRegionArb(features), { minLength: 1, maxLength: 2 }),
      cycles: fc.array(cycleArb(features), { minLength: 1, maxLength: 3 }),
      noise: fc.array(stepArb(features), { maxLength: 4 }),
      finalLooks: fc.integer({ min: 0, max: 2 }),
    })
    .map(({ regions, cycles, noise, finalLooks }) => {
      const steps: StepChoice[] = [...noise];
      const resolved = resolveRegions(regions);
      for (const raw0 of cycles) {
        const ri = raw0.region % regions.length;
        const reg = resolved[ri]!;
        // The region mapping the same file: the alias of this one, or the one this one is an alias of.
        const partner = reg.aliasOf ?? resolved.findIndex((o) => o.aliasOf === ri);
        const raw: Cycle = { ...raw0, region: ri };
        // THP regions: uffd-wp there is not modelled, so the cycle forks instead; the change covers the
        // whole PMD or a part of it (thp:whole or thp:split).
        const withResolve: Cycle =
          (raw.share === 'uffd' || raw.share === 'uffd-guard') && raw.resolveFirst
            ? { ...raw, change: raw.probeRead ? 'uffd-off' : 'uffd-off-then-away-back' }
            : raw;
        const c: Cycle = reg.thp
          ? {
              ...withResolve,
              share: raw.share === 'uffd' || raw.share === 'uffd-guard' ? 'fork' : raw.share,
              change: raw.span === 1 ? 'wider' : withResolve.change.startsWith('uffd') ? 'away-back' : withResolve.change,
            }
          : withResolve;
        steps.push(...cycleSteps(c, reg.pages, partner >= 0 ? partner : null));
      }
      return buildScenario(regions, steps, finalLooks, guardOverUffdShmem);
    });
}
