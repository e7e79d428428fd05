// SPDX-License-Identifier: GPL-2.0-only
// The gallery as patches (issue 14 item 1): every known-bad variant is a
// mail-style patch against the baseline that applies, reads like the mistake
// (only BUG-marked changes and the imports they need), is canonical (re-diffing
// the applied copy gives the stored patch back), and a baseline edit that
// touches its lines stops everything with one clear error that names the
// refresh command, in the library and in the CLI (exit 2); `gallery refresh`
// then merges the baseline change into the bug.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { diffHunks } from '../../src/cli/gallery.js';
import {
  applyGalleryPatch,
  GALLERY,
  GALLERY_BASELINE_FILE,
  GALLERY_CONFLICT,
  GALLERY_ENTRIES,
  galleryAppliedFile,
  galleryId,
  galleryPatchFile,
  materializeGallery,
} from '../../src/kernel/gallery.js';
import {
  applyHunks,
  formatPatch,
  GalleryConflictError,
  type Hunk,
  parsePatch,
  patchMessage,
  patchSubject,
} from '../../src/kernel/gallery_patch.js';
import { getVariant } from '../../src/kernel/registry.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const read = (relative: string) => readFileSync(join(ROOT, relative), 'utf8');
const baseline = read(GALLERY_BASELINE_FILE);
const patches = GALLERY_ENTRIES.map((e) => ({ name: e.name, id: galleryId(e.name), text: read(galleryPatchFile(e.name)) }));

const conflictMessage = (id: string) =>
  `a fidelity fix to the baseline conflicts with gallery bug ${id}: refresh it with \`npx mprotect-spec gallery refresh ${id}\``;

/** The source line (0-based) where `hunk` starts in `text`, found by its old side. */
function hunkAt(text: string, hunk: Hunk): number {
  const src = text.split('\n');
  const old = hunk.lines.filter((l) => l[0] !== '+').map((l) => l.slice(1));
  for (let at = 0; at + old.length <= src.length; at++) if (old.every((l, k) => src[at + k] === l)) return at;
  throw new Error('hunk not found');
}

/** `text` with line `index` (0-based) replaced. */
const editLine = (text: string, index: number, edit: (line: string) => string) =>
  text
    .split('\n')
    .map((l, k) => (k === index ? edit(l) : l))
    .join('\n');

