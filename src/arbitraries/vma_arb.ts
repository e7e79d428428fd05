// SPDX-License-Identifier: GPL-2.0-only
// VMA kinds and callers: the combinations real callers produce (§6.1). The
// builder adapts the VMA to the caller (uffd callers register uffd-wp, TRY
// callers get VM_WRITE), so every pair is valid.
import fc from 'fast-check';
import type { Caller, ConfigKind, VmaKind, VmaLayout, VmaPerm } from './layout.js';

const rec = { noNullPrototype: true } as const;

export const configArb: fc.Arbitrary<ConfigKind> = fc.oneof(
  { arbitrary: fc.constant<ConfigKind>('x86-64'), weight: 6 },
  { arbitrary: fc.constant<ConfigKind>('x86-64-nosd'), weight: 2 },
  { arbitrary: fc.constant<ConfigKind>('arm64'), weight: 2 },
);

/**
 * PROT_NUMA and mprotect-TRY twice as often as each other caller: the NUMA
 * skip rules read the most world facts (folio, mm, node), and TRY carries the
 * batch write-upgrade rules; together they keep the rare NUMA/THP labels and
 * mixed-exclusive-sub-runs above their minimums with one world in five a THP.
 */
export const callerArb: fc.Arbitrary<Caller> = fc.oneof(
  { arbitrary: fc.constant<Caller>('mprotect-try'), weight: 2 },
  { arbitrary: fc.constant<Caller>('mprotect'), weight: 1 },
  { arbitrary: fc.constant<Caller>('numa'), weight: 2 },
  { arbitrary: fc.constantFrom<Caller>('uffd-wp', 'uffd-resolve', 'uffd-resolve-try'), weight: 3 },
);

export const vmaKindArb: fc.Arbitrary<VmaKind> = fc.oneof(
  { arbitrary: fc.constant<VmaKind>('anon-private'), weight: 5 },
  { arbitrary: fc.constant<VmaKind>('file-shared'), weight: 2 },
  { arbitrary: fc.constant<VmaKind>('shmem'), weight: 2 },
  { arbitrary: fc.constant<VmaKind>('file-private'), weight: 2 },
  { arbitrary: fc.constant<VmaKind>('pfnmap'), weight: 1 },
);

export const vmaLayoutArb: fc.Arbitrary<VmaLayout> = fc.record(
  {
    kind: vmaKindArb,
    prot: fc.oneof(
      { arbitrary: fc.constantFrom<VmaPerm>('rw', 'r', 'rwx', 'rx', 'none'), weight: 10 },
      { arbitrary: fc.constantFrom<VmaPerm>('w', 'x', 'wx'), weight: 1 },
    ),
    softDirtyTracking: fc.boolean(),
    uffdWp: fc.boolean(),
    uffdWpUnpopulated: fc.boolean(),
    pageMkwrite: fc.boolean(),
    pfnShared: fc.boolean(),
    pkey: fc.oneof({ arbitrary: fc.constant(0), weight: 4 }, { arbitrary: fc.constant(1), weight: 1 }),
    // Write-back (0) mostly; uncached, write-through, write-combining (PAT) and mixes otherwise.
    cache: fc.oneof({ arbitrary: fc.constant(0), weight: 2 }, { arbitrary: fc.integer({ min: 1, max: 7 }), weight: 1 }),
    // pkey_mprotect() changing the key: the PTEs still carry the old one.
    oldPkey: fc.oneof({ arbitrary: fc.constant(null), weight: 4 }, { arbitrary: fc.integer({ min: 0, max: 3 }), weight: 1 }),
  },
  rec,
);
