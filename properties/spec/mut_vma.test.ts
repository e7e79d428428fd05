// SPDX-License-Identifier: GPL-2.0-only
// V6 usesUffdWpMarkers() = userfaultfd_wp_use_markers() (include/linux/userfaultfd_k.h), on every VMA kind
// including unregistered ones, which change_protection() never asks about (uffd flags need registration,
// W-CP.3) but the oracle and the tests reuse the helper for. SEMANTICS §9 (R-NONE.1).
import { describe, expect, it } from 'vitest';
import { usesUffdWpMarkers } from '../../spec/index.js';
import { mkVma, VM_READ, VM_SHARED, VM_UFFD_WP, VM_WRITE } from '../../src/pte/index.js';

describe('V6 usesUffdWpMarkers(): markers only for uffd-wp registered VMAs', () => {
  const vma = (registered: boolean, anonymous: boolean, uffdWpUnpopulated = false) =>
    mkVma({
      start: 0,
      end: 1,
      flags: VM_READ | VM_WRITE | (anonymous ? 0 : VM_SHARED) | (registered ? VM_UFFD_WP : 0),
      anonymous,
      uffdWpUnpopulated,
    });

  it('not registered: never, for anonymous and file-backed VMAs alike (`!userfaultfd_wp(vma)` -> false)', () => {
    expect(usesUffdWpMarkers(vma(false, true))).toBe(false);
    expect(usesUffdWpMarkers(vma(false, false))).toBe(false);
  });

  it('registered: always for file-backed VMAs; for anonymous ones only with UFFD_FEATURE_WP_UNPOPULATED', () => {
    expect(usesUffdWpMarkers(vma(true, false))).toBe(true);
    expect(usesUffdWpMarkers(vma(true, true))).toBe(false);
    expect(usesUffdWpMarkers(vma(true, true, true))).toBe(true);
  });
});
