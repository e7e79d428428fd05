// SPDX-License-Identifier: GPL-2.0-only
// The §11 relation (src/observe/relation.ts) on hand-built batches, written
// from the surviving mutants of the focused Stryker run (docs/strength.md §1).
// Each case starts from falcato-v3's real outcome (inside the relation) and
// moves one slot; the failure must name the kernel rule the move breaks:
//   the write gates in the order maybe_change_pte_writable() and
//   can_change_shared_pte_writable() / commit_anon_folio_batch() test them
//   (mm/mprotect.c v6.17+: TRY, VM_WRITE, PROT_NONE, soft-dirty, uffd-wp,
//   then dirty for shared, PageAnonExclusive for private);
//   a write granted through the batch merge must keep the merged bit that
//   granted it (dirty for shared, soft-dirty under tracking);
//   x86 keeps DIRTY on writable and SAVED_DIRTY on read-only PTEs.
import { describe, expect, it } from 'vitest';
import { change_protection_spec } from '../../spec/index.js';
import { getVariant } from '../../src/kernel/index.js';
import { compareEntriesRelaxed, compareRelaxed, refusingWriteRule } from '../../src/observe/index.js';
import {
  _PAGE_ACCESSED,
  _PAGE_DIRTY,
  _PAGE_NX,
  _PAGE_PRESENT,
  _PAGE_PROTNONE,
  _PAGE_RW,
  _PAGE_SAVED_DIRTY,
  _PAGE_SOFT_DIRTY,
  _PAGE_UFFD_WP,
  _PAGE_USER,
  type KernelOutcome,
  MM_CP_TRY_CHANGE_WRITABLE,
  mkFolio,
  mkVma,
  mkWorld,
  NONE_PTE,
  type PresentPte,
  type Pte,
  VM_READ,
  VM_SHARED,
  VM_SOFTDIRTY,
  VM_UFFD_WP,
  VM_WRITE,
  type VmaInit,
  type World,
  type WorldInit,
} from '../../src/pte/index.js';

const v3 = getVariant('falcato-v3');
const RO = _PAGE_PRESENT | _PAGE_USER | _PAGE_NX;
const p = (pfn: number, flags: number): PresentPte => ({ kind: 'present', pfn, flags });

