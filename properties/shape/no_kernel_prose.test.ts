// SPDX-License-Identifier: GPL-2.0-only
// Guard for issue 14 item 2: no file under src/, spec/ or oracle/ shares 12
// consecutive words (or a whole shorter phrase) with a kernel comment listed
// in kernel_phrases.ts; shown to fail on a planted copy.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { KERNEL_PHRASES, RUN, sharedRuns, words } from './kernel_phrases.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    if (name.startsWith('.') || name === 'node_modules' || name === 'build') return [];
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

describe('no kernel comment prose in the project', () => {
  it('the phrase list is long enough to mean something and every phrase is at least four words', () => {
    expect(KERNEL_PHRASES.length).toBeGreaterThanOrEqual(40);
    for (const p of KERNEL_PHRASES) expect(words(p).length, p).toBeGreaterThanOrEqual(4);
  });

  it('catches a planted copy: a comment that repeats a kernel sentence, in another comment style and wrapping', () => {
    const planted = [
      'function f() {',
      '  // A protection check is difficult so',
      '  // just be safe and disable write',
      '  return 0;',
      '}',
    ].join('\n');
    expect(sharedRuns(planted).map((r) => r.phrase)).toEqual([
      'A protection check is difficult so just be safe and disable write',
    ]);
    const long = '/*\n * In all writable, private mappings, we have to properly handle COW. In both cases, we can sometimes\n */';
    expect(sharedRuns(long)).toHaveLength(1);
    // Our own sentence about the same branch passes.
    expect(sharedRuns('// Write migration entries lose write here: checking the new protection is not attempted.')).toEqual([]);
    // Eleven words of a long phrase are not a copy; twelve are.
    const phrase = KERNEL_PHRASES.find((p) => words(p).length > 20)!;
    expect(
      sharedRuns(
        words(phrase)
          .slice(0, RUN - 1)
          .join(' '),
      ),
    ).toEqual([]);
    expect(sharedRuns(words(phrase).slice(0, RUN).join(' '))).toHaveLength(1);
  });

  it('no file under src/, spec/ or oracle/ repeats one', () => {
    const offenders: string[] = [];
    for (const dir of ['src', 'spec', 'oracle'])
      for (const file of filesUnder(join(ROOT, dir)))
        for (const run of sharedRuns(readFileSync(file, 'utf8')))
          offenders.push(`${relative(ROOT, file)}: "${run.shared}" (kernel: ${run.phrase})`);
    expect(offenders).toEqual([]);
  });
});
