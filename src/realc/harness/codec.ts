// SPDX-License-Identifier: GPL-2.0-only
// The binary encoding between the harness and the C child (src/realc/shim/
// world.c is the other side; keep the two in step). Little-endian u32 words.
// A request is [length, op, ...body]; a response is [length, ...body].
import {
  type BatchTrace,
  type Folio,
  type KernelOutcome,
  type PageRun,
  type PmdSlot,
  type Pte,
  SOFTLEAF_TYPES,
  type SoftleafType,
  type World,
} from '../../pte/index.js';

export const OP_CASE = 1;
export const OP_PTE_OPS = 2;
export const OP_QUIT = 3;
/** Many requests in one round trip: [n, then n requests]; the response is [n, then n responses]. */
export const OP_BATCH = 4;
/** The primitive calls of the last case (enum shim_count in world.h). */
export const OP_COUNTS = 5;
/** One case run `reps` times, each on a fresh world: nanoseconds per change_protection() call. */
export const OP_TIME = 6;

/** The primitives the shim counts, in the order of enum shim_count (src/realc/shim/world.h). */
export const SHIM_COUNT_NAMES = [
  'ptep_get',
  'set_pte_at',
  'ptep_modify_prot_start',
  'ptep_modify_prot_commit',
  'vm_normal_page',
  'folio_lookup',
] as const;
export type ShimCountName = (typeof SHIM_COUNT_NAMES)[number];

// SoftleafType codes: 1 + the index in SOFTLEAF_TYPES (src/pte/softleaf.ts), the order of the shim's C
// enum softleaf_type (0 is none).
const TYPE_CODE = new Map<SoftleafType, number>(SOFTLEAF_TYPES.map((t, i) => [t, i + 1]));

const WF_SOFT_DIRTY = 1 << 0;
const WF_ARM64 = 1 << 1;
const WF_NUMA_NORMAL = 1 << 2;
const WF_TIERING = 1 << 3;
const WF_SINGLE = 1 << 4;
const WF_ANON = 1 << 5;
const WF_UFFD_UNPOP = 1 << 6;
const WF_WRITEBACK = 1 << 7;

const FF_ANON = 1;
const FF_KSM = 2;
const FF_ZONE_DEVICE = 4;
const FF_SHARED = 8;
const FF_PINNED = 16;
const FF_FILE_LRU = 32;
const FF_DIRTY = 64;

/** A growable u32 buffer. */
export class Words {
  buf = new Uint32Array(1024);
  len = 0;
  push(v: number): void {
    if (this.len === this.buf.length) {
      const next = new Uint32Array(this.buf.length * 2);
      next.set(this.buf);
      this.buf = next;
    }
    this.buf[this.len++] = v >>> 0;
  }
  reset(): void {
    this.len = 0;
  }
  /** Room for `n` more words, so a loop can store into `buf` directly (the hot path: PTEs). */
  ensure(n: number): Uint32Array {
    if (this.len + n > this.buf.length) {
      const next = new Uint32Array(Math.max(this.buf.length * 2, this.len + n));
      next.set(this.buf.subarray(0, this.len));
      this.buf = next;
    }
    return this.buf;
  }
}

/** Encode one World as an OP_CASE request into `w` (header included); `append` adds it after what `w` holds. */
export function encodeWorld(world: World, w: Words, append = false): void {
  if (!append) w.reset();
  const at = w.len;
  w.push(0); // length, patched below
  w.push(OP_CASE);
  pushWorldBody(world, w);
  w.buf[at] = w.len - at - 2;
}

/** Start an OP_BATCH request in `w`; add requests with encodeWorld(..., true) or pushRequest, then endBatch. */
export function beginBatch(w: Words): void {
  w.reset();
  w.push(0);
  w.push(OP_BATCH);
  w.push(0); // count, patched by endBatch
}

/** A body-less request (OP_COUNTS) appended to a batch. */
export function pushRequest(w: Words, op: number): void {
  w.push(0);
  w.push(op);
}

export function endBatch(w: Words, n: number): void {
  w.buf[2] = n;
  w.buf[0] = w.len - 2;
}

/** An OP_TIME request: the world run `reps` times. */
export function encodeTimed(world: World, reps: number, w: Words): void {
  w.reset();
  w.push(0);
  w.push(OP_TIME);
  w.push(reps);
  pushWorldBody(world, w);
  w.buf[0] = w.len - 2;
}

/** The responses of an OP_BATCH body ([n, then n times [len, body...]]), as views into it. */
export function splitBatch(r: Uint32Array): Uint32Array[] {
  const n = r[0] as number;
  const out: Uint32Array[] = [];
  let i = 1;
  for (let k = 0; k < n; k++) {
    const len = r[i] as number;
    if (len === undefined || i + 1 + len > r.length) throw new Error('C harness sent a truncated batch response');
    out.push(r.subarray(i + 1, i + 1 + len));
    i += 1 + len;
  }
  return out;
}

