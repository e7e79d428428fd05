// SPDX-License-Identifier: GPL-2.0-only
// The kernel model: kernel-named primitives (lib/), one file per upstream
// version (variants/), and the registry every consumer iterates.
export {
  BASELINE_VARIANT,
  getVariant,
  loadErrorOf,
  runVariant,
  VARIANTS,
  type Variant,
  VariantLoadError,
  type Verdict,
} from './registry.js';
