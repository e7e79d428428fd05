// SPDX-License-Identifier: GPL-2.0-only
// The reachability walk: from change_protection(), follow every name a
// compiled definition uses across the three kernel files. A name the shim
// defines stops the walk (model); a name the kernel files define is extracted
// and followed; a name defined by neither is missing. The walk also stops at
// the layers outside the page-table half (hugetlb, the mprotect_fixup and
// syscall layer): those must come from the shim.
import { KEYWORD_ATTRIBUTES } from './attributes.js';
import type { ConditionEvaluator } from './conditions.js';
import type { Definition, Namespace } from './definitions.js';
import { ExtractError } from './errors.js';
import { isCompilerName, standardHeaderOf } from './libc.js';
import { type Invocation, type MacroShape, pastedName, type Reference, type Scan, scanCode, scanMacro } from './references.js';
import type { Shim } from './shim.js';

/** Kernel functions never followed, whatever the files define. Sources:
 *  hugetlb_change_protection (mm/hugetlb.c), mprotect_fixup and
 *  do_mprotect_pkey (mm/mprotect.c, the VMA layer above change_protection). */
export const STOP_NAMES: ReadonlySet<string> = new Set(['hugetlb_change_protection', 'mprotect_fixup', 'do_mprotect_pkey']);

export interface Missing {
  readonly name: string;
  readonly ns: Namespace;
  /** First use, `file:line`. */
  readonly usedAt: string;
  /** The standard header that would declare it, when it is a C library name. */
  readonly header?: string;
}

export interface Walk {
  /** Extracted definitions, one per emitted node, in discovery order. */
  readonly defs: readonly Definition[];
  readonly scans: ReadonlyMap<Definition, Scan>;
  /** Model names used: identifiers, and tags as `struct X`. */
  readonly fromShim: ReadonlySet<string>;
  readonly libc: ReadonlySet<string>;
  readonly missing: readonly Missing[];
}

export interface WalkInput {
  readonly roots: readonly string[];
  readonly rootFile: string;
  readonly defs: ReadonlyMap<string, readonly Definition[]>;
  readonly shim: Shim;
  readonly evaluator: ConditionEvaluator;
}

const keyOf = (ns: Namespace, name: string) => `${ns}:${name}`;
const nodeKey = (d: Definition) => `${d.file.path}:${d.node.startIndex}`;

