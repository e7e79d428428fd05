// SPDX-License-Identifier: GPL-2.0-only
// Inputs are frozen once per case: a candidate that writes to its input then
// throws a TypeError (ESM is strict mode), which the harness reports as mutation.
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  }
  return value;
}
