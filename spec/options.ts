// SPDX-License-Identifier: GPL-2.0-only
// Options of the spec that a caller may set. Test-only rule overrides live in
// spec/rules.ts and are not reachable from here.

export interface SpecOptions {
  /** R-SL.5: today's kernel drops the swap uffd-wp bit when downgrading a migration-write entry. Default true. Set false to model the promised fix. */
  readonly migrationDropsUffd?: boolean;
}

/** The options with every default filled in. */
export interface ResolvedSpecOptions {
  readonly migrationDropsUffd: boolean;
}

export function resolveSpecOptions(options: SpecOptions | undefined): ResolvedSpecOptions {
  return { migrationDropsUffd: options?.migrationDropsUffd ?? true };
}
