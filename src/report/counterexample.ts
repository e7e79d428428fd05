// SPDX-License-Identifier: GPL-2.0-only
// The counterexample report: plain text in 80 columns that can be pasted into
// a mailing-list reply, and the same content as JSON.

import { type Mismatch, RULES } from '../observe/index.js';
import type { KernelOutcome, PmdSlot, PresentPte, Pte, SpecOutcome, World } from '../pte/index.js';
import {
  _PAGE_PKEY_MASK,
  _PAGE_PKEY_SHIFT,
  CP_FLAG_NAMES,
  flagNames,
  folio_nr_pages,
  formatFlags,
  formatPte,
  MARKER_NAMES,
  PTE_FLAG_NAMES,
  PTRS_PER_PTE,
  page_anon_exclusive,
  pfn_folio,
  SWP_FLAG_NAMES,
  VM_FLAG_NAMES,
  VM_SHARED,
} from '../pte/index.js';
import { hex, table, WIDTH, wrap } from './text.js';

export interface CounterexampleView {
  readonly target: string;
  readonly property: { readonly id: string; readonly title: string; readonly cites: string };
  readonly world: World;
  readonly mismatches: readonly Mismatch[];
  /** The spec's outcome, or null when the spec refused the world. */
  readonly spec: SpecOutcome | null;
  /** The target's outcome, or null when it threw or hung. */
  readonly actual: KernelOutcome | null;
  /**
   * What the target was compared with when that is not the plain spec: the
   * batch-aware spec (exact mode on a batched target), or the target's own
   * first call (idempotence). The table's reference column shows it.
   */
  readonly reference?: { readonly label: string; readonly ptes: readonly Pte[] };
  /** Idempotence: the first call's outcome; `actual` is then the second call's. */
  readonly firstCall?: KernelOutcome;
  readonly seed?: number;
  readonly path?: string;
  readonly shrinks?: number;
  readonly narrowed?: number;
  /** The command that replays the case (omitted for hangs, which replay from the corpus). */
  readonly replay?: string;
  readonly corpus?: { readonly file: string; readonly status: 'saved' | 'exists' };
}

const MAX_ROWS = 24;
const MAX_MISMATCHES = 8;

/** Flag-level difference between two entries: '+W' is set only in b, '-SvD' only in a. */
export function fieldDiff(a: Pte | undefined, b: Pte | undefined): string[] {
  if (!a || !b) return [];
  if (a.kind !== b.kind) return [`kind ${a.kind}->${b.kind}`];
  if (a.kind === 'none') return [];
  if (a.kind === 'present') {
    const bp = b as PresentPte;
    const out = a.pfn !== bp.pfn ? ['pfn'] : [];
    const an = new Set(flagNames(a.flags, PTE_FLAG_NAMES));
    const bn = new Set(flagNames(bp.flags, PTE_FLAG_NAMES));
    for (const n of bn) if (!an.has(n)) out.push(`+${n}`);
    for (const n of an) if (!bn.has(n)) out.push(`-${n}`);
    if ((a.flags & _PAGE_PKEY_MASK) !== (bp.flags & _PAGE_PKEY_MASK)) out.push('pkey');
    return out;
  }
  const bs = b as typeof a;
  const out = a.type !== bs.type ? [`type ${a.type}->${bs.type}`] : a.offset !== bs.offset ? ['offset'] : [];
  const names = a.type === 'marker' ? MARKER_NAMES : SWP_FLAG_NAMES;
  const av = a.type === 'marker' ? a.offset : a.flags;
  const bv = bs.type === 'marker' ? bs.offset : bs.flags;
  const an = new Set(flagNames(av, names));
  const bn = new Set(flagNames(bv, names));
  for (const n of bn) if (!an.has(n)) out.push(`+${n}`);
  for (const n of an) if (!bn.has(n)) out.push(`-${n}`);
  return out;
}

/** An entry in a table cell: the pfn is left out after the first column when it did not change. */
function cell(pte: Pte | undefined, before: Pte | undefined): string {
  if (!pte) return '?';
  if (pte.kind !== 'present') return formatPte(pte);
  const pkey = (pte.flags & _PAGE_PKEY_MASK) >> _PAGE_PKEY_SHIFT;
  const flags = formatFlags(pte.flags, PTE_FLAG_NAMES, ' ') + (pkey ? ` k${pkey}` : '');
  const samePfn = before !== undefined && before.kind === 'present' && before.pfn === pte.pfn;
  return samePfn ? flags : `${hex(pte.pfn)} ${flags}`;
}

