// SPDX-License-Identifier: GPL-2.0-only
// Patches for `check --kernel DIR --patch FILE` and `extract --patch FILE`.
export { type AppliedPatch, applyPatches, type PatchedTree, readPatches } from './apply.js';
export { describeTree } from './describe.js';
export { type FileDiff, type ParsedPatch, PatchError, parsePatchText } from './parse.js';
