// SPDX-License-Identifier: GPL-2.0-only
export * from './guard.js';
export * from './metamorphic.js';
export * from './narrow.js';
export * from './properties.js';
export * from './registry_targets.js';
export * from './replay.js';
export * from './run.js';
export * from './target.js';
export * from './verdicts.js';
