// SPDX-License-Identifier: GPL-2.0-only
// Gallery patches: a known-bad variant is stored as a mail-style unified diff
// (what `git format-patch` prints: From/Subject/message, diffstat, diff)
// against the variant it derives from. This module reads such a patch,
// applies it to a source text, and writes one back from a message and a diff.
// Pure text in, text out: no file system, no git. The loader is gallery.ts;
// the refresh command is src/cli/gallery.ts.
//
// Applying is strict like `git apply`: every context and removed line must
// match exactly; a hunk may sit at another line (offset) if the baseline grew
// or shrank above it, but never with fuzz. Anything else is a conflict.

export interface Hunk {
  /** 1-based first line of the hunk in the old text (0 for an empty old range). */
  readonly oldStart: number;
  readonly oldLines: number;
  readonly newStart: number;
  readonly newLines: number;
  /** The text git prints after the second @@ (the enclosing function), or ''. */
  readonly section: string;
  /** Hunk body lines with their ' ', '-' or '+' prefix. */
  readonly lines: readonly string[];
}

export interface ParsedPatch {
  /** Everything before the diff: From/Date/Subject, message, `---`, diffstat. */
  readonly header: string;
  /** The path after `a/` (the file the patch changes). */
  readonly oldPath: string;
  readonly newPath: string;
  readonly hunks: readonly Hunk[];
}

/** A patch that does not parse: the text is not a unified diff of one file. */
export class PatchFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PatchFormatError';
  }
}

/** A hunk whose context or removed lines are not in the source text. */
export class HunkConflictError extends Error {
  constructor(
    readonly hunkIndex: number,
    readonly hunk: Hunk,
  ) {
    super(`hunk #${hunkIndex + 1} (@@ -${hunk.oldStart},${hunk.oldLines} +${hunk.newStart},${hunk.newLines} @@) does not apply`);
    this.name = 'HunkConflictError';
  }
}

const HUNK_HEADER = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@ ?(.*)$/;

