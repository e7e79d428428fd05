// SPDX-License-Identifier: GPL-2.0-only
// Reading patch files: a list mail saved as mbox (maybe several patches),
// `git format-patch` output (one mail), or a plain unified diff (git's or
// `diff -u`'s). Each patch keeps its Subject for the report and the paths of
// the files it touches, as `patch -p1` would resolve them.

export interface FileDiff {
  /** Path after stripping the first component (a/, b/), or null for /dev/null. */
  readonly oldPath: string | null;
  readonly newPath: string | null;
  /** The diff of this file, from its first header line, for hunk messages. */
  readonly text: string;
}

export interface ParsedPatch {
  /** The Subject header (folded lines joined), null for a bare diff. */
  readonly subject: string | null;
  /** What to hand to `patch`: the mail or diff text. */
  readonly text: string;
  readonly files: readonly FileDiff[];
}

export class PatchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PatchError';
  }
}

const WEEKDAYS = new Set(['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun']);

/** An mbox separator: `From <sender or commit> <weekday> <month> ...` at the start of a line. */
function isMboxSeparator(line: string): boolean {
  if (!line.startsWith('From ')) return false;
  const words = line.split(' ').filter((w) => w !== '');
  return words.length >= 4 && WEEKDAYS.has(words[2]!);
}

/** Splits a file into mails; a text without mbox separators is one patch. */
function splitMails(text: string): string[] {
  const lines = text.split('\n');
  const starts: number[] = [];
  lines.forEach((l, i) => {
    if (isMboxSeparator(l) && (i === 0 || lines[i - 1] === '')) starts.push(i);
  });
  if (starts.length === 0) return [text];
  const out: string[] = [];
  starts.forEach((s, k) => {
    out.push(lines.slice(s, starts[k + 1] ?? lines.length).join('\n'));
  });
  return out;
}

function subjectOf(mail: string): string | null {
  const lines = mail.split('\n');
  for (let i = 0; i < lines.length && lines[i] !== ''; i++) {
    const l = lines[i]!;
    if (!l.toLowerCase().startsWith('subject:')) continue;
    let s = l.slice('subject:'.length).trim();
    for (let k = i + 1; k < lines.length && (lines[k]!.startsWith(' ') || lines[k]!.startsWith('\t')); k++)
      s += ` ${lines[k]!.trim()}`;
    return s;
  }
  return null;
}

/** `a/mm/mprotect.c` -> `mm/mprotect.c`; `/dev/null` -> null; drops a `diff -u` timestamp. */
function stripPath(raw: string): string | null {
  const path = raw.split('\t')[0]!.trim();
  if (path === '/dev/null') return null;
  const slash = path.indexOf('/');
  return slash < 0 ? path : path.slice(slash + 1);
}

function filesOf(body: string): FileDiff[] {
  const lines = body.split('\n');
  const out: FileDiff[] = [];
  for (let i = 0; i + 1 < lines.length; i++) {
    const l = lines[i]!;
    const next = lines[i + 1]!;
    if (!(l.startsWith('--- ') && next.startsWith('+++ '))) continue;
    let end = i + 2;
    while (
      end < lines.length &&
      !(lines[end]!.startsWith('--- ') && lines[end + 1]?.startsWith('+++ ')) &&
      !lines[end]!.startsWith('diff ')
    )
      end++;
    out.push({ oldPath: stripPath(l.slice(4)), newPath: stripPath(next.slice(4)), text: lines.slice(i, end).join('\n') });
    i = end - 1;
  }
  return out;
}

/** Parses a patch file's text into patches, in order. */
export function parsePatchText(text: string, name: string): ParsedPatch[] {
  const mails = splitMails(text.split('\r\n').join('\n'));
  const out: ParsedPatch[] = [];
  for (const mail of mails) {
    const files = filesOf(mail);
    // A cover letter (no diff) in a series is kept out; a file with no diff at all is refused below.
    if (files.length === 0) continue;
    out.push({ subject: subjectOf(mail), text: mail.endsWith('\n') ? mail : `${mail}\n`, files });
  }
  if (out.length === 0)
    throw new PatchError(`${name} has no diff (expected an mbox mail, git format-patch output or a unified diff)`);
  return out;
}
