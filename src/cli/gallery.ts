// SPDX-License-Identifier: GPL-2.0-only
// `mprotect-spec gallery edit|refresh <id>`: keeps the gallery's patches
// (src/kernel/variants/bad/*.patch) in step with the baseline.
//
//   edit <id>     writes src/kernel/.gallery/<name>.edit.ts: the current
//                 baseline with the bug applied, for you to change.
//   refresh <id>  writes the patch again, keeping its message:
//                 - from <name>.edit.ts when it exists (then removes it);
//                 - else, when the patch still applies, re-diffed against the
//                   current baseline (updates line numbers and context);
//                 - else three-way: the bug as it applied to the old baseline
//                   (the copy saved at the last load, or the committed
//                   baseline) merged into the current one with
//                   `git merge-file`. A clean merge becomes the patch; an
//                   overlapping one is left in <name>.edit.ts with conflict
//                   markers to resolve, then run refresh again (exit 2).
// Diffs come from `git diff --no-index` (git is always present where the
// repository is); applying is pure TypeScript (src/kernel/gallery_patch.ts).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  applyGalleryPatch,
  GALLERY_BASELINE_FILE,
  GALLERY_ENTRIES,
  galleryAppliedFile,
  galleryBaseFile,
  galleryId,
  galleryPatchFile,
} from '../kernel/gallery.js';
import { formatPatch, GalleryConflictError, type Hunk, parsePatch, patchMessage } from '../kernel/gallery_patch.js';
import { PROJECT_ROOT } from '../store/index.js';
import { EXIT_OK, EXIT_USAGE, UsageError } from './errors.js';
import type { Io } from './io.js';

export interface GalleryOptions {
  readonly action: 'edit' | 'refresh';
  /** 'b2' or the full name 'b2-softdirty-polarity'. */
  readonly id: string;
  /** Repository root (tests use a copy). */
  readonly root?: string;
}

const editFile = (name: string) => galleryAppliedFile(name).replace(/\.ts$/, '.edit.ts');

function entryName(id: string): string {
  const entry = GALLERY_ENTRIES.find((e) => e.name === id || galleryId(e.name) === id);
  if (entry === undefined)
    throw new UsageError(
      `unknown gallery bug ${JSON.stringify(id)}; known: ${GALLERY_ENTRIES.map((e) => galleryId(e.name)).join(', ')}`,
    );
  return entry.name;
}

function git(args: readonly string[], cwd: string): { status: number; stdout: string; stderr: string } {
  const r = spawnSync('git', args, { cwd, encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.error) throw new UsageError(`cannot run git: ${r.error.message}`);
  return { status: r.status ?? 2, stdout: r.stdout, stderr: r.stderr };
}

/** The hunks that turn `before` into `after` (three lines of context, as format-patch). */
export function diffHunks(before: string, after: string): Hunk[] {
  const dir = mkdtempSync(join(tmpdir(), 'mprotect-gallery-'));
  try {
    writeFileSync(join(dir, 'a'), before);
    writeFileSync(join(dir, 'b'), after);
    const r = git(['diff', '--no-index', '--no-color', '--no-ext-diff', '-U3', 'a', 'b'], dir);
    if (r.status === 0) return [];
    if (r.status !== 1) throw new UsageError(`git diff failed: ${r.stderr.trim()}`);
    return [...parsePatch(r.stdout).hunks];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Merges the change base -> other into current (`git merge-file`); returns
 * the merged text and whether conflict markers were left in it.
 */
function mergeFile(current: string, base: string, other: string): { text: string; clean: boolean } {
  const dir = mkdtempSync(join(tmpdir(), 'mprotect-gallery-'));
  try {
    writeFileSync(join(dir, 'bug'), current);
    writeFileSync(join(dir, 'old-baseline'), base);
    writeFileSync(join(dir, 'baseline'), other);
    const r = git(['merge-file', '-p', 'bug', 'old-baseline', 'baseline'], dir);
    if (r.status < 0 || r.status > 127) throw new UsageError(`git merge-file failed: ${r.stderr.trim()}`);
    return { text: r.stdout, clean: r.status === 0 };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const CONFLICT_MARKER = /^(<{7}|={7}|>{7})( |$)/m;

/** The baseline text the patch was made against: the copy saved at the last load, else the committed one. */
function oldBaseline(root: string, name: string): string | null {
  const saved = join(root, galleryBaseFile(name));
  if (existsSync(saved)) return readFileSync(saved, 'utf8');
  const r = git(['show', `HEAD:${GALLERY_BASELINE_FILE}`], root);
  return r.status === 0 ? r.stdout : null;
}

export function runGallery(o: GalleryOptions, io: Io): number {
  const root = o.root ?? fileURLToPath(PROJECT_ROOT);
  const name = entryName(o.id);
  const id = galleryId(name);
  const baseline = readFileSync(join(root, GALLERY_BASELINE_FILE), 'utf8');
  const patchPath = join(root, galleryPatchFile(name));
  const patchText = readFileSync(patchPath, 'utf8');
  const edit = join(root, editFile(name));

  if (o.action === 'edit') {
    if (existsSync(edit))
      throw new UsageError(`${editFile(name)} already exists; finish it with \`gallery refresh ${id}\` or delete it`);
    writeFileSync(edit, applyGalleryPatch(name, baseline, patchText));
    io.out(`wrote ${editFile(name)}: change the bug there, then run \`npx mprotect-spec gallery refresh ${id}\`\n`);
    return EXIT_OK;
  }

  const write = (bugged: string, how: string) => {
    const hunks = diffHunks(baseline, bugged);
    if (hunks.length === 0) throw new UsageError(`${id}: the result equals the baseline; a gallery bug must change something`);
    writeFileSync(patchPath, formatPatch(patchMessage(parsePatch(patchText)), GALLERY_BASELINE_FILE, hunks));
    io.out(`refreshed ${galleryPatchFile(name)} (${how}; ${hunks.length} hunk${hunks.length === 1 ? '' : 's'})\n`);
    return EXIT_OK;
  };

  if (existsSync(edit)) {
    const text = readFileSync(edit, 'utf8');
    if (CONFLICT_MARKER.test(text)) {
      io.err(`mprotect-spec: error: ${editFile(name)} still has conflict markers; resolve them and run refresh again\n`);
      return EXIT_USAGE;
    }
    const code = write(text, `from ${editFile(name)}`);
    rmSync(edit);
    return code;
  }

  try {
    return write(applyGalleryPatch(name, baseline, patchText), 're-diffed against the current baseline');
  } catch (error) {
    if (!(error instanceof GalleryConflictError)) throw error;
  }

  const old = oldBaseline(root, name);
  let oldBugged: string | null = null;
  try {
    oldBugged = old === null ? null : applyGalleryPatch(name, old, patchText);
  } catch (error) {
    if (!(error instanceof GalleryConflictError)) throw error;
  }
  if (old === null || oldBugged === null)
    throw new UsageError(
      `${galleryPatchFile(name)} applies neither to the current baseline nor to the one it was made against; ` +
        `recreate the bug with \`gallery edit\` after fixing the patch by hand`,
    );
  const merged = mergeFile(oldBugged, old, baseline);
  if (merged.clean) return write(merged.text, 'merged the baseline change into the bug');
  writeFileSync(edit, merged.text);
  io.err(
    `mprotect-spec: error: the baseline change overlaps the lines of gallery bug ${id}; ` +
      `resolve the conflict markers in ${editFile(name)}, then run \`npx mprotect-spec gallery refresh ${id}\` again\n`,
  );
  return EXIT_USAGE;
}
