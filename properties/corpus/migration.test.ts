// SPDX-License-Identifier: GPL-2.0-only
// Corpus schema migration: a version-1 file (written before W-VMA.6, when the
// model's VMAs lacked _PAGE_ACCESSED) still reads, as version 2, with the bit
// added, and replays as recorded. Nothing stored is lost to a model fix.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { replayEntry } from '../../src/check/index.js';
import { _PAGE_ACCESSED, checkWorld, type World } from '../../src/pte/index.js';
import { CORPUS_SCHEMA_VERSION, readCorpusFile } from '../../src/store/index.js';

const STORED = 'counterexamples/invariants/ab4fd21d5ad3.json';

/** The stored file as version 1 wrote it: schemaVersion 1, no accessed bit. */
function asVersion1(): string {
  const json = JSON.parse(readFileSync(STORED, 'utf8'));
  json.schemaVersion = 1;
  json.world.vma.vm_page_prot &= ~_PAGE_ACCESSED;
  const file = join(mkdtempSync(join(tmpdir(), 'mprotect-spec-v1-')), 'v1.json');
  writeFileSync(file, `${JSON.stringify(json, null, 2)}\n`);
  return file;
}

describe('corpus schema 1 -> 2', () => {
  it('the current version is 2 and the repository corpus is stored in it', () => {
    expect(CORPUS_SCHEMA_VERSION).toBe(2);
    expect(JSON.parse(readFileSync(STORED, 'utf8')).schemaVersion).toBe(2);
  });

  it('a version-1 world without _PAGE_ACCESSED is invalid as it stands (W-VMA.6)', () => {
    const json = JSON.parse(readFileSync(asVersion1(), 'utf8'));
    expect(checkWorld(json.world as World).map((p) => p.rule)).toContain('W-VMA.6');
  });

  it('reads a version-1 file as version 2 with the bit added, and it replays as recorded', () => {
    const v1 = readCorpusFile(asVersion1());
    const v2 = readCorpusFile(STORED);
    expect(v1.data.schemaVersion).toBe(2);
    expect(v1.data.world.vma.vm_page_prot & _PAGE_ACCESSED).toBe(_PAGE_ACCESSED);
    expect(v1.data.world).toEqual(v2.data.world);
    expect(replayEntry(v1).ok).toBe(true);
  });
});
