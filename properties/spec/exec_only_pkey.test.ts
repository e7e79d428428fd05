// SPDX-License-Identifier: GPL-2.0-only
// C4: the x86 execute-only protection key that a plain mprotect(PROT_EXEC)
// installs (arch/x86/mm/pkeys.c __arch_override_mprotect_pkey(), reached from
// do_mprotect_pkey() in mm/mprotect.c). It is decided at the caller level;
// change_protection() only sees it as the pkey bits of vm_page_prot, which
// pte_modify() writes into every present PTE.
import { describe, expect, it } from 'vitest';
import { mprotect_fixup_spec, type PkeyState } from '../../spec/index.js';
import {
  _PAGE_NX,
  _PAGE_PKEY_MASK,
  _PAGE_PKEY_SHIFT,
  _PAGE_PRESENT,
  _PAGE_USER,
  ARM64,
  type KConfig,
  mkFolio,
  mkVma,
  mkWorld,
  type PresentPte,
  VM_EXEC,
  VM_READ,
  VM_SOFTDIRTY,
  VM_WRITE,
  type World,
  X86_64,
} from '../../src/pte/index.js';

const FRESH: PkeyState = { ospke: true, executeOnlyPkey: -1, freePkey: 1 };
const keyOf = (pte: unknown): number => ((pte as PresentPte).flags & _PAGE_PKEY_MASK) >> _PAGE_PKEY_SHIFT;

function anon(flags: number, pkey = 0, config: KConfig = X86_64): World {
  const vma = mkVma({ start: 0x400, end: 0x402, flags: flags | VM_SOFTDIRTY, pkey }, config);
  const ptes = [0x100, 0x101].map((pfn) => ({ kind: 'present' as const, pfn, flags: vma.vm_page_prot }));
  return mkWorld({ config, vma, folios: [mkFolio({ pfn: 0x100 }), mkFolio({ pfn: 0x101 })], ptes });
}

describe('C4: the protection key of a plain mprotect()', () => {
  it('x86 with pkeys: PROT_EXEC reserves the execute-only key and writes it into every PTE', () => {
    const r = mprotect_fixup_spec(anon(VM_READ | VM_WRITE), VM_EXEC, undefined, FRESH);
    expect(r.vma.pkey).toBe(1);
    expect(r.pkeys).toEqual({ ospke: true, executeOnlyPkey: 1, freePkey: -1 });
    expect(r.outcome.ptes.map(keyOf)).toEqual([1, 1]);
    expect(r.outcome.count).toBe(2);
    // x86 page tables cannot say "exec but not read": the PTEs stay present and user; the key denies reads.
    for (const p of r.outcome.ptes)
      expect((p as PresentPte).flags & (_PAGE_PRESENT | _PAGE_USER | _PAGE_NX)).toBe(_PAGE_PRESENT | _PAGE_USER);
  });

  it('PROT_EXEC on a VMA that is already exec-only but on another key is not a no-op', () => {
    const st: PkeyState = { ospke: true, executeOnlyPkey: 3, freePkey: -1 };
    const r = mprotect_fixup_spec(anon(VM_EXEC, 0), VM_EXEC, undefined, st);
    expect(r.world).not.toBeNull();
    expect(r.outcome.ptes.map(keyOf)).toEqual([3, 3]);
    // Same flags and already on the key: mprotect_fixup() returns before change_protection().
    expect(mprotect_fixup_spec(anon(VM_EXEC, 3), VM_EXEC, undefined, st).world).toBeNull();
  });

  it('leaving execute-only moves the VMA back to the default key', () => {
    const st: PkeyState = { ospke: true, executeOnlyPkey: 3, freePkey: 4 };
    const r = mprotect_fixup_spec(anon(VM_EXEC, 3), VM_READ | VM_EXEC, undefined, st);
    expect(r.vma.pkey).toBe(0);
    expect(r.outcome.ptes.map(keyOf)).toEqual([0, 0]);
    // A VMA on another key keeps it.
    expect(mprotect_fixup_spec(anon(VM_EXEC, 5), VM_READ, undefined, st).vma.pkey).toBe(5);
  });

  it('no free key: PROT_EXEC keeps the VMA key (readable exec, as without pkeys)', () => {
    const r = mprotect_fixup_spec(anon(VM_READ, 2), VM_EXEC, undefined, { ospke: true, executeOnlyPkey: -1, freePkey: -1 });
    expect(r.vma.pkey).toBe(2);
    expect(r.pkeys?.executeOnlyPkey).toBe(-1);
  });

  it('without OSPKE the key is 0; on arm64 the VMA keeps its key', () => {
    expect(mprotect_fixup_spec(anon(VM_READ, 2), VM_EXEC, undefined, { ...FRESH, ospke: false }).vma.pkey).toBe(0);
    expect(mprotect_fixup_spec(anon(VM_READ, 2, ARM64), VM_EXEC, undefined, FRESH).vma.pkey).toBe(2);
  });

  it('without a PkeyState the key is left alone (the default for callers that model no key state)', () => {
    expect(mprotect_fixup_spec(anon(VM_READ, 2), VM_EXEC).vma.pkey).toBe(2);
  });
});
