// SPDX-License-Identifier: GPL-2.0-only
// What the kernel and machine let the oracle see, recorded with every campaign
// (issue 12 item 4). The runner runs as the same user as this process, so what
// this process can read is what the runner can read. Each item either adapts
// the comparison (a field the machine hides is not compared) or skips the
// scenarios it would falsify, with the reason in the report.
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, readdirSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import type { ModelSettings } from './model/state.js';
import { RUNNER_BINARY } from './runner.js';
import { isShmem, type Scenario } from './scenario.js';

const THP = '/sys/kernel/mm/transparent_hugepage';

export interface OracleEnvironment {
  readonly kernel: string;
  readonly uid: number;
  /**
   * pagemap shows page frame numbers only with CAP_SYS_ADMIN (fs/proc/task_mmu.c pagemap_open(): show_pfn
   * = file_ns_capable(..., CAP_SYS_ADMIN)); without them `copied` cannot be observed.
   */
  readonly pfnVisible: boolean;
  /** /proc/kpageflags readable (root only): without it `zero` and `thp` cannot be observed. */
  readonly kpageflags: boolean;
  /** The global THP mode (`enabled`), and every per-size anonymous and shmem mTHP setting. */
  readonly thp: string;
  readonly mthpAnon: Readonly<Record<string, string>>;
  readonly mthpShmem: Readonly<Record<string, string>>;
  readonly shmemThp: string;
  /** transparent_hugepage/use_zero_page (true when absent: kernels before it was a knob used it). */
  readonly useZeroPage: boolean;
  /** Filesystem of the directory holding the file regions (stat -f). */
  readonly fileDirFs: string;
  /** CONFIG_MEM_SOFT_DIRTY from /proc/config.gz (null: not readable). */
  readonly softDirty: boolean | null;
  /** CONFIG_PTE_MARKER_UFFD_WP / uffd-wp support (null: not readable). */
  readonly uffdWp: boolean | null;
  /**
   * The userfaultfd features the kernel offers (UFFDIO_API asked for none, from the runner), by name;
   * null when it could not be asked (no runner yet, or userfaultfd refused: the reason is in `uffdError`).
   * Scenarios that ask for WP_UNPOPULATED or WP_ASYNC are skipped (with the reason) where it is not offered.
   */
  readonly uffdFeatures: { readonly wpUnpopulated: boolean; readonly wpAsync: boolean } | null;
  readonly uffdError?: string;
}

// include/uapi/linux/userfaultfd.h (v6.18)
const UFFD_FEATURE_WP_UNPOPULATED = 1 << 13;
const UFFD_FEATURE_WP_ASYNC = 1 << 15;

function uffdFeatures(): Pick<OracleEnvironment, 'uffdFeatures' | 'uffdError'> {
  if (!existsSync(RUNNER_BINARY)) return { uffdFeatures: null, uffdError: 'the runner is not built' };
  const r = spawnSync(RUNNER_BINARY, ['--uffd-features'], { encoding: 'utf8' });
  try {
    const doc = JSON.parse(r.stdout) as { ok: boolean; features?: number; error?: string };
    if (!doc.ok || doc.features === undefined) return { uffdFeatures: null, uffdError: doc.error ?? 'unknown' };
    return {
      uffdFeatures: {
        wpUnpopulated: (doc.features & UFFD_FEATURE_WP_UNPOPULATED) !== 0,
        wpAsync: (doc.features & UFFD_FEATURE_WP_ASYNC) !== 0,
      },
    };
  } catch {
    return { uffdFeatures: null, uffdError: `runner --uffd-features: ${r.stderr.trim() || 'no answer'}` };
  }
}

const selected = (file: string): string => {
  try {
    return /\[(\w[\w-]*)\]/.exec(readFileSync(file, 'utf8'))?.[1] ?? 'unknown';
  } catch {
    return 'absent';
  }
};

const readKnob = (file: string): string | null => {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    return null;
  }
};

