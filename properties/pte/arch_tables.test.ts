// SPDX-License-Identifier: GPL-2.0-only
// src/pte/arch judged against tables written from the kernel headers
// (kernel_tables.ts). The spec and the kernel model share src/pte, so their
// agreement cannot see a bug here; these tests can. Each judge is also shown
// to catch a deliberately broken copy, so a green run means the check bites.
import { describe, expect, it } from 'vitest';
import {
  _HPAGE_CHG_MASK,
  _PAGE_ACCESSED,
  _PAGE_CHG_MASK,
  _PAGE_DIRTY,
  _PAGE_NX,
  _PAGE_PCD,
  _PAGE_PRESENT,
  _PAGE_RW,
  _PAGE_SAVED_DIRTY,
  _PAGE_USER,
  ARM64,
  ARM64_SOFTWARE_FLAGS,
  archHelpersFromFlag,
  arm64_needs_flush,
  arm64_pmd_modify,
  currentArchHelpers,
  FIXED_ARCH_HELPERS,
  FLUSH_ON_CHANGE,
  FLUSH_ON_CLEAR,
  huge_pmd_needs_flush,
  huge_pmd_needs_flush_pre_v6_19,
  type KConfig,
  PAGE_COPY,
  PAGE_COPY_EXEC,
  PAGE_NONE,
  PAGE_READONLY,
  PAGE_READONLY_EXEC,
  PAGE_SHARED,
  PAGE_SHARED_EXEC,
  type PresentPte,
  pgprot_modify,
  pmd_modify,
  pmd_modify_as_built,
  protection_map,
  pte_clear_soft_dirty,
  pte_clear_uffd_wp,
  pte_dirty,
  pte_flags_need_flush,
  pte_mkclean,
  pte_mkdirty,
  pte_mkold,
  pte_mksoft_dirty,
  pte_mkuffd_wp,
  pte_mkwrite,
  pte_mkyoung,
  pte_modify,
  pte_needs_flush,
  pte_needs_flush_pre_v6_19,
  pte_wrprotect,
  SHIPPED_ARCH_HELPERS_V6_6,
  SOFTWARE_FLAGS,
  VM_ALL_FLAGS,
  vm_get_page_prot,
  withArchHelpers,
  X86_64,
  X86_64_NO_SOFT_DIRTY,
  x86_huge_pmd_needs_flush,
  x86_pmd_modify,
  x86_pmd_modify_v6_6,
  x86_pte_needs_flush,
} from '../../src/pte/index.js';
import {
  judgeArm64NeedsFlush,
  judgeFlagsNeedFlush,
  judgeModifier,
  judgeModify,
  judgeProtectionMap,
  judgeX86NeedsFlush,
  scramble,
  TABLE_CHG_MASK,
  TABLE_HPAGE_CHG_MASK,
} from './judge.js';
import { X86_BIT_TABLE, X86_MODIFIER_TABLE, X86_PAGE_PROTS } from './kernel_tables.js';

const maskOf = (cls: string) => X86_BIT_TABLE.filter((r) => r.flush === cls).reduce((m, r) => m | r.bit, 0);
const withFlags = (p: PresentPte, flags: number): PresentPte => ({ kind: 'present', pfn: p.pfn, flags });
const named = (failures: readonly string[], row: string) => failures.some((f) => f.startsWith(row));

describe('the tables cover the encoding', () => {
  it('one row per logical bit, no bit twice, every bit of _PAGE_ALL_BITS covered', () => {
    const bits = X86_BIT_TABLE.map((r) => r.bit);
    expect(new Set(bits).size).toBe(bits.length);
    for (const b of bits) expect(b & (b - 1)).toBe(0);
    expect(bits.reduce((m, b) => m | b, 0)).toBe((1 << 19) - 1);
  });
  it('the masks src/pte/arch exports are the tables’ masks', () => {
    expect(_PAGE_CHG_MASK).toBe(TABLE_CHG_MASK);
    expect(_HPAGE_CHG_MASK).toBe(TABLE_HPAGE_CHG_MASK);
    expect(FLUSH_ON_CLEAR).toBe(maskOf('on-clear'));
    expect(FLUSH_ON_CHANGE).toBe(maskOf('on-change'));
    expect(SOFTWARE_FLAGS).toBe(maskOf('software'));
    expect(ARM64_SOFTWARE_FLAGS).toBe(X86_BIT_TABLE.filter((r) => r.arm64Software).reduce((m, r) => m | r.bit, 0));
  });
});