/** Two pages [0x10, 0x12) of one order-1 folio at pfn 0x100, TRY; the second dirty. */
function batchWorld(vma: Partial<VmaInit>, o: Partial<WorldInit> & { anon?: boolean } = {}): World {
  const { anon = false, ...rest } = o;
  return mkWorld({
    vma: mkVma({
      start: 0x10,
      end: 0x12,
      flags: VM_READ | VM_WRITE | VM_SHARED | VM_SOFTDIRTY,
      anonymous: anon,
      fileCanWriteback: !anon,
      ...vma,
    }),
    folios: [mkFolio({ pfn: 0x100, order: 1, anon })],
    ptes: [p(0x100, RO), p(0x101, RO | _PAGE_SAVED_DIRTY)],
    cp_flags: MM_CP_TRY_CHANGE_WRITABLE,
    ...rest,
  });
}
/** The relation's verdict on v3's outcome with slot i replaced; the flush check is left out. */
function verdict(w: World, i: number, e: (v: PresentPte) => Pte) {
  const out = v3.run(w);
  const ptes = out.ptes.map((x, k) => (k === i ? e(x as PresentPte) : x));
  const broken: KernelOutcome = { ...out, ptes };
  return compareRelaxed(w, change_protection_spec(w), broken)
    .filter((m) => m.rule !== 'INV-15')
    .map((m) => [m.rule, m.vpn, m.message]);
}
describe('a shared writenotify batch with one dirty page: the merge grants write to both (Δ4)', () => {
  const w = batchWorld({});
  const out = v3.run(w);
  it('falcato-v3 makes both pages writable and dirty, and the relation accepts it', () => {
    const s = change_protection_spec(w);
    expect(s.ptes.map((e) => e.kind === 'present' && (e.flags & _PAGE_RW) !== 0)).toEqual([false, true]);
    expect(out.ptes.every((e) => e.kind === 'present' && (e.flags & (_PAGE_RW | _PAGE_DIRTY)) === (_PAGE_RW | _PAGE_DIRTY))).toBe(
      true,
    );
    expect(compareRelaxed(w, s, out)).toEqual([]);
  });
  it('the per-entry answer for the clean page is accepted too', () => {
    expect(verdict(w, 0, () => change_protection_spec(w).ptes[0] as Pte)).toEqual([]);
  });
  it('write taken from the merge without the merged dirty bit breaks INV-2', () => {
    expect(verdict(w, 0, (v) => p(v.pfn, v.flags & ~_PAGE_DIRTY))).toEqual([
      ['INV-2', 0x10, 'write granted on the merged dirty bit, which the variant dropped'],
    ]);
  });
  it('the same write without a dirty mate is R-WR.3', () => {
    const alone = batchWorld({}, { ptes: [p(0x100, RO), p(0x101, RO)] });
    expect(verdict(alone, 0, (v) => p(v.pfn, v.flags | _PAGE_RW))).toEqual([
      ['R-WR.3', 0x10, 'made writable, but neither the per-entry nor the batch-aware spec grants it'],
    ]);
  });
  it('a write the spec grants and the variant misses is REL-WRITE', () => {
    expect(verdict(w, 1, (v) => p(v.pfn, (v.flags & ~(_PAGE_RW | _PAGE_DIRTY)) | _PAGE_SAVED_DIRTY))).toEqual([
      ['REL-WRITE', 0x11, 'the spec makes this PTE writable, the variant does not'],
    ]);
  });
  it('dirty in the wrong encoding for the write bit is R-PTE.2', () => {
    expect(verdict(w, 1, (v) => p(v.pfn, (v.flags & ~_PAGE_DIRTY) | _PAGE_SAVED_DIRTY))).toEqual([
      ['R-PTE.2', 0x11, 'dirty is in the wrong encoding for the write bit'],
    ]);
    expect(verdict(w, 1, (v) => p(v.pfn, v.flags | _PAGE_SAVED_DIRTY))).toEqual([
      ['R-PTE.2', 0x11, 'dirty is in the wrong encoding for the write bit'],
    ]);
  });
  it('a lost dirty bit is REL-LOST; a young bit no batch merge raises is R-PRES.3', () => {
    expect(verdict(w, 1, (v) => p(v.pfn, v.flags & ~_PAGE_DIRTY))).toContainEqual([
      'REL-LOST',
      0x11,
      'the variant lost the dirty bit',
    ]);
    expect(verdict(w, 1, (v) => p(v.pfn, v.flags | _PAGE_ACCESSED))).toEqual([
      ['R-PRES.3', 0x11, "young set, but the batch merge of this slot's own batch does not set it"],
    ]);
  });
  it('a different frame is REL-ENTRY; a different permission bit is REL-PERM', () => {
    expect(verdict(w, 0, (v) => p(0x101, v.flags))).toEqual([['REL-ENTRY', 0x10, 'pfn 0x100 became 0x101']]);
    expect(verdict(w, 0, (v) => p(v.pfn, v.flags & ~_PAGE_NX))).toEqual([
      ['REL-PERM', 0x10, `bits 0x${_PAGE_NX.toString(16)} differ`],
    ]);
  });
});

describe('compareRelaxed names the rule of each whole-outcome difference', () => {
  const w = batchWorld({});
  const out = v3.run(w);
  const s = change_protection_spec(w);
  it('count (REL-COUNT), PMD slots (REL-PMD) and NUMA stamps (R-PRES.2)', () => {
    const rules = (k: KernelOutcome) => compareRelaxed(w, s, k).map((m) => m.rule);
    expect(rules({ ...out, count: out.count + 1 })).toEqual(['REL-COUNT']);
    expect(rules({ ...out, pmds: [{ kind: 'none' }] })).toEqual(['REL-PMD']);
    expect(rules({ ...out, numaStamps: [0x100] })).toEqual(['R-PRES.2']);
  });
});

describe('soft-dirty tracking: the merge grants write through soft-dirty (Δ5)', () => {
  // Private exclusive anon pages, tracking on (no VM_SOFTDIRTY): neither page has soft-dirty, but x86
  // pte_mkdirty() of the merge adds it, so the batch passes the soft-dirty gate.
  const w = batchWorld({ flags: VM_READ | VM_WRITE, fileCanWriteback: false }, { anon: true });
  it('falcato-v3 makes both writable with soft-dirty; the spec neither', () => {
    const s = change_protection_spec(w);
    expect(s.ptes.some((e) => e.kind === 'present' && e.flags & _PAGE_RW)).toBe(false);
    const out = v3.run(w);
    expect(out.ptes.every((e) => e.kind === 'present' && e.flags & _PAGE_RW && e.flags & _PAGE_SOFT_DIRTY)).toBe(true);
    expect(compareRelaxed(w, s, out)).toEqual([]);
  });
  it('write taken from the merge without the merged soft-dirty bit breaks INV-4', () => {
    expect(verdict(w, 0, (v) => p(v.pfn, v.flags & ~_PAGE_SOFT_DIRTY))).toEqual([
      ['INV-4', 0x10, 'write granted on the merged soft-dirty bit, which the variant dropped'],
    ]);
  });
});

