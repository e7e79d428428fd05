// SPDX-License-Identifier: GPL-2.0-only
// The trusted base's judge: each function takes an implementation of one arch
// helper and returns the table rows (kernel_tables.ts) it breaks, each with
// one witness, or [] when it matches the table everywhere it was compared.
// The comparisons enumerate every combination of the 19 logical bits (2^19
// old values), pairing each with newprot values and bit flips spread over the
// whole domain; the pairing is deterministic so a failure replays.
import {
  _PAGE_ALL_BITS,
  _PAGE_DIRTY,
  _PAGE_PKEY_MASK,
  _PAGE_PKEY_SHIFT,
  _PAGE_RW,
  _PAGE_SAVED_DIRTY,
} from '../../src/pte/bits.js';
import type { KConfig, Pgprot, PresentPte } from '../../src/pte/types.js';
import {
  type BitRow,
  type ModifierRow,
  SAVED_DIRTY_TABLE,
  X86_BIT_TABLE,
  X86_PAGE_PROTS,
  X86_PROTECTION_MAP,
} from './kernel_tables.js';

export const ALL_FLAGS = _PAGE_ALL_BITS;
const DOMAIN = ALL_FLAGS + 1;

const maskOf = (pick: (r: BitRow) => boolean): number => X86_BIT_TABLE.filter(pick).reduce((m, r) => m | r.bit, 0);

/** _PAGE_CHG_MASK and _HPAGE_CHG_MASK as the table has them. */
export const TABLE_CHG_MASK = maskOf((r) => r.chg);
export const TABLE_HPAGE_CHG_MASK = maskOf((r) => r.hchg);
const ON_CLEAR = maskOf((r) => r.flush === 'on-clear');
const ON_CHANGE = maskOf((r) => r.flush === 'on-change');
const SOFTWARE = maskOf((r) => r.flush === 'software');
const ARM64_SOFTWARE = maskOf((r) => r.arm64Software);
const ACCESSED = X86_BIT_TABLE.find((r) => r.name === '_PAGE_ACCESSED')?.bit ?? 0;
const PRESENT = X86_BIT_TABLE.find((r) => r.name === '_PAGE_PRESENT')?.bit ?? 0;

/** A fixed scramble of the domain (odd multiplier: a bijection on 19 bits). */
export const scramble = (x: number): number => Math.imul(x ^ 0x5bd1e, 0x9e3779b1) >>> 13;

const hex = (x: number) => `0x${x.toString(16)}`;
const rowsOf = (bits: number): string[] => X86_BIT_TABLE.filter((r) => r.bit & bits).map((r) => r.name);

/** Collects the first witness per broken row. */
class Findings {
  private readonly seen = new Map<string, string>();
  add(rows: readonly string[], witness: () => string): void {
    for (const row of rows) if (!this.seen.has(row)) this.seen.set(row, `${row}: ${witness()}`);
  }
  list(): string[] {
    return [...this.seen.values()];
  }
}

const sdIndex = (oldWrite: boolean, newWrite: boolean, dirty: boolean, saved: boolean): number =>
  (oldWrite ? 8 : 0) | (newWrite ? 4 : 0) | (dirty ? 2 : 0) | (saved ? 1 : 0);

/** SAVED_DIRTY_TABLE indexed for speed (the table is checked to be total here). */
const SD_LOOKUP: readonly number[] = (() => {
  const lookup: number[] = new Array(16).fill(-1);
  for (const r of SAVED_DIRTY_TABLE)
    lookup[sdIndex(r.oldWrite, r.newWrite, r.dirty, r.savedDirty)] =
      (r.outDirty ? _PAGE_DIRTY : 0) | (r.outSavedDirty ? _PAGE_SAVED_DIRTY : 0);
  if (lookup.includes(-1)) throw new Error('SAVED_DIRTY_TABLE is not total');
  return lookup;
})();

/** The saved-dirty step as SAVED_DIRTY_TABLE states it. */
export function tableSavedDirty(oldFlags: number, merged: number): number {
  const i = sdIndex(
    (oldFlags & _PAGE_RW) !== 0,
    (merged & _PAGE_RW) !== 0,
    (merged & _PAGE_DIRTY) !== 0,
    (merged & _PAGE_SAVED_DIRTY) !== 0,
  );
  return (merged & ~(_PAGE_DIRTY | _PAGE_SAVED_DIRTY)) | (SD_LOOKUP[i] as number);
}