const stripVm = (s: string) => s.replace(/VM_/g, '');

/** PageAnonExclusive per page: the bits for a small folio, runs (`1x256 0x256`) for a large one. */
function exclusivity(bits: readonly boolean[]): string {
  if (bits.length <= 32) return bits.map((x) => (x ? '1' : '0')).join('');
  const runs: string[] = [];
  for (let i = 0; i < bits.length; ) {
    let j = i;
    while (j < bits.length && bits[j] === bits[i]) j++;
    runs.push(`${bits[i] ? 1 : 0}x${j - i}`);
    i = j;
  }
  return runs.length > 6 ? `${runs.slice(0, 6).join(' ')} ...` : runs.join(' ');
}

function vmaLines(w: World): string[] {
  const v = w.vma;
  const kind = `${v.anonymous ? 'anon' : 'file'} ${v.flags & VM_SHARED ? 'shared' : 'private'}`;
  const extras = [
    v.pkey ? `pkey ${v.pkey}` : '',
    v.ops.page_mkwrite ? 'page_mkwrite' : '',
    v.ops.pfn_mkwrite ? 'pfn_mkwrite' : '',
    v.fileCanWriteback ? 'writeback' : '',
    v.uffdWpUnpopulated ? 'wp-unpopulated' : '',
  ].filter(Boolean);
  const head = `vma ${hex(v.start)}-${hex(v.end)} ${kind} ${stripVm(formatFlags(v.flags, VM_FLAG_NAMES))}`;
  const prot = [...extras, `vm_page_prot ${formatFlags(v.vm_page_prot, PTE_FLAG_NAMES, ' ')}`].join(', ');
  const cfg = `${w.config.arch}${w.config.arch === 'x86-64' ? (w.config.memSoftDirty ? ' soft-dirty' : ' no-soft-dirty') : ''}`;
  const call = `call [${hex(w.range.start)},${hex(w.range.end)}) cp_flags ${formatFlags(w.cp_flags, CP_FLAG_NAMES)}  ${cfg}`;
  const mm = [
    w.mm.singleThreaded ? 'single-threaded' : '',
    w.numa.balancingNormal ? 'numa-balancing' : '',
    w.numa.memoryTiering ? 'tiering' : '',
  ].filter(Boolean);
  const lines = [...wrap(head.trimEnd(), WIDTH, '    '), ...wrap(`    ${prot}`, WIDTH, '    '), ...wrap(call, WIDTH, '    ')];
  if (mm.length && w.cp_flags & 2 /* MM_CP_PROT_NUMA */)
    lines.push(`    mm: ${mm.join(', ')}; cpu node ${w.numa.currentNid}; top tier ${w.numa.topTierNids.join(',') || '-'}`);
  for (const f of w.folios) {
    const excl = exclusivity(f.anonExclusive);
    const facts = [
      f.anon ? 'anon' : 'file',
      f.ksm ? 'ksm' : '',
      f.zoneDevice ? 'zone-device' : '',
      f.maybeMappedShared ? 'mapped-shared' : '',
      f.maybeDmaPinned ? 'dma-pinned' : '',
      f.dirty ? 'dirty' : '',
      f.nid ? `node ${f.nid}` : '',
    ].filter(Boolean);
    const last = f.pfn + folio_nr_pages(f) - 1;
    lines.push(
      ...wrap(`folio ${hex(f.pfn)}-${hex(last)} order ${f.order} ${facts.join(' ')} AnonExclusive ${excl}`, WIDTH, '    '),
    );
  }
  // Huge PMDs get their own row in the slot table (before / after / diff).
  w.pmds.forEach((p, j) => {
    if (p.kind !== 'none') return;
    const base = (Math.floor(w.vma.start / PTRS_PER_PTE) + j) * PTRS_PER_PTE;
    lines.push(`pmd ${hex(base)}: no PTE table`);
  });
  return lines;
}

