// SPDX-License-Identifier: GPL-2.0-only
// TEST ONLY. A HELD-OUT set of deliberately broken spec engines (issue 12 item 2,
// "other instances of the class"): like broken.ts, each is the real spec with
// ONE small, realistic mistake in change_protection() or one of its callers,
// but none of them was used to tune the oracle's generator. They measure how
// well the default campaign finds mistakes it was never shown
// (properties/oracle/measure_heldout.ts, docs/strength.md §4). The oracle never
// names any of them.
//
// Kernel reading for every rule below: v6.18 mm/mprotect.c (change_pte_range(),
// change_present_ptes(), can_change_pte_writable(), change_softleaf_pte(),
// mprotect_fixup()), mm/userfaultfd.c uffd_wp_range(), include/linux/
// userfaultfd_k.h userfaultfd_wp_use_markers(), mm/huge_memory.c
// change_huge_pmd() / can_change_pmd_writable(); each correct rule is the one
// the spec already encodes (spec/*.ts cite the same functions).
import { type CallerOutcome, mprotect_fixup_spec, uffd_wp_range_spec } from '../../spec/index.js';
import { resolveSpecOptions } from '../../spec/options.js';
import { DEFAULT_RULES, type SpecRules } from '../../spec/rules.js';
import { BROKEN_SPECS } from '../../spec/testing/broken.js';
import { wantsManualWriteUpgrade } from '../../spec/vma.js';
import { runSpec } from '../../spec/walk.js';
import type { SpecEngine } from '../../src/oracle/engine.js';
import {
  _PAGE_NX,
  MM_CP_TRY_CHANGE_WRITABLE,
  MM_CP_UFFD_WP,
  MM_CP_UFFD_WP_RESOLVE,
  make_pte_marker,
  NONE_PTE,
  PTE_MARKER_GUARD,
  PTE_MARKER_UFFD_WP,
  page_anon_exclusive,
  pte_dirty,
  pte_mkwrite,
  pte_modify,
  pte_protnone,
  pte_write,
  userfaultfd_wp,
  VM_WRITE,
  type World,
} from '../../src/pte/index.js';
import type { BrokenEngine } from './broken.js';

export interface HeldOutEngine extends BrokenEngine {
  /** What a decisive probe would show: the access, and what the kernel does that the broken spec does not. */
  readonly visible: string;
}

/**
 * The callers decide as the spec does; the walk then runs a rulebook built for the walked world (so a rule
 * can look at the entries as they were before the walk, as a per-batch or old-entry mistake would), with
 * the caller's cp_flags, or others.
 */
function walkWith(
  rulesFor: (world: World) => SpecRules,
  flags: (out: CallerOutcome, caller: 'mprotect' | 'uffd', input: World) => number | null = (o) => o.cp_flags,
): SpecEngine {
  const rerun = (out: CallerOutcome, caller: 'mprotect' | 'uffd', input: World): CallerOutcome => {
    if (!out.world) return out;
    const cp_flags = flags(out, caller, input) ?? 0;
    const world: World = Object.freeze({ ...out.world, cp_flags });
    return { ...out, cp_flags, world, outcome: runSpec(world, resolveSpecOptions(undefined), rulesFor(world)).outcome };
  };
  return Object.freeze({
    mprotect: (w: World, access: number) => rerun(mprotect_fixup_spec(w, access), 'mprotect', w),
    uffdWp: (w: World, enable: boolean) => rerun(uffd_wp_range_spec(w, enable), 'uffd', w),
  });
}

const rules = (override: Partial<SpecRules>): SpecRules => Object.freeze({ ...DEFAULT_RULES, ...override });
const fixed = (override: Partial<SpecRules>) => {
  const r = rules(override);
  return () => r;
};

/** The pfns of the walked range's present entries that satisfy `test` BEFORE the walk. */
function pfnsBefore(world: World, test: (p: Extract<World['ptes'][number], { kind: 'present' }>) => boolean): Set<number> {
  const out = new Set<number>();
  for (let vpn = world.range.start; vpn < world.range.end; vpn++) {
    const p = world.ptes[vpn - world.vma.start];
    if (p?.kind === 'present' && test(p)) out.add(p.pfn);
  }
  return out;
}

