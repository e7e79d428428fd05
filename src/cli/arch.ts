// SPDX-License-Identifier: GPL-2.0-only
// `--arch`: worlds of one architecture only. worldArb has no such option, so
// the layout's `config` is rewritten before the world is built; the unmapper is
// kept (a rewritten layout is still a layout), so shrinking works as before.
import type fc from 'fast-check';
import { buildWorld, type ConfigKind, type Layout, layoutArb, unbuildWorld, type WorldArbOptions } from '../arbitraries/index.js';
import { LABELS, type LabelDef } from '../coverage/index.js';
import type { Arch, World } from '../pte/index.js';

export const ARCHES: readonly Arch[] = ['x86-64', 'arm64'];

function toArch(config: ConfigKind, arch: Arch): ConfigKind {
  if (arch === 'arm64') return 'arm64';
  return config === 'arm64' ? 'x86-64' : config; // keep the x86-64 soft-dirty on/off mix
}

/** worldArb restricted to one architecture (undefined: all of them). */
export function archWorldArb(options: WorldArbOptions, arch: Arch | undefined): fc.Arbitrary<World> {
  const layouts = layoutArb(options);
  const restricted = arch
    ? layouts.map(
        (l): Layout => (l.config === toArch(l.config, arch) ? l : { ...l, config: toArch(l.config, arch) }),
        (v) => v as Layout,
      )
    : layouts;
  return restricted.map(buildWorld, unbuildWorld);
}

/** Coverage labels that can occur under `arch` (arm64 has no soft-dirty; x86-64 no arm64 label). */
export function labelsFor(arch: Arch | undefined): readonly LabelDef[] {
  if (arch === 'x86-64') return LABELS.filter((l) => l.id !== 'arm64');
  if (arch === 'arm64') return LABELS.filter((l) => l.id !== 'arm64' && !l.id.startsWith('soft-dirty'));
  return LABELS;
}
