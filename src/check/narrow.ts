// SPDX-License-Identifier: GPL-2.0-only
// After fast-check's shrinking: narrow the failing world's range and drop the
// slots and folios outside it, for as long as the property still fails with
// one of the rules it failed with.
//
// Why a second pass: fast-check shrinks the *layout* a world is built from,
// and it only moves values toward their minimum. A failure that needs the
// range to start at one page in the middle (a batch cut by a PMD boundary, a
// batch starting mid-folio) is stuck when the range is "whole" (its encoding's
// minimum), although a one-slot range shows the same bug. This pass works on the
// world itself. It is deterministic, so a `--seed/--path` replay, which gives
// the same shrunk world, narrows to the same result.
import type { Mismatch } from '../observe/index.js';
import { checkWorld, deepFreeze, type Pte, pmd_index_of, pmd_span, type World } from '../pte/index.js';

/** Each accepted step restarts the candidate list; this bounds the total number of checks. */
const MAX_TRIES = 4000;

export interface Narrowed {
  readonly world: World;
  readonly mismatches: readonly Mismatch[];
  /** Accepted steps (0: the shrunk world was already as narrow as this pass gets). */
  readonly steps: number;
}

/** The world with range [start, end). */
const withRange = (w: World, start: number, end: number): World => ({ ...w, range: { start, end } });

/** The world cut down to its range: a VMA of exactly the range, its slots and PMDs. */
function cutToRange(w: World): World {
  const { start, end } = w.range;
  const p0 = pmd_index_of(w.vma.start);
  const first = pmd_index_of(start) - p0;
  return {
    ...w,
    vma: { ...w.vma, start, end },
    ptes: w.ptes.slice(start - w.vma.start, end - w.vma.start),
    pmds: w.pmds.slice(first, first + pmd_span(start, end)),
  };
}

/** pfns an entry refers to: a present page, or a pfn-carrying softleaf entry. */
function pfnOf(pte: Pte): number | null {
  if (pte.kind === 'present') return pte.pfn;
  if (pte.kind === 'softleaf' && pte.type !== 'swap' && pte.type !== 'marker') return pte.offset;
  return null;
}

/** The world without folios that no remaining entry maps or refers to. */
function dropUnusedFolios(w: World): World {
  const pfns: number[] = [];
  for (const pte of w.ptes) {
    const p = pfnOf(pte);
    if (p !== null) pfns.push(p);
  }
  for (const pmd of w.pmds) {
    if (pmd.kind === 'huge') pfns.push(pmd.pmd.pfn);
    else if (pmd.kind === 'softleaf') pfns.push(pmd.pmd.offset);
  }
  const used = (f: World['folios'][number]) => pfns.some((p) => p >= f.pfn && p < f.pfn + (1 << f.order));
  return { ...w, folios: w.folios.filter(used) };
}

function* candidates(w: World): Generator<World> {
  const { start, end } = w.range;
  const len = end - start;
  const hugePmd = w.pmds.some((p) => p.kind === 'huge' || p.kind === 'softleaf');
  // A PMD-mapped THP is met only by whole-VMA mprotect() or by the range its caller chose; keep it as generated.
  if (!hugePmd && len > 1) {
    const half = Math.ceil(len / 2);
    yield withRange(w, start, start + half);
    yield withRange(w, start + half, end);
    yield withRange(w, start + 1, end);
    yield withRange(w, start, end - 1);
  }
  if (!hugePmd && (w.vma.start !== start || w.vma.end !== end)) yield cutToRange(w);
  const fewer = dropUnusedFolios(w);
  if (fewer.folios.length !== w.folios.length) yield fewer;
}

/**
 * Narrow `world`, which fails with `mismatches`, by the steps above. `check`
 * runs the property (with throws already turned into mismatches); a candidate
 * is kept only if it is a valid world and still fails with the rule the
 * original failure named first, so narrowing never swaps one bug for another.
 */
export function narrowFailure(world: World, mismatches: readonly Mismatch[], check: (w: World) => readonly Mismatch[]): Narrowed {
  const headline = mismatches[0]?.rule;
  let cur = world;
  let curMismatches = mismatches;
  let steps = 0;
  let tries = 0;
  let progress = true;
  while (progress && tries < MAX_TRIES) {
    progress = false;
    for (const candidate of candidates(cur)) {
      if (++tries > MAX_TRIES) break;
      if (checkWorld(candidate).length > 0) continue;
      const frozen = deepFreeze(candidate);
      const m = check(frozen);
      if (m.some((x) => x.rule === headline)) {
        cur = frozen;
        curMismatches = m;
        steps++;
        progress = true;
        break;
      }
    }
  }
  return { world: cur, mismatches: curMismatches, steps };
}