/** Parses a one-file patch; throws PatchFormatError naming what is missing. */
export function parsePatch(text: string): ParsedPatch {
  const lines = text.split('\n');
  const diffAt = lines.findIndex((l) => l.startsWith('diff --git '));
  if (diffAt < 0) throw new PatchFormatError('no "diff --git" line');
  const header = lines.slice(0, diffAt).join('\n');
  let i = diffAt + 1;
  while (i < lines.length && !lines[i]!.startsWith('--- ')) i++;
  const minus = lines[i];
  const plus = lines[i + 1];
  if (minus === undefined || plus === undefined || !plus.startsWith('+++ '))
    throw new PatchFormatError('no "--- a/..." / "+++ b/..." pair after "diff --git"');
  const oldPath = minus.slice(4).replace(/^a\//, '');
  const newPath = plus.slice(4).replace(/^b\//, '');
  i += 2;
  const hunks: Hunk[] = [];
  while (i < lines.length) {
    const m = HUNK_HEADER.exec(lines[i]!);
    if (m === null) break; // the `-- ` signature or trailing blank lines
    const oldStart = Number(m[1]);
    const oldLines = m[2] === undefined ? 1 : Number(m[2]);
    const newStart = Number(m[3]);
    const newLines = m[4] === undefined ? 1 : Number(m[4]);
    i++;
    const body: string[] = [];
    let seenOld = 0;
    let seenNew = 0;
    while (seenOld < oldLines || seenNew < newLines) {
      const line = lines[i];
      if (line === undefined) throw new PatchFormatError(`hunk #${hunks.length + 1} ends early (the patch is truncated)`);
      i++;
      if (line.startsWith('\\')) continue; // "\ No newline at end of file"
      const tag = line[0] ?? ' '; // an empty line is an empty context line
      if (tag === ' ') {
        seenOld++;
        seenNew++;
      } else if (tag === '-') seenOld++;
      else if (tag === '+') seenNew++;
      else throw new PatchFormatError(`hunk #${hunks.length + 1}: line ${JSON.stringify(line)} is not context, + or -`);
      body.push(line.length === 0 ? ' ' : line);
    }
    if (seenOld !== oldLines || seenNew !== newLines)
      throw new PatchFormatError(`hunk #${hunks.length + 1}: its line counts do not match its header`);
    hunks.push({ oldStart, oldLines, newStart, newLines, section: m[5] ?? '', lines: body });
  }
  if (hunks.length === 0) throw new PatchFormatError('the diff has no hunk');
  return { header, oldPath, newPath, hunks };
}

const oldSide = (h: Hunk) => h.lines.filter((l) => l[0] !== '+').map((l) => l.slice(1));
const newSide = (h: Hunk) => h.lines.filter((l) => l[0] !== '-').map((l) => l.slice(1));

function matchesAt(source: readonly string[], at: number, expected: readonly string[]): boolean {
  if (at < 0 || at + expected.length > source.length) return false;
  return expected.every((line, k) => source[at + k] === line);
}

/**
 * Applies the hunks to `source` (hunks in order, no overlap). A hunk is tried
 * at its stated line moved by the offset the previous hunks found, then at
 * the nearest line where its old side matches exactly, searching down and up
 * alternately but never before the end of the previous hunk. Throws
 * HunkConflictError for the first hunk that matches nowhere.
 */
export function applyHunks(source: string, hunks: readonly Hunk[]): string {
  const src = source.split('\n');
  const out: string[] = [];
  let cursor = 0; // next unread source line (0-based)
  let offset = 0;
  hunks.forEach((hunk, index) => {
    const expected = oldSide(hunk);
    const stated = (hunk.oldLines === 0 ? hunk.oldStart : hunk.oldStart - 1) + offset;
    let at = -1;
    for (let d = 0; d <= src.length; d++) {
      if (stated + d >= cursor && matchesAt(src, stated + d, expected)) {
        at = stated + d;
        break;
      }
      if (d > 0 && stated - d >= cursor && matchesAt(src, stated - d, expected)) {
        at = stated - d;
        break;
      }
      if (stated + d > src.length && stated - d < cursor) break;
    }
    if (at < 0) throw new HunkConflictError(index, hunk);
    offset = at - (hunk.oldLines === 0 ? hunk.oldStart : hunk.oldStart - 1);
    out.push(...src.slice(cursor, at), ...newSide(hunk));
    cursor = at + expected.length;
  });
  out.push(...src.slice(cursor));
  return out.join('\n');
}

/** One line per changed file and a total, as `git format-patch` prints them. */
export function diffstat(path: string, hunks: readonly Hunk[]): string {
  const added = hunks.reduce((n, h) => n + h.lines.filter((l) => l[0] === '+').length, 0);
  const removed = hunks.reduce((n, h) => n + h.lines.filter((l) => l[0] === '-').length, 0);
  const total = added + removed;
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  const parts = [' 1 file changed'];
  if (added > 0) parts.push(`${plural(added, 'insertion')}(+)`);
  if (removed > 0) parts.push(`${plural(removed, 'deletion')}(-)`);
  return ` ${path} | ${total} ${'+'.repeat(added)}${'-'.repeat(removed)}\n${parts.join(', ')}`;
}

/**
 * A complete patch: `message` is the mail header and commit message (From
 * line through the last paragraph, no trailing `---`), `path` the file the
 * diff changes, `hunks` the diff. The diffstat is computed here.
 */
export function formatPatch(message: string, path: string, hunks: readonly Hunk[]): string {
  const diff = hunks.flatMap((h) => [
    `@@ -${h.oldStart},${h.oldLines} +${h.newStart},${h.newLines} @@${h.section === '' ? '' : ` ${h.section}`}`,
    ...h.lines,
  ]);
  return [
    message.trimEnd(),
    '---',
    diffstat(path, hunks),
    '',
    `diff --git a/${path} b/${path}`,
    `--- a/${path}`,
    `+++ b/${path}`,
    ...diff,
    '',
  ].join('\n');
}

/** The mail header and commit message of a parsed patch (without the `---` and diffstat). */
export function patchMessage(parsed: ParsedPatch): string {
  const lines = parsed.header.split('\n');
  const cut = lines.indexOf('---');
  return (cut < 0 ? lines : lines.slice(0, cut)).join('\n').trimEnd();
}

/** The Subject of a patch header ('' when there is none). */
export function patchSubject(parsed: ParsedPatch): string {
  const line = parsed.header.split('\n').find((l) => l.startsWith('Subject: '));
  return line === undefined ? '' : line.slice('Subject: '.length);
}

/**
 * A gallery patch that no longer applies to the baseline: the CLI prints the
 * message and exits 2; the registry refuses to load until it is refreshed.
 */
export class GalleryConflictError extends Error {
  constructor(
    readonly ids: readonly string[],
    message: string,
  ) {
    super(message);
    this.name = 'GalleryConflictError';
  }

  /** The error for one bug `id` whose patch file `patchFile` failed with `detail`. */
  static of(id: string, patchFile: string, detail: string): GalleryConflictError {
    return new GalleryConflictError(
      [id],
      `a fidelity fix to the baseline conflicts with gallery bug ${id}: refresh it with \`npx mprotect-spec gallery refresh ${id}\`\n` +
        `  (${patchFile}: ${detail})`,
    );
  }

  /** One error for several conflicting bugs, one paragraph each. */
  static merge(errors: readonly GalleryConflictError[]): GalleryConflictError {
    return new GalleryConflictError(
      errors.flatMap((e) => e.ids),
      errors.map((e) => e.message).join('\n'),
    );
  }
}