/** Decode an OP_COUNTS body. */
export function decodeCounts(r: Uint32Array): Record<ShimCountName, number> {
  const n = r[1] as number;
  const counts = {} as Record<ShimCountName, number>;
  SHIM_COUNT_NAMES.forEach((name, i) => {
    counts[name] = i < n ? (r[2 + i] as number) : 0;
  });
  return counts;
}

/** Decode an OP_TIME body: the status (0 ran, 1 BUG, 2 bad world) and nanoseconds per run. */
export function decodeTimed(r: Uint32Array): { status: number; ns: number[] } {
  const reps = r[1] as number;
  return { status: r[0] as number, ns: Array.from(r.subarray(2, 2 + reps)) };
}

function pushWorldBody(world: World, w: Words): void {
  const { config, numa, mm, vma } = world;
  let wf = 0;
  if (config.memSoftDirty) wf |= WF_SOFT_DIRTY;
  if (config.arch === 'arm64') wf |= WF_ARM64;
  if (numa.balancingNormal) wf |= WF_NUMA_NORMAL;
  if (numa.memoryTiering) wf |= WF_TIERING;
  if (mm.singleThreaded) wf |= WF_SINGLE;
  if (vma.anonymous) wf |= WF_ANON;
  if (vma.uffdWpUnpopulated) wf |= WF_UFFD_UNPOP;
  if (vma.fileCanWriteback) wf |= WF_WRITEBACK;
  w.push(wf);
  w.push(numa.currentNid);
  let mask = 0;
  for (const nid of numa.topTierNids) if (nid >= 0 && nid < 32) mask |= 1 << nid;
  w.push(mask);
  w.push(vma.start);
  w.push(vma.end);
  w.push(vma.flags);
  w.push(vma.vm_page_prot);
  w.push(world.range.start);
  w.push(world.range.end);
  w.push(world.cp_flags);
  w.push(world.folios.length);
  w.push(world.pmds.length);
  w.push(world.ptes.length);
  for (const f of world.folios) pushFolio(w, f);
  for (const p of world.pmds) {
    if (p.kind === 'huge') {
      w.push(2);
      w.push(p.pmd.pfn);
      w.push(p.pmd.flags);
    } else {
      w.push(p.kind === 'table' ? 1 : 0);
      w.push(0);
      w.push(0);
    }
  }
  // the PTEs are most of a request: stored straight into the buffer, three words each
  const ptes = world.ptes;
  const buf = w.ensure(ptes.length * 3);
  let i = w.len;
  for (let k = 0; k < ptes.length; k++, i += 3) {
    const pte = ptes[k] as Pte;
    if (pte.kind === 'present') {
      buf[i] = 1;
      buf[i + 1] = pte.pfn;
      buf[i + 2] = pte.flags;
    } else if (pte.kind === 'none') {
      buf[i] = 0;
      buf[i + 1] = 0;
      buf[i + 2] = 0;
    } else {
      buf[i] = 2 | ((TYPE_CODE.get(pte.type) ?? 0) << 4);
      buf[i + 1] = pte.offset;
      buf[i + 2] = pte.flags;
    }
  }
  w.len = i;
}

function pushFolio(w: Words, f: Folio): void {
  w.push(f.pfn);
  w.push(f.order);
  w.push(
    (f.anon ? FF_ANON : 0) |
      (f.ksm ? FF_KSM : 0) |
      (f.zoneDevice ? FF_ZONE_DEVICE : 0) |
      (f.maybeMappedShared ? FF_SHARED : 0) |
      (f.maybeDmaPinned ? FF_PINNED : 0) |
      (f.fileLru ? FF_FILE_LRU : 0) |
      (f.dirty ? FF_DIRTY : 0),
  );
  w.push(f.nid);
  const n = 1 << f.order;
  const bits = f.anonExclusive;
  const buf = w.ensure((n + 31) >>> 5);
  let i = w.len;
  for (let base = 0; base < n; base += 32, i++) {
    let word = 0;
    const top = Math.min(32, n - base);
    for (let k = 0; k < top; k++) if (bits[base + k]) word |= 1 << k;
    buf[i] = word >>> 0;
  }
  w.len = i;
}

/** What the child reported about one case besides the outcome. */
export interface CaseResult {
  readonly outcome: KernelOutcome;
  /** 0 ran to the end, 1 a BUG ended it. */
  readonly status: number;
  /** One line per finding: KIND \t file:line \t condition. */
  readonly findings: readonly string[];
}

