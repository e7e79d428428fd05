// SPDX-License-Identifier: GPL-2.0-only
// Hand scenarios for the held-out broken specs (heldout.ts): each is the
// shortest life cycle that shows a held-out mistake to the live kernel. They
// prove the mistake is visible from userspace where the default campaign at some
// seed missed it or found it rarely (docs/strength.md §4), and show the step the
// generator must reach. `kills`: the engines the scenario fails.
import type { Op, Scenario } from '../../src/oracle/index.js';
import type { HeldOutEngineId } from './heldout.js';

const map = (kind: Extract<Op, { op: 'map' }>['kind'], pages: number, thp = false): Op => ({ op: 'map', kind, pages, thp });
const acc = (page: number, access: 'read' | 'write' | 'none'): Op => ({ op: 'access', region: 0, page, access });
const mprotect = (first: number, count: number, prot: Extract<Op, { op: 'mprotect' }>['prot']): Op => ({
  op: 'mprotect',
  region: 0,
  first,
  count,
  prot,
});
const uffdWp = (first: number, count: number, on: boolean): Op => ({ op: 'uffd_wp', region: 0, first, count, on });
const register: Op = { op: 'uffd_register', region: 0, unpopulated: false };

export interface HandScenario {
  readonly name: string;
  readonly scenario: Scenario;
  readonly kills: readonly HeldOutEngineId[];
}

export const HAND_SCENARIOS: readonly HandScenario[] = [
  {
    name: 'guard page inside a uffd-wp registered anonymous region: protect over it, look, resolve over it, touch it',
    scenario: {
      ops: [
        map('anon', 4),
        { op: 'uffd_register', region: 0, unpopulated: false },
        acc(0, 'write'),
        { op: 'guard_install', region: 0, first: 1, count: 1 },
        uffdWp(0, 3, true),
        acc(1, 'none'),
        uffdWp(0, 3, false),
        acc(1, 'read'),
        acc(0, 'write'),
      ],
    },
    kills: ['guard-marker-gets-uffd-wp', 'resolve-drops-guard-markers'],
  },
  {
    name: 'a whole THP shared with a live child: mprotect(r) + mprotect(rw) over the 2 MiB, write in the parent',
    scenario: {
      ops: [
        map('anon', 512, true),
        acc(0, 'write'),
        { op: 'fork' },
        mprotect(0, 512, 'r'),
        mprotect(0, 512, 'rw'),
        acc(0, 'write'),
      ],
    },
    kills: ['huge-pmd-upgrade-ignores-exclusive'],
  },
  {
    name: 'a PTE-mapped THP whose page 3 alone became exclusive again (fork, exit, write): away and back, write page 3',
    scenario: {
      ops: [
        map('anon', 512, true),
        acc(0, 'write'),
        { op: 'fork' },
        { op: 'exit', child: 0 },
        mprotect(0, 8, 'r'),
        mprotect(0, 8, 'rw'),
        acc(3, 'write'),
        mprotect(0, 8, 'r'),
        mprotect(0, 8, 'rw'),
        acc(3, 'write'),
      ],
    },
    kills: ['exclusive-read-from-head-page'],
  },
  {
    name: 'anonymous uffd-wp without WP_UNPOPULATED: protect an untouched page, look, write',
    scenario: {
      ops: [
        map('anon', 4),
        { op: 'uffd_register', region: 0, unpopulated: false },
        acc(0, 'write'),
        uffdWp(0, 2, true),
        acc(1, 'none'),
        acc(1, 'write'),
      ],
    },
    kills: ['markers-on-plain-anon'],
  },
  {
    name: 'shared ext4 file: one dirty page beside a clean one, away and back over both, write the clean one',
    scenario: {
      ops: [map('file_shared', 4), acc(0, 'write'), acc(1, 'read'), mprotect(0, 2, 'r'), mprotect(0, 2, 'rw'), acc(1, 'write')],
    },
    kills: ['shared-dirty-merged-over-range'],
  },
  {
    name: 'PROT_NONE over a written page, then read and write it',
    scenario: {
      ops: [map('anon', 2), acc(0, 'write'), mprotect(0, 1, 'none'), acc(0, 'read'), acc(0, 'write'), mprotect(0, 1, 'rw')],
    },
    kills: ['prot-none-not-applied'],
  },
  {
    name: 'two written anonymous pages, uffd-wp protect over both, write the second',
    scenario: { ops: [map('anon', 2), register, acc(0, 'write'), acc(1, 'write'), uffdWp(0, 2, true), acc(1, 'write')] },
    kills: ['walk-stops-one-short'],
  },
  {
    name: 'a read (zero page), away and back, write',
    scenario: { ops: [map('anon', 2), acc(0, 'read'), mprotect(0, 1, 'r'), mprotect(0, 1, 'rw'), acc(0, 'write')] },
    kills: ['zero-page-upgraded'],
  },
  {
    name: 'a read of a private memfd page, away and back, write',
    scenario: { ops: [map('memfd_private', 2), acc(0, 'read'), mprotect(0, 1, 'r'), mprotect(0, 1, 'rw'), acc(0, 'write')] },
    kills: ['private-file-page-upgraded'],
  },
  {
    name: 'a written page, PROT_NONE and back to rw, write',
    scenario: { ops: [map('anon', 2), acc(0, 'write'), mprotect(0, 1, 'none'), mprotect(0, 1, 'rw'), acc(0, 'write')] },
    kills: ['gate-checks-old-protnone'],
  },
  {
    name: 'a read (zero page) in a uffd-wp region, protect it, look, write',
    scenario: { ops: [map('anon', 2), register, acc(0, 'read'), uffdWp(0, 1, true), acc(0, 'none'), acc(0, 'write')] },
    kills: ['protect-skips-readonly-entries'],
  },
  {
    name: 'shared memory: protect two empty pages (markers), away and back, look and write',
    scenario: {
      ops: [
        map('memfd_shared', 2),
        register,
        uffdWp(0, 2, true),
        mprotect(0, 2, 'r'),
        mprotect(0, 2, 'rw'),
        acc(1, 'none'),
        acc(1, 'write'),
      ],
    },
    kills: ['mprotect-clears-uffd-markers'],
  },
  {
    name: 'a written page, mprotect(r) and back to rw, write',
    scenario: { ops: [map('anon', 2), acc(0, 'write'), mprotect(0, 1, 'r'), mprotect(0, 1, 'rw'), acc(0, 'write')] },
    kills: ['mprotect-walks-with-old-vma', 'try-from-old-flags'],
  },
  {
    name: 'uffd-wp registered shared anonymous memory (writenotify): a written page, mprotect(rx) and back to rw, write',
    scenario: {
      ops: [map('anon_shared', 4), register, acc(3, 'write'), mprotect(3, 1, 'rx'), mprotect(3, 1, 'rw'), acc(3, 'write')],
    },
    kills: ['modify-keeps-write'],
  },
];