describe('gallery patches', () => {
  it('every gallery entry is a patch that applies to the current baseline', () => {
    expect(GALLERY_CONFLICT).toBeNull();
    expect(GALLERY.map((v) => v.name)).toEqual(GALLERY_ENTRIES.map((e) => e.name));
    for (const { name, text } of patches) expect(applyGalleryPatch(name, baseline, text)).not.toBe(baseline);
  });

  it.each(patches)(
    '$id reads like a patch: mail header, subject, message, diffstat, only BUG-marked changes',
    ({ name, id, text }) => {
      const parsed = parsePatch(text);
      expect(parsed.oldPath).toBe(GALLERY_BASELINE_FILE);
      expect(parsed.newPath).toBe(GALLERY_BASELINE_FILE);
      expect(text.startsWith('From 0000000000000000000000000000000000000000 ')).toBe(true);
      expect(patchSubject(parsed)).toMatch(new RegExp(`^\\[PATCH ${id}\\] mm/mprotect: .{10,}`));
      const message = patchMessage(parsed);
      expect(message).toContain(name);
      expect(message).toMatch(/Provenance/);
      expect(message).toContain(getVariant(name).breaks!);
      expect(parsed.header).toMatch(/\n---\n src\/kernel\/variants\/falcato-v3\.ts \| \d+ [+-]+\n 1 file changed/);
      // A hunk either only adds or drops imported names, or carries the BUG marker on an added line.
      const importName = (l: string) => /^[+-] {2}(type )?\w+,$/.test(l);
      const bugHunks = parsed.hunks.filter((h) => !h.lines.filter((l) => l[0] !== ' ').every(importName));
      expect(bugHunks.length).toBeGreaterThan(0);
      for (const h of bugHunks) expect(h.lines.some((l) => l[0] === '+' && l.includes(`BUG(${id})`))).toBe(true);
    },
  );

  it.each(patches)('$id is canonical: re-diffing its applied copy gives the stored patch back', ({ name, text }) => {
    const applied = applyGalleryPatch(name, baseline, text);
    const parsed = parsePatch(text);
    expect(formatPatch(patchMessage(parsed), GALLERY_BASELINE_FILE, diffHunks(baseline, applied))).toBe(text);
  });

  it('a baseline edit away from the patch applies with an offset; one on its lines is the clear conflict', () => {
    const { name, id, text } = patches[0]!;
    const parsed = parsePatch(text);
    const grown = `// a new line\n// and another\n${baseline}`;
    expect(applyGalleryPatch(name, grown, text)).toBe(
      `// a new line\n// and another\n${applyGalleryPatch(name, baseline, text)}`,
    );
    for (const hunk of parsed.hunks) {
      const at = hunkAt(baseline, hunk);
      const touched = editLine(baseline, at + hunk.lines.findIndex((l) => l[0] === '-' || l[0] === ' '), (l) => `${l} // fixed`);
      let error: unknown;
      try {
        applyGalleryPatch(name, touched, text);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(GalleryConflictError);
      expect((error as Error).message.split('\n')[0]).toBe(conflictMessage(id));
      expect((error as Error).message).toContain(galleryPatchFile(name));
    }
  });

  it('the applier refuses fuzz: a hunk whose context moved apart does not apply', () => {
    const hunk: Hunk = { oldStart: 2, oldLines: 3, newStart: 2, newLines: 3, section: '', lines: [' b', '-c', '+C', ' d'] };
    expect(applyHunks('a\nb\nc\nd\ne', [hunk])).toBe('a\nb\nC\nd\ne');
    expect(applyHunks('x\ny\na\nb\nc\nd\ne', [hunk])).toBe('x\ny\na\nb\nC\nd\ne');
    expect(() => applyHunks('a\nb\nX\nc\nd\ne', [hunk])).toThrow(/hunk #1/);
  });
});

describe('under Stryker', () => {
  it('the gallery is applied to the pristine baseline, not to the instrumented one in the sandbox', () => {
    const project = mkdtempSync(join(tmpdir(), 'mprotect-gallery-stryker-'));
    try {
      const sandbox = join(project, '.stryker-tmp', 'sandbox-1');
      for (const root of [project, sandbox]) {
        cpSync(join(ROOT, 'src/kernel/variants/bad'), join(root, 'src/kernel/variants/bad'), { recursive: true });
        writeFileSync(join(root, GALLERY_BASELINE_FILE), baseline);
      }
      // What an instrumented file looks like to us: the Stryker namespace helper, code rewritten.
      writeFileSync(
        join(sandbox, GALLERY_BASELINE_FILE),
        `// @ts-nocheck\nfunction stryNS_9fa48() {}\n${baseline.replace(/return/g, 'return stryMutAct_9fa48("1") ? 0 :')}`,
      );
      expect(materializeGallery(sandbox)).toEqual([]);
      const { name, text } = patches[0]!;
      expect(readFileSync(join(sandbox, galleryAppliedFile(name)), 'utf8')).toContain(applyGalleryPatch(name, baseline, text));
      // Outside a sandbox an instrumented-looking baseline is taken as it is, so the patches conflict.
      writeFileSync(join(project, GALLERY_BASELINE_FILE), readFileSync(join(sandbox, GALLERY_BASELINE_FILE), 'utf8'));
      expect(materializeGallery(project).length).toBeGreaterThan(0);
    } finally {
      rmSync(project, { recursive: true, force: true });
    }
  });
});

// End to end on a copy of the sources with a conflicting baseline edit.
describe('a conflicting baseline edit in a checkout', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mprotect-gallery-conflict-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  // src/kernel/.gallery comes along: it holds the baseline the patches were last applied to.
  for (const part of ['src', 'spec', 'bin', 'package.json', 'tsconfig.json'])
    cpSync(join(ROOT, part), join(dir, part), { recursive: true });
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  const cli = (...args: string[]) =>
    spawnSync(process.execPath, [join(dir, 'bin/mprotect-spec.js'), ...args], { cwd: dir, encoding: 'utf8', timeout: 60_000 });

  const { name, id, text } = patches.find((p) => p.id === 'b2')!;
  // The hunk with the bug itself (no other gallery patch touches those lines).
  const hunk = parsePatch(text).hunks.find((h) => h.lines.some((l) => l.includes(`BUG(${id})`)))!;
  const at = hunkAt(baseline, hunk);
  const firstChange = hunk.lines.findIndex((l) => l[0] === '-');
  const baselinePath = join(dir, GALLERY_BASELINE_FILE);

  it('names the known bugs for an unknown id (exit 2)', () => {
    const r = cli('gallery', 'refresh', 'b99');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('unknown gallery bug "b99"; known: b2, b3');
  });

  it('stops the CLI with the clear message and exit 2; refresh merges a change next to the bug', () => {
    // A context line two or more lines above the change: the patch no longer applies, a merge is clean.
    expect(firstChange).toBeGreaterThanOrEqual(2);
    writeFileSync(
      baselinePath,
      editLine(baseline, at, (l) => `${l} // fidelity fix`),
    );
    const list = cli('list');
    expect(list.status).toBe(2);
    expect(list.stderr).toContain(conflictMessage(id));
    const refresh = cli('gallery', 'refresh', id);
    expect(refresh.stderr).toBe('');
    expect(refresh.status).toBe(0);
    expect(refresh.stdout).toContain('merged the baseline change into the bug');
    const again = cli('list');
    expect(again.stderr).toBe('');
    expect(again.status).toBe(0);
    expect(again.stdout).toContain(name);
    const applied = readFileSync(join(dir, `src/kernel/.gallery/${name}.ts`), 'utf8');
    expect(applied).toContain('// fidelity fix');
    expect(applied).toContain(`BUG(${id})`);
  });

  it('an edit on the bug`s own line leaves conflict markers to resolve (exit 2), then refresh takes the resolution', () => {
    const fixed = readFileSync(baselinePath, 'utf8');
    const lineOfChange = fixed.split('\n').indexOf(hunk.lines[firstChange]!.slice(1));
    expect(lineOfChange).toBeGreaterThan(0);
    writeFileSync(
      baselinePath,
      editLine(fixed, lineOfChange, (l) => `${l} // another fix`),
    );
    const refresh = cli('gallery', 'refresh', id);
    expect(refresh.status).toBe(2);
    expect(refresh.stderr).toContain('resolve the conflict markers');
    const edit = join(dir, `src/kernel/.gallery/${name}.edit.ts`);
    expect(readFileSync(edit, 'utf8')).toMatch(/^<{7} /m);
    expect(cli('gallery', 'refresh', id).status).toBe(2); // markers still there
    // Resolve: keep the bug's side of the conflict.
    const resolved = readFileSync(edit, 'utf8').replace(/^<{7} .*\n([\s\S]*?)^={7}\n[\s\S]*?^>{7} .*\n/gm, '$1');
    writeFileSync(edit, resolved);
    const done = cli('gallery', 'refresh', id);
    expect(done.status).toBe(0);
    expect(existsSync(edit)).toBe(false);
    expect(cli('list').status).toBe(0);
  });
});