function kernelConfig(): Map<string, string> | null {
  try {
    const text = gunzipSync(readFileSync('/proc/config.gz')).toString('utf8');
    const out = new Map<string, string>();
    for (const line of text.split('\n')) {
      const eq = line.indexOf('=');
      if (line.startsWith('CONFIG_') && eq > 0) out.set(line.slice(0, eq), line.slice(eq + 1));
    }
    return out;
  } catch {
    return null;
  }
}

export function readEnvironment(fileDir = existsSync('/var/tmp') ? '/var/tmp' : '/tmp'): OracleEnvironment {
  const uid = process.getuid?.() ?? -1;
  let kpageflags = true;
  try {
    accessSync('/proc/kpageflags', constants.R_OK);
  } catch {
    kpageflags = false;
  }
  const mthpAnon: Record<string, string> = {};
  const mthpShmem: Record<string, string> = {};
  if (existsSync(THP))
    for (const d of readdirSync(THP).filter((n) => n.startsWith('hugepages-'))) {
      mthpAnon[d.slice('hugepages-'.length)] = selected(`${THP}/${d}/enabled`);
      mthpShmem[d.slice('hugepages-'.length)] = selected(`${THP}/${d}/shmem_enabled`);
    }
  const fs = spawnSync('stat', ['-f', '-c', '%T', fileDir], { encoding: 'utf8' });
  const uname = spawnSync('uname', ['-r'], { encoding: 'utf8' });
  const config = kernelConfig();
  return {
    kernel: uname.status === 0 ? uname.stdout.trim() : 'unknown',
    uid,
    // Root in the initial namespace holds CAP_SYS_ADMIN; a non-root user does not.
    pfnVisible: uid === 0,
    kpageflags,
    thp: selected(`${THP}/enabled`),
    mthpAnon,
    mthpShmem,
    shmemThp: selected(`${THP}/shmem_enabled`),
    useZeroPage: readKnob(`${THP}/use_zero_page`) !== '0',
    fileDirFs: fs.status === 0 ? fs.stdout.trim() : 'unknown',
    softDirty: config ? config.get('CONFIG_MEM_SOFT_DIRTY') === 'y' : null,
    uffdWp: config ? config.get('CONFIG_PTE_MARKER_UFFD_WP') === 'y' : null,
    ...uffdFeatures(),
  };
}

/**
 * The model's assumptions about the machine, each checked against the environment; a failed one names
 * the scenarios it would falsify. The PMD size (2048kB) is the model's THP; every other size enabled
 * for anonymous memory makes anonymous faults allocate large folios the model does not track.
 */
export interface EnvironmentLimits {
  /** Why scenarios with anonymous (MAP_PRIVATE|MAP_ANONYMOUS) regions are skipped, or null. */
  readonly anon: string | null;
  /** Why scenarios with shared-memory regions are skipped, or null. */
  readonly shmem: string | null;
  /** Why scenarios with a shared-memory region of a whole PMD are skipped, or null. */
  readonly shmemPmd: string | null;
  /** Why scenarios with ext4 file regions are skipped, or null. */
  readonly file: string | null;
  /** Why scenarios with uffd-wp are skipped, or null. */
  readonly uffd: string | null;
  /** Why scenarios that ask for UFFD_FEATURE_WP_UNPOPULATED are skipped, or null. */
  readonly wpUnpopulated: string | null;
  /** Why scenarios that ask for UFFD_FEATURE_WP_ASYNC are skipped, or null. */
  readonly wpAsync: string | null;
}

const PMD_SIZE_NAME = '2048kB';
const PMD_PAGES = 512;

/**
 * What the recorded THP settings let an anonymous fault map (ModelSettings), as thp_vma_allowable_orders()
 * builds its order mask (v6.18 include/linux/huge_mm.h): a size is used in a MADV_HUGEPAGE VMA under
 * always or madvise, and in every VMA under always; `inherit` takes the global mode. The PMD size
 * (2048kB; the global mode where the kernel has no per-size knob) decides the model's THP, the other sizes
 * its mTHP orders (from the size name: "64kB" with 4 KiB pages is order 4). use_zero_page decides what a
 * read fault in a THP range maps.
 */
