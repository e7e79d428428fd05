// SPDX-License-Identifier: GPL-2.0-only
// Protection changes through the spec: mprotect() and UFFDIO_WRITEPROTECT go
// through the spec's caller entry points (spec/callers.ts, or another
// SpecEngine), and each walk's decisions are kept for the decisive probes.
import type { CallerOutcome } from '../../../spec/index.js';
import { VM_EXEC, VM_READ, VM_WRITE, type World } from '../../pte/index.js';
import { type Decision, decidesAccess, decisionsOfWalk } from '../decisions.js';
import { SPEC_ENGINE, type SpecEngine } from '../engine.js';
import type { PredictedOpResult } from '../observation.js';
import { PROT_BITS, type Prot } from '../scenario.js';

import { PageTableModel } from './page_table.js';
import {
  canUffdWp,
  DEFAULT_SETTINGS,
  EBADF,
  EINVAL,
  isPrivate,
  type ModelSettings,
  PMD_PAGES,
  type RegionState,
} from './state.js';

const PTE_KINDS: ReadonlySet<string> = new Set(['present', 'none', 'softleaf']);
const PMD_KINDS: ReadonlySet<string> = new Set(['none', 'table', 'huge', 'softleaf']);

/**
 * What an engine returns must cover exactly the world it walked: the walked VMA inside the one handed in,
 * one entry per slot and one PMD per PMD slot, each of a known kind. Anything else (an engine that adds,
 * drops or invents slots) is refused like a spec precondition, so the scenario is reported as a failure;
 * it is never written back partly (stale entries would stay behind unseen) or past the region.
 */
export function checkOutcomeShape(input: World, out: CallerOutcome): CallerOutcome {
  const walked = out.world ?? input;
  const bad = (what: string): never => {
    throw new Error(`the engine returned an outcome that does not fit the world: ${what}`);
  };
  if (walked.vma.start < input.vma.start || walked.vma.end > input.vma.end)
    bad(`walked VMA [${walked.vma.start}, ${walked.vma.end}) outside [${input.vma.start}, ${input.vma.end})`);
  if (out.outcome.ptes.length !== walked.ptes.length) bad(`${out.outcome.ptes.length} entries for ${walked.ptes.length} slots`);
  if (out.outcome.pmds.length !== walked.pmds.length) bad(`${out.outcome.pmds.length} PMDs for ${walked.pmds.length} PMD slots`);
  out.outcome.ptes.forEach((p, i) => {
    if (!PTE_KINDS.has((p as { kind?: string } | undefined)?.kind ?? '')) bad(`slot ${i} is not an entry`);
  });
  out.outcome.pmds.forEach((p, i) => {
    if (!PMD_KINDS.has((p as { kind?: string } | undefined)?.kind ?? '')) bad(`PMD slot ${i} is not a PMD`);
  });
  return out;
}