describe('refusingWriteRule names the first gate that refuses, in the kernel order', () => {
  const base = batchWorld({}, { ptes: [p(0x100, RO), p(0x101, RO)] });
  const e = p(0x100, RO | _PAGE_SOFT_DIRTY);
  const at = (vma: Partial<VmaInit>, cp = MM_CP_TRY_CHANGE_WRITABLE, anon = false) => batchWorld(vma, { cp_flags: cp, anon });
  it('TRY, VM_WRITE, PROT_NONE, soft-dirty, uffd-wp, then shared or private', () => {
    expect(refusingWriteRule(at({}, 0), e)).toBe('R-WR.1');
    expect(refusingWriteRule(at({ flags: VM_READ | VM_SHARED | VM_SOFTDIRTY }), e)).toBe('R-WR.2.1');
    expect(refusingWriteRule(base, p(0x100, (RO & ~_PAGE_PRESENT) | _PAGE_PROTNONE | _PAGE_UFFD_WP))).toBe('R-WR.2.2');
    expect(refusingWriteRule(at({ flags: VM_READ | VM_WRITE | VM_SHARED }), p(0x100, RO | _PAGE_UFFD_WP))).toBe('R-WR.2.3');
    expect(refusingWriteRule(at({ flags: VM_READ | VM_WRITE | VM_SHARED }), e)).toBe('R-WR.3');
    expect(
      refusingWriteRule(
        at({ flags: VM_READ | VM_WRITE | VM_SHARED | VM_UFFD_WP }),
        p(0x100, RO | _PAGE_SOFT_DIRTY | _PAGE_UFFD_WP),
      ),
    ).toBe('R-WR.2.4');
    expect(refusingWriteRule(base, e)).toBe('R-WR.3');
    expect(
      refusingWriteRule(
        at({ flags: VM_READ | VM_WRITE | VM_SOFTDIRTY, fileCanWriteback: false }, MM_CP_TRY_CHANGE_WRITABLE, true),
        e,
      ),
    ).toBe('R-WR.4');
  });
});

describe('compareEntriesRelaxed: slot count, kinds and the range', () => {
  const w = batchWorld({}, { range: { start: 0x11, end: 0x12 } });
  const s = change_protection_spec(w);
  it('a wrong number of slots is one REL-ENTRY naming both', () => {
    expect(compareEntriesRelaxed(w, s.ptes, s.ptes.slice(1), s.ptes)).toEqual([
      { rule: 'REL-ENTRY', message: 'variant returned 1 slots, spec 2' },
    ]);
  });
  it('a slot outside the range that changed is INV-18; a kind change inside is REL-ENTRY', () => {
    const moved = [p(0x100, RO | _PAGE_RW), s.ptes[1] as Pte];
    expect(compareEntriesRelaxed(w, s.ptes, moved, s.ptes).map((m) => [m.rule, m.vpn, m.message])).toEqual([
      ['INV-18', 0x10, 'changed outside the range'],
    ]);
    const gone = [s.ptes[0] as Pte, NONE_PTE];
    expect(compareEntriesRelaxed(w, s.ptes, gone, s.ptes)).toEqual([
      {
        rule: 'REL-ENTRY',
        message: 'spec has present, variant none',
        vpn: 0x11,
        before: w.ptes[1],
        spec: s.ptes[1],
        variant: NONE_PTE,
      },
    ]);
  });
  it('an upper bound that is not the same frame or permissions grants nothing', () => {
    const ref = [p(0x100, RO), p(0x101, RO)];
    const got = [p(0x100, RO | _PAGE_ACCESSED), p(0x101, RO | _PAGE_ACCESSED)];
    const w2 = batchWorld({});
    const upperOther = [p(0x100, RO | _PAGE_ACCESSED), p(0x999, RO | _PAGE_ACCESSED)];
    expect(compareEntriesRelaxed(w2, ref, got, upperOther).map((m) => [m.rule, m.vpn])).toEqual([['R-PRES.3', 0x11]]);
    const upperPerm = [p(0x100, (RO & ~_PAGE_NX) | _PAGE_ACCESSED), NONE_PTE];
    expect(compareEntriesRelaxed(w2, ref, got, upperPerm).map((m) => [m.rule, m.vpn])).toEqual([
      ['R-PRES.3', 0x10],
      ['R-PRES.3', 0x11],
    ]);
    expect(compareEntriesRelaxed(w2, ref, got, got)).toEqual([]);
  });
});
