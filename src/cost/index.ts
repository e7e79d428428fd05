// SPDX-License-Identifier: GPL-2.0-only
// What a candidate costs: primitive calls per PTE on standard shapes (issue 15).
export * from './compare.js';
export * from './count.js';
export * from './kernel.js';
export * from './report.js';
export * from './shapes.js';
