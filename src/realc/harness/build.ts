// SPDX-License-Identifier: GPL-2.0-only
// Compile one translation unit with the shim into a runnable child, cached
// outside the repository by the hash of everything that goes into it.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { explainCompileErrors } from './diagnostics.js';

/** The shim directory (headers and world.c). */
export const SHIM_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../shim');

export interface BuildOptions {
  /** The translation unit: starts with #include "mprotect_shim.h" and defines change_protection(). */
  readonly tu: string;
  /** Build with -fsanitize=address,undefined. */
  readonly sanitize?: boolean;
  /** Extra -D macros for the shim (e.g. SHIM_V6_19). */
  readonly defines?: readonly string[];
  /** Cache directory; default $MPROTECT_SPEC_CACHE, $XDG_CACHE_HOME/mprotect-spec or ~/.cache/mprotect-spec. */
  readonly cacheDir?: string;
  /** Compiler; default $CC or cc. */
  readonly cc?: string;
}

export interface Build {
  readonly binary: string;
  /** True when the binary came from the cache. */
  readonly cached: boolean;
  readonly ms: number;
  readonly key: string;
}

/** A build that failed: the message names what the shim lacks when it can. */
export class BuildError extends Error {
  constructor(
    message: string,
    readonly compilerOutput: string,
  ) {
    super(message);
    this.name = 'BuildError';
  }
}

export function defaultCacheDir(): string {
  const explicit = process.env.MPROTECT_SPEC_CACHE;
  if (explicit) return explicit;
  const xdg = process.env.XDG_CACHE_HOME;
  return join(xdg && xdg.length > 0 ? xdg : join(homedir(), '.cache'), 'mprotect-spec');
}

const versions = new Map<string, string>();
function compilerVersion(cc: string): string {
  let v = versions.get(cc);
  if (v === undefined) {
    const r = spawnSync(cc, ['--version'], { encoding: 'utf8' });
    if (r.error || r.status !== 0)
      throw new BuildError(`no C compiler: '${cc}' could not be run (${r.error?.message ?? r.stderr}); set CC`, '');
    v = r.stdout;
    versions.set(cc, v);
  }
  return v;
}

function shimFiles(): { name: string; text: string }[] {
  return readdirSync(SHIM_DIR)
    .filter((f) => f.endsWith('.h') || f.endsWith('.c'))
    .sort()
    .map((name) => ({ name, text: readFileSync(join(SHIM_DIR, name), 'utf8') }));
}

export function compilerFlags(options: Pick<BuildOptions, 'sanitize' | 'defines'>): string[] {
  const flags = ['-O2', '-std=gnu11', '-fno-strict-aliasing', '-Wno-unused-function', '-Wno-unused-variable'];
  if (options.sanitize) flags.push('-fsanitize=address,undefined', '-fno-omit-frame-pointer', '-DSHIM_SANITIZE');
  for (const d of options.defines ?? []) flags.push(`-D${d}`);
  return flags;
}

function run(cc: string, args: readonly string[], tuPath: string): void {
  const r = spawnSync(cc, args, { encoding: 'utf8' });
  if (r.error) throw new BuildError(`no C compiler: '${cc}' could not be run (${r.error.message}); set CC`, '');
  if (r.status !== 0) {
    const output = `${r.stdout}${r.stderr}`;
    throw new BuildError(explainCompileErrors(output, tuPath), output);
  }
}

/**
 * The shim's world.c compiled once per (shim, compiler, flags) and kept in
 * the cache: a new tree or patch then costs one compile of its TU and a link.
 */
function worldObject(cc: string, flags: readonly string[], files: { name: string; text: string }[], root: string): string {
  const hash = createHash('sha256');
  for (const f of files) hash.update(`\0${f.name}\0${f.text}`);
  hash.update(`\0${compilerVersion(cc)}\0${cc}\0${flags.join(' ')}`);
  const obj = join(root, `world-${hash.digest('hex').slice(0, 32)}.o`);
  if (existsSync(obj)) return obj;
  mkdirSync(root, { recursive: true });
  const tmp = `${obj}.${process.pid}.tmp`;
  run(cc, [...flags, '-I', SHIM_DIR, '-c', '-o', tmp, join(SHIM_DIR, 'world.c')], join(SHIM_DIR, 'world.c'));
  renameSync(tmp, obj);
  return obj;
}

/** The cache key: sha256 of the TU, every shim file, the compiler's --version and the flags. */
export function buildKey(
  options: BuildOptions,
  cc = options.cc ?? process.env.CC ?? 'cc',
  flags = compilerFlags(options),
  files = shimFiles(),
): string {
  const hash = createHash('sha256');
  hash.update(options.tu);
  for (const f of files) hash.update(`\0${f.name}\0${f.text}`);
  hash.update(`\0${compilerVersion(cc)}\0${cc}\0${flags.join(' ')}`);
  return hash.digest('hex').slice(0, 32);
}

/** Build (or find in the cache) the child for `options.tu`. Throws BuildError. */
export function buildKernel(options: BuildOptions): Build {
  const t0 = performance.now();
  const cc = options.cc ?? process.env.CC ?? 'cc';
  const flags = compilerFlags(options);
  const files = shimFiles();
  const key = buildKey(options, cc, flags, files);
  const root = options.cacheDir ?? defaultCacheDir();
  const dir = join(root, key);
  const binary = join(dir, 'kernel');
  if (existsSync(binary)) return { binary, cached: true, ms: performance.now() - t0, key };
  mkdirSync(dir, { recursive: true });
  // Several processes may build the same TU at once (parallel test files): every
  // intermediate is per process, the binary appears by an atomic rename.
  const tuPath = join(dir, 'tu.c');
  writeFileSync(`${tuPath}.${process.pid}`, options.tu);
  renameSync(`${tuPath}.${process.pid}`, tuPath);
  const world = worldObject(cc, flags, files, root);
  const obj = join(dir, `tu.${process.pid}.o`);
  const tmp = `${binary}.${process.pid}.tmp`;
  try {
    run(cc, [...flags, '-I', SHIM_DIR, '-c', '-o', obj, tuPath], tuPath);
    run(cc, [...flags, '-o', tmp, obj, world], tuPath);
    renameSync(tmp, binary);
  } finally {
    rmSync(obj, { force: true });
    rmSync(tmp, { force: true });
  }
  return { binary, cached: false, ms: performance.now() - t0, key };
}

/** mkfifo(1): used by the child process pair. */
export function mkfifo(path: string): void {
  execFileSync('mkfifo', ['-m', '600', path]);
}
