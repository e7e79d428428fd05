// SPDX-License-Identifier: GPL-2.0-only
// Turns the compiler's complaints about unknown names into what a user can
// act on: "the tree uses X, which the shim does not model; add it in <file>".
// These are diagnostics from the compiler, not C source.

/** Where a missing name most likely belongs in src/realc/shim/. */
export function shimFileFor(name: string): string {
  const n = name.toLowerCase();
  if (/^(softleaf|leafent|leaf_entry|swp_|is_.*_entry|make_.*entry|pte_swp_|pte_marker|is_pte_marker|pfn_swap)/.test(n))
    return 'softleaf.h';
  if (
    /^(numa|node_|sysctl_numa|folio_use_access|folio_xchg_access|jiffies|vma_is_single_threaded|folio_can_map_prot_numa)/.test(n)
  )
    return 'numa.h';
  if (/^(change_huge|.*split_huge|can_change_pmd|pmd_folio|is_huge_zero)/.test(n)) return 'huge_pmd.h';
  if (
    /^(tlb_|mmu_|flush_|lazy_mmu|arch_enter|arch_leave|pte_offset|pte_unmap|ptep_|set_pte|pte_clear|pmd_offset|pud_|p4d_|pgd_|pte_alloc|pmdp_)/.test(
      n,
    )
  )
    return 'pgtable_model.h';
  if (/^(pte_|pmd_|_page_|pgprot|__pte|__pmd|page_size|pfn_pte)/.test(n)) return 'arch_x86.h';
  if (/^(folio|page|pfn_to_page|vm_normal)/.test(n) || n.startsWith('pageanon')) return 'page.h';
  if (/^(vma_|vm_|userfaultfd|mm_cp_|is_cow|is_vm_hugetlb)/.test(n)) return 'vma.h';
  if (/^(warn|bug|vm_warn|vm_bug)/.test(n)) return 'debug.h';
  return 'base.h';
}

const PATTERNS: readonly RegExp[] = [
  /implicit declaration of function '([A-Za-z_][A-Za-z0-9_]*)'/,
  /unknown type name '([A-Za-z_][A-Za-z0-9_]*)'/,
  /'([A-Za-z_][A-Za-z0-9_]*)' undeclared/,
  /storage size of '[^']*' isn't known/,
  /invalid use of undefined type 'struct ([A-Za-z_][A-Za-z0-9_]*)'/,
  /'struct ([A-Za-z_][A-Za-z0-9_]*)' has no member named '([A-Za-z_][A-Za-z0-9_]*)'/,
  /undefined reference to `([A-Za-z_][A-Za-z0-9_]*)'/,
];

/** A readable message for a failed build; the raw output follows, trimmed. */
export function explainCompileErrors(output: string, tuPath: string): string {
  const missing = new Map<string, string>();
  for (const line of output.split('\n')) {
    for (const re of PATTERNS) {
      const m = re.exec(line);
      if (!m) continue;
      const name = m[2] ? `struct ${m[1]}.${m[2]}` : m[1];
      if (name && !missing.has(name)) missing.set(name, shimFileFor(m[2] ?? name));
    }
  }
  const firstErrors = output
    .split('\n')
    .filter((l) => l.includes('error'))
    .slice(0, 8)
    .join('\n');
  if (missing.has('change_protection'))
    return `the translation unit does not define change_protection(), the entry point the harness calls (TU at ${tuPath})`;
  if (missing.size > 0) {
    const lines = [...missing].map(
      ([name, file]) => `the tree uses ${name}, which the shim does not model; add it in src/realc/shim/${file}`,
    );
    return `${lines.join('\n')}\n(compiler output, TU at ${tuPath}):\n${firstErrors}`;
  }
  return `the translation unit does not compile against the shim (TU at ${tuPath}):\n${firstErrors || output.slice(0, 2000)}`;
}