/** x86 *_modify() from the tables: keep `keep` of the old value, take ~`chg` of newprot, then the saved-dirty step. */
export const tableModify = (oldFlags: number, newprot: Pgprot, keep: number, chg: number): number =>
  tableSavedDirty(oldFlags, (oldFlags & keep) | (newprot & ~chg));

const PROT_VALUES: readonly number[] = [...new Set(Object.values(X86_PAGE_PROTS))];

/**
 * Judge a pte_modify()/pmd_modify() implementation against the rows: every
 * old value of the domain, each with a PAGE_* newprot plus a pkey and with an
 * arbitrary newprot, both picked by a scramble of the old value (so every
 * PAGE_* value meets about 2^19 / 5 old values).
 */
export function judgeModify(modify: (pte: PresentPte, newprot: Pgprot) => PresentPte, keep: number, chg: number): string[] {
  const found = new Findings();
  for (let old = 0; old < DOMAIN; old++) {
    const pte: PresentPte = { kind: 'present', pfn: 7, flags: old };
    const mix = scramble(old);
    const pageProt = (PROT_VALUES[mix % PROT_VALUES.length] as number) | (((mix >>> 5) & 0xf) << _PAGE_PKEY_SHIFT);
    for (const newprot of [pageProt, mix]) {
      const out = modify(pte, newprot);
      const want = tableModify(old, newprot, keep, chg);
      if (out.pfn !== 7) found.add(['pfn'], () => `pfn changed (old=${hex(old)}, newprot=${hex(newprot)})`);
      if (out.flags !== want)
        found.add(
          rowsOf(out.flags ^ want),
          () => `old=${hex(old)} newprot=${hex(newprot)} got ${hex(out.flags)} want ${hex(want)}`,
        );
    }
  }
  return found.list();
}

/** pte_flags_need_flush() from the table's classes. */
export function tableFlagsNeedFlush(oldflags: number, newflags: number, ignoreAccess: boolean): boolean {
  let diff = (oldflags ^ newflags) & ~SOFTWARE;
  if (ignoreAccess) diff &= ~ACCESSED;
  return (diff & oldflags & ON_CLEAR) !== 0 || (diff & ON_CHANGE) !== 0;
}

/**
 * Judge pte_flags_need_flush(): every row's bit flipped both ways on a spread
 * of backgrounds, and every old value against a scrambled new value, with and
 * without ignore_access.
 */
export function judgeFlagsNeedFlush(fn: (oldflags: number, newflags: number, ignoreAccess: boolean) => boolean): string[] {
  const found = new Findings();
  const check = (o: number, n: number, ia: boolean, rows: readonly string[]) => {
    const want = tableFlagsNeedFlush(o, n, ia);
    if (fn(o, n, ia) !== want) found.add(rows, () => `old=${hex(o)} new=${hex(n)} ignore_access=${ia}: want ${want}`);
  };
  for (let bg = 0; bg < DOMAIN; bg += 97)
    for (const r of X86_BIT_TABLE)
      for (const ia of [false, true]) {
        check(bg | r.bit, bg & ~r.bit, ia, [r.name]);
        check(bg & ~r.bit, bg | r.bit, ia, [r.name]);
      }
  // Several bits at once: a failure here names no single row.
  for (let old = 0; old < DOMAIN; old++) for (const ia of [false, true]) check(old, old ^ scramble(old), ia, ['combination']);
  return found.list();
}

