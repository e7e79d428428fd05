// SPDX-License-Identifier: GPL-2.0-only
// The harness turns what the kernel code does wrong into findings, never a
// tool failure: a crash, a hang, a BUG and a WARN each make run() throw a
// message that names them; the child is respawned for the next case; a
// repeat build comes from the cache; a name the shim lacks is named.
import { describe, expect, it } from 'vitest';
import { change_protection_spec } from '../../spec/index.js';
import { getProperty, runProperty } from '../../src/check/index.js';
import {
  _PAGE_ACCESSED,
  _PAGE_PRESENT,
  _PAGE_RW,
  _PAGE_USER,
  MM_CP_TRY_CHANGE_WRITABLE,
  MM_CP_UFFD_WP,
  mk_pte,
  mkFolio,
  mkVma,
  mkWorld,
  VM_READ,
  VM_UFFD_WP,
  VM_WRITE,
  type World,
} from '../../src/pte/index.js';
import { BuildError, buildKernel, buildKey } from '../../src/realc/harness/build.js';
import { injected, PER_PTE_TU, testTargets } from './test_targets.js';

const { cacheDir, target } = testTargets('mprotect-realc-cache-');

const BASE = PER_PTE_TU;

const FLAGS = _PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED;
function world(cp_flags: number): World {
  const vma = mkVma({ start: 0x1000, end: 0x1004, flags: VM_READ | VM_WRITE | VM_UFFD_WP });
  return mkWorld({
    vma,
    ptes: [mk_pte(0x2000, FLAGS), { kind: 'none' }, { kind: 'none' }, { kind: 'none' }],
    folios: [mkFolio({ pfn: 0x2000 })],
    cp_flags,
  });
}
const TRIGGER = 'if (cp_flags & MM_CP_UFFD_WP)';

describe('findings', () => {
  it('a NULL dereference is a crash finding, and the next case runs in a new child', () => {
    const t = target(injected(`${TRIGGER} *(volatile int *)0 = 1;`), 'crash');
    expect(() => t.run(world(MM_CP_UFFD_WP))).toThrow(/C target crashed: SIGSEGV/);
    const out = t.run(world(MM_CP_TRY_CHANGE_WRITABLE));
    expect(out.ptes[0]).toEqual(mk_pte(0x2000, world(0).vma.vm_page_prot | (FLAGS & _PAGE_ACCESSED)));
    expect(t.spawns()).toBe(2);
  });

  it('a hang is ended by the child alarm and reported', () => {
    const t = target(injected(`${TRIGGER} for (;;) barrier();`), 'hang', 1);
    expect(() => t.run(world(MM_CP_UFFD_WP))).toThrow(/hang: the case did not finish in time/);
    expect(t.run(world(0)).count).toBe(1);
  });

  it('a WARN names the file, line and condition; the case still returns', () => {
    const t = target(injected(`WARN_ON_ONCE(cp_flags & MM_CP_UFFD_WP);`), 'warn');
    expect(() => t.run(world(MM_CP_UFFD_WP))).toThrow(/WARN at mm\/mprotect\.c:\d+: WARN_ON_ONCE\(cp_flags & MM_CP_UFFD_WP\)/);
    expect(t.spawns()).toBe(1);
  });

  it('a BUG ends the case and names it', () => {
    const t = target(injected(`BUG_ON(cp_flags & MM_CP_UFFD_WP);`), 'bug');
    expect(() => t.run(world(MM_CP_UFFD_WP))).toThrow(
      /hit a BUG: BUG at mm\/mprotect\.c:\d+: BUG_ON\(cp_flags & MM_CP_UFFD_WP\)/,
    );
    expect(t.run(world(0)).count).toBe(1);
  });

  it('a crash under a property is a shrunk REL-CRASH counterexample, not a tool failure', () => {
    const t = target(injected(`${TRIGGER} *(volatile int *)0 = 1;`), 'crash-prop');
    const r = runProperty(getProperty('invariants'), t, (w) => change_protection_spec(w), { seed: 7, numRuns: 500 });
    expect(r.internalError).toBeUndefined();
    expect(r.failure?.mismatches[0]?.rule).toBe('REL-CRASH');
    expect(r.failure?.mismatches[0]?.message).toMatch(/SIGSEGV/);
    expect(r.failure?.world.cp_flags ?? 0).toBe(MM_CP_UFFD_WP);
  });
});

describe('build', () => {
  it('a repeat build of the same TU comes from the cache', () => {
    const tu = injected('/* cache probe */');
    const a = buildKernel({ tu, cacheDir });
    const b = buildKernel({ tu, cacheDir });
    expect(a.cached).toBe(false);
    expect(b.cached).toBe(true);
    expect(b.binary).toBe(a.binary);
    expect(buildKey({ tu, sanitize: true })).not.toBe(a.key);
    expect(buildKey({ tu: `${tu} ` })).not.toBe(a.key);
    expect(buildKey({ tu })).toBe(a.key);
  });

  it('a name the shim does not model is named with the file to add it in', () => {
    const tu = injected('if (pte_frobnicate(__pte(0))) return 0;');
    let err: unknown;
    try {
      buildKernel({ tu, cacheDir });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(BuildError);
    expect((err as Error).message).toMatch(
      /the tree uses pte_frobnicate, which the shim does not model; add it in src\/realc\/shim\/arch_x86\.h/,
    );
  });

  it('a TU without change_protection() says so', () => {
    const tu = BASE.replace(
      'long change_protection(struct mmu_gather *tlb',
      'long change_protection_renamed(struct mmu_gather *tlb',
    );
    expect(tu).not.toBe(BASE);
    expect(() => buildKernel({ tu, cacheDir })).toThrow(/does not define change_protection\(\)/);
  });

  it('a missing compiler is a clear message', () => {
    expect(() => buildKernel({ tu: BASE, cacheDir, cc: '/nonexistent/cc' })).toThrow(/no C compiler/);
  });
});
