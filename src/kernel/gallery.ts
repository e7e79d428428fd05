// SPDX-License-Identifier: GPL-2.0-only
// The known-bug gallery (issue 6 item 1, issue 14 item 1): known-bad variants,
// each the baseline falcato-v3 (version C) with exactly one bug re-created from
// the public history of mm/mprotect.c and its helpers, or a realistic
// micro-optimisation mistake. Each bug is stored as a patch against the
// baseline, src/kernel/variants/bad/<name>.patch, which reads in review like
// the mistake it re-creates (message: the bug, its provenance, the rule it
// breaks). At load time every patch is applied to the current baseline and the
// result written to src/kernel/.gallery/<name>.ts (ignored by git; same depth
// as variants/, so the baseline's relative imports resolve unchanged), which
// is then imported. A fidelity fix to the baseline therefore reaches every
// gallery bug; one that touches a patch's lines stops the registry with a
// GalleryConflictError until `npx mprotect-spec gallery refresh <id>` re-diffs
// the bug against the new baseline. Research, ids and minimal triggers:
// docs/known-bugs.md. The head-page bug (b1) is the registry's
// v6.17-cac1db8c3aad, a full upstream version, and is not repeated here.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { KernelOutcome, World } from '../pte/index.js';
import { applyHunks, GalleryConflictError, HunkConflictError, parsePatch } from './gallery_patch.js';
import type { Variant } from './registry.js';

/** How sure we are that the bug is real (docs/known-bugs.md "Kinds"). */
export type GalleryKind = 'real bug' | 'real bug (analogue)' | 'review-caught' | 'historic semantics' | 'realistic mistake';

/** What the registry needs to know of a gallery bug besides its code. */
export type GalleryEntry = Pick<Variant, 'name' | 'upstream' | 'description'> & { readonly breaks: string };

/** The variant every gallery patch applies to. */
export const GALLERY_BASELINE = 'falcato-v3';
export const GALLERY_BASELINE_FILE = 'src/kernel/variants/falcato-v3.ts';
/** Where the applied copies go (ignored by git). */
export const GALLERY_APPLIED_DIR = 'src/kernel/.gallery';

/**
 * Running from the built package (dist/src/kernel/gallery.js): the applied
 * copies were made and compiled at build time (bin/build.mjs), next to this
 * file; nothing is applied or written at load.
 */
const BUILT = import.meta.url.endsWith('.js');
const REPO_ROOT = fileURLToPath(new URL(BUILT ? '../../../' : '../../', import.meta.url));

/** The short id of a gallery bug: 'b2' for 'b2-softdirty-polarity'. */
export const galleryId = (name: string): string => name.slice(0, name.indexOf('-'));
export const galleryPatchFile = (name: string): string => `src/kernel/variants/bad/${name}.patch`;
export const galleryAppliedFile = (name: string): string => `${GALLERY_APPLIED_DIR}/${name}.ts`;
/** The baseline text the applied copy was made from (for a three-way refresh). */
export const galleryBaseFile = (name: string): string => `${GALLERY_APPLIED_DIR}/${name}.base.txt`;

/** The first lines of every applied copy; `gallery refresh` strips them before diffing. */
export const appliedHeader = (name: string): string =>
  [
    `// GENERATED from ${GALLERY_BASELINE_FILE} + ${galleryPatchFile(name)} by src/kernel/gallery.ts;`,
    '// not tracked by git and rewritten at every load: do not edit. To change this bug, run',
    `// \`npx mprotect-spec gallery edit ${galleryId(name)}\`, edit the copy it writes, then \`gallery refresh ${galleryId(name)}\`.`,
    '',
  ].join('\n');

