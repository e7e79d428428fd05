// VMA kinds and callers: the combinations real callers produce (§6.1). The
// builder adapts the VMA to the caller (uffd callers register uffd-wp, TRY
// callers get VM_WRITE), so every pair is valid.
import fc from 'fast-check';
import type { Caller, ConfigKind, Perm, VmaKind, VmaLayout } from './layout.js';

const rec = { noNullPrototype: true } as const;

export const configArb: fc.Arbitrary<ConfigKind> = fc.oneof(
  { arbitrary: fc.constant<ConfigKind>('x86-64'), weight: 6 },
  { arbitrary: fc.constant<ConfigKind>('x86-64-nosd'), weight: 2 },
  { arbitrary: fc.constant<ConfigKind>('arm64'), weight: 2 },
);

export const callerArb: fc.Arbitrary<Caller> = fc.constantFrom<Caller>(
  'mprotect-try',
  'mprotect',
  'numa',
  'uffd-wp',
  'uffd-resolve',
  'uffd-resolve-try',
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
    prot: fc.constantFrom<Perm>('rw', 'r', 'rwx', 'rx', 'none'),
    softDirtyTracking: fc.boolean(),
    uffdWp: fc.boolean(),
    uffdWpUnpopulated: fc.boolean(),
    pageMkwrite: fc.boolean(),
    pfnShared: fc.boolean(),
    pkey: fc.oneof({ arbitrary: fc.constant(0), weight: 4 }, { arbitrary: fc.constant(1), weight: 1 }),
  },
  rec,
);
