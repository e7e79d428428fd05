// SPDX-License-Identifier: GPL-2.0-only
// A process-level model of what the live kernel does to a scenario, in layers
// (src/oracle/model/, one job per file): folios and mapcounts (folios.ts), the
// regions and their VMAs (regions.ts), the page table (page_table.ts),
// protection changes through the spec (protection.ts: mprotect_fixup_spec and
// uffd_wp_range_spec of spec/callers.ts, or another SpecEngine), the fault
// handlers (faults.ts), fork (fork.ts), madvise (madvise.ts) and the forked
// children's own accesses (child.ts). Every
// fault-path rule was checked on the live kernel first (oracle/README.md).
import type { Decision } from './decisions.js';
import type { SpecEngine } from './engine.js';
import { ChildModel } from './model/child.js';
import type { ModelNotes, ModelSettings } from './model/state.js';
import type { PredictedOpResult } from './observation.js';
import type { Scenario } from './scenario.js';

export type { ModelNotes, ModelSettings } from './model/state.js';

export interface PredictOptions {
  /** The spec entry points (default: the spec). */
  readonly engine?: SpecEngine;
  /** What the machine's settings allow (default: no mTHP size); see modelSettings() in environment.ts. */
  readonly settings?: ModelSettings;
  /** The process model class (default ProcessModel); tests pass a subclass with one rule broken. */
  readonly model?: new (
    engine?: SpecEngine,
    settings?: ModelSettings,
  ) => ProcessModel;
}

export class ProcessModel extends ChildModel {}

export interface Prediction {
  readonly ops: readonly PredictedOpResult[];
  /** Per op: the walk decisions whose outcome this access settles (a decisive probe); empty for other ops. */
  readonly decisive: readonly (readonly Decision[])[];
  readonly notes: ModelNotes;
}

/** Predict every op of a scenario. */
export function predict(s: Scenario, opts: PredictOptions = {}): Prediction {
  const m = new (opts.model ?? ProcessModel)(opts.engine, opts.settings);
  const decisive: Decision[][] = [];
  const ops = s.ops.map((o): PredictedOpResult => {
    decisive.push(o.op === 'access' ? m.takeDecisions(o.region, o.page, o.access) : []);
    switch (o.op) {
      case 'map':
        return m.map(o.kind, o.pages, o.thp);
      case 'map_alias':
        return m.mapAlias(o.of, o.shared);
      case 'access':
        return m.access(o.region, o.page, o.access);
      case 'fork':
        return m.fork();
      case 'exit':
        return m.exit(o.child);
      case 'child_access':
        return m.childAccess(o.child, o.region, o.page, o.access);
      case 'mprotect': {
        const res = m.mprotect(o.region, o.first, o.count, o.prot);
        return { ...res, vmas: m.vmaLayout(o.region) };
      }
      case 'dontneed':
        return m.dontneed(o.region, o.first, o.count);
      case 'guard_install':
        return m.guardInstall(o.region, o.first, o.count);
      case 'guard_remove':
        return m.guardRemove(o.region, o.first, o.count);
      case 'uffd_register':
        return m.uffdRegister(o.region, o.unpopulated, o.async ?? false);
      case 'uffd_wp':
        return m.uffdWp(o.region, o.first, o.count, o.on);
      case 'msync':
        return m.msync(o.region);
      default:
        throw new Error(`unknown op ${JSON.stringify(o satisfies never)}`);
    }
  });
  return { ops, decisive, notes: m.notes };
}