export const GALLERY_ENTRIES: readonly GalleryEntry[] = Object.freeze([
  {
    name: 'b2-softdirty-polarity',
    upstream:
      'before 76aefad628aa "mm/mprotect: fix soft-dirty check in can_change_pte_writable()", Peter Xu (v6.0 merge window; Fixes: 64e455079e1b); observable from 64fe24a3e05e (v5.19)',
    breaks: 'INV-4',
    description:
      'The write-upgrade gate (R-WR.2.3) tests "soft-dirty tracking is on" with the wrong polarity: VM_SOFTDIRTY set instead of clear. With tracking on, a read-only PTE whose soft-dirty bit is clear (as after clear_refs) is made writable under MM_CP_TRY_CHANGE_WRITABLE, so the next write is never recorded as soft-dirty (INV-4); with tracking off, upgrades the spec grants are refused.',
  },
  {
    name: 'b3-writenotify-ignores-uffd',
    upstream:
      'before 51d3d5eb74ff "mm/userfaultfd: enable writenotify while userfaultfd-wp is enabled for a VMA", David Hildenbrand (Fixes: b1f9e876862d; Cc: stable; v5.19-v6.2-rc)',
    breaks: 'INV-5',
    description:
      'vma_wants_writenotify() lacks rule 5 of R-VMA.5 (uffd-wp registered -> writenotify), so a shared VM_WRITE uffd-wp VMA without page_mkwrite, soft-dirty tracking or writeback (shmem) keeps a writable vm_page_prot. pte_modify() with it keeps the uffd-wp bit and sets RW: a plain mprotect() makes uffd-wp-protected PTEs writable (INV-5), and clean PTEs become writable in a VMA that needs write notification (INV-2, what the shrinker usually reports). Modelled at the entry point: the PTE-level code is the baseline.',
  },
  {
    name: 'b4-poison-marker-dropped',
    upstream:
      'between 15520a3f0469 "mm: use pte markers for swap errors" (v6.2-rc1) and Peter Xu, "mm: fix a few rare cases of using swapin error pte marker" (Dec 2022, item 3)',
    breaks: 'INV-6',
    description:
      'change_softleaf_pte() has no unconditional skip for poisoned and guard markers: the marker branch treats every marker as a uffd-wp marker and drops it under MM_CP_UFFD_WP_RESOLVE (counted 1). A poisoned page then reads back as a fresh page instead of raising SIGBUS, and a guard region stops faulting (INV-6, R-SL.3).',
  },
  {
    name: 'b5-uffd-marker-falls-through',
    upstream:
      'hugetlb analogue of 0e678153f5be "mm/hugetlb: fix PTE marker handling in hugetlb_change_protection()", David Hildenbrand (CVE-2022-49760; 5.19-6.1.7)',
    breaks: 'R-SL.3',
    description:
      'A uffd-wp marker that is not being resolved does not return from the marker branch; it falls through to the softleaf uffd tail as in the pre-fix hugetlb_change_protection(). Under MM_CP_UFFD_WP the marker gets the swap-format uffd bit (a corrupted marker value) and is counted, where R-SL.3 leaves it as it is with count 0. The invariant check reports INV-9 (a marker became something other than itself or none).',
  },
  {
    name: 'b6-uffd-tail-only-migration-write',
    upstream:
      'THP/hugetlb analogue of "mm/userfaultfd: fix uffd-wp handling for THP migration entries", David Hildenbrand (20230405160236.587705-2; Fixes: f45ec5ff16a7; v5.7-v6.3) and 44f86392bdd1 (hugetlb)',
    breaks: 'INV-5',
    description:
      'The softleaf uffd tail (set the swap uffd bit under MM_CP_UFFD_WP, clear it under MM_CP_UFFD_WP_RESOLVE) runs only in the migration-write downgrade branch, as change_huge_pmd() did before the fix. Swap, migration-read, device-private, device-exclusive and hwpoison entries keep their old bit: UFFDIO_WRITEPROTECT misses swapped-out pages (INV-5) and resolve leaves them protected (INV-6).',
  },
  {
    name: 'b7-numa-eligible-skipped',
    upstream:
      'review of "[PATCH v4 2/4] mm: Optimize mprotect() for MM_CP_PROT_NUMA by batch-skipping PTEs", Dev Jain, 28 Jun 2025 (Ryan Roberts, 30 Jun 2025); never merged',
    breaks: 'R-PRES.2',
    description:
      'folio_can_map_prot_numa() returns "do not skip" only on the memory-tiering path that stamps the access time; every other folio that passed all NUMA rules falls through to the batch skip. NUMA hinting then never makes eligible PTEs PROT_NONE (R-PRES.2) and the count misses them. INV-8 still holds, so only the agreement property sees it (REL-PERM, REL-COUNT).',
  },
  {
    name: 'b8-step-not-reset',
    upstream:
      'realistic; sibling of the nr_ptes = 0 step Ryan Roberts found in review of "[PATCH v4 2/4] mm: Optimize mprotect() for MM_CP_PROT_NUMA by batch-skipping PTEs" (30 Jun 2025)',
    breaks: 'INV-11',
    description:
      'The per-iteration reset of the loop step to 1 is moved into the present branch. After a present batch of n, a none or softleaf slot advances the walk by n, so n - 1 slots are never visited: a writable migration entry survives (INV-11), a swap entry misses MM_CP_UFFD_WP (INV-5), the count is off (INV-16). When the stale step jumps over `end`, the C loop (addr != end) walks on off the page table; the model reports that as a crash (REL-CRASH), which is what the fixed seed finds first.',
  },
  {
    name: 'b9-batch-ignores-write',
    upstream:
      'review of "[PATCH v4 3/4] mm: Optimize mprotect() by PTE-batching", Dev Jain, 28 Jun 2025 (Ryan Roberts: "If the first pte is writable but the rest are not ..."); FPB_RESPECT_WRITE after the folio_pte_batch() flag rework',
    breaks: 'INV-15',
    description:
      "The normal-path batch is detected without FPB_RESPECT_WRITE, so one batch mixes writable and read-only PTEs. The merged old PTE carries only the first PTE's write bit and the flush is decided on it: when PTE 0 is read-only and a later member loses write, no TLB flush is recorded for that page (INV-15), leaving a stale writable translation after mprotect(PROT_READ). Also INV-19.",
  },
  {
    name: 'b10-batch-past-folio-end',
    upstream:
      'analogue of 7b08b74f3d99 "mm: fix folio_pte_batch() on XEN PV", Petr Vanek and David Hildenbrand (6.15-rc6; Fixes: f8d937761d65; Cc: stable)',
    breaks: 'INV-19',
    description:
      "folio_pte_batch_flags() is capped by max_nr (range or table end) but not by the pages left in the folio, so a batch runs on into a physically adjacent folio whose PTEs carry the same bits. That folio then gets the first folio's decisions: its NUMA verdict (a pinned or KSM neighbour is hinted) and its anon test (a page-cache neighbour made writable in a private mapping). The trace check reports the batch leaving its folio (INV-19).",
  },
  {
    name: 'b11-tristate-collapsed',
    upstream:
      'Dev Jain\'s reply to Ryan Roberts on "[PATCH v4 3/4] mm: Optimize mprotect() by PTE-batching" (30 Jun 2025): a reviewer\'s draft collapsed the three-valued write decision into a boolean',
    breaks: 'INV-1',
    description:
      'In a private mapping, "gate passes and the folio is anonymous" is used as set_write for the whole batch; commit_anon_folio_batch() and its per-page PageAnonExclusive scan are never reached. A non-exclusive (COW-shared) anon page becomes writable in a private VMA, so a write reaches memory another process still maps (INV-1, R-WR.4). One order-0 page is enough, unlike b1.',
  },
  {
    name: 'b12-ad-merge-drops-dirty',
    upstream:
      'realistic; the batched modify_prot_start_ptes() contract of "[PATCH v4 2/4] mm: Add batched versions of ptep_modify_prot_start/commit", Dev Jain, 28 Jun 2025',
    breaks: 'INV-10',
    description:
      'modify_prot_start_ptes() clears every PTE of the batch but merges only young, not dirty, from PTEs 1..n-1 into the PTE it returns. A later batch member that the hardware had dirtied comes back clean (INV-10, R-PRES.3); in the kernel, reclaim can then drop a modified page as clean, losing data.',
  },
  {
    name: 'b13-flush-wrong-index',
    upstream:
      'realistic; prot_commit_flush_ptes() must advance by idx in three places (the v4 3/4 draft of PTE batching advanced addr, pte, oldpte and ptent by hand)',
    breaks: 'INV-15',
    description:
      'prot_commit_flush_ptes() advances the PTE pointer and the pfns by idx but not the address, so the flush of a later sub-run is recorded from the start of the batch. The PTEs are right, but a page of a later sub-run that needs a TLB flush (RW 0->1 on x86, any change on arm64) is not covered (INV-15).',
  },
  {
    name: 'b14-batch-bound-wrong-limit',
    upstream: 'realistic ("a batch bound taken from the wrong limit"); R-BATCH.2',
    breaks: 'INV-18',
    description:
      "max_nr_ptes is computed from the VMA's end (clamped to the PTE table) instead of from the `end` change_pte_range() was given, so a batch that starts inside the range runs past its end: PTEs outside [start, end) are modified (INV-18, INV-13). The walk then steps over `end`, and the C loop (addr != end) runs on off the page table; the model reports that as a crash (REL-CRASH), which is what every property finds first.",
  },
  {
    name: 'b16-softleaf-early-out',
    upstream:
      'realistic; a tempting follow-up to Pedro Falcato\'s "[PATCH v2 1/2]" change_softleaf_pte() split ("nothing to do without a uffd flag")',
    breaks: 'INV-11',
    description:
      'change_softleaf_pte() returns 0 at once when neither MM_CP_UFFD_WP nor MM_CP_UFFD_WP_RESOLVE is set. That is false: writable migration and device-private entries are downgraded on every call (R-SL.1, R-SL.2). A migration-write entry survives mprotect(PROT_READ) and the page is writable again when migration completes (INV-11); it is not counted either (INV-16).',
  },
  {
    name: 'b17-numa-savedwrite',
    upstream:
      'historic: b191f9b106ea "mm: numa: preserve PTE write permissions across a NUMA hinting fault", Mel Gorman (v4.1); removed by "mm/autonuma: replace savedwrite infrastructure", David Hildenbrand (v6.2)',
    breaks: 'INV-7',
    description:
      'Under MM_CP_PROT_NUMA the PAGE_NONE PTE keeps the old write bit ("savedwrite", on x86 the RW bit of the PROT_NONE PTE). Real code from v4.1 to v6.1, removed on purpose; version C and the spec drop write. Breaks INV-7 (PROT_NONE never writable) and INV-8.',
  },
  {
    name: 'b18-numa-null-folio-hinted',
    upstream:
      'realistic; row 1 of folio_can_map_prot_numa() descends from "mm: numa: Do not migrate or account for hinting faults on the zero page", Mel Gorman (2013)',
    breaks: 'R-PRES.2',
    description:
      'The call site consults folio_can_map_prot_numa() only when vm_normal_page() found a folio, so a PTE without one (the shared zero page, special or PFNMAP PTEs) is NUMA-hinted: made PROT_NONE and counted, where row 1 of R-PRES.2 skips it. Every process touching the zero page then takes a hinting fault. INV-8 allows PROT_NONE there, so only the agreement property sees it (REL-PERM, REL-COUNT).',
  },
]);

