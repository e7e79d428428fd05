// SPDX-License-Identifier: GPL-2.0-only
// Pins the x86 logical bit semantics of SEMANTICS §3.3/§3.4 (R-PTE.1, R-PTE.2)
// and the flush rule R-COMMIT.3/4.
import { describe, expect, it } from 'vitest';
import {
  _PAGE_ACCESSED,
  _PAGE_CC,
  _PAGE_DIRTY,
  _PAGE_NX,
  _PAGE_PCD,
  _PAGE_PRESENT,
  _PAGE_PROTNONE,
  _PAGE_RW,
  _PAGE_SAVED_DIRTY,
  _PAGE_SOFT_DIRTY,
  _PAGE_SPECIAL,
  _PAGE_UFFD_WP,
  _PAGE_USER,
  ARM64,
  mk_pte,
  PAGE_NONE,
  PAGE_READONLY,
  PAGE_SHARED,
  pte_clear_uffd_wp,
  pte_dirty,
  pte_mkclean,
  pte_mkdirty,
  pte_mkold,
  pte_mkuffd_wp,
  pte_mkwrite,
  pte_modify,
  pte_needs_flush,
  pte_needs_flush_pre_v6_19,
  pte_protnone,
  pte_wrprotect,
  X86_64,
  X86_64_NO_SOFT_DIRTY,
} from '../../src/pte/index.js';

const rwDirty = mk_pte(7, _PAGE_PRESENT | _PAGE_USER | _PAGE_RW | _PAGE_DIRTY | _PAGE_ACCESSED | _PAGE_NX);

describe('pte_modify (R-PTE.1, R-PTE.2)', () => {
  it('keeps _PAGE_CHG_MASK bits and takes the permission bits from newprot', () => {
    const old = mk_pte(9, _PAGE_PRESENT | _PAGE_USER | _PAGE_SPECIAL | _PAGE_SOFT_DIRTY | _PAGE_UFFD_WP | _PAGE_PCD | _PAGE_CC);
    const out = pte_modify(old, PAGE_NONE);
    expect(out.pfn).toBe(9);
    expect(pte_protnone(out)).toBe(true);
    expect(out.flags & _PAGE_USER).toBe(0);
    for (const kept of [_PAGE_SPECIAL, _PAGE_SOFT_DIRTY, _PAGE_UFFD_WP, _PAGE_PCD, _PAGE_CC]) expect(out.flags & kept).toBe(kept);
    // newprot's ACCESSED never reaches the PTE: ACCESSED is in the mask.
    expect(out.flags & _PAGE_ACCESSED).toBe(0);
  });
  it('moves DIRTY to SAVED_DIRTY when a writable PTE becomes read-only, logical dirty kept', () => {
    const out = pte_modify(rwDirty, PAGE_READONLY);
    expect(out.flags & _PAGE_DIRTY).toBe(0);
    expect(out.flags & _PAGE_SAVED_DIRTY).toBe(_PAGE_SAVED_DIRTY);
    expect(pte_dirty(out)).toBe(true);
  });
  it('moves SAVED_DIRTY back to DIRTY when a read-only PTE becomes writable', () => {
    const ro = pte_wrprotect(rwDirty);
    const out = pte_modify(ro, PAGE_SHARED);
    expect(out.flags & (_PAGE_DIRTY | _PAGE_SAVED_DIRTY)).toBe(_PAGE_DIRTY);
  });
});

describe('helpers (§3.4)', () => {
  it('pte_mkdirty sets soft-dirty too on x86 with CONFIG_MEM_SOFT_DIRTY only', () => {
    const clean = pte_mkclean(pte_wrprotect(rwDirty));
    expect(pte_mkdirty(clean, X86_64).flags & (_PAGE_SOFT_DIRTY | _PAGE_SAVED_DIRTY)).toBe(_PAGE_SOFT_DIRTY | _PAGE_SAVED_DIRTY);
    expect(pte_mkdirty(clean, X86_64_NO_SOFT_DIRTY).flags & _PAGE_SOFT_DIRTY).toBe(0);
    expect(pte_mkdirty(clean, ARM64).flags & _PAGE_SOFT_DIRTY).toBe(0);
  });
  it('pte_mkuffd_wp write-protects; pte_clear_uffd_wp leaves write alone', () => {
    const wp = pte_mkuffd_wp(rwDirty);
    expect(wp.flags & (_PAGE_RW | _PAGE_UFFD_WP)).toBe(_PAGE_UFFD_WP);
    expect(pte_dirty(wp)).toBe(true);
    expect(pte_clear_uffd_wp(pte_mkwrite(wp)).flags & _PAGE_RW).toBe(_PAGE_RW);
  });
});

describe('pte_needs_flush (R-COMMIT.3, R-COMMIT.4)', () => {
  const ro = pte_wrprotect(rwDirty);
  it('flushes when write is removed or added, not for software bits only', () => {
    expect(pte_needs_flush(rwDirty, ro, X86_64)).toBe(true);
    expect(pte_needs_flush(ro, pte_mkwrite(ro), X86_64)).toBe(true);
    expect(pte_needs_flush(ro, pte_mkuffd_wp(ro), X86_64)).toBe(false);
  });
  it('present -> PROT_NONE flushes, PROT_NONE -> present does not', () => {
    const pn = pte_modify(ro, PAGE_NONE);
    expect(pte_needs_flush(ro, pn, X86_64)).toBe(true);
    expect(pte_needs_flush(pn, pte_modify(pn, PAGE_READONLY), X86_64)).toBe(false);
    expect(pn.flags & _PAGE_PROTNONE).toBe(_PAGE_PROTNONE);
  });
  it('arm64 since v6.19 (c320dbb7c80d): invalid -> valid and software-only changes need none, anything else does', () => {
    const pn = pte_modify(ro, PAGE_NONE);
    expect(pte_needs_flush(ro, ro, ARM64)).toBe(false);
    expect(pte_needs_flush(pn, pte_modify(pn, PAGE_READONLY), ARM64)).toBe(false);
    expect(pte_needs_flush(ro, pte_mkuffd_wp(ro), ARM64)).toBe(false);
    expect(pte_needs_flush(ro, pn, ARM64)).toBe(true);
    expect(pte_needs_flush(ro, pte_mkwrite(ro), ARM64)).toBe(true);
    // The access flag is hardware on arm64: unlike x86, a young change flushes.
    expect(pte_needs_flush(pte_mkold(ro), ro, ARM64)).toBe(true);
    expect(pte_needs_flush(pte_mkold(ro), ro, X86_64)).toBe(false);
  });
  it('arm64 before v6.19 (generic): always', () => {
    expect(pte_needs_flush_pre_v6_19(ro, ro, ARM64)).toBe(true);
    expect(pte_needs_flush_pre_v6_19(ro, ro, X86_64)).toBe(false);
  });
});
