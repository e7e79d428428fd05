// SPDX-License-Identifier: GPL-2.0-only
// The caller wrappers of spec/callers.ts (C1-C3): mprotect_fixup_spec() and
// restrictToRange() (SEMANTICS §5.5: do_mprotect_pkey -> mprotect_fixup ->
// vma_modify_flags -> change_protection), change_prot_numa_spec() and
// uffd_wp_range_spec() (§6.1). The per-entry rules are tested elsewhere; here
// the point is what each caller hands to change_protection() and how the
// VMA split restricts the world.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  change_prot_numa_spec,
  change_protection_spec,
  mprotect_fixup_spec,
  restrictToRange,
  SpecPreconditionError,
  uffd_wp_range_spec,
  VM_ACCESS_FLAGS,
} from '../../spec/index.js';
import { worldArb } from '../../src/arbitraries/index.js';
import {
  _PAGE_ACCESSED,
  _PAGE_DIRTY,
  _PAGE_NX,
  _PAGE_PRESENT,
  _PAGE_RW,
  _PAGE_SAVED_DIRTY,
  _PAGE_USER,
  checkWorld,
  MM_CP_PROT_NUMA,
  MM_CP_TRY_CHANGE_WRITABLE,
  MM_CP_UFFD_WP,
  MM_CP_UFFD_WP_RESOLVE,
  mk_pte,
  mkFolio,
  mkVma,
  mkVmaExact,
  mkWorld,
  NONE_PTE,
  type PmdSlot,
  PTRS_PER_PTE,
  type Pte,
  pmd_index_of,
  pte_write,
  VM_EXEC,
  VM_MAYEXEC,
  VM_MAYREAD,
  VM_MAYWRITE,
  VM_READ,
  VM_SHARED,
  VM_SOFTDIRTY,
  VM_UFFD_WP,
  VM_WRITE,
  vma_page_prot,
  type World,
} from '../../src/pte/index.js';

const RO = _PAGE_PRESENT | _PAGE_USER | _PAGE_NX | _PAGE_ACCESSED;
const RW = RO | _PAGE_RW;
const N = PTRS_PER_PTE;
const START = 4 * N; // PMD-aligned vpn
const SEED = 20_260_417;

const table: PmdSlot = { kind: 'table' };
const none = (n: number): Pte[] => new Array<Pte>(n).fill(NONE_PTE);

/** A private rw anon VMA of `npmds` PMDs at START; `huge[j]` maps PMD j with an order-9 folio. */
function pmdWorld(npmds: number, huge: readonly number[], range: { start: number; end: number }): World {
  const vma = mkVma({ start: START, end: START + npmds * N, flags: VM_READ | VM_WRITE | VM_SOFTDIRTY });
  const folios = huge.map((j) => mkFolio({ pfn: 0x10000 + j * N, order: 9 }));
  const pmds: PmdSlot[] = Array.from({ length: npmds }, (_, j) =>
    huge.includes(j) ? { kind: 'huge', pmd: mk_pte(0x10000 + j * N, RW | _PAGE_DIRTY) } : table,
  );
  return mkWorld({ vma, folios, pmds, ptes: none(npmds * N), range });
}

function specError(fn: () => unknown): SpecPreconditionError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(SpecPreconditionError);
    return err as SpecPreconditionError;
  }
  throw new Error('expected a SpecPreconditionError');
}

