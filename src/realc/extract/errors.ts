// SPDX-License-Identifier: GPL-2.0-only
// Bad input found while extracting: the CLI prints the message and exits 2.
export class ExtractError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExtractError';
  }
}
