// SPDX-License-Identifier: GPL-2.0-only
// Registry variants as check targets.
import { VARIANTS, type Variant } from '../kernel/index.js';
import type { CheckTarget } from './target.js';

export function variantTarget(variant: Variant): CheckTarget {
  return {
    name: variant.name,
    run: variant.run,
    batching: variant.batching,
    ...(variant.drift ? { drift: variant.drift } : {}),
  };
}

export const equivalentVariants = (): Variant[] => VARIANTS.filter((v) => v.verdict === 'equivalent');
export const knownBadVariants = (): Variant[] => VARIANTS.filter((v) => v.verdict === 'known-bad');
