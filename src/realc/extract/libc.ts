// SPDX-License-Identifier: GPL-2.0-only
// Names the C compiler and its standard headers provide. A kernel file may
// use them (ULONG_MAX, NULL, offsetof ...); they resolve only when the shim
// includes the header that declares them, else they are reported as missing
// with the header to include.

/** Standard header -> the names it declares that kernel code is seen to use. */
export const STANDARD_HEADERS: Readonly<Record<string, readonly string[]>> = {
  'stddef.h': ['NULL', 'offsetof', 'size_t', 'ptrdiff_t'],
  'stdbool.h': ['bool', 'true', 'false'],
  'stdint.h': [
    'uint8_t',
    'uint16_t',
    'uint32_t',
    'uint64_t',
    'int8_t',
    'int16_t',
    'int32_t',
    'int64_t',
    'uintptr_t',
    'intptr_t',
    'UINT64_MAX',
  ],
  'limits.h': ['ULONG_MAX', 'LONG_MAX', 'LONG_MIN', 'INT_MAX', 'INT_MIN', 'UINT_MAX', 'CHAR_BIT'],
  'string.h': ['memset', 'memcpy', 'memcmp', 'memmove', 'strlen'],
  'stdlib.h': ['abort'],
  'assert.h': ['assert'],
  'setjmp.h': ['jmp_buf', 'setjmp', 'longjmp'],
};

/** Keywords and builtins of GNU C that the grammar reads as identifiers. */
export const COMPILER_NAMES: ReadonlySet<string> = new Set([
  'typeof',
  '__typeof__',
  '__typeof',
  '__auto_type',
  '__func__',
  '__FUNCTION__',
  '__LINE__',
  '__FILE__',
  '__COUNTER__',
  '__VA_ARGS__',
  '__VA_OPT__',
  '_Static_assert',
  '_Generic',
  '__extension__',
  '__alignof__',
  '_Alignof',
  'asm',
  '__asm__',
  '__volatile__',
  'defined',
]);

export const isCompilerName = (name: string): boolean => COMPILER_NAMES.has(name) || name.startsWith('__builtin_');

/** The standard header that declares `name`, if any. */
export function standardHeaderOf(name: string): string | undefined {
  for (const [header, names] of Object.entries(STANDARD_HEADERS)) if (names.includes(name)) return header;
  return undefined;
}