/** A PMD slot in a table cell: a huge PMD as its flags (like a PTE), else what kind of PMD it is. */
function pmdCell(pmd: PmdSlot | undefined, before: PmdSlot | undefined): string {
  if (!pmd) return '?';
  if (pmd.kind === 'huge') return cell(pmd.pmd, before?.kind === 'huge' ? before.pmd : undefined);
  return pmd.kind === 'table' ? 'PTE table' : 'no table';
}

/** Flag-level difference of two PMD slots ('+W' as for PTEs). */
function pmdDiff(a: PmdSlot | undefined, b: PmdSlot | undefined): string[] {
  if (!a || !b) return [];
  if (a.kind !== b.kind) return [`kind ${a.kind}->${b.kind}`];
  return a.kind === 'huge' ? fieldDiff(a.pmd, (b as typeof a).pmd) : [];
}

/** PMD indexes that are huge before, after the spec or after the target: each becomes one row. */
function hugePmds(w: World, spec: SpecOutcome | null, actual: KernelOutcome | null): number[] {
  return w.pmds.flatMap((p, j) =>
    p.kind === 'huge' || spec?.pmds[j]?.kind === 'huge' || actual?.pmds[j]?.kind === 'huge' ? [j] : [],
  );
}

/** Slots under a PMD that is huge before and after on both sides: none everywhere, the PMD row says it all. */
function underStableHugePmd(w: World, spec: SpecOutcome | null, actual: KernelOutcome | null, i: number): boolean {
  const j = Math.floor((w.vma.start + i) / PTRS_PER_PTE) - Math.floor(w.vma.start / PTRS_PER_PTE);
  const kinds = [w.pmds[j]?.kind, spec ? spec.pmds[j]?.kind : 'huge', actual ? actual.pmds[j]?.kind : 'huge'];
  return kinds.every((k) => k === 'huge');
}

/** Which slots to show: all of a small VMA, else the mismatched slots and their neighbours. */
function shownSlots(w: World, mismatches: readonly Mismatch[], actual: KernelOutcome | null, spec: SpecOutcome | null): number[] {
  const n = w.ptes.length;
  const visible = (i: number) => !underStableHugePmd(w, spec, actual, i);
  if (n <= MAX_ROWS) return [...Array(n).keys()].filter(visible);
  const keep = new Set<number>();
  const near = (vpn: number) => {
    for (let d = -2; d <= 2; d++) {
      const i = vpn - w.vma.start + d;
      if (i >= 0 && i < n) keep.add(i);
    }
  };
  for (const m of mismatches) if (m.vpn !== undefined) near(m.vpn);
  for (const b of actual?.trace ?? []) if (keep.size < MAX_ROWS) for (let k = 0; k < b.nr; k++) near(b.start + k);
  for (const i of [...keep]) if (!visible(i)) keep.delete(i);
  if (keep.size === 0) for (let i = 0; i < n && keep.size < MAX_ROWS; i++) if (visible(i)) keep.add(i);
  return [...keep].sort((a, b) => a - b).slice(0, 2 * MAX_ROWS);
}

