// SPDX-License-Identifier: GPL-2.0-only
// The `mprotect-spec` command line. Exit codes: 0 agreement, 1 divergence
// found, 2 bad usage or bad input. main() never calls process.exit, so tests
// run it in-process with a memory Io.
import { readFileSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import { Argument, Command, CommanderError, Help, Option } from 'commander';
import { GalleryConflictError } from '../kernel/gallery_patch.js';
import { VariantLoadError } from '../kernel/index.js';
import { DEFAULT_CHUNK } from '../prove/index.js';
import type { Arch } from '../pte/index.js';
import { ARCHES } from './arch.js';
import { runCheck } from './check.js';
import { runCost } from './cost.js';
import { EXIT_OK, EXIT_USAGE, UsageError } from './errors.js';
import { registerExtract } from './extract.js';
import { runGallery } from './gallery.js';
import { type Io, processIo } from './io.js';
import { runList } from './list.js';
import { runNewVariant } from './new_variant.js';
import { expandPath, positiveInt, positiveSeconds, seedValue, shardValue } from './options.js';
import { runOracle } from './oracle.js';
import { runProve, runProveMerge } from './prove.js';
import { runReplayCommand } from './replay.js';
import { runShow } from './show.js';
import { VERSION_STRING } from './version.js';

const EXIT_CODES = `
Exit codes:
  0  agreement (or nothing to report)
  1  divergence found (a property fails, or a stored expectation changed)
  2  bad usage or bad input (unknown variant, bad flag value, malformed corpus
     file, a candidate module without change_protection, a kernel tree or
     patch that cannot be used)`;

const collect = (value: string, previous: string[]) => [...previous, value];

/** A cp_flags value: a non-negative integer (whether a real caller passes it is checked by prove). */
function cpFlagsValue(raw: string): number {
  if (raw.trim() === '0') return 0;
  return positiveInt('--cp-flags', raw);
}

/** Option help without the "(default: [])" of repeatable options, which says nothing. */
const plainHelp = new Help();
function optionDescription(option: Option): string {
  const empty = Array.isArray(option.defaultValue) && option.defaultValue.length === 0;
  return empty ? option.description : plainHelp.optionDescription(option);
}

interface RawCheck {
  variant: string[];
  impl?: string;
  runs: string;
  seed?: string;
  timeLimit?: string;
  arch?: Arch;
  json?: boolean;
  junit?: string;
  shard?: string;
  save: boolean;
  property: string[];
  path?: string;
  corpus?: string;
  caseTimeout: string;
  quiet?: boolean;
  batching: 'per-pte' | 'batched';
  inProcess?: boolean;
  jobs?: string;
  kernel?: string;
  x86PmdModify: 'fixed' | 'v6.6';
  patch: string[];
  shim?: string;
  sanitize?: boolean;
}

function program(io: Io, done: (code: number) => void): Command {
  const root = new Command('mprotect-spec')
    .description(
      'Checks a model of mm/mprotect.c change_protection() against an executable per-entry specification\n' +
        'and keeps every divergence ever found as a replayable counterexample.',
    )
    .version(VERSION_STRING, '-V, --version')
    .exitOverride()
    .configureHelp({ optionDescription })
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText('after', EXIT_CODES);

  root
    .command('check')
    .description(
      'run the agreement relation, the invariants and the metamorphic properties against variants (default: the baseline) or a candidate module',
    )
    .option('--variant <name>', 'a registered variant (repeatable; see `list`)', collect, [])
    .option('--impl <path>', 'a candidate module exporting change_protection(world); runs isolated in a worker')
    .option('--runs <n>', 'cases per property', '1000')
    .option('--seed <s>', 'fast-check seed (default: random, printed)')
    .option('--path <p>', 'replay one shrunk failure (with --seed and one --property)')
    .option('--property <id>', 'only this property (repeatable): agree, agree-exact, single-pte, invariants, ...', collect, [])
    .option('--time-limit <seconds>', 'wall-clock budget for the whole check, shared by its property runs')
    .addOption(new Option('--arch <arch>', 'only worlds of this architecture').choices(ARCHES))
    .option('--json', 'machine-readable output on stdout (byte-identical for the same seed)')
    .option('--junit <file>', 'also write a JUnit XML report')
    .option('--shard <I/N>', 'shard I of N: a deterministic seed per shard, derived from --seed (default 0)')
    .option('--no-save', 'do not write counterexamples to the corpus')
    .option('--corpus <dir>', 'corpus directory (default: counterexamples/ in the current directory)')
    .option('--case-timeout <ms>', 'per-case time limit for a variant or --impl candidate (each runs in a worker)', '5000')
    .option('--kernel <dir>', 'a kernel tree: check its own mm/mprotect.c (compiled against the shim)')
    .option('--patch <file>', 'with --kernel: apply this patch (mbox, format-patch, diff) first (repeatable)', collect, [])
    .option('--shim <dir>', 'with --kernel: the shim headers (default: src/realc/shim)')
    .option('--sanitize', 'with --kernel: build with -fsanitize=address,undefined')
    .addOption(
      new Option('--x86-pmd-modify <which>', "x86 pmd_modify(): fixed (f7491d7c81db) or v6.6's, as shipped")
        .choices(['fixed', 'v6.6'])
        .default('fixed'),
    )
    .option('--jobs <n>', 'job workers running properties in parallel (default: the cores); same results for any n')
    .option('--in-process', 'run variants in this thread, one property at a time (a loop hangs the check)')
    .addOption(
      new Option('--batching <kind>', 'how an --impl candidate processes PTEs')
        .choices(['batched', 'per-pte'])
        .default('batched'),
    )
    .option('-q, --quiet', 'no progress output')
    .addHelpText(
      'after',
      `
Examples:
  mprotect-spec check                  # the baseline, 1000 cases per property
  mprotect-spec check --kernel ~/linux --patch 0001-foo.patch  # a tree's own C
  mprotect-spec check --variant my-patch --runs 5000
  mprotect-spec check --impl ~/work/model.ts   # a candidate outside the project
  mprotect-spec check --seed 7 --shard 3/16 --runs 100000 --time-limit 3600 \\
    --junit out.xml
${EXIT_CODES}`,
    )
    .action(async (raw: RawCheck) => {
      done(
        await runCheck(
          {
            variants: raw.variant,
            ...(raw.impl ? { impl: raw.impl } : {}),
            runs: positiveInt('--runs', raw.runs),
            ...(raw.seed !== undefined ? { seed: seedValue('--seed', raw.seed) } : {}),
            ...(raw.timeLimit !== undefined ? { timeLimitS: positiveSeconds('--time-limit', raw.timeLimit) } : {}),
            ...(raw.arch ? { arch: raw.arch } : {}),
            json: Boolean(raw.json),
            ...(raw.junit ? { junit: raw.junit } : {}),
            ...(raw.shard !== undefined ? { shard: shardValue(raw.shard) } : {}),
            save: raw.save,
            properties: raw.property,
            ...(raw.path !== undefined ? { path: expandPath('--path', raw.path) } : {}),
            ...(raw.corpus ? { corpus: raw.corpus } : {}),
            caseTimeoutMs: positiveInt('--case-timeout', raw.caseTimeout),
            quiet: Boolean(raw.quiet),
            batching: raw.batching,
            ...(raw.inProcess ? { inProcess: true } : {}),
            ...(raw.jobs !== undefined ? { jobs: positiveInt('--jobs', raw.jobs) } : {}),
            ...(raw.kernel !== undefined ? { kernel: raw.kernel } : {}),
            ...(raw.x86PmdModify !== 'fixed' ? { x86PmdModify: raw.x86PmdModify } : {}),
            ...(raw.patch.length ? { patches: raw.patch } : {}),
            ...(raw.shim !== undefined ? { shim: raw.shim } : {}),
            ...(raw.sanitize ? { sanitize: true } : {}),
          },
          io,
        ),
      );
    });

  root
    .command('replay')
    .description('re-run stored counterexamples against the spec and every variant; report per file and variant')
    .argument('[paths...]', 'corpus files or directories (default: ./counterexamples/)')
    .option('--json', 'machine-readable output')
    .option('-v, --verbose', 'also list the variants whose verdict is as recorded')
    .option('--accept <variant>', "after review, record the variant's current verdicts (repeatable)", collect, [])
    .addHelpText('after', EXIT_CODES)
    .option('--kernel <dir>', "also replay against a kernel tree's own C")
    .option('--patch <file>', 'with --kernel: apply this patch first (repeatable)', collect, [])
    .action(
      async (paths: string[], raw: { json?: boolean; verbose?: boolean; accept: string[]; kernel?: string; patch: string[] }) => {
        done(
          await runReplayCommand(
            {
              paths,
              json: Boolean(raw.json),
              verbose: Boolean(raw.verbose),
              accept: raw.accept,
              ...(raw.kernel !== undefined ? { kernel: raw.kernel } : {}),
              patches: raw.patch,
            },
            io,
          ),
        );
      },
    );

  root
    .command('show')
    .description('render a stored counterexample')
    .argument('<file>', 'a corpus file')
    .option('--json', 'machine-readable output')
    .addHelpText('after', EXIT_CODES)
    .action((file: string, raw: { json?: boolean }) => {
      done(runShow(file, { json: Boolean(raw.json) }, io));
    });

  root
    .command('list')
    .description('the variants, with upstream reference and expected verdict')
    .option('--json', 'machine-readable output')
    .action((raw: { json?: boolean }) => {
      done(runList({ json: Boolean(raw.json) }, io));
    });

  const prove = root
    .command('prove')
    .description('check every world up to a bound (slots, folio orders 0-2, every entry kind and real cp_flags) exhaustively')
    .option('--bound <k>', 'largest number of PTE slots', '2')
    .option('--time-limit <seconds>', 'stop after this long and report the bound reached')
    .option('--variant <name>', 'variant to check (repeatable; default: every equivalent variant)', collect, [])
    .option('--impl <path>', 'a candidate module exporting change_protection(world); runs isolated in a worker')
    .option('--case-timeout <ms>', 'per-world time limit for an --impl candidate', '10000')
    .option('--jobs <n>', 'worker threads (default: the available cores); the result does not depend on it')
    .option('--shard <I/N>', "check only shard I of N of the domain (combine with 'prove merge')")
    .option('--out <file>', 'write the result file (JSON, for prove merge) there')
    .option('--config <name>', 'only this configuration: x86-64, x86-64-nosd, arm64 (repeatable)', collect, [])
    .option('--kind <kind>', 'only this VMA kind, e.g. anon-private (repeatable)', collect, [])
    .option('--cp-flags <n>', "only this caller's cp_flags, e.g. 0 for mprotect() (repeatable)", collect, [])
    .option('--stop-at-first-failure', 'stop checking a target at its first failing world')
    .option('--chunk <worlds>', 'worlds per chunk of the shard/job partition', String(DEFAULT_CHUNK))
    .option('--json', 'machine-readable output (the result file)')
    .addHelpText('after', EXIT_CODES)
    .action(
      async (raw: {
        bound: string;
        timeLimit?: string;
        variant: string[];
        impl?: string;
        caseTimeout: string;
        jobs?: string;
        shard?: string;
        out?: string;
        config: string[];
        kind: string[];
        cpFlags: string[];
        stopAtFirstFailure?: boolean;
        chunk: string;
        json?: boolean;
      }) => {
        done(
          await runProve(
            {
              bound: positiveInt('--bound', raw.bound),
              ...(raw.timeLimit ? { timeLimitMs: positiveSeconds('--time-limit', raw.timeLimit) * 1000 } : {}),
              variants: raw.variant,
              ...(raw.impl ? { impl: raw.impl } : {}),
              caseTimeoutMs: positiveInt('--case-timeout', raw.caseTimeout),
              ...(raw.jobs ? { jobs: positiveInt('--jobs', raw.jobs) } : {}),
              ...(raw.shard ? { shard: shardValue(raw.shard) } : {}),
              ...(raw.out ? { out: resolvePath(io.cwd, raw.out) } : {}),
              configs: raw.config,
              kinds: raw.kind,
              cpFlags: raw.cpFlags.map((f) => cpFlagsValue(f)),
              ...(raw.stopAtFirstFailure ? { stopAtFirstFailure: true } : {}),
              chunk: positiveInt('--chunk', raw.chunk),
              json: Boolean(raw.json),
            },
            io,
          ),
        );
      },
    );
  prove
    .command('merge')
    .description('combine the result files of prove --shard runs into one verdict')
    .argument('<file...>', 'shard result files (prove --shard I/N --out FILE)')
    .option('--json', 'machine-readable output')
    .addHelpText('after', EXIT_CODES)
    .action((files: string[], raw: { json?: boolean }) => {
      done(
        runProveMerge(files, { json: Boolean(raw.json ?? prove.opts().json) }, io, (p) =>
          readFileSync(resolvePath(io.cwd, p), 'utf8'),
        ),
      );
    });

  root
    .command('oracle')
    .description('check the spec against the live kernel: generated userspace scenarios, prediction vs observation per page')
    .option('--runs <n>', 'scenarios to generate', '300')
    .option('--seed <s>', 'fast-check seed (printed; replays the campaign)')
    .option(
      '--features <list>',
      'restrict to features, or opt in to what is left out by default: large-file-folios, guard-over-uffd-shmem, writeback (comma-separated; repeatable)',
      collect,
      [],
    )
    .option('--emit-c <file>', 'write a stand-alone C reproducer of the first disagreement (or of --from)')
    .option('--from <file>', 'with --emit-c: a stored case under counterexamples/kernel/')
    .option('--json', 'machine-readable output')
    .option('--no-save', 'do not store disagreements under counterexamples/kernel/')
    .option('--jobs <n>', 'runner processes side by side (same report for any n)', '1')
    .addHelpText('after', `${EXIT_CODES}\n  130 stopped by SIGINT (the partial summary is printed first)`)
    .action(
      async (raw: {
        runs: string;
        seed?: string;
        jobs: string;
        features: string[];
        emitC?: string;
        from?: string;
        json?: boolean;
        save: boolean;
      }) => {
        done(
          await runOracle(
            {
              runs: positiveInt('--runs', raw.runs),
              ...(raw.seed !== undefined ? { seed: seedValue('--seed', raw.seed) } : {}),
              features: raw.features,
              ...(raw.emitC ? { emitC: raw.emitC } : {}),
              ...(raw.from ? { from: raw.from } : {}),
              json: Boolean(raw.json),
              store: raw.save,
              jobs: positiveInt('--jobs', raw.jobs),
            },
            io,
          ),
        );
      },
    );

  registerExtract(root, io, done);

  root
    .command('cost')
    .description('primitive calls per PTE of a target against another, on standard page-table shapes')
    .option('--variant <name>', 'the target (default: the baseline, falcato-v3)')
    .option('--impl <path>', 'a candidate module exporting change_protection(world)')
    .option('--against <name>', 'the variant to compare with', 'v6.16-per-pte')
    .option('--kernel <dir>', "a kernel tree's own C as the target (counted by the shim, timed)")
    .option('--patch <file>', 'with --kernel: apply this patch first (repeatable)', collect, [])
    .option('--against-kernel <dir>', "a kernel tree's own C to compare with, instead of --against")
    .option('--against-patch <file>', 'with --against-kernel: apply this patch first (repeatable)', collect, [])
    .option('--shim <dir>', 'with --kernel: the shim headers (default: src/realc/shim)')
    .option('--reps <n>', 'timed runs per shape of a C side, 0 for counts only', '200')
    .option('--json', 'machine-readable output')
    .addHelpText(
      'after',
      `
A+ (B+) marks a shape where A (B) makes at least 1.25x the primitive calls of
the other: e.g. the v6.17 batching on order-0 memory against v6.16 per-PTE.
A C side (--kernel, --against-kernel) is counted by the shim (ptep_get,
set_pte_at, modify_prot_start/commit, vm_normal_page, folio lookups) and timed
in its child: userspace ns per PTE, minimum and median of --reps runs.
Examples:
  mprotect-spec cost --variant v6.17-fixed --against v6.16-per-pte
  mprotect-spec cost --kernel ~/linux-6.17 --against-kernel ~/linux-6.16`,
    )
    .action(
      async (raw: {
        variant?: string;
        impl?: string;
        against: string;
        json?: boolean;
        kernel?: string;
        patch: string[];
        againstKernel?: string;
        againstPatch: string[];
        shim?: string;
        reps: string;
      }) => {
        const reps = Number(raw.reps);
        if (!/^\d+$/.test(raw.reps)) throw new UsageError(`--reps must be a non-negative integer, got '${raw.reps}'`);
        done(
          await runCost(
            {
              ...(raw.variant !== undefined ? { variant: raw.variant } : {}),
              ...(raw.impl !== undefined ? { impl: raw.impl } : {}),
              against: raw.against,
              json: Boolean(raw.json),
              ...(raw.kernel !== undefined ? { kernel: raw.kernel } : {}),
              patches: raw.patch,
              ...(raw.againstKernel !== undefined ? { againstKernel: raw.againstKernel } : {}),
              againstPatches: raw.againstPatch,
              ...(raw.shim !== undefined ? { shim: raw.shim } : {}),
              reps,
            },
            io,
          ),
        );
      },
    );

  root
    .command('new-variant')
    .description('copy a variant into a new file, register it, and print what to edit')
    .argument('<name>', 'the new variant name, e.g. my-patch-v2')
    .option('--from <variant>', 'the variant to copy', 'falcato-v3')
    .option('--root <dir>', 'repository root to write into (default: this repository)')
    .option('--out <file>', 'write a stand-alone copy there instead (check it with --impl)')
    .action((name: string, raw: { from: string; root?: string; out?: string }) => {
      done(
        runNewVariant(
          { name, from: raw.from, ...(raw.root ? { root: raw.root } : {}), ...(raw.out ? { out: raw.out } : {}) },
          io,
        ),
      );
    });

  root
    .command('gallery')
    .description('keep a known-bug patch (src/kernel/variants/bad/*.patch) in step with the baseline')
    .addArgument(
      new Argument('<action>', '`edit` writes an editable copy; `refresh` re-diffs it into the patch').choices([
        'edit',
        'refresh',
      ]),
    )
    .argument('<id>', 'the gallery bug, e.g. b2 or b2-softdirty-polarity')
    .option('--root <dir>', 'repository root (default: this repository)')
    .action((action: 'edit' | 'refresh', id: string, raw: { root?: string }) => {
      done(runGallery({ action, id, ...(raw.root ? { root: raw.root } : {}) }, io));
    });

  return root;
}

/** Runs the CLI; resolves to the exit code. */
export async function main(argv: readonly string[], io: Io = processIo()): Promise<number> {
  let code = EXIT_OK;
  try {
    const cmd = program(io, (c) => {
      code = c;
    });
    if (argv.length === 0) {
      io.err(cmd.helpInformation());
      return EXIT_USAGE;
    }
    await cmd.parseAsync([...argv], { from: 'user' });
    return code;
  } catch (error) {
    if (error instanceof CommanderError) {
      const ok = error.code === 'commander.helpDisplayed' || error.code === 'commander.version';
      return ok ? EXIT_OK : EXIT_USAGE;
    }
    if (error instanceof UsageError || error instanceof GalleryConflictError || error instanceof VariantLoadError) {
      io.err(`mprotect-spec: error: ${error.message}\n`);
      return EXIT_USAGE;
    }
    io.err(`mprotect-spec: internal error: ${(error as Error).stack ?? String(error)}\n`);
    return EXIT_USAGE;
  }
}