export function walk(input: WalkInput): Walk {
  const { shim, evaluator } = input;
  const visited = new Set<string>();
  const emitted = new Map<string, Definition>();
  const scans = new Map<Definition, Scan>();
  const fromShim = new Set<string>();
  const libc = new Set<string>();
  const missing: Missing[] = [];
  const invocations: Invocation[] = [];
  const shapes = new Map<string, { def: Definition; shape: MacroShape }>();
  const shapeCache = new Map<string, MacroShape>();

  const active = (ns: Namespace, name: string): Definition[] =>
    (input.defs.get(keyOf(ns, name)) ?? []).filter((d) => d.kind !== 'prototype' && evaluator.guardsHold(d.guards));

  // The shape of any kernel macro (for paste-only arguments), computed on demand.
  const kernelMacroShape = (name: string): MacroShape | undefined => {
    if (shim.ids.has(name) && shim.ids.get(name)?.kind !== 'prototype') return undefined;
    const cached = shapeCache.get(name);
    if (cached) return cached;
    const macros = (input.defs.get(keyOf('id', name)) ?? []).filter((d) => d.kind === 'macro');
    if (macros.length === 0) return undefined;
    const macro = macros.find((d) => evaluator.guardsHold(d.guards));
    if (!macro?.node.childForFieldName('value')?.text.includes('#')) return undefined;
    const shape = scanMacro(macro).shape;
    shapeCache.set(name, shape);
    return shape;
  };

  const isMacro = (name: string) =>
    shim.macros.has(name) || (input.defs.get(keyOf('id', name)) ?? []).some((d) => d.kind === 'macro');

  const queue: { ref: Reference; where: string }[] = input.roots.map((name) => ({
    ref: { name, ns: 'id' as const, line: 0 },
    where: input.rootFile,
  }));

  const extract = (def: Definition) => {
    const k = nodeKey(def);
    if (emitted.has(k)) return;
    emitted.set(k, def);
    let refs: readonly Reference[];
    if (def.kind === 'macro') {
      const m = scanMacro(def);
      refs = m.refs;
      invocations.push(...m.invocations);
      if (m.shape.pastes.length > 0) shapes.set(def.name, { def, shape: m.shape });
      scans.set(def, { refs, invocations: m.invocations, inactive: [] });
    } else {
      const s = scanCode(def, evaluator, kernelMacroShape, isMacro);
      refs = s.refs;
      invocations.push(...s.invocations);
      scans.set(def, s);
      // Attribute macros were blanked for the parser but are compiled: the shim must define them.
      const start = def.node.startIndex;
      const end = def.node.endIndex;
      for (const b of def.file.blanked) {
        if (b.index < start || b.index >= end || KEYWORD_ATTRIBUTES.has(b.name)) continue;
        if (s.inactive.some(([a, z]) => b.index >= a && b.index < z)) continue;
        const line = def.file.text.slice(0, b.index).split('\n').length;
        queue.push({ ref: { name: b.name, ns: 'id', line }, where: def.file.path });
      }
    }
    for (const r of refs) queue.push({ ref: r, where: def.file.path });
  };

  const visit = ({ ref, where }: { ref: Reference; where: string }) => {
    const key = keyOf(ref.ns, ref.name);
    if (visited.has(key)) return;
    visited.add(key);
    if (ref.ns === 'id' && isCompilerName(ref.name)) return;
    const shimHit = (ref.ns === 'tag' ? shim.tags : shim.ids).get(ref.name);
    const shown = ref.ns === 'tag' ? `struct ${ref.name}` : ref.name;
    const usedAt = ref.line > 0 ? `${where}:${ref.line}` : where;
    if (STOP_NAMES.has(ref.name) && ref.ns === 'id') {
      if (shimHit) fromShim.add(shown);
      else missing.push({ name: ref.name, ns: ref.ns, usedAt });
      return;
    }
    if (shimHit && shimHit.kind !== 'prototype') {
      fromShim.add(shown);
      return;
    }
    let kernel: Definition[];
    try {
      kernel = active(ref.ns, ref.name);
    } catch (error) {
      if (error instanceof ExtractError)
        throw new ExtractError(`${error.message} (deciding whether ${shown}, used at ${usedAt}, is compiled)`);
      throw error;
    }
    if (shimHit && kernel.length === 0) {
      fromShim.add(shown);
      return;
    }
    if (kernel.length > 0) {
      const byKind = new Map<string, Definition[]>();
      for (const d of kernel) byKind.set(d.kind, [...(byKind.get(d.kind) ?? []), d]);
      for (const [kind, ds] of byKind) {
        const nodes = new Set(ds.map(nodeKey));
        if (nodes.size > 1) {
          throw new ExtractError(
            `${shown} has ${nodes.size} compiled ${kind} definitions (${ds.map((d) => `${d.file.path}:${d.line}`).join(', ')}); ` +
              'the configuration should select one',
          );
        }
      }
      for (const d of kernel) extract(d);
      return;
    }
    const header = ref.ns === 'id' ? standardHeaderOf(ref.name) : undefined;
    if (header && shim.systemIncludes.has(header)) {
      libc.add(ref.name);
      return;
    }
    missing.push({ name: ref.name, ns: ref.ns, usedAt, ...(header ? { header } : {}) });
  };

  for (;;) {
    while (queue.length > 0) visit(queue.shift()!);
    // Token pasting: every argument a reached macro is invoked with yields a name.
    for (const { def, shape } of shapes.values()) {
      for (const inv of invocations) {
        if (inv.macro !== def.name) continue;
        for (const run of shape.pastes) {
          const name = pastedName(run, shape, inv.args);
          if (name && !visited.has(keyOf('id', name)))
            queue.push({ ref: { name, ns: 'id', line: def.line }, where: def.file.path });
        }
      }
    }
    if (queue.length === 0) break;
  }
  return { defs: [...emitted.values()], scans, fromShim, libc, missing };
}