function slotTable(view: CounterexampleView): string[] {
  const { world: w, spec, actual, mismatches } = view;
  const bad = new Set(mismatches.flatMap((m) => (m.vpn === undefined ? [] : [m.vpn])));
  const rows: string[][] = [];
  // One row per PMD-mapped THP (before, or after on either side): 512 slots read as one entry.
  for (const j of hugePmds(w, spec, actual)) {
    const base = (Math.floor(w.vma.start / PTRS_PER_PTE) + j) * PTRS_PER_PTE;
    const before = w.pmds[j];
    const folio = before?.kind === 'huge' ? pfn_folio(w.folios, before.pmd.pfn) : null;
    const ex = folio && before?.kind === 'huge' ? (page_anon_exclusive(folio, before.pmd.pfn) ? 'y' : 'n') : '-';
    const covered = w.range.start <= base && w.range.end >= base + PTRS_PER_PTE;
    const touched = w.range.start < base + PTRS_PER_PTE && w.range.end > base;
    const diff = pmdDiff(spec?.pmds[j], actual?.pmds[j]);
    rows.push([
      diff.length ? '*' : covered ? '' : touched ? 'cut' : 'out',
      `pmd ${hex(base)}`,
      ex,
      pmdCell(before, undefined),
      spec ? pmdCell(spec.pmds[j], before) : '(spec refused)',
      actual ? pmdCell(actual.pmds[j], before) : '(no outcome)',
      diff.join(' '),
    ]);
  }
  let prev = -1;
  const shown = shownSlots(w, mismatches, actual, spec);
  // Slots left out between two shown ones, not counting those under a PMD row.
  const hiddenBetween = (a: number, b: number): number => {
    let k = 0;
    for (let i = a + 1; i < b; i++) if (!underStableHugePmd(w, spec, actual, i)) k++;
    return k;
  };
  for (const i of shown) {
    const skipped = hiddenBetween(prev, i);
    if (prev >= 0 && skipped > 0) rows.push(['', '...', '', `(${skipped} slots)`, '', '', '']);
    prev = i;
    const vpn = w.vma.start + i;
    const before = w.ptes[i];
    const folio = before?.kind === 'present' ? pfn_folio(w.folios, before.pfn) : undefined;
    const ex = folio && before?.kind === 'present' ? (page_anon_exclusive(folio, before.pfn) ? 'y' : 'n') : '-';
    const inRange = vpn >= w.range.start && vpn < w.range.end;
    const s = view.reference ? view.reference.ptes[i] : spec?.ptes[i];
    const a = actual?.ptes[i];
    const diff = fieldDiff(s, a);
    rows.push([
      bad.has(vpn) || diff.length ? '*' : inRange ? '' : 'out',
      hex(vpn),
      ex,
      cell(before, undefined),
      view.reference || spec ? cell(s, before) : '(spec refused)',
      actual ? cell(a, before) : '(no outcome)',
      diff.join(' '),
    ]);
  }
  const lastShown = shown.at(-1) ?? -1;
  const more = hiddenBetween(lastShown, w.ptes.length);
  if (more > 0) rows.push(['', '...', '', `(${more} more slots)`, '', '', '']);
  const who = view.target.length > 14 ? 'variant' : view.target;
  const head = view.firstCall
    ? ['', 'vpn', 'ex', 'before', `${who} 1st call`, '2nd call', 'diff']
    : ['', 'vpn', 'ex', 'before', `${view.reference?.label ?? 'spec'} after`, `${who} after`, 'diff'];
  const lines = table(head, rows);
  if (Math.max(...lines.map((l) => l.length)) <= WIDTH) return lines;
  // Too wide: one block per slot.
  const out: string[] = [];
  for (const r of rows) {
    if (r[1] === '...') {
      out.push(`   ... ${r[3]}`);
      continue;
    }
    out.push(`${(r[0] ?? '').padEnd(3)} ${r[1]}  PageAnonExclusive ${r[2]}`);
    out.push(...wrap(`      before   ${r[3]}`, WIDTH, '               '));
    const [refName, actName] = view.firstCall ? ['1st call', '2nd call'] : [view.reference ? 'ref' : 'spec', 'variant'];
    out.push(...wrap(`      ${refName.padEnd(9)}${r[4]}`, WIDTH, '               '));
    out.push(...wrap(`      ${actName.padEnd(9)}${r[5]}${r[6] ? `   <- ${r[6]}` : ''}`, WIDTH, '               '));
  }
  return out;
}

