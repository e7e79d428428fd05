// SPDX-License-Identifier: GPL-2.0-only
// Issue 14 item 3: one licence, said the same way everywhere: LICENSE holds
// the GPL version 2 text, package.json says GPL-2.0-only, and every source
// file opens with the SPDX line (the kernel's own convention).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const SOURCE = ['.ts', '.mts', '.mjs', '.js', '.c', '.h', '.sh', '.py'];

describe('licence', () => {
  it('LICENSE and package.json agree on GPL-2.0-only', () => {
    expect(readFileSync('LICENSE', 'utf8')).toMatch(/GNU GENERAL PUBLIC LICENSE\s+Version 2, June 1991/);
    expect(JSON.parse(readFileSync('package.json', 'utf8')).license).toBe('GPL-2.0-only');
  });

  it('every tracked source file carries the SPDX line in its first three lines', () => {
    const files = execFileSync('git', ['ls-files'], { encoding: 'utf8' })
      .split('\n')
      .filter((f) => SOURCE.some((ext) => f.endsWith(ext)));
    expect(files.length).toBeGreaterThan(100);
    const missing = files.filter(
      (f) => !readFileSync(f, 'utf8').split('\n', 3).join('\n').includes('SPDX-License-Identifier: GPL-2.0-only'),
    );
    expect(missing).toEqual([]);
  });
});
