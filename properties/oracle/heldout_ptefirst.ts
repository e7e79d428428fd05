// SPDX-License-Identifier: GPL-2.0-only
// TEST ONLY. A demonstration for the held-out measurement (docs/strength.md §4):
// the process model decides SIGSEGV from the VMA's protection before it looks at
// the page-table entry the spec produced (src/oracle/model/faults.ts access()).
// For the real spec the two agree (an entry never allows more than its VMA), so
// the model is right; but a broken spec that leaves an entry MORE permissive than
// its VMA (PROT_NONE not applied, the write bit kept) is then predicted to fault
// exactly like the kernel, and no scenario can tell it from the spec.
//
// This predictor asks the entry first, as the MMU does: a present PTE that allows
// the access is used without a fault, whatever the VMA says (x86: a read needs
// the entry present and not PROT_NONE; a write also needs the RW bit). Only when
// the entry does not allow it does the VMA check (SIGSEGV) and the fault handler
// of the model run. Measured with the held-out engines: it kills the PROT_NONE
// mistake from the default campaign's own scenarios, with the spec still at 0
// disagreements. It is a proposal for faults.ts, kept here because model/* is
// another engineer's file.

import type { Decision } from '../../src/oracle/decisions.js';
import type { SpecEngine } from '../../src/oracle/engine.js';
import type { ModelSettings } from '../../src/oracle/model/state.js';
import type { PredictedOpResult } from '../../src/oracle/observation.js';
import { type Prediction, ProcessModel } from '../../src/oracle/predict.js';
import type { Scenario } from '../../src/oracle/scenario.js';
import { pte_protnone, pte_write } from '../../src/pte/index.js';

class PteFirstModel extends ProcessModel {
  override access(region: number, page: number, access: 'read' | 'write' | 'none'): PredictedOpResult {
    const r = this.regions[region]!;
    if (access === 'none' || r.unknownWhy !== null || r.pmd.kind === 'hugezero') return super.access(region, page, access);
    const entry = r.pmd.kind === 'huge' ? r.pmd.pmd : r.ptes[page]!;
    const allows = entry.kind === 'present' && !pte_protnone(entry) && (access === 'read' || pte_write(entry));
    if (!allows) return super.access(region, page, access);
    const view = this.view(r, page);
    return {
      err: 0,
      probe: {
        before: view,
        after: view,
        segv: false,
        fault: false,
        faults: 0,
        copied: false,
        uffd: false,
        pmdMapped: this.hasPmdMapping(r),
      },
    };
  }
}

/** predict() (src/oracle/predict.ts) with the entry-first access rule. */
export function predictPteFirst(s: Scenario, opts: { engine?: SpecEngine; settings?: ModelSettings } = {}): Prediction {
  const m = new PteFirstModel(opts.engine, opts.settings);
  const decisive: Decision[][] = [];
  const ops = s.ops.map((o): PredictedOpResult => {
    decisive.push(o.op === 'access' ? m.takeDecisions(o.region, o.page, o.access) : []);
    switch (o.op) {
      case 'map':
        return m.map(o.kind, o.pages, o.thp);
      case 'access':
        return m.access(o.region, o.page, o.access);
      case 'fork':
        return m.fork();
      case 'exit':
        return m.exit(o.child);
      case 'mprotect':
        return { ...m.mprotect(o.region, o.first, o.count, o.prot), vmas: m.vmaLayout(o.region) };
      case 'dontneed':
        return m.dontneed(o.region, o.first, o.count);
      case 'guard_install':
        return m.guardInstall(o.region, o.first, o.count);
      case 'guard_remove':
        return m.guardRemove(o.region, o.first, o.count);
      case 'uffd_register':
        return m.uffdRegister(o.region, o.unpopulated);
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
