// SPDX-License-Identifier: GPL-2.0-only
// Plain-text helpers for 80-column reports.
export const WIDTH = 80;

/** Greedy word wrap; continuation lines get `indent`. Words longer than the width are kept whole. */
export function wrap(text: string, width = WIDTH, indent = '  '): string[] {
  const lines: string[] = [];
  for (const para of text.split('\n')) {
    const lead = /^ */.exec(para)?.[0] ?? '';
    let line = lead;
    for (const word of para.slice(lead.length).split(/ +/)) {
      if (line.trim() && line.length + 1 + word.length > width) {
        lines.push(line);
        line = indent + word;
      } else line = line.trim() ? `${line} ${word}` : `${line}${word}`;
    }
    lines.push(line);
  }
  return lines;
}

/** A left-aligned table; numbers right-aligned when `right` says so. */
export function table(head: readonly string[], rows: readonly (readonly string[])[], right: readonly boolean[] = []): string[] {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const fmt = (cells: readonly string[]) =>
    cells
      .map((c, i) => (right[i] ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [fmt(head), ...rows.map(fmt)];
}

export const hex = (n: number): string => `0x${n.toString(16)}`;

export interface Paint {
  readonly ok: (s: string) => string;
  readonly bad: (s: string) => string;
  readonly dim: (s: string) => string;
  readonly bold: (s: string) => string;
}

const sgr = (code: string) => (s: string) => `\x1b[${code}m${s}\x1b[0m`;
export const NO_PAINT: Paint = { ok: (s) => s, bad: (s) => s, dim: (s) => s, bold: (s) => s };
export const ANSI_PAINT: Paint = { ok: sgr('32'), bad: sgr('31'), dim: sgr('2'), bold: sgr('1') };

/** Colour only on a terminal and only when NO_COLOR is unset or empty (no-color.org). */
export function paintFor(isTTY: boolean, env: Readonly<Record<string, string | undefined>>): Paint {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return NO_PAINT;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0') return ANSI_PAINT;
  return isTTY ? ANSI_PAINT : NO_PAINT;
}
