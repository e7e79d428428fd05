// SPDX-License-Identifier: GPL-2.0-only
// Applying patches to a copy of the three files a check reads: the files of
// DIR are copied to a fresh directory under the system temp dir, the patches
// are applied there in order with `patch -p1` (no fuzz, no backups, rejects
// discarded), and DIR is never written. A patch touching any other file is
// refused before anything is applied.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { KERNEL_FILES, type KernelFileKey } from '../extract/index.js';
import { type ParsedPatch, PatchError, parsePatchText } from './parse.js';

export { PatchError } from './parse.js';

export interface AppliedPatch {
  /** The patch file as given. */
  readonly file: string;
  readonly subject: string | null;
}

export interface PatchedTree {
  /** The temporary directory holding the patched copies. */
  readonly dir: string;
  /** Where each present file is, for extractTranslationUnit's `files`. */
  readonly files: Partial<Record<KernelFileKey, string>>;
  readonly applied: readonly AppliedPatch[];
  /** Removes the temporary directory. */
  readonly cleanup: () => void;
}

const READ_PATHS = KERNEL_FILES.map((f) => f.path);

/** Reads and parses every patch file, refusing one that touches a file outside the three read. */
export function readPatches(patchFiles: readonly string[]): { file: string; patches: ParsedPatch[] }[] {
  return patchFiles.map((file) => {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      throw new PatchError(`cannot read patch ${file}: ${(error as Error).message}`);
    }
    const patches = parsePatchText(text, file);
    for (const p of patches) {
      for (const f of p.files) {
        for (const path of [f.oldPath, f.newPath]) {
          if (path !== null && !READ_PATHS.includes(path)) {
            throw new PatchError(
              `patch ${file}${p.subject ? ` (${p.subject})` : ''} touches ${path}, outside the files a check reads (${READ_PATHS.join(', ')})`,
            );
          }
        }
      }
    }
    return { file, patches };
  });
}

/** Copies the three files of `treeDir` to a temp dir and applies the patches in order. */
export function applyPatches(treeDir: string, patchFiles: readonly string[]): PatchedTree {
  const parsed = readPatches(patchFiles);
  const dir = mkdtempSync(join(tmpdir(), 'mprotect-spec-patch-'));
  const cleanup = () => rmSync(dir, { recursive: true, force: true });
  try {
    for (const path of READ_PATHS) {
      const from = join(treeDir, path);
      if (!existsSync(from)) continue;
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      copyFileSync(from, join(dir, path));
    }
    const applied: AppliedPatch[] = [];
    for (const { file, patches } of parsed) {
      for (const p of patches) {
        applyOne(dir, treeDir, file, p);
        applied.push({ file, subject: p.subject });
      }
    }
    const files: Partial<Record<KernelFileKey, string>> = {};
    for (const f of KERNEL_FILES) if (existsSync(join(dir, f.path))) files[f.key] = join(dir, f.path);
    return { dir, files, applied, cleanup };
  } catch (error) {
    cleanup();
    throw error;
  }
}

function applyOne(dir: string, treeDir: string, file: string, p: ParsedPatch): void {
  const r = spawnSync(
    'patch',
    ['-p1', '--no-backup-if-mismatch', '--batch', '--forward', '--fuzz=0', '--reject-file=-', '-d', dir],
    {
      input: p.text,
      encoding: 'utf8',
    },
  );
  if (r.error) throw new PatchError(`cannot run patch(1) to apply ${file}: ${r.error.message}`);
  if (r.status === 0) return;
  const out = `${r.stdout}\n${r.stderr}`;
  const name = `${basename(file)}${p.subject ? ` (${p.subject})` : ''}`;
  throw new PatchError(`patch ${name} does not apply to ${treeDir}: ${failure(out, p)}`);
}

/** The first failing hunk as patch(1) reports it, with the hunk's header and first lines. */
function failure(output: string, p: ParsedPatch): string {
  let current = '';
  for (const line of output.split('\n')) {
    if (line.startsWith('patching file ')) current = line.slice('patching file '.length).trim();
    if (line.startsWith("can't find file to patch")) return 'a file it patches is missing from the tree';
    if (line.startsWith('Reversed (or previously applied) patch detected')) return `${current}: already applied (or reversed)`;
    if (line.startsWith('Hunk #') && line.includes('FAILED')) {
      const n = Number.parseInt(line.slice('Hunk #'.length), 10);
      const rest = line.slice(line.indexOf('FAILED') + 'FAILED'.length).trim();
      const at = rest.endsWith('.') ? rest.slice(0, -1) : rest;
      return `hunk #${n} of ${current} ${at ? `(${at}) ` : ''}failed:\n${hunkText(p, current, n)}`;
    }
  }
  const first = output.split('\n').find((l) => l.trim() !== '') ?? 'patch(1) failed';
  return first.trim();
}

function hunkText(p: ParsedPatch, path: string, n: number): string {
  const diff = p.files.find((f) => f.newPath === path || f.oldPath === path);
  if (!diff) return '';
  const lines = diff.text.split('\n');
  let seen = 0;
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i]!.startsWith('@@')) continue;
    seen++;
    if (seen !== n) continue;
    let end = i + 1;
    while (end < lines.length && !lines[end]!.startsWith('@@')) end++;
    const body = lines.slice(i, Math.min(end, i + 9));
    return body.map((l) => `  ${l}`).join('\n') + (end > i + 9 ? '\n  ...' : '');
  }
  return '';
}
