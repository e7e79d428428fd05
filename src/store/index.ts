// SPDX-License-Identifier: GPL-2.0-only
// The counterexample store: schema, reader (validation, migration), atomic
// writer. Judging a stored world (verdicts, replay) is the checker's job:
// src/check/verdicts.ts and src/check/replay.ts.
export * from './corpus.js';
export * from './schema.js';
export * from './versions.js';
