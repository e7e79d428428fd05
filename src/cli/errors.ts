// SPDX-License-Identifier: GPL-2.0-only
// Bad usage or bad input: exit code 2 with a one-line message.
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export const EXIT_OK = 0;
export const EXIT_DIVERGENCE = 1;
export const EXIT_USAGE = 2;