/** Judge pte_needs_flush()/huge_pmd_needs_flush() on x86: !PRESENT never, pfn change always, else the flags. */
export function judgeX86NeedsFlush(fn: (o: PresentPte, n: PresentPte) => boolean, ignoreAccess: boolean): string[] {
  const found = new Findings();
  for (let old = 0; old < DOMAIN; old += 7) {
    const nw = old ^ scramble(old);
    for (const pfnDelta of [0, 1]) {
      const o: PresentPte = { kind: 'present', pfn: 100, flags: old };
      const n: PresentPte = { kind: 'present', pfn: 100 + pfnDelta, flags: nw };
      const want = !(old & PRESENT) ? false : pfnDelta !== 0 ? true : tableFlagsNeedFlush(old, nw, ignoreAccess);
      if (fn(o, n) !== want) {
        const why = !(old & PRESENT) ? 'old not present' : pfnDelta ? 'pfn changed' : 'flags';
        found.add([why], () => `old=${hex(old)} new=${hex(nw)}: want ${want}`);
      }
    }
  }
  return found.list();
}

/** Judge arm64 __pte_flags_need_flush() (plus the model's pfn test): invalid old never, else any non-software change. */
export function judgeArm64NeedsFlush(fn: (o: PresentPte, n: PresentPte) => boolean): string[] {
  const found = new Findings();
  const check = (old: number, nw: number, pfnDelta: number, rows: readonly string[]) => {
    const o: PresentPte = { kind: 'present', pfn: 100, flags: old };
    const n: PresentPte = { kind: 'present', pfn: 100 + pfnDelta, flags: nw };
    const want = !(old & PRESENT) ? false : pfnDelta !== 0 || ((old ^ nw) & ~ARM64_SOFTWARE) !== 0;
    if (fn(o, n) !== want) found.add(rows, () => `old=${hex(old)} new=${hex(nw)}: want ${want}`);
  };
  for (let bg = 0; bg < DOMAIN; bg += 97) for (const r of X86_BIT_TABLE) check(bg, bg ^ r.bit, 0, [r.name]);
  for (let old = 0; old < DOMAIN; old += 3) {
    check(old, old ^ scramble(old), 0, ['combination']);
    check(old, old, 1, ['pfn']);
  }
  return found.list();
}

/** Judge protection_map()/vm_get_page_prot(): every VM_* combination of the model and every pkey. */
export function judgeProtectionMap(
  protection_map: (vm_flags: number) => Pgprot,
  vm_get_page_prot: (vm_flags: number, pkey: number) => Pgprot,
  vmAllFlags: number,
): string[] {
  const found = new Findings();
  const slot = (vm: number) => X86_PROTECTION_MAP.find((r) => r.vmFlags === (vm & 0b1111));
  for (let vm = 0; vm <= vmAllFlags; vm++) {
    const row = slot(vm);
    if (row === undefined) throw new Error('X86_PROTECTION_MAP is not total');
    const want = X86_PAGE_PROTS[row.prot];
    const name = `protection_map[${hex(row.vmFlags)}] = ${row.prot}`;
    if (protection_map(vm) !== want) found.add([name], () => `vm_flags=${hex(vm)} got ${hex(protection_map(vm))}`);
    for (let pkey = 0; pkey < 16; pkey++) {
      const wantP = want | ((pkey << _PAGE_PKEY_SHIFT) & _PAGE_PKEY_MASK);
      const got = vm_get_page_prot(vm, pkey);
      if (got !== wantP)
        found.add([`vm_get_page_prot: ${name} | pkey`], () => `vm_flags=${hex(vm)} pkey=${pkey} got ${hex(got)}`);
    }
  }
  return found.list();
}

/** Judge one single-bit modifier against its row, for every old value. */
export function judgeModifier(row: ModifierRow, fn: (pte: PresentPte) => PresentPte, config: KConfig): string[] {
  const found = new Findings();
  const softDirty = X86_BIT_TABLE.find((r) => r.name.startsWith('_PAGE_SOFT_DIRTY'))?.bit ?? 0;
  const set = row.set | (row.setSoftDirty && config.memSoftDirty ? softDirty : 0);
  for (let old = 0; old < DOMAIN; old++) {
    const base = (old | set) & ~row.clear;
    const want = row.shift === 'none' ? base : tableSavedDirty(row.shift === 'save' ? _PAGE_RW : 0, base);
    const out = fn({ kind: 'present', pfn: 3, flags: old });
    if (out.flags !== want || out.pfn !== 3)
      found.add([row.name], () => `${row.source}: old=${hex(old)} got ${hex(out.flags)} want ${hex(want)}`);
  }
  return found.list();
}
