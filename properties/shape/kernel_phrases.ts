// SPDX-License-Identifier: GPL-2.0-only
// Our own words (issue 14 item 2): the project carries the kernel's names,
// conditions and numbers, never its comment prose. KERNEL_PHRASES below are
// comments of the kernel functions we model, taken while reading them
// (mm/mprotect.c at v6.16 003fde4492c8 and version C 567be9fb402d, the v2
// and v3 series of Pedro Falcato, mm/huge_memory.c change_huge_pmd() and
// __split_huge_pmd_locked(), mm/internal.h folio_pte_batch_flags(),
// mm/mempolicy.c folio_can_map_prot_numa()). The list is not exhaustive; it
// exists so that none of these comes back. No file under src/, spec/ or
// oracle/ (code, comments, gallery patches) may share a run of 12 consecutive
// words with a phrase, or the whole phrase when it is shorter than 12 words.
// Words are compared lower-cased, punctuation and comment markers dropped.
// This file and no_kernel_prose.test.ts are the one place the phrases live.
export const KERNEL_PHRASES: readonly string[] = [
  // mm/mprotect.c, maybe_change_pte_writable() / can_change_*_pte_writable()
  "Don't touch entries that are not even readable.",
  'Do we need write faults for softdirty tracking?',
  'Do we need write faults for uffd-wp tracking?',
  'Writable MAP_PRIVATE mapping: We can only special-case on exclusive anonymous pages, because we know that our write-fault handler similarly would map them writable without any additional checks while holding the PT lock.',
  'Writable MAP_SHARED mapping: "clean" might indicate that the FS still needs a real write-fault for writenotify (see vma_wants_writenotify()). If "dirty", the assumption is that the FS was already notified and we can simply mark the PTE writable just like the write-fault handler would do.',
  // mm/mprotect.c, batching helpers (v6.17 on)
  'No underlying folio, so cannot batch',
  'Set nr_ptes number of ptes, starting from idx',
  'Advance the position in the batch by idx; note that if idx > 0, then the nr_ptes passed here is <= batch size - idx.',
  'Get max length of consecutive ptes pointing to PageAnonExclusive() pages or !PageAnonExclusive() pages, starting from start_idx. Caller must enforce that the ptes point to consecutive pages of the same anon large folio.',
  'This function is a result of trying our very best to retain the "avoid the write-fault handler" optimization.',
  'if the vma is a private vma, and we cannot determine whether to change the pte to writable just from the vma and the pte, we then need to look at the actual page pointed to by the pte.',
  'the anon-exclusivity (or the negation) of the first page does not guarantee the anon-exclusivity (or the negation) of the other pages corresponding to the pte batch',
  'Therefore, we must individually check all pages and retrieve sub-batches.',
  // mm/mprotect.c, softleaf / marker / none handling
  'A protection check is difficult so just be safe and disable write',
  'We do not preserve soft-dirtiness. See copy_nonpresent_pte() for explanation.',
  'Ignore error swap entries unconditionally, because any access should sigbus/sigsegv anyway.',
  "If this is uffd-wp pte marker and we'd like to unprotect it, drop it; the next page fault will trigger without uffd trapping.",
  'It must be an none page, or what else?..',
  'Nobody plays with any none ptes besides userfaultfd when applying the protections.',
  'For file-backed mem, we need to be able to wr-protect a none pte, because even if the pte is none, the page/swap cache could exist. Doing that by install a marker.',
  // mm/mprotect.c, change_pte_range() and change_present_ptes()
  'In some writable, shared mappings, we might want to catch actual write access -- see vma_wants_writenotify(). In all writable, private mappings, we have to properly handle COW. In both cases, we can sometimes still change PTEs writable and avoid the write-fault handler, for example, if a PTE is already dirty and no other COW or special handling is required.',
  'Already in the desired state.',
  'Avoid trapping faults against the zero or KSM pages. See similar comment in change_huge_pmd.',
  'determine batch to skip',
  'Optimize for the small-folio common case by special-casing it here. Compiler constant propagation plus copious amounts of __always_inline does wonders.',
  'Optimize for the common order-0 case.',
  'Get target node for single threaded private VMAs',
  'Avoid TLB flush if possible',
  // mm/mprotect.c v6.16 inline NUMA checks; mm/mempolicy.c folio_can_map_prot_numa()
  'Also skip shared copy-on-write pages',
  'Also skip shared copy-on-write folios',
  "Folios are pinned and can't be migrated",
  'While migration can move some dirty pages, it cannot move them all from MIGRATE_ASYNC context.',
  'While migration can move some dirty folios, it cannot move them all from MIGRATE_ASYNC context.',
  "Don't mess with PTEs if page is already on the node a single-threaded process is running on.",
  "Don't mess with PTEs if folio is already on the node a single-threaded process is running on.",
  'Skip scanning top tier node if normal numa balancing is disabled',
  // mm/mprotect.c, the walk above the PTE level
  'Return true if we want to split THPs into PTE mappings in change protection procedure, false otherwise.',
  'pte markers only resides in pte level, if we need pte markers, we need to split. For example, we cannot wr-protect a file thp (e.g. 2M shmem) because file thp is handled differently when split by erasing the pmd so far.',
  "If not within ioctl(UFFDIO_WRITEPROTECT), then don't bother",
  'Populate if the userfaultfd mode requires pte markers',
  'For file-backed, the pmd could have been cleared; make sure pmd populated if necessary, then fall-through to pte level.',
  'huge pmd was handled',
  'fall through, the trans huge pmd just split',
  'Ordinary protection updates (mprotect, uffd-wp, softdirty tracking) are expected to reflect their requirements via VMA flags such that vma_set_page_prot() will adjust vma->vm_page_prot accordingly.',
  // mm/huge_memory.c
  'Leave the write bit to be handled by PF interrupt handler, then things like COW could be properly handled.',
  'Note that NUMA hinting access restrictions are not transferred.',
  'NOTE: this may set soft-dirty too on some archs',
  "Don't touch entries that are not even readable (NUMA hinting).",
  "pmdp_invalidate_ad() is required to make sure we don't miss dirty/young flags set by hardware.",
  "The race makes MADV_DONTNEED miss the huge pmd and don't clear it which may break userspace.",
  // mm/internal.h
  'Limit max_nr to the actual remaining PFNs in the folio we could batch.',
];

/** The run length that counts as a copy. */
export const RUN = 12;

export const words = (text: string): string[] => text.toLowerCase().match(/[a-z0-9_]+/g) ?? [];

/** Runs a text shares with the phrases: for each, the phrase and the shared words. */
export function sharedRuns(text: string, phrases: readonly string[] = KERNEL_PHRASES): { phrase: string; shared: string }[] {
  const haystack = ` ${words(text).join(' ')} `;
  const found: { phrase: string; shared: string }[] = [];
  for (const phrase of phrases) {
    const w = words(phrase);
    const n = Math.min(RUN, w.length);
    for (let i = 0; i + n <= w.length; i++) {
      const run = w.slice(i, i + n).join(' ');
      if (haystack.includes(` ${run} `)) {
        found.push({ phrase, shared: run });
        break;
      }
    }
  }
  return found;
}