export abstract class ProtectionModel extends PageTableModel {
  /** Per region, the walk decision each page carries until its next read or write (see decisions.ts). */
  protected readonly pending = new Map<string, Decision[]>();
  constructor(
    private readonly engine: SpecEngine = SPEC_ENGINE,
    protected readonly settings: ModelSettings = DEFAULT_SETTINGS,
  ) {
    super();
  }
  protected noteDecisions(region: number, r: RegionState, decided: ReadonlyMap<number, Decision>): void {
    for (const [vpn, d] of decided) {
      const key = `${region}:${vpn - r.base}`;
      // A split by this same call stays on record beside the walk's own decision.
      const split = this.pending.get(key)?.includes('thp:split') && this.splitNow.has(key);
      this.pending.set(key, split ? ['thp:split', d] : [d]);
    }
    this.splitNow.clear();
  }
  /** The decision that the access to this page settles, if any; consumed by the access. */
  takeDecisions(region: number, page: number, access: 'read' | 'write' | 'none'): Decision[] {
    if (access === 'none') return [];
    const key = `${region}:${page}`;
    const ds = this.pending.get(key) ?? [];
    this.pending.delete(key);
    return ds.filter((d) => decidesAccess(d, access));
  }
  /** Pages split by the mprotect call under way (their thp:split decision joins the walk's). */
  protected readonly splitNow = new Set<string>();
  protected callSpec<T>(r: RegionState, what: string, f: () => T): T | null {
    try {
      return f();
    } catch (err) {
      const msg = `${what}: ${err instanceof Error ? err.message : String(err)}`;
      if (!this.notes.specErrors.includes(msg)) this.notes.specErrors.push(msg);
      this.markUnknown(r, 'the spec refused the world (see specErrors)');
      return null;
    }
  }
  mprotect(region: number, first: number, count: number, prot: Prot): PredictedOpResult {
    const r = this.regions[region]!;
    if (r.unknownWhy !== null) return { err: 0 };
    for (const { s, e, a, b } of this.runs(r, first, count)) {
      if (r.prot[a] === prot) continue; // mprotect_fixup(): same flags, no walk
      // vma_adjust_trans_huge(): a new VMA boundary inside the PMD splits it first.
      if ((r.pmd.kind === 'huge' || r.pmd.kind === 'hugezero') && (a !== 0 || b !== PMD_PAGES)) {
        this.splitPmd(r);
        for (let i = 0; i < r.pages; i++) {
          this.pending.set(`${region}:${i}`, ['thp:split']);
          this.splitNow.add(`${region}:${i}`);
        }
      }
      const bits = PROT_BITS[prot];
      const access = (bits & 1 ? VM_READ : 0) | (bits & 2 ? VM_WRITE : 0) | (bits & 4 ? VM_EXEC : 0);
      const world = this.worldFor(r, s, e, a, b, this.vmaOf(r, a));
      const out = this.callSpec(r, 'mprotect_fixup_spec', () => checkOutcomeShape(world, this.engine.mprotect(world, access)));
      if (!out) return { err: 0 };
      this.noteDecisions(region, r, decisionsOfWalk(out, prot === 'none'));
      this.applyOutcome(r, out.world ? out.world.vma.start - r.base : s, out.outcome.ptes, out.outcome.pmds);
      // mprotect_fixup()'s accounting: a private VMA made writable is charged (VM_ACCOUNT); an anonymous
      // one made read-only before it has an anon_vma gives its charge back.
      const writable = (PROT_BITS[prot] & 2) !== 0;
      const acct = writable ? isPrivate(r.kind) || r.acct[a]! : r.acct[a]! && !(r.kind === 'anon' && r.av[a] === 0);
      for (let i = a; i < b; i++) {
        r.prot[i] = prot;
        r.acct[i] = acct;
      }
    }
    // vma_merge: neighbouring VMAs with equal flags join; the merged VMA keeps the anon_vma, and the mark
    // that guard markers were installed (fork then copies the page table of the whole merged VMA:
    // observed on 6.18, a shared page beside the guard page is mapped by the child too).
    for (let i = 0; i < r.pages; ) {
      const [s, e] = this.vmaRange(r, i);
      const id = r.av.slice(s, e).find((v) => v !== 0) ?? 0;
      if (id !== 0) for (let k = s; k < e; k++) r.av[k] = id;
      if (r.guardCopy.slice(s, e).some(Boolean)) for (let k = s; k < e; k++) r.guardCopy[k] = true;
      i = e;
    }
    return { err: 0 };
  }
  protected uffdResolve(r: RegionState, first: number, count: number): void {
    this.uffdRange(-1, r, first, count, false);
  }
  /** `region` < 0: the fault handler's resolve, whose decisions are not probes of their own. */
  protected uffdRange(region: number, r: RegionState, first: number, count: number, on: boolean): void {
    for (const { s, e, a, b } of this.runs(r, first, count)) {
      if (r.pmd.kind === 'hugezero') this.splitPmd(r);
      const world = this.worldFor(r, s, e, a, b, this.vmaOf(r, a));
      const out = this.callSpec(r, 'uffd_wp_range_spec', () => checkOutcomeShape(world, this.engine.uffdWp(world, on)));
      if (!out) return;
      if (region >= 0) this.noteDecisions(region, r, decisionsOfWalk(out, false));
      this.applyOutcome(r, s, out.outcome.ptes, out.outcome.pmds);
    }
  }
  uffdRegister(region: number, unpopulated: boolean, async = false): PredictedOpResult {
    const r = this.regions[region]!;
    // vma_can_userfault() (v6.18 include/linux/userfaultfd_k.h): uffd-wp needs anonymous or shared memory,
    // except that a WP_ASYNC context may write-protect any VMA (an ext4 file too).
    if (!canUffdWp(r.kind) && !async) return { err: EINVAL };
    r.uffd = { unpopulated: unpopulated || async, async };
    if (r.thp) this.markUnknown(r, 'uffd-wp on MADV_HUGEPAGE regions is not modelled');
    return { err: 0 };
  }
  uffdWp(region: number, first: number, count: number, on: boolean): PredictedOpResult {
    const r = this.regions[region]!;
    if (!r.uffd) return { err: EBADF }; // the runner has no userfaultfd for this region
    if (r.unknownWhy === null) this.uffdRange(region, r, first, count, on);
    return { err: 0 };
  }
}
