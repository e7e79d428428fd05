// SPDX-License-Identifier: GPL-2.0-only
// Kernel primitives the variants call, one concern per file, kernel names.
export * from './bug.js';
export * from './context.js';
export * from './folio_pte_batch.js';
export * from './huge_memory.js';
export * from './memmap.js';
export * from './mmu_gather.js';
export * from './numa.js';
export * from './opcount.js';
export * from './page.js';
export * from './pgtable.js';
export * from './pmd.js';
export * from './pte_ops.js';
export * from './swapops.js';
export * from './userfaultfd.js';
export * from './walk.js';