describe('restrictToRange(): the part of the VMA that vma_modify_flags() splits off (C1)', () => {
  it('a range covering the whole VMA needs no split: the world itself is the new VMA', () => {
    const w = pmdWorld(2, [1], { start: START, end: START + 2 * N });
    expect(restrictToRange(w)).toBe(w);
  });

  // Each case: [npmds, huge PMDs, range offsets from START]; the restricted world is the VMA [range) with the
  // PMDs and slots that lie under it, and is itself a valid world (W-PT.1/2, W-RANGE.1).
  const cases: ReadonlyArray<readonly [string, number, number[], number, number]> = [
    ['the first PMD exactly (range ends on a PMD boundary)', 2, [], 0, N],
    ['a prefix inside the first PMD of three', 3, [], 0, 100],
    ['a middle part crossing one PMD boundary', 3, [], N - 5, N + 5],
    ['the last two PMDs, starting inside the first', 3, [], 100, 3 * N],
    ['a huge PMD exactly at the start of the range', 2, [0], 0, N + 7],
    ['a huge PMD exactly at the end of the range', 2, [1], 10, 2 * N],
    ['two huge PMDs after a partly covered table', 3, [1, 2], 100, 3 * N],
    ['a huge PMD in the middle of the range', 3, [1], N - 1, 2 * N + 1],
  ];
  for (const [name, npmds, huge, lo, hi] of cases) {
    it(`${name}: VMA, PMDs and slots are cut to the range`, () => {
      const w = pmdWorld(npmds, huge, { start: START + lo, end: START + hi });
      const r = restrictToRange(w);
      expect(r.vma).toEqual({ ...w.vma, start: START + lo, end: START + hi });
      expect(r.range).toEqual(w.range);
      const first = pmd_index_of(START + lo) - pmd_index_of(START);
      const last = pmd_index_of(START + hi - 1) - pmd_index_of(START);
      expect(r.pmds).toEqual(w.pmds.slice(first, last + 1));
      expect(r.ptes).toHaveLength(hi - lo);
      expect(checkWorld(r)).toEqual([]);
    });
  }

  // vma_adjust_trans_huge() would split a PMD-mapped THP that straddles a new VMA boundary; the spec does not
  // model that and refuses with C1.2 (a user-facing precondition naming the rule).
  const straddles: ReadonlyArray<readonly [string, number, number[], number, number]> = [
    ['the range starts inside a huge PMD', 2, [0], 1, 2 * N],
    ['the range ends inside a huge PMD', 2, [1], 0, N + 1],
    ['the range ends inside the second huge PMD', 3, [1, 2], 0, 2 * N + 3],
    ['the range lies inside one huge PMD', 1, [0], 3, 9],
  ];
  for (const [name, npmds, huge, lo, hi] of straddles) {
    it(`${name}: SpecPreconditionError C1.2`, () => {
      const w = pmdWorld(npmds, huge, { start: START + lo, end: START + hi });
      const err = specError(() => restrictToRange(w));
      expect(err.rule).toBe('C1.2');
      expect(err.message).toMatch(/huge PMD straddles .*vma_adjust_trans_huge/);
      expect(() => mprotect_fixup_spec(w, VM_READ)).toThrow(/C1\.2/);
    });
  }
});

