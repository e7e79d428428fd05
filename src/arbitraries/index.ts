// SPDX-License-Identifier: GPL-2.0-only
export * from './build_world.js';
export * from './folio_arb.js';
export type * from './layout.js';
export * from './pte_bits_arb.js';
export * from './segment_arb.js';
export * from './vma_arb.js';
export * from './world_arb.js';
