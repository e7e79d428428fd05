// SPDX-License-Identifier: GPL-2.0-only
// Naming the tree in a report: `git describe --always --dirty` when DIR is the
// top of a git work tree, else the path.
import { spawnSync } from 'node:child_process';
import { realpathSync } from 'node:fs';

export function describeTree(dir: string): { path: string; git: string | null; text: string } {
  const git = (...args: string[]) => spawnSync('git', ['-C', dir, ...args], { encoding: 'utf8' });
  const top = git('rev-parse', '--show-toplevel');
  let real = dir;
  try {
    real = realpathSync(dir);
  } catch {
    // keep the path as given
  }
  if (top.status === 0 && !top.error) {
    let topReal = top.stdout.trim();
    try {
      topReal = realpathSync(topReal);
    } catch {
      // keep git's answer
    }
    if (topReal === real) {
      const d = git('describe', '--always', '--dirty');
      const desc = d.status === 0 ? d.stdout.trim() : null;
      if (desc) return { path: dir, git: desc, text: `${dir} (git ${desc})` };
    }
  }
  return { path: dir, git: null, text: dir };
}