describe('mprotect_fixup_spec(): do_mprotect_pkey() + mprotect_fixup() (C1, §5.5)', () => {
  const folio = mkFolio({ pfn: 0x300 });
  const base = (flags: number, range?: { start: number; end: number }) =>
    mkWorld({
      vma: mkVma({ start: START, end: START + 4, flags }),
      folios: [folio],
      ptes: [NONE_PTE, mk_pte(0x300, RW | _PAGE_DIRTY), NONE_PTE, NONE_PTE],
      range,
      cp_flags: MM_CP_PROT_NUMA, // the caller ignores the input's flags and computes its own
    });

  it('unchanged flags: no walk at all; the outcome is the input, count 0, nothing flushed or stamped', () => {
    const w = base(VM_READ | VM_WRITE);
    const r = mprotect_fixup_spec(w, VM_READ | VM_WRITE);
    expect(r).toEqual({
      vma: w.vma,
      cp_flags: null,
      world: null,
      outcome: { ptes: w.ptes, pmds: w.pmds, count: 0, numaStamps: [], flushPages: [] },
    });
  });

  it('access bits outside VM_READ|VM_WRITE|VM_EXEC: C1.1', () => {
    const w = base(VM_READ);
    expect(VM_ACCESS_FLAGS).toBe(VM_READ | VM_WRITE | VM_EXEC);
    for (const extra of [VM_SHARED, VM_MAYWRITE, VM_UFFD_WP]) {
      const err = specError(() => mprotect_fixup_spec(w, VM_READ | extra));
      expect(err.rule).toBe('C1.1');
      expect(err.message).toMatch(/VM_READ\|VM_WRITE\|VM_EXEC/);
    }
  });

  it('access beyond VM_MAY*: -EACCES (C1.EACCES), checked per access bit', () => {
    // mkVmaExact keeps the exact flags: a read-only file opened O_RDONLY has no VM_MAYWRITE.
    const vma = mkVmaExact({
      start: START,
      end: START + 1,
      flags: VM_READ | VM_MAYREAD | VM_MAYEXEC | VM_SOFTDIRTY,
      pkey: 0,
      anonymous: true,
      ops: { page_mkwrite: false, pfn_mkwrite: false },
      fileCanWriteback: false,
      uffdWpUnpopulated: false,
    });
    const w = mkWorld({ vma, ptes: [NONE_PTE] });
    const err = specError(() => mprotect_fixup_spec(w, VM_READ | VM_WRITE));
    expect(err.rule).toBe('C1.EACCES');
    expect(err.message).toMatch(/VM_MAY/);
    // VM_EXEC is allowed by VM_MAYEXEC, dropping VM_READ is always allowed
    expect(mprotect_fixup_spec(w, VM_READ | VM_EXEC).vma.flags & VM_EXEC).toBe(VM_EXEC);
    expect(mprotect_fixup_spec(w, 0).vma.flags & VM_READ).toBe(0);
  });

  it('an invalid world is refused before anything else (K0, wrapped world rule)', () => {
    const bad = mkWorld({ vma: mkVma({ start: START, end: START + 1, flags: VM_READ }), ptes: [mk_pte(0x999, RO)] });
    expect(specError(() => mprotect_fixup_spec(bad, VM_READ | VM_WRITE)).rule).toBe('W-PTE.7');
  });

  it('partial range: the new VMA is [start, end) with the new flags and vm_page_prot; only its slots are walked', () => {
    const w = base(VM_READ | VM_WRITE, { start: START + 1, end: START + 3 });
    const r = mprotect_fixup_spec(w, VM_READ);
    expect(r.vma.start).toBe(START + 1);
    expect(r.vma.end).toBe(START + 3);
    expect(r.vma.flags).toBe(w.vma.flags & ~VM_WRITE);
    expect(r.vma.vm_page_prot).toBe(vma_page_prot(r.vma, w.config));
    expect(r.cp_flags).toBe(0); // V5: private without VM_WRITE
    expect(r.world?.cp_flags).toBe(0);
    expect(r.outcome.ptes).toHaveLength(2);
    expect(pte_write(r.outcome.ptes[0] as never)).toBe(false);
    expect(r.outcome.ptes[1]).toBe(NONE_PTE);
    expect(r.outcome.count).toBe(1);
    expect(r.outcome.flushPages).toEqual([START + 1]); // write removed: flush (R-COMMIT.3)
  });

  it('§5.4 stale prot: TRY for private VM_WRITE and for shared page_mkwrite, not for shmem with soft-dirty tracking', () => {
    const priv = mprotect_fixup_spec(base(VM_READ), VM_READ | VM_WRITE);
    expect(priv.cp_flags).toBe(MM_CP_TRY_CHANGE_WRITABLE);
    const shared = (ops: { page_mkwrite: boolean; pfn_mkwrite: boolean }) =>
      mkWorld({
        vma: mkVma({ start: START, end: START + 1, flags: VM_READ | VM_SHARED, anonymous: false, ops, fileCanWriteback: true }),
        folios: [mkFolio({ pfn: 0x400, anon: false })],
        ptes: [mk_pte(0x400, RO | _PAGE_SAVED_DIRTY)],
      });
    // Soft-dirty tracking is on (no VM_SOFTDIRTY): writenotify is wanted, so the new vm_page_prot is read-only
    // (R-VMA.1); rule 3 of vma_wants_writenotify() sees the OLD read-only prot and says no (§5.4).
    const shmem = mprotect_fixup_spec(shared({ page_mkwrite: false, pfn_mkwrite: false }), VM_READ | VM_WRITE);
    expect(shmem.cp_flags).toBe(0);
    expect(pte_write(shmem.outcome.ptes[0] as never)).toBe(false);
    for (const ops of [
      { page_mkwrite: true, pfn_mkwrite: false },
      { page_mkwrite: false, pfn_mkwrite: true },
    ]) {
      const r = mprotect_fixup_spec(shared(ops), VM_READ | VM_WRITE);
      expect(r.cp_flags).toBe(MM_CP_TRY_CHANGE_WRITABLE); // rule 2 fires before rule 3
      expect(pte_write(r.outcome.ptes[0] as never)).toBe(false); // soft-dirty gate (W2.3): the clean-SD page stays RO
    }
  });

  it('property: on a valid world the walk equals change_protection() over the same range of the relabelled VMA', () => {
    // mprotect_fixup() relabels [start, end) and calls change_protection() on exactly that range. Per entry the
    // result depends only on the VMA's attributes (R-WALK.1), so it must equal a walk of the same range in the
    // unsplit VMA with the new flags, restricted to the range (INV-18: nothing outside changes).
    const accessArb = fc.subarray([VM_READ, VM_WRITE, VM_EXEC]).map((bits) => bits.reduce((a, b) => a | b, 0));
    fc.assert(
      fc.property(worldArb({ hugeWeight: 4 }), accessArb, (world, access) => {
        const newflags = (world.vma.flags & ~VM_ACCESS_FLAGS) | access;
        const lo = world.range.start - world.vma.start;
        const hi = world.range.end - world.vma.start;
        const p0 = pmd_index_of(world.vma.start);
        const pmdLo = pmd_index_of(world.range.start) - p0;
        const pmdHi = pmd_index_of(world.range.end - 1) - p0 + 1;
        const straddles = world.pmds.some((pmd, j) => {
          if (pmd.kind !== 'huge') return false;
          const at = (p0 + j) * N;
          return at < world.range.end && at + N > world.range.start && (at < world.range.start || at + N > world.range.end);
        });
        if (newflags === world.vma.flags) {
          const r = mprotect_fixup_spec(world, access);
          expect(r.cp_flags).toBeNull();
          expect(r.outcome.ptes).toBe(world.ptes);
          return;
        }
        if (straddles) {
          expect(specError(() => mprotect_fixup_spec(world, access)).rule).toBe('C1.2');
          return;
        }
        const r = mprotect_fixup_spec(world, access);
        const relabelled = { ...world.vma, flags: newflags };
        const vma = { ...relabelled, vm_page_prot: vma_page_prot(relabelled, world.config) };
        expect(r.vma).toEqual({ ...vma, start: world.range.start, end: world.range.end });
        expect(r.cp_flags === MM_CP_TRY_CHANGE_WRITABLE || r.cp_flags === 0).toBe(true);
        const whole = change_protection_spec(mkWorld({ ...world, vma, cp_flags: r.cp_flags as number }));
        expect(r.outcome.ptes).toEqual(whole.ptes.slice(lo, hi));
        expect(r.outcome.pmds).toEqual(whole.pmds.slice(pmdLo, pmdHi));
        expect(r.outcome.count).toBe(whole.count);
        expect(r.outcome.flushPages).toEqual(whole.flushPages);
        expect(r.outcome.numaStamps).toEqual(whole.numaStamps);
      }),
      { seed: SEED, numRuns: 150 },
    );
  });
});