/** The registry's known-bad entry for a gallery bug. */
const variantOf = (entry: GalleryEntry, run: (world: World) => KernelOutcome): Variant => ({
  ...entry,
  file: galleryAppliedFile(entry.name),
  patch: galleryPatchFile(entry.name),
  baseline: GALLERY_BASELINE,
  verdict: 'known-bad',
  batching: 'batched',
  run,
});

// Stryker (npm run mutation) instruments the baseline in its sandbox
// (.stryker-tmp/sandbox-*/); the gallery must keep being the pristine baseline
// plus one bug, so under Stryker the baseline is read from the project itself.
const STRYKER_MARKER = 'stryNS_9fa48';
function pristine(root: string, relative: string): string {
  const text = readFileSync(join(root, relative), 'utf8');
  if (!text.includes(STRYKER_MARKER)) return text;
  const at = root.lastIndexOf(`${sep}.stryker-tmp${sep}`);
  if (at < 0) return text;
  return readFileSync(join(root.slice(0, at), relative), 'utf8');
}

/** Writes `text` to `path` unless it is already there (atomic: parallel test workers share the folder). */
function writeIfChanged(path: string, text: string): void {
  try {
    if (readFileSync(path, 'utf8') === text) return;
  } catch {
    // not there yet
  }
  try {
    mkdirSync(dirname(path), { recursive: true });
    const tmp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    writeFileSync(tmp, text);
    renameSync(tmp, path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EACCES' && code !== 'EPERM' && code !== 'EROFS') throw error;
    throw new GalleryWriteError(path, code);
  }
}

/**
 * The gallery's applied copies could not be written: a source checkout run by a user who cannot write
 * it, before its owner ever ran the tool (the copies are made on first use).
 */
export class GalleryWriteError extends Error {
  constructor(
    readonly path: string,
    readonly code: string,
  ) {
    super(
      `cannot write the gallery's applied copy ${path} (${code}): run mprotect-spec once as the owner of this checkout, or use an installed package`,
    );
    this.name = 'GalleryWriteError';
  }
}

/**
 * Applies the patch of `name` to `baselineSource`; returns the applied copy
 * (without the generated header). Throws GalleryConflictError when a hunk
 * does not apply.
 */
export function applyGalleryPatch(name: string, baselineSource: string, patchText: string): string {
  const parsed = parsePatch(patchText);
  if (parsed.oldPath !== GALLERY_BASELINE_FILE)
    throw new Error(`${galleryPatchFile(name)} patches ${parsed.oldPath}, not the gallery baseline ${GALLERY_BASELINE_FILE}`);
  try {
    return applyHunks(baselineSource, parsed.hunks);
  } catch (error) {
    if (error instanceof HunkConflictError) throw GalleryConflictError.of(galleryId(name), galleryPatchFile(name), error.message);
    throw error;
  }
}

/** Applies every gallery patch under `root` and writes the applied copies; returns the conflicts. */
export function materializeGallery(root: string = REPO_ROOT): GalleryConflictError[] {
  const baseline = pristine(root, GALLERY_BASELINE_FILE);
  const conflicts: GalleryConflictError[] = [];
  for (const entry of GALLERY_ENTRIES) {
    try {
      const applied = applyGalleryPatch(entry.name, baseline, readFileSync(join(root, galleryPatchFile(entry.name)), 'utf8'));
      writeIfChanged(join(root, galleryAppliedFile(entry.name)), appliedHeader(entry.name) + applied);
      writeIfChanged(join(root, galleryBaseFile(entry.name)), baseline);
    } catch (error) {
      if (error instanceof GalleryConflictError) conflicts.push(error);
      else throw error;
    }
  }
  return conflicts;
}

/**
 * A list that throws `error` on any use: what GALLERY and the registry's
 * VARIANTS become while a patch conflicts, so nothing runs against a gallery
 * that silently lacks a bug.
 */
export function failingList<T>(error: Error): readonly T[] {
  return new Proxy([] as T[], {
    get() {
      throw error;
    },
    has() {
      throw error;
    },
  });
}

const conflicts = BUILT ? [] : materializeGallery();

/** Null when every patch applies; otherwise one error naming every conflicting bug. */
export const GALLERY_CONFLICT: GalleryConflictError | null =
  conflicts.length === 0 ? null : conflicts.length === 1 ? conflicts[0]! : GalleryConflictError.merge(conflicts);

async function load(): Promise<readonly Variant[]> {
  const variants: Variant[] = [];
  for (const entry of GALLERY_ENTRIES) {
    const url = BUILT
      ? new URL(`./.gallery/${entry.name}.js`, import.meta.url).href
      : pathToFileURL(join(REPO_ROOT, galleryAppliedFile(entry.name))).href;
    const mod = (await import(/* @vite-ignore */ url)) as { change_protection: (world: World) => KernelOutcome };
    variants.push(variantOf(entry, mod.change_protection));
  }
  return Object.freeze(variants);
}

/** The gallery's variants, in GALLERY_ENTRIES order (spread into the registry's VARIANTS). */
export const GALLERY: readonly Variant[] = GALLERY_CONFLICT === null ? await load() : failingList(GALLERY_CONFLICT);

export const GALLERY_KIND: Readonly<Record<string, GalleryKind>> = Object.freeze({
  'b2-softdirty-polarity': 'real bug',
  'b3-writenotify-ignores-uffd': 'real bug',
  'b4-poison-marker-dropped': 'real bug',
  'b5-uffd-marker-falls-through': 'real bug (analogue)',
  'b6-uffd-tail-only-migration-write': 'real bug (analogue)',
  'b7-numa-eligible-skipped': 'review-caught',
  'b8-step-not-reset': 'realistic mistake',
  'b9-batch-ignores-write': 'review-caught',
  'b10-batch-past-folio-end': 'real bug (analogue)',
  'b11-tristate-collapsed': 'review-caught',
  'b12-ad-merge-drops-dirty': 'realistic mistake',
  'b13-flush-wrong-index': 'realistic mistake',
  'b14-batch-bound-wrong-limit': 'realistic mistake',
  'b16-softleaf-early-out': 'realistic mistake',
  'b17-numa-savedwrite': 'historic semantics',
  'b18-numa-null-folio-hinted': 'realistic mistake',
});