describe('pte_modify / pmd_modify against _PAGE_CHG_MASK, _HPAGE_CHG_MASK and the saved-dirty table (all 2^19 old values)', () => {
  it('pte_modify keeps exactly _PAGE_CHG_MASK, then the saved-dirty step', () => {
    expect(judgeModify(pte_modify, TABLE_CHG_MASK, TABLE_CHG_MASK)).toEqual([]);
  });
  it('x86 pmd_modify (fixed, f7491d7c81db) keeps exactly _HPAGE_CHG_MASK', () => {
    expect(judgeModify(x86_pmd_modify, TABLE_HPAGE_CHG_MASK, TABLE_HPAGE_CHG_MASK)).toEqual([]);
  });
  it('x86 pmd_modify as shipped v6.6..f7491d7c81db keeps _HPAGE_CHG_MASK & ~_PAGE_DIRTY', () => {
    expect(judgeModify(x86_pmd_modify_v6_6, TABLE_HPAGE_CHG_MASK & ~_PAGE_DIRTY, TABLE_HPAGE_CHG_MASK)).toEqual([]);
  });
  it('the fixed table catches the shipped helper, on the dirty rows only', () => {
    // A writable dirty PMD made read-only loses the bit its saved-dirty step would have set, too.
    const failures = judgeModify(x86_pmd_modify_v6_6, TABLE_HPAGE_CHG_MASK, TABLE_HPAGE_CHG_MASK);
    expect(failures.map((f) => f.split(':')[0]).sort()).toEqual(['_PAGE_DIRTY', '_PAGE_SAVED_DIRTY (_PAGE_SOFTW5)']);
  });
  it('arm64 pmd_modify is pte_modify on the PMD: it keeps dirty', () => {
    expect(judgeModify(arm64_pmd_modify, TABLE_CHG_MASK, TABLE_CHG_MASK)).toEqual([]);
  });
  it('pmd_modify(config) is the fixed helper on both arches', () => {
    let differ = 0;
    for (let old = 0; old < 1 << 19; old += 37) {
      const pmd: PresentPte = { kind: 'present', pfn: 512, flags: old };
      const prot = scramble(old);
      if (pmd_modify(pmd, prot, X86_64).flags !== x86_pmd_modify(pmd, prot).flags) differ++;
      if (pmd_modify(pmd, prot, ARM64).flags !== arm64_pmd_modify(pmd, prot).flags) differ++;
    }
    expect(differ).toBe(0);
  });
  it('a pte_modify that clears _PAGE_PCD (an uncached mapping becomes cached) is caught on the PCD row', () => {
    const broken = (p: PresentPte, prot: number) => {
      const out = pte_modify(p, prot);
      return withFlags(out, out.flags & ~_PAGE_PCD);
    };
    expect(named(judgeModify(broken, TABLE_CHG_MASK, TABLE_CHG_MASK), '_PAGE_PCD')).toBe(true);
  });
  it('a saved-dirty step keyed on the result instead of the old write bit is caught', () => {
    // Re-derive the step from the RESULT's write bit: a read-only PTE made writable keeps SAVED_DIRTY.
    const broken = (p: PresentPte, prot: number) => {
      const merged = (p.flags & _PAGE_CHG_MASK) | (prot & ~_PAGE_CHG_MASK);
      if (merged & _PAGE_RW) return withFlags(p, merged);
      return pte_modify(p, prot);
    };
    expect(judgeModify(broken, TABLE_CHG_MASK, TABLE_CHG_MASK)).not.toEqual([]);
  });
});