/** A PMD mismatch names the slot and prints both entries as JSON; the pmd row above shows them with flag names. */
function pmdMessage(message: string): string {
  const m = /^PMD slot (\d+): spec \{/.exec(message);
  return m ? `PMD slot ${m[1]} differs (see its pmd row: spec after / variant after, diff)` : message;
}

function mismatchLines(mismatches: readonly Mismatch[]): string[] {
  const out: string[] = [];
  for (const m of mismatches.slice(0, MAX_MISMATCHES)) {
    const rule = (RULES as Record<string, { title: string; reason: string } | undefined>)[m.rule];
    const where = m.vpn === undefined ? '' : ` at vpn ${hex(m.vpn)}`;
    out.push(...wrap(`broken ${m.rule}: ${rule?.title ?? '(rule not in this version)'}${where}`, WIDTH, '    '));
    const [first, ...rest] = pmdMessage(m.message).split('\n');
    out.push(...wrap(`    ${first}`, WIDTH, '      '));
    for (const line of rest) out.push(...wrap(`    ${line.trim()}`, WIDTH, '      '));
    if (rule) out.push(...wrap(`    kernel reason: ${rule.reason}`, WIDTH, '      '));
  }
  if (mismatches.length > MAX_MISMATCHES) out.push(`... and ${mismatches.length - MAX_MISMATCHES} more mismatches`);
  return out;
}

function traceLines(view: CounterexampleView): string[] {
  if (view.firstCall)
    return [
      ...traceOf(view.firstCall.trace, `${view.target}, 1st call`),
      ...traceOf(view.actual?.trace, `${view.target}, 2nd call`),
    ];
  return traceOf(view.actual?.trace, view.target);
}

function traceOf(trace: KernelOutcome['trace'] | undefined, who: string): string[] {
  if (!trace) return [];
  if (trace.length === 0) return [`batch trace of ${who}: (no present batches)`];
  const out = [`batch trace of ${who}:`];
  for (const b of trace) {
    const subs = b.subRuns.map((r) => `[${r.idx},${r.idx + r.len}) ${r.setWrite ? 'set_write' : 'keep'}`).join(', ');
    out.push(...wrap(`  ${hex(b.start)} nr=${b.nr} ${b.action}${subs ? `: ${subs}` : ''}`, WIDTH, '      '));
  }
  return out;
}

/** The report as plain text, every line at most 80 columns (except unbreakable tokens such as a long path). */
export function renderCounterexample(view: CounterexampleView): string {
  const w = view.world;
  const lines: string[] = [];
  lines.push(
    ...wrap(
      `${view.target} breaks '${view.property.id}' (${view.property.title}; ${view.property.cites}) on ${w.ptes.length} slot${w.ptes.length === 1 ? '' : 's'}:`,
      WIDTH,
      '  ',
    ),
  );
  lines.push(...vmaLines(w), '');
  lines.push(...slotTable(view));
  lines.push('  (ex = PageAnonExclusive of the mapped page; * = differs or named below)', '');
  if (hugePmds(w, view.spec, view.actual).length)
    lines.push('  (pmd = a PMD-mapped THP as one entry, 512 pages; cut = the range splits it)', '');
  lines.push(...mismatchLines(view.mismatches));
  const trace = traceLines(view);
  if (trace.length) lines.push('', ...trace);
  if (view.replay) {
    lines.push('', 'replay:');
    lines.push(...view.replay.split('\n').map((l) => `  ${l}`));
  }
  if (view.corpus) lines.push(`${view.corpus.status === 'saved' ? 'saved to' : 'already in the corpus:'} ${view.corpus.file}`);
  return lines.join('\n');
}

/** The same content as JSON (plain data; no timings, so the same seed gives the same bytes). */
export function counterexampleJson(view: CounterexampleView): Record<string, unknown> {
  const ref = view.reference?.ptes ?? view.spec?.ptes;
  const diffs = view.world.ptes.map((_, i) => fieldDiff(ref?.[i], view.actual?.ptes[i]));
  return {
    target: view.target,
    property: view.property.id,
    slots: view.world.ptes.length,
    world: view.world,
    mismatches: view.mismatches.map((m) => ({
      ...m,
      title: (RULES as Record<string, { title: string } | undefined>)[m.rule]?.title ?? null,
      reason: (RULES as Record<string, { reason: string } | undefined>)[m.rule]?.reason ?? null,
    })),
    specAfter: view.spec?.ptes ?? null,
    /** What `differing` compares the target with: 'spec', 'batch-aware spec' or '1st call'. */
    reference: view.reference?.label ?? 'spec',
    referenceAfter: ref ?? null,
    variantAfter: view.actual?.ptes ?? null,
    differing: diffs.flatMap((d, i) => (d.length ? [{ vpn: view.world.vma.start + i, fields: d }] : [])),
    trace: view.actual?.trace ?? null,
    firstCallTrace: view.firstCall?.trace ?? null,
    seed: view.seed ?? null,
    path: view.path ?? null,
    shrinks: view.shrinks ?? null,
    narrowed: view.narrowed ?? null,
    replay: view.replay ?? null,
    corpusFile: view.corpus?.file ?? null,
  };
}