describe('change_prot_numa_spec() and uffd_wp_range_spec() (C2, C3, §6.1)', () => {
  it('property: C2 passes MM_CP_PROT_NUMA alone and leaves the VMA alone; C3 passes UFFD_WP, or RESOLVE (+TRY per V5)', () => {
    fc.assert(
      fc.property(worldArb(), (world) => {
        const numa = change_prot_numa_spec(world);
        expect(numa.vma).toBe(world.vma);
        expect(numa.cp_flags).toBe(MM_CP_PROT_NUMA);
        expect(numa.outcome).toEqual(change_protection_spec(mkWorld({ ...world, cp_flags: MM_CP_PROT_NUMA })));
        if (!(world.vma.flags & VM_UFFD_WP)) return;
        const wp = uffd_wp_range_spec(world, true);
        expect(wp.cp_flags).toBe(MM_CP_UFFD_WP);
        expect(wp.vma).toBe(world.vma);
        const resolve = uffd_wp_range_spec(world, false);
        const cp = resolve.cp_flags ?? -1;
        expect(cp & ~MM_CP_TRY_CHANGE_WRITABLE).toBe(MM_CP_UFFD_WP_RESOLVE);
        // V5 on the VMA as it is: private -> VM_WRITE; shared -> only with page_mkwrite/pfn_mkwrite in practice
        if (!(world.vma.flags & VM_SHARED))
          expect(cp & MM_CP_TRY_CHANGE_WRITABLE).toBe(world.vma.flags & VM_WRITE ? MM_CP_TRY_CHANGE_WRITABLE : 0);
        else if (!world.vma.ops.page_mkwrite && !world.vma.ops.pfn_mkwrite) expect(resolve.cp_flags).toBe(MM_CP_UFFD_WP_RESOLVE);
      }),
      { seed: SEED, numRuns: 150 },
    );
  });
});