describe('x86 pmd_modify is chosen by the model option (fixed by default)', () => {
  const rwDirty: PresentPte = {
    kind: 'present',
    pfn: 512,
    flags: _PAGE_PRESENT | _PAGE_USER | _PAGE_RW | _PAGE_DIRTY | _PAGE_ACCESSED | _PAGE_NX,
  };
  it('default: the fixed helper, a writable dirty PMD stays dirty when made read-only', () => {
    expect(currentArchHelpers()).toEqual(FIXED_ARCH_HELPERS);
    const out = pmd_modify_as_built(rwDirty, PAGE_READONLY, X86_64);
    expect(pte_dirty(out)).toBe(true);
    expect(out.flags & (_PAGE_DIRTY | _PAGE_SAVED_DIRTY)).toBe(_PAGE_SAVED_DIRTY);
  });
  it('shipped v6.6 on x86: the same PMD comes out clean, read-only or still writable', () => {
    withArchHelpers(SHIPPED_ARCH_HELPERS_V6_6, () => {
      expect(pte_dirty(pmd_modify_as_built(rwDirty, PAGE_READONLY, X86_64))).toBe(false);
      expect(pte_dirty(pmd_modify_as_built(rwDirty, PAGE_SHARED, X86_64))).toBe(false);
      // arm64's pmd_modify never had the bug: the option is x86-only.
      expect(pte_dirty(pmd_modify_as_built(rwDirty, PAGE_READONLY, ARM64))).toBe(true);
    });
    expect(currentArchHelpers()).toEqual(FIXED_ARCH_HELPERS);
  });
  it('archHelpersFromFlag maps the CLI values and refuses anything else by name', () => {
    expect(archHelpersFromFlag('fixed')).toEqual(FIXED_ARCH_HELPERS);
    expect(archHelpersFromFlag('v6.6')).toEqual(SHIPPED_ARCH_HELPERS_V6_6);
    expect(() => archHelpersFromFlag('v6.7')).toThrow('expected one of fixed, v6.6, got "v6.7"');
  });
  it('the option is restored when the run throws, and nests', () => {
    expect(() =>
      withArchHelpers(SHIPPED_ARCH_HELPERS_V6_6, () => {
        withArchHelpers(FIXED_ARCH_HELPERS, () =>
          expect(pte_dirty(pmd_modify_as_built(rwDirty, PAGE_READONLY, X86_64))).toBe(true),
        );
        expect(currentArchHelpers()).toEqual(SHIPPED_ARCH_HELPERS_V6_6);
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(currentArchHelpers()).toEqual(FIXED_ARCH_HELPERS);
  });
});

describe('TLB flush rule against tlbflush.h flush_on_clear / flush_on_change / software_flags', () => {
  it('pte_flags_need_flush matches the table on every row and every old value', () => {
    expect(judgeFlagsNeedFlush(pte_flags_need_flush)).toEqual([]);
  });
  it('removing _PAGE_NX from flush_on_change (no flush when PROT_EXEC is removed) is caught on the NX row', () => {
    const broken = (o: number, n: number, ia: boolean) => pte_flags_need_flush(o & ~_PAGE_NX, n & ~_PAGE_NX, ia);
    const rows = judgeFlagsNeedFlush(broken).map((f) => f.split(':')[0]);
    expect(rows.filter((r) => r !== 'combination')).toEqual(['_PAGE_NX']);
  });
  it('treating a software bit as hardware (a spurious flush) is caught', () => {
    const broken = (o: number, n: number, ia: boolean) => pte_flags_need_flush(o, n, ia) || ((o ^ n) & _PAGE_SAVED_DIRTY) !== 0;
    expect(named(judgeFlagsNeedFlush(broken), '_PAGE_SAVED_DIRTY')).toBe(true);
  });
  it('x86 pte_needs_flush ignores accessed; huge_pmd_needs_flush does not; both: !PRESENT never, pfn change always', () => {
    expect(judgeX86NeedsFlush(x86_pte_needs_flush, true)).toEqual([]);
    expect(judgeX86NeedsFlush(x86_huge_pmd_needs_flush, false)).toEqual([]);
    expect(judgeX86NeedsFlush((o, n) => pte_needs_flush(o, n, X86_64), true)).toEqual([]);
    expect(judgeX86NeedsFlush((o, n) => huge_pmd_needs_flush(o, n, X86_64), false)).toEqual([]);
    expect(judgeX86NeedsFlush((o, n) => pte_needs_flush_pre_v6_19(o, n, X86_64), true)).toEqual([]);
    expect(judgeX86NeedsFlush((o, n) => huge_pmd_needs_flush_pre_v6_19(o, n, X86_64), false)).toEqual([]);
  });
  it('a huge_pmd_needs_flush that ignores accessed, or a pte_needs_flush that forgets the pfn, is caught', () => {
    expect(judgeX86NeedsFlush(x86_pte_needs_flush, false)).not.toEqual([]);
    const noPfn = (o: PresentPte, n: PresentPte) => x86_pte_needs_flush(o, withFlags({ ...n, pfn: o.pfn }, n.flags));
    expect(named(judgeX86NeedsFlush(noPfn, true), 'pfn changed')).toBe(true);
  });
  it('arm64 (v6.19+): invalid old never flushes, software bits never, anything else always', () => {
    expect(judgeArm64NeedsFlush(arm64_needs_flush)).toEqual([]);
    expect(judgeArm64NeedsFlush((o, n) => pte_needs_flush(o, n, ARM64))).toEqual([]);
    expect(judgeArm64NeedsFlush((o, n) => huge_pmd_needs_flush(o, n, ARM64))).toEqual([]);
    // The x86 rule on arm64 (accessed ignored, dirty set without flush) is caught.
    expect(judgeArm64NeedsFlush(x86_pte_needs_flush)).not.toEqual([]);
  });
  it('arm64 before v6.19: the generic helpers always flush', () => {
    let noFlush = 0;
    for (let old = 0; old < 1 << 19; old += 101) {
      const o: PresentPte = { kind: 'present', pfn: 1, flags: old };
      if (!pte_needs_flush_pre_v6_19(o, o, ARM64)) noFlush++;
      if (!huge_pmd_needs_flush_pre_v6_19(o, o, ARM64)) noFlush++;
    }
    expect(noFlush).toBe(0);
  });
});

describe('protection_map / vm_get_page_prot against arch/x86/mm/pgprot.c and the PAGE_* rows', () => {
  it('the PAGE_* constants are the pgtable_types.h rows', () => {
    expect(PAGE_NONE).toBe(X86_PAGE_PROTS.PAGE_NONE);
    expect(PAGE_READONLY).toBe(X86_PAGE_PROTS.PAGE_READONLY);
    expect(PAGE_READONLY_EXEC).toBe(X86_PAGE_PROTS.PAGE_READONLY_EXEC);
    expect(PAGE_SHARED).toBe(X86_PAGE_PROTS.PAGE_SHARED);
    expect(PAGE_SHARED_EXEC).toBe(X86_PAGE_PROTS.PAGE_SHARED_EXEC);
    expect(PAGE_COPY).toBe(X86_PAGE_PROTS.PAGE_COPY);
    expect(PAGE_COPY_EXEC).toBe(X86_PAGE_PROTS.PAGE_COPY_EXEC);
  });
  it('every VM_* combination and every pkey', () => {
    expect(judgeProtectionMap(protection_map, vm_get_page_prot, VM_ALL_FLAGS)).toEqual([]);
  });
  it('a protection_map that lets a private writable mapping be writable (no COW) is caught', () => {
    const broken = (vm: number) => (vm & 0b10 ? (vm & 0b100 ? PAGE_SHARED_EXEC : PAGE_SHARED) : protection_map(vm));
    expect(judgeProtectionMap(broken, vm_get_page_prot, VM_ALL_FLAGS)).not.toEqual([]);
  });
  it('pgprot_modify keeps the old _PAGE_CHG_MASK bits and takes the rest from newprot', () => {
    let wrong = 0;
    for (let old = 0; old < 1 << 19; old++) {
      const nw = scramble(old);
      if (pgprot_modify(old, nw) !== ((old & TABLE_CHG_MASK) | (nw & ~TABLE_CHG_MASK))) wrong++;
    }
    expect(wrong).toBe(0);
  });
});

describe('single-bit modifiers against their pgtable.h rows (all 2^19 old values)', () => {
  const impl = (name: string, config: KConfig): ((p: PresentPte) => PresentPte) => {
    switch (name) {
      case 'pte_wrprotect':
        return pte_wrprotect;
      case 'pte_mkwrite':
        return pte_mkwrite;
      case 'pte_mkdirty':
        return (p) => pte_mkdirty(p, config);
      case 'pte_mkclean':
        return pte_mkclean;
      case 'pte_mkyoung':
        return pte_mkyoung;
      case 'pte_mkold':
        return pte_mkold;
      case 'pte_mksoft_dirty':
        return (p) => pte_mksoft_dirty(p, config);
      case 'pte_clear_soft_dirty':
        return pte_clear_soft_dirty;
      case 'pte_mkuffd_wp':
        return pte_mkuffd_wp;
      case 'pte_clear_uffd_wp':
        return pte_clear_uffd_wp;
      default:
        throw new Error(`no implementation mapped for ${name}`);
    }
  };
  for (const row of X86_MODIFIER_TABLE)
    for (const config of [X86_64, X86_64_NO_SOFT_DIRTY])
      it(`${row.name} (${row.source}), soft-dirty ${config.memSoftDirty ? 'on' : 'off'}`, () => {
        expect(judgeModifier(row, impl(row.name, config), config)).toEqual([]);
      });
  it('a pte_mkwrite without the saved-dirty restore (a dirty PTE made writable reads clean to the CPU) is caught', () => {
    const row = X86_MODIFIER_TABLE.find((r) => r.name === 'pte_mkwrite');
    if (row === undefined) throw new Error('no pte_mkwrite row');
    const broken = (p: PresentPte) => withFlags(p, p.flags | _PAGE_RW);
    expect(judgeModifier(row, broken, X86_64)).not.toEqual([]);
  });
});