function readEntry(r: Uint32Array, i: number): Pte {
  const kind = (r[i] as number) & 0xf;
  if (kind === 0) return { kind: 'none' };
  if (kind === 1) return { kind: 'present', pfn: r[i + 1] as number, flags: r[i + 2] as number };
  const type = SOFTLEAF_TYPES[((r[i] as number) >>> 4) - 1];
  if (type === undefined) throw new Error(`C target returned a softleaf entry of unknown type ${(r[i] as number) >>> 4}`);
  return { kind: 'softleaf', type, offset: r[i + 1] as number, flags: r[i + 2] as number };
}

const text = new TextDecoder();

/** Decode an OP_CASE response body (without the length word). */
export function decodeCase(world: World, r: Uint32Array): CaseResult {
  let i = 0;
  const status = r[i++] as number;
  if (status === 2) {
    const n = r[i++] as number;
    const bytes = new Uint8Array(r.buffer, r.byteOffset + i * 4, n);
    throw new Error(`C harness rejected the world: ${text.decode(bytes)}`);
  }
  const count = (r[i++] as number) | 0;
  const _nfindings = r[i++] as number;
  const nflushes = r[i++] as number;
  const nbatches = r[i++] as number;
  const nsub = r[i++] as number;
  const nstamps = r[i++] as number;
  const ptes: Pte[] = new Array(world.ptes.length);
  for (let k = 0; k < world.ptes.length; k++, i += 3) ptes[k] = readEntry(r, i);
  const pmds: PmdSlot[] = new Array(world.pmds.length);
  for (let k = 0; k < world.pmds.length; k++, i += 3) {
    const kind = r[i] as number;
    pmds[k] =
      kind === 2
        ? { kind: 'huge', pmd: { kind: 'present', pfn: r[i + 1] as number, flags: r[i + 2] as number } }
        : { kind: kind === 1 ? 'table' : 'none' };
  }
  const flushes: PageRun[] = new Array(nflushes);
  for (let k = 0; k < nflushes; k++, i += 2) flushes[k] = { start: r[i] as number, nr: r[i + 1] as number };
  const shapes: { start: number; nr: number; nsub: number }[] = new Array(nbatches);
  for (let k = 0; k < nbatches; k++, i += 3)
    shapes[k] = { start: r[i] as number, nr: r[i + 1] as number, nsub: r[i + 2] as number };
  const subs = new Array(nsub);
  for (let k = 0; k < nsub; k++, i += 3) subs[k] = { idx: r[i] as number, len: r[i + 1] as number, setWrite: r[i + 2] !== 0 };
  let s = 0;
  const trace: BatchTrace[] = shapes.map((b) => {
    const subRuns = subs.slice(s, s + b.nsub);
    s += b.nsub;
    return { start: b.start, nr: b.nr, action: 'commit', subRuns };
  });
  const numaStamps: number[] = new Array(nstamps);
  for (let k = 0; k < nstamps; k++) numaStamps[k] = r[i++] as number;
  const nbytes = r[i++] as number;
  const bytes = new Uint8Array(r.buffer, r.byteOffset + i * 4, nbytes);
  const findings = nbytes ? text.decode(bytes).split('\n').filter(Boolean) : [];
  return { outcome: { ptes, pmds, count, numaStamps, flushes, trace }, status, findings };
}

/** One present PTE for the accessor comparison (OP_PTE_OPS). */
export interface PteOpsItem {
  readonly pfn: number;
  readonly flags: number;
  /** pgprot for pte_modify() */
  readonly prot: number;
  /** flags of a second PTE (same pfn) for pte_needs_flush(pte, other) */
  readonly other: number;
}

/** The C accessors' results for one item, in the order world.c's run_pte_ops() writes them. */
export interface PteOpsResult {
  /** flags after pte_modify, mkwrite, wrprotect, mkuffd_wp, clear_uffd_wp, mkdirty, mkclean, mkyoung, mkold, mksoft_dirty, clear_soft_dirty */
  readonly flags: readonly number[];
  /** bit 0 present, 1 protnone, 2 write, 3 dirty, 4 young, 5 soft_dirty, 6 uffd_wp, 7 special, 8 needs_flush(pte, other) */
  readonly preds: number;
}

export function encodePteOps(items: readonly PteOpsItem[], memSoftDirty: boolean, arm64: boolean, w: Words): void {
  w.reset();
  w.push(0);
  w.push(OP_PTE_OPS);
  w.push((memSoftDirty ? WF_SOFT_DIRTY : 0) | (arm64 ? WF_ARM64 : 0));
  w.push(items.length);
  for (const it of items) {
    w.push(it.pfn);
    w.push(it.flags);
    w.push(it.prot);
    w.push(it.other);
  }
  w.buf[0] = w.len - 2;
}

export function decodePteOps(r: Uint32Array, n: number): PteOpsResult[] {
  const out: PteOpsResult[] = [];
  let i = 1; // status word
  for (let k = 0; k < n; k++) {
    out.push({ flags: Array.from(r.subarray(i, i + 11)), preds: r[i + 11] as number });
    i += 12;
  }
  return out;
}