/** The folio order of a per-size knob's name below the PMD size ("64kB" with 4 KiB pages: 4), or null. */
function mthpOrder(size: string): number | null {
  if (size === PMD_SIZE_NAME || !size.endsWith('kB')) return null;
  const order = Math.log2(Number(size.slice(0, -2)) / 4);
  return Number.isInteger(order) && order >= 1 ? order : null;
}

export function modelSettings(env: OracleEnvironment): ModelSettings {
  const all: number[] = [];
  const hugepage: number[] = [];
  const mode = (raw: string | undefined): string => (raw === undefined || raw === 'inherit' ? env.thp : raw);
  for (const [size, raw] of Object.entries(env.mthpAnon)) {
    const order = mthpOrder(size);
    if (order === null) continue;
    if (mode(raw) === 'always') all.push(order);
    if (mode(raw) === 'always' || mode(raw) === 'madvise') hugepage.push(order);
  }
  const pmd = mode(env.mthpAnon[PMD_SIZE_NAME]);
  return {
    anonMthpOrders: { all, hugepage },
    anonPmd: { all: pmd === 'always', hugepage: pmd === 'always' || pmd === 'madvise' },
    useZeroPage: env.useZeroPage,
    shmemOrders: shmemOrders(env),
  };
}

/**
 * The shmem folio orders below PMD order (memfd and shared anonymous memory alike), as measured on 6.18.44
 * (oracle/README.md) and read in shmem_allowable_huge_orders() (v6.18 mm/shmem.c): a size set to `always`
 * or `within_size` is used in every VMA (our files are exactly as long as their mapping, so a range inside
 * the VMA is inside i_size), `advise` in a MADV_HUGEPAGE VMA; `inherit` adds the size only where the global
 * shmem_enabled allows the PMD size there: `always` everywhere, `advise` in MADV_HUGEPAGE VMAs,
 * `within_size` never for files shorter than a PMD (all the generated ones). `deny` and `force` are not
 * modelled (environmentLimits()).
 */
function shmemOrders(env: OracleEnvironment): ModelSettings['shmemOrders'] {
  const all: number[] = [];
  const hugepage: number[] = [];
  for (const [size, raw] of Object.entries(env.mthpShmem)) {
    const order = mthpOrder(size);
    if (order === null) continue;
    const m = raw === 'inherit' ? (env.shmemThp === 'always' ? 'always' : env.shmemThp === 'advise' ? 'advise' : 'never') : raw;
    if (m === 'always' || m === 'within_size') all.push(order);
    if (m === 'always' || m === 'within_size' || m === 'advise') hugepage.push(order);
  }
  return { all, hugepage };
}

