// SPDX-License-Identifier: GPL-2.0-only
// The world: types, bit vocabulary and kernel-named accessors shared by the
// spec and the kernel model (which never import each other). Encoding (types,
// bit layout, validation, format) in this folder; arch semantics (pte_modify,
// pmd_modify, flush rules, protection map, modifiers) in arch/.
export * from './addr.js';
export * from './arch/index.js';
export * from './bits.js';
export * from './folio.js';
export * from './format.js';
export * from './freeze.js';
export * from './pte_ops.js';
export * from './softleaf.js';
export type * from './types.js';
export * from './validate.js';
export * from './vma.js';
export * from './world.js';
