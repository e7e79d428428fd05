// SPDX-License-Identifier: GPL-2.0-only
// Counters for the primitives a change_protection() run performs, read by the
// `cost` command (src/cost/). Off unless a caller opens a counting window with
// with_op_counts(); then each counted primitive adds one to its entry. The
// counts describe the model's calls, which keep the C code's call structure:
// a per-PTE walk reads every entry once, a batched walk may look up a folio
// for every present entry (the v6.17 order-0 cost).

export const OP_NAMES = [
  'ptep_get',
  'set_pte_at',
  'ptep_modify_prot_start',
  'ptep_modify_prot_commit',
  'modify_prot_start_ptes',
  'modify_prot_commit_ptes',
  'vm_normal_page',
  'folio_lookup',
  'folio_pte_batch',
  'tlb_flush_range',
] as const;

export type OpName = (typeof OP_NAMES)[number];
export type OpCounts = Record<OpName, number>;

export function zeroOpCounts(): OpCounts {
  const counts = {} as OpCounts;
  for (const name of OP_NAMES) counts[name] = 0;
  return counts;
}

// The open window lives on globalThis under a registered symbol, so a
// candidate that loaded its own copy of this library (tsx imports an --impl
// module in a namespace of its own) counts into the same window.
const KEY = Symbol.for('mprotect-spec.op-counts');
type Holder = { [KEY]?: OpCounts | null };
const holder = globalThis as Holder;

/** Add one call of `op` to the open counting window, if any. */
export function count_op(op: OpName): void {
  const active = holder[KEY];
  if (active) active[op]++;
}

/** Run `fn` with every counted primitive adding to `counts`. Windows nest by replacement. */
export function with_op_counts<T>(counts: OpCounts, fn: () => T): T {
  const outer = holder[KEY] ?? null;
  holder[KEY] = counts;
  try {
    return fn();
  } finally {
    holder[KEY] = outer;
  }
}