export function environmentLimits(env: OracleEnvironment): EnvironmentLimits {
  // Anonymous mTHP sizes are modelled (modelSettings()); a size the model cannot name is still a reason.
  const named = modelSettings(env).anonMthpOrders.hugepage.map((o) => `${4 << o}kB`);
  const anonSizes = Object.entries(env.mthpAnon)
    .filter(([size]) => size !== PMD_SIZE_NAME && !named.includes(size))
    .filter(([, mode]) => mode === 'always' || mode === 'madvise' || (mode === 'inherit' && env.thp !== 'never'))
    .map(([size, mode]) => `${size}=${mode}`);
  // The PMD size under any setting is modelled too (thpEligible()): `always` lets a whole-PMD region without
  // MADV_HUGEPAGE fault in a THP, `never` keeps MADV_HUGEPAGE regions on PTEs.
  const anonWhy = anonSizes.length ? [`anonymous mTHP sizes enabled (${anonSizes.join(', ')}): faults may map large folios`] : [];
  // Shmem sizes below the PMD size are modelled (shmemOrders()); the global `deny` and `force` are not, and
  // a PMD-size shmem folio is not: it only fits a shared-memory region of a whole PMD.
  const pmdShmem = env.mthpShmem[PMD_SIZE_NAME] ?? 'inherit';
  const shmemPmdOn =
    ['always', 'within_size', 'advise'].includes(pmdShmem) ||
    (pmdShmem === 'inherit' && ['always', 'within_size', 'advise', 'force'].includes(env.shmemThp));
  return {
    anon: anonWhy.length ? anonWhy.join('; ') : null,
    shmem:
      env.shmemThp === 'deny' || env.shmemThp === 'force'
        ? `shmem_enabled=${env.shmemThp}: the model knows always, within_size, advise and never`
        : null,
    shmemPmd: shmemPmdOn
      ? `shmem PMD THP on (shmem_enabled=${env.shmemThp}, 2048kB=${pmdShmem}): a shared-memory region of a whole PMD may be PMD-mapped`
      : null,
    file: env.fileDirFs.startsWith('ext2/ext3') ? null : `file regions live on ${env.fileDirFs}, the model knows ext4`,
    uffd: env.uffdWp === false ? 'the kernel is built without CONFIG_PTE_MARKER_UFFD_WP' : null,
    wpUnpopulated:
      env.uffdFeatures && !env.uffdFeatures.wpUnpopulated ? 'the kernel does not offer UFFD_FEATURE_WP_UNPOPULATED' : null,
    wpAsync: env.uffdFeatures && !env.uffdFeatures.wpAsync ? 'the kernel does not offer UFFD_FEATURE_WP_ASYNC' : null,
  };
}

/** Why this scenario cannot be predicted on this machine, or null. */
export function scenarioSkipReason(s: Scenario, limits: EnvironmentLimits): string | null {
  for (const o of s.ops) {
    if (o.op === 'map') {
      if (o.kind === 'anon' && limits.anon) return limits.anon;
      const shmem = isShmem(o.kind);
      if (shmem && limits.shmem) return limits.shmem;
      if (shmem && o.pages >= PMD_PAGES && limits.shmemPmd) return limits.shmemPmd;
      if (o.kind.startsWith('file_') && limits.file) return limits.file;
    }
    if (o.op === 'uffd_register' && limits.uffd) return limits.uffd;
    if (o.op === 'uffd_register' && (o.unpopulated || o.async) && limits.wpUnpopulated) return limits.wpUnpopulated;
    if (o.op === 'uffd_register' && o.async && limits.wpAsync) return limits.wpAsync;
  }
  return null;
}

/** One line per item, for the campaign report. */
export function formatEnvironment(env: OracleEnvironment): string {
  const sizes = (m: Readonly<Record<string, string>>) =>
    Object.entries(m)
      .map(([k, v]) => `${k}:${v}`)
      .join(' ');
  return [
    `environment: uid ${env.uid}, pfn ${env.pfnVisible ? 'visible' : 'hidden'}, kpageflags ${env.kpageflags ? 'readable' : 'unreadable'}, file dir fs ${env.fileDirFs}, soft-dirty ${env.softDirty ?? '?'}, uffd-wp markers ${env.uffdWp ?? '?'}`,
    `  userfaultfd features: ${env.uffdFeatures ? `WP_UNPOPULATED ${env.uffdFeatures.wpUnpopulated ? 'offered' : 'not offered'}, WP_ASYNC ${env.uffdFeatures.wpAsync ? 'offered' : 'not offered'}` : `not known (${env.uffdError})`}`,
    `  THP ${env.thp} (use_zero_page ${env.useZeroPage ? 1 : 0}), shmem THP ${env.shmemThp}; anon mTHP ${sizes(env.mthpAnon)}`,
    `  shmem mTHP ${sizes(env.mthpShmem)}`,
  ].join('\n');
}
