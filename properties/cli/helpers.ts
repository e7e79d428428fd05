// SPDX-License-Identifier: GPL-2.0-only
// Running the CLI in-process with a memory Io, and temp directories.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Io } from '../../src/cli/io.js';
import { memoryIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export async function cli(args: readonly string[], io: Partial<Io> = {}): Promise<CliResult> {
  const m = memoryIo(io);
  const code = await main(args, m);
  return { code, stdout: m.stdout(), stderr: m.stderr() };
}

export const tempDir = (prefix = 'mprotect-spec-'): string => mkdtempSync(join(tmpdir(), prefix));

export const fixture = (name: string): string => `properties/cli/fixtures/${name}.ts`;

export const BAD = 'v6.17-cac1db8c3aad';