export const HELDOUT_ENGINES = {
  'markers-on-plain-anon': {
    breaks: 'N1/V6 (R-NONE.1): markers without WP_UNPOPULATED',
    description:
      'write-protecting an empty slot of an anonymous uffd-wp VMA installs a marker even without UFFD_FEATURE_WP_UNPOPULATED',
    visible:
      'anonymous region registered without WP_UNPOPULATED, UFFDIO_WRITEPROTECT on over a never-touched page, then a look: the kernel shows no pagemap uffd-wp bit (and a write raises no uffd fault)',
    engine: walkWith(
      fixed({
        changeNoneEntry: (world, entry) =>
          world.cp_flags & MM_CP_UFFD_WP && userfaultfd_wp(world.vma)
            ? { pte: make_pte_marker(PTE_MARKER_UFFD_WP), count: 1, rule: 'N1-broken' }
            : DEFAULT_RULES.changeNoneEntry(world, entry),
      }),
    ),
  },
  'walk-stops-one-short': {
    breaks: 'K1 (R-WALK.1): end exclusive taken twice',
    description: 'the walk stops one slot before the range end (the last page of the range keeps its old protection)',
    visible:
      'mprotect(r) over pages whose last one is written: the next write to the last page faults on the kernel (SIGSEGV), or mprotect(rw) back: the kernel upgrades the last page and a write does not fault',
    engine: walkWith(fixed({ walkEnd: (world) => Math.max(world.range.start, world.range.end - 1) })),
  },
  'zero-page-upgraded': {
    breaks: 'W4 (R-WR.4): special entry upgraded',
    description: 'the private upgrade grants entries without a normal page (the shared zero page)',
    visible: 'a read (zero page), mprotect(r) + mprotect(rw), then a write: the kernel faults and copies',
    engine: walkWith(
      fixed({
        privateMayBecomeWritable: (gate, folio, pfn) =>
          folio === null ? gate : DEFAULT_RULES.privateMayBecomeWritable(gate, folio, pfn),
      }),
    ),
  },
  'private-file-page-upgraded': {
    breaks: 'W4 (R-WR.4): folio_test_anon() check dropped',
    description: 'the private upgrade grants page-cache pages of a private file or memfd mapping',
    visible: 'a read of a private file/memfd page, mprotect(r) + mprotect(rw), then a write: the kernel faults and copies',
    engine: walkWith(
      fixed({
        privateMayBecomeWritable: (gate, folio, pfn) =>
          folio !== null && !folio.anon ? gate : DEFAULT_RULES.privateMayBecomeWritable(gate, folio, pfn),
      }),
    ),
  },
  'shared-dirty-merged-over-range': {
    breaks: 'W3 (R-WR.3): dirty merged across folios',
    description: 'the shared rule reads one dirty bit merged over the whole range instead of each entry’s own',
    visible:
      'shared ext4 file: write one page, read its neighbour (clean), mprotect(r) + mprotect(rw) over both, write the clean one: the kernel faults (page_mkwrite)',
    engine: walkWith((world) => {
      const anyDirty = pfnsBefore(world, pte_dirty).size > 0;
      return rules({ sharedMayBecomeWritable: (gate) => gate && anyDirty });
    }),
  },
  'gate-checks-old-protnone': {
    breaks: 'W2.2 (R-WR.2): pte_protnone(oldpte)',
    description: 'the write gate refuses an entry whose OLD value was PROT_NONE (instead of the new value)',
    visible: 'write, mprotect(none), mprotect(rw), write: the kernel upgraded the exclusive page, the write does not fault',
    engine: walkWith((world) => {
      const wasNone = pfnsBefore(world, pte_protnone);
      return rules({ passesWriteGate: (w, next) => DEFAULT_RULES.passesWriteGate(w, next) && !wasNone.has(next.pfn) });
    }),
  },
  'protect-skips-readonly-entries': {
    breaks: 'P3 (R-PRES.5): only writable entries get uffd-wp',
    description: 'UFFDIO_WRITEPROTECT sets the uffd-wp bit only on entries that were writable before',
    visible:
      'a read (zero page or read-only page), UFFDIO_WRITEPROTECT on, then a write: the kernel delivers a uffd fault (and pagemap shows bit 57)',
    engine: walkWith((world) => {
      const wasWritable = pfnsBefore(world, pte_write);
      return rules({
        applyUffdWp: (cp, pte) => (cp & MM_CP_UFFD_WP && !wasWritable.has(pte.pfn) ? pte : DEFAULT_RULES.applyUffdWp(cp, pte)),
      });
    }),
  },
  'mprotect-clears-uffd-markers': {
    breaks: 'S4 (R-SL.3): marker cleared unless protecting',
    description: 'any walk that does not protect (mprotect, resolve) removes uffd-wp markers',
    visible:
      'shared memory registered for uffd-wp, protect an empty page (marker), mprotect(r) + mprotect(rw), then look or write: the kernel keeps the uffd-wp bit and a write raises a uffd fault',
    engine: walkWith(
      fixed({
        changeSoftleafEntry: (world, entry, options) =>
          entry.type === 'marker' && entry.offset & PTE_MARKER_UFFD_WP && !(world.cp_flags & MM_CP_UFFD_WP)
            ? { pte: NONE_PTE, count: 1, rule: 'S4-broken' }
            : DEFAULT_RULES.changeSoftleafEntry(world, entry, options),
      }),
    ),
  },
  'guard-marker-gets-uffd-wp': {
    breaks: 'S3 (R-SL.3): uffd tail applied to guard markers',
    description: 'write-protecting a guard marker adds the uffd-wp marker bit to it',
    visible:
      'a uffd-wp registered region with a guard page, UFFDIO_WRITEPROTECT on over it, then a look: the kernel shows the guard bit only, no uffd-wp bit',
    engine: walkWith(
      fixed({
        changeSoftleafEntry: (world, entry, options) =>
          entry.type === 'marker' && entry.offset & PTE_MARKER_GUARD && world.cp_flags & MM_CP_UFFD_WP
            ? { pte: make_pte_marker(entry.offset | PTE_MARKER_UFFD_WP), count: 1, rule: 'S3-broken' }
            : DEFAULT_RULES.changeSoftleafEntry(world, entry, options),
      }),
    ),
  },
  'resolve-drops-guard-markers': {
    breaks: 'S3/S4 (R-SL.3): resolve clears every marker',
    description: 'UFFDIO_WRITEPROTECT off clears guard markers too (the marker kind is not checked on resolve)',
    visible:
      'a uffd-wp registered region with a guard page, UFFDIO_WRITEPROTECT off over it, then any access: the kernel still raises SIGSEGV',
    engine: walkWith(
      fixed({
        changeSoftleafEntry: (world, entry, options) =>
          entry.type === 'marker' && entry.offset & PTE_MARKER_GUARD && world.cp_flags & MM_CP_UFFD_WP_RESOLVE
            ? { pte: NONE_PTE, count: 1, rule: 'S3-broken' }
            : DEFAULT_RULES.changeSoftleafEntry(world, entry, options),
      }),
    ),
  },
  'mprotect-walks-with-old-vma': {
    breaks: 'C1 (R-VMA.6, R-VMA.1): walk before vma_set_page_prot',
    description: 'mprotect_fixup() walks with the VMA as it was (old flags and vm_page_prot), only cp_flags are new',
    visible:
      'shared memory: mprotect(r) then mprotect(rw), write: the kernel maps the page writable (no fault); private anon: write, mprotect(r), mprotect(rw), write: no fault on the kernel',
    engine: (() => {
      const base = walkWith(fixed({}));
      return Object.freeze({
        mprotect: (w: World, access: number): CallerOutcome => {
          const out = mprotect_fixup_spec(w, access);
          if (!out.world) return out;
          // The gate's VM_WRITE check (W2.1) refuses TRY on the old flags; the world validation wants it dropped.
          const cp_flags = w.vma.flags & VM_WRITE ? out.world.cp_flags : out.world.cp_flags & ~MM_CP_TRY_CHANGE_WRITABLE;
          const vma = { ...out.world.vma, flags: w.vma.flags, vm_page_prot: w.vma.vm_page_prot };
          const old = Object.freeze({ ...out.world, vma, cp_flags });
          return { ...out, outcome: runSpec(old, resolveSpecOptions(undefined), DEFAULT_RULES).outcome };
        },
        uffdWp: base.uffdWp,
      });
    })(),
  },
  'huge-pmd-upgrade-ignores-exclusive': {
    breaks: 'W4 on the PMD (can_change_pmd_writable)',
    description: 'a whole huge PMD is made writable for any anonymous THP, exclusive or not',
    visible:
      'MADV_HUGEPAGE THP written, fork, mprotect(r) + mprotect(rw) over the whole 2 MiB, write in the parent: the kernel faults and copies',
    engine: walkWith((world) => {
      const heads = new Set<number>();
      for (const p of world.pmds) if (p.kind === 'huge') heads.add(p.pmd.pfn);
      return rules({
        privateMayBecomeWritable: (gate, folio, pfn) =>
          heads.has(pfn) && folio !== null ? gate && folio.anon : DEFAULT_RULES.privateMayBecomeWritable(gate, folio, pfn),
      });
    }),
  },
  'exclusive-read-from-head-page': {
    breaks: 'W4 (R-WR.4): PageAnonExclusive of the head page',
    description: 'the private upgrade reads PageAnonExclusive of the folio’s head page instead of the entry’s own page',
    visible:
      'a PTE-mapped THP whose pages differ in PageAnonExclusive (fork, child exits, write one page), mprotect(r) + mprotect(rw), write: the kernel upgrades exactly the exclusive pages',
    engine: walkWith(
      fixed({
        privateMayBecomeWritable: (gate, folio) =>
          folio === null ? false : gate && folio.anon && page_anon_exclusive(folio, folio.pfn),
      }),
    ),
  },
  'modify-keeps-write': {
    breaks: 'P2 (R-PTE.1): write bit kept',
    description: `${BROKEN_SPECS['modify-keeps-write'].description} (except into PROT_NONE, which the world forbids)`,
    visible:
      'a written page, mprotect(r), then a write: the kernel raises SIGSEGV because the PTE became read-only; under the broken spec the PTE stays writable and the write would succeed without a fault',
    engine: walkWith(
      fixed({
        modifyProtection: (pte, newprot) => {
          const next = pte_modify(pte, newprot);
          return pte_write(pte) && !pte_protnone(next) ? pte_mkwrite(next) : next;
        },
      }),
    ),
  },
  'prot-none-not-applied': {
    breaks: 'P2/V2 (R-PRES.4): PAGE_NONE not applied',
    description: 'an entry whose new protection is PROT_NONE keeps its old value',
    visible: 'a written or read page, mprotect(none), then a read: the kernel raises SIGSEGV (the PTE is PROT_NONE)',
    engine: walkWith(
      fixed({
        modifyProtection: (pte, newprot) => {
          const next = pte_modify(pte, newprot);
          return pte_protnone(next) ? pte : next;
        },
      }),
    ),
  },
  'exec-change-dropped': {
    breaks: 'P2 (R-PTE.1): NX kept from the old entry',
    description: 'pte_modify keeps the old entry’s NX bit (the exec permission of the new protection is dropped)',
    visible: 'mprotect(rx) over a page holding code, then executing it: the kernel runs it; only an exec probe can see this',
    engine: walkWith(
      fixed({
        modifyProtection: (pte, newprot) => {
          const next = pte_modify(pte, newprot);
          return { ...next, flags: (next.flags & ~_PAGE_NX) | (pte.flags & _PAGE_NX) };
        },
      }),
    ),
  },
  'try-from-old-flags': {
    breaks: 'C1/V5 (R-VMA.6): TRY decided on the old flags',
    description: 'mprotect_fixup() decides MM_CP_TRY_CHANGE_WRITABLE from the VMA flags before the change',
    visible: 'write, mprotect(r), mprotect(rw), write: the kernel upgraded the exclusive page, the write does not fault',
    // The gate's VM_WRITE check (W2.1) still refuses TRY when the NEW flags lack VM_WRITE.
    engine: walkWith(fixed({}), (o, caller, input) =>
      caller === 'mprotect' && o.cp_flags !== null
        ? (o.cp_flags & ~MM_CP_TRY_CHANGE_WRITABLE) |
          (wantsManualWriteUpgrade(input.vma, input.config) && o.vma.flags & VM_WRITE ? MM_CP_TRY_CHANGE_WRITABLE : 0)
        : o.cp_flags,
    ),
  },
} satisfies Record<string, HeldOutEngine>;

export type HeldOutEngineId = keyof typeof HELDOUT_ENGINES;
