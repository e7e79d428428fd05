// SPDX-License-Identifier: GPL-2.0-only
// The committed corpus, replayed without randomness: one test per file, so a
// JUnit report names each stored counterexample. A malformed file fails its
// own test (naming the file and the field) and no other.
import { describe, expect, it } from 'vitest';
import { replayEntry } from '../../src/check/index.js';
import { displayPath } from '../../src/store/corpus.js';
import { corpusFiles, DEFAULT_CORPUS_DIR, readCorpusFile } from '../../src/store/index.js';

const files = corpusFiles([DEFAULT_CORPUS_DIR]);

describe('counterexamples/ replays as recorded', () => {
  it('the corpus is not empty (the head-page bug is stored)', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  it.each(files.map((f) => [displayPath(f)]))('%s', (file) => {
    const result = replayEntry(readCorpusFile(file));
    const changed = result.rows
      .filter((r) => r.status === 'changed')
      .map((r) => `${r.target}: expected ${r.expected}, now ${r.actual} (${r.detail ?? ''})`);
    expect([...result.problems, ...changed]).toEqual([]);
  });
});
