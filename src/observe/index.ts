// SPDX-License-Identifier: GPL-2.0-only
export * from './batch_aware.js';
export * from './batch_runs.js';
export * from './drift.js';
export * from './exact.js';
export * from './inv_dirty.js';
export * from './invariants.js';
export * from './mismatch.js';
export * from './relation.js';
export * from './rules.js';
export * from './trace.js';
