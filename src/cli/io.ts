// SPDX-License-Identifier: GPL-2.0-only
// Where the CLI writes. main() takes an Io so tests can run it in-process.
export interface Io {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  /** stdout is a terminal (colour). */
  readonly outIsTTY: boolean;
  /** stderr is a terminal (progress bar instead of progress lines). */
  readonly errIsTTY: boolean;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  /** Terminal width for the progress bar. */
  readonly columns: number;
}

export function processIo(): Io {
  return {
    out: (t) => process.stdout.write(t),
    err: (t) => process.stderr.write(t),
    outIsTTY: Boolean(process.stdout.isTTY),
    errIsTTY: Boolean(process.stderr.isTTY),
    env: process.env,
    cwd: process.cwd(),
    columns: process.stderr.columns || 80,
  };
}

/** An Io that records what was written (tests, and `--json` assembly). */
export function memoryIo(overrides: Partial<Io> = {}): Io & { stdout: () => string; stderr: () => string } {
  let out = '';
  let err = '';
  return {
    out: (t) => {
      out += t;
    },
    err: (t) => {
      err += t;
    },
    outIsTTY: false,
    errIsTTY: false,
    env: {},
    cwd: process.cwd(),
    columns: 80,
    ...overrides,
    stdout: () => out,
    stderr: () => err,
  };
}
