/**
 * The `seer` command: a table of subcommands (SUBCOMMANDS), each with its own accepted flags and positionals. The
 * command line is checked before anything runs: an unknown command or flag, a missing or malformed value, or an
 * output path that cannot be a directory is a usage error that names it and what is accepted (exit code 2);
 * failures while working exit 1 with the path and what to do for file-system problems; a run stopped by Ctrl-C or
 * SIGTERM exits 130 / 143 (lib/run/stop.ts). test/cli.test.ts holds each case.
 *
 * More subcommands (the queue's `worker`, `queue`, `dashboard`) plug in through `registerSubcommand`, or as
 * entries of SUBCOMMANDS below.
 */
import * as os from 'os';
import * as path from 'path';
import { agentOptionsHelp, resolveConfig, SCALES, type ExperimentConfig } from './run/config';
import { runExperiment } from './run/train';
import { expand, runSweep, type SweepJob } from './plan/sweep';
import { closest, ConfigError, UsageError } from './util/validate';
import { writeReport } from './report/report';
import { defaultReportDir } from './report/outputs';
import { runDemo } from './plan/demo';
import { findSectionJob, runAllSections, runJob, runSection, type SectionEvent } from './plan/section-run';
import { section as sectionNamed, sectionDir, sectionJobs, SECTION_NAMES, type SectionJob } from './plan/sections';
import { allStatusLines, defaultSamples, sectionQueueProgress, sectionStatusLines } from './plan/section-status';
import { analyzeRun } from './report/analyze';
import { addQueueCommands } from './queue/commands';
import { estimateRun, ownSpeeds, reachedStep, speedSamples } from './plan/estimate';
import { SweepProgress } from './run/progress';
import { parseScale, type Scale } from './run/scale';
import { checkInputDir, checkOutputDir, describeFsError } from './util/fs-errors';
import { REPO_ROOT } from './util/paths';

/** How a flag takes its value; `check` converts and validates it (throwing a UsageError that names the flag). */
export interface FlagSpec {
  /** 'switch': no value; 'value': one value, given once; 'repeat': one value per use, any number of uses. */
  takes: 'switch' | 'value' | 'repeat';
  /** What the value looks like in the usage text, e.g. '<dir>'. */
  meta?: string;
  check?: (value: string, flag: string) => unknown;
}

/** A command line after checking: flag values as `check` returned them (arrays for 'repeat' flags). */
export interface ParsedArgs {
  flags: Record<string, unknown>;
  positionals: string[];
  /** The arguments as given (for subcommands that hand them on). */
  raw: string[];
}

export interface Subcommand {
  /** One-line summary and the usage lines under it. */
  summary: string;
  usage: string;
  flags: Record<string, FlagSpec>;
  /** Flags without which the command cannot run. */
  required?: string[];
  /** Checks the positional arguments (default: none accepted); throws a UsageError. */
  positionals?: (args: string[]) => void;
  /** More text for `seer <name> --help` alone (run: each agent's options, generated from their specs). */
  more?: () => string;
  /** Left out of `seer --help`'s list (a command other commands spawn); `seer <name> --help` still describes it. */
  hidden?: boolean;
  run(args: ParsedArgs): Promise<number>;
}

// ---- flag kinds -------------------------------------------------------------------------------------------------

const text = (meta: string): FlagSpec => ({ takes: 'value', meta });
const toggle: FlagSpec = { takes: 'switch' };

function integer(meta: string, min: number, max = Number.MAX_SAFE_INTEGER): FlagSpec {
  return { takes: 'value', meta, check: (v, f) => parseInteger(v, f, min, max) };
}

function parseInteger(v: string, flag: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const n = /^[+-]?\d+$/.test(v.trim()) ? Number(v) : NaN;
  if (Number.isSafeInteger(n) && n >= min && n <= max) return n;
  const range = max === Number.MAX_SAFE_INTEGER ? `an integer ≥ ${min}` : `an integer in [${min}, ${max}]`;
  throw new UsageError(`${flag}: got '${v}'; expected ${range}`);
}

/** Comma-separated values, each checked by `item` (empty items are an error, not skipped). */
function list(meta: string, item: (v: string, flag: string) => unknown = (v) => v): FlagSpec {
  return {
    takes: 'value',
    meta,
    check: (v, f) =>
      v.split(',').map((x) => {
        if (!x.trim()) throw new UsageError(`${f}: got '${v}'; expected ${meta} (comma-separated, no empty items)`);
        return item(x.trim(), f);
      }),
  };
}

function choice(accepted: readonly string[]): FlagSpec {
  return {
    takes: 'value',
    meta: accepted.join('|'),
    check: (v, f) => {
      if (accepted.includes(v)) return v;
      const hint = closest(v, accepted);
      throw new UsageError(
        `${f}: got '${v}'${hint ? ` (did you mean '${hint}'?)` : ''}; accepted values: ${accepted.join(', ')}`,
      );
    },
  };
}

/** Fields given by a flag of their own: `--set seed=3` would compete with `--seed`. */
const FLAG_FIELDS: Record<string, string> = {
  env: '--env',
  agent: '--agent',
  variant: '--variant',
  scale: '--scale',
  seed: '--seed',
  encoder: '--encoder',
};

/** `--set batchSize=64`, `--set agentOptions.hidden=256`: numbers and booleans parsed, the rest kept as strings. */
const setFlag: FlagSpec = {
  takes: 'repeat',
  meta: 'field=value',
  check: (kv, f) => {
    const m = /^([A-Za-z]\w*(?:\.[A-Za-z]\w*)?)=(.*)$/s.exec(kv);
    if (!m) throw new UsageError(`${f}: expected field=value or agentOptions.name=value, got '${kv}'`);
    if (FLAG_FIELDS[m[1]]) throw new UsageError(`${f} ${kv}: give ${m[1]} with ${FLAG_FIELDS[m[1]]} instead`);
    if (m[2] === '') throw new UsageError(`${f} ${kv}: the value is empty`);
    const raw = m[2];
    const value =
      raw === 'true'
        ? true
        : raw === 'false'
          ? false
          : !Number.isNaN(Number(raw)) && raw.trim() !== ''
            ? Number(raw)
            : raw;
    return [m[1], value] as const;
  },
};

function overrides(sets: (readonly [string, unknown])[] = []): Partial<ExperimentConfig> {
  const out: Record<string, unknown> = {};
  for (const [field, value] of sets) {
    const [head, sub] = field.split('.');
    if (sub !== undefined) {
      if (head !== 'agentOptions')
        throw new UsageError(`--set ${field}: only agentOptions has named options (agentOptions.<name>=value)`);
      ((out.agentOptions ??= {}) as Record<string, unknown>)[sub] = value;
    } else out[head] = value;
  }
  return out as Partial<ExperimentConfig>;
}

// ---- parsing ----------------------------------------------------------------------------------------------------

const flagList = (spec: Subcommand): string =>
  Object.keys(spec.flags)
    .map((f) => `--${f}`)
    .join(', ');

/** Checks `argv` against a subcommand's flags; every problem is a UsageError naming the flag and the accepted ones. */
export function parseArgs(name: string, spec: Subcommand, argv: string[]): ParsedArgs {
  const flags: Record<string, unknown> = {};
  const given: Record<string, string> = {};
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--') || a === '--') {
      positionals.push(a);
      continue;
    }
    const [key, inline] = a.slice(2).split(/=(.*)/s, 2);
    const f = spec.flags[key];
    if (!f) {
      const hint = closest(key, Object.keys(spec.flags));
      throw new UsageError(
        `unknown flag --${key} for 'seer ${name}'${hint ? ` (did you mean --${hint}?)` : ''}; ` +
          `accepted flags: ${flagList(spec)}`,
      );
    }
    if (f.takes === 'switch') {
      if (inline !== undefined) throw new UsageError(`--${key} takes no value, got '${a}'`);
      if (flags[key]) throw new UsageError(`--${key} is given twice`);
      flags[key] = true;
      continue;
    }
    const value = inline ?? (i + 1 < argv.length && !argv[i + 1].startsWith('--') ? argv[++i] : undefined);
    if (value === undefined) throw new UsageError(`--${key} needs a value: --${key} ${f.meta ?? '<value>'}`);
    const checked = f.check ? f.check(value, `--${key}`) : value;
    if (f.takes === 'repeat') (flags[key] = (flags[key] as unknown[] | undefined) ?? []).push(checked);
    else {
      if (key in given) throw new UsageError(`--${key} is given twice ('${given[key]}' and '${value}'): give it once`);
      given[key] = value;
      flags[key] = checked;
    }
  }
  for (const r of spec.required ?? []) {
    if (flags[r] === undefined) throw new UsageError(`--${r} is required: --${r} ${spec.flags[r].meta ?? '<value>'}`);
  }
  if (spec.positionals) spec.positionals(positionals);
  else if (positionals.length)
    throw new UsageError(
      `unexpected argument '${positionals[0]}' for 'seer ${name}' ` +
        `(its flags start with --; accepted flags: ${flagList(spec)})`,
    );
  return { flags, positionals, raw: argv };
}

/** An output directory (it need not exist yet); what is wrong with it is a usage error naming the flag. */
function outputDir(dir: string, flag: string): string {
  const problem = checkOutputDir(dir);
  if (problem) throw new UsageError(`${flag} ${dir}: ${problem}`);
  return dir;
}

function inputDir(dir: string, flag: string): string {
  const problem = checkInputDir(dir);
  if (problem) throw new UsageError(`${flag}: ${problem}`);
  return dir;
}

// ---- subcommands ------------------------------------------------------------------------------------------------

/** Flags that describe one experiment, shared by `run` and `sweep`. */
const EXPERIMENT_FLAGS = {
  agent: text('curl|rainbow'),
  scale: choice(SCALES),
  encoder: text('<id>'),
  set: setFlag,
} satisfies Record<string, FlagSpec>;

function experimentInput(flags: Record<string, unknown>): Partial<ExperimentConfig> {
  const cfg: Record<string, unknown> = { ...overrides(flags.set as [string, unknown][] | undefined) };
  for (const k of ['env', 'agent', 'variant', 'scale', 'encoder', 'seed'] as const)
    if (flags[k] !== undefined) cfg[k] = flags[k];
  return cfg as Partial<ExperimentConfig>;
}

const run: Subcommand = {
  summary: 'one run',
  usage:
    'seer run --env <id> --out <dir> [--agent curl|rainbow] [--variant <id>] [--scale <scale>] [--seed N]\n' +
    '         [--encoder <id>] [--resume] [--fork-from <baseline run dir>] [--set field=value ...]\n' +
    '  --resume: continue a killed run from its last checkpoint (the same settings, or it refuses)\n' +
    "  --fork-from: a seer run starts at the baseline's fork point at T_f (identical until then)",
  flags: {
    env: text('<id>'),
    variant: text('<id>'),
    seed: integer('N', 0, 2 ** 31 - 1),
    out: text('<dir>'),
    resume: toggle,
    'fork-from': text('<dir>'),
    ...EXPERIMENT_FLAGS,
  },
  required: ['env', 'out'],
  more: agentOptionsHelp,
  async run({ flags }) {
    const input = { ...experimentInput(flags), env: flags.env as string };
    resolveConfig(input); // every field checked before anything is written
    const forkFrom =
      flags['fork-from'] === undefined ? undefined : inputDir(flags['fork-from'] as string, '--fork-from');
    const out = outputDir(flags.out as string, '--out');
    const summary = await runExperiment(input, { out, resume: flags.resume === true, progress: true, forkFrom });
    console.log(JSON.stringify(summary));
    return 0;
  },
};

const sweep: Subcommand = {
  summary: 'seeds × environments × variants, N processes at a time',
  usage:
    'seer sweep --envs <id,...> --variants <id,...> --seeds <n,...> --out <dir> [--scale <scale>] [--jobs N]\n' +
    '           [--set field=value ...]\n' +
    '  prints "k of n finished" and an overall ETA (from measured speeds of finished runs) as runs end',
  flags: {
    envs: list('<id,...>'),
    variants: list('<id,...>'),
    seeds: list('<n,...>', (v, f) => parseInteger(v, f, 0, 2 ** 31 - 1)),
    out: text('<dir>'),
    jobs: integer('N', 1, 64),
    ...EXPERIMENT_FLAGS,
  },
  required: ['envs', 'variants', 'seeds', 'out'],
  async run({ flags }) {
    const out = flags.out as string;
    const base = experimentInput(flags);
    // The flags each run is started with (its own --env, --variant and --seed are added per job).
    const passthrough: string[] = [];
    for (const k of ['agent', 'scale', 'encoder'] as const)
      if (flags[k] !== undefined) passthrough.push(`--${k}`, String(flags[k]));
    for (const [field, value] of (flags.set as [string, unknown][] | undefined) ?? [])
      passthrough.push('--set', `${field}=${String(value)}`);
    const combos = expand({
      seed: flags.seeds as number[],
      env: flags.envs as string[],
      variant: flags.variants as string[],
    });
    const jobs: SweepJob[] = combos.map((c) => {
      const config = resolveConfig({
        ...base,
        env: c.env,
        variant: c.variant as ExperimentConfig['variant'],
        seed: c.seed,
      });
      return {
        dir: path.join(out, `${c.env.replace('/', '_')}__${c.variant}__s${c.seed}`),
        args: [...passthrough, '--env', c.env, '--variant', c.variant, '--seed', String(c.seed)],
        config, // an existing run made with other settings refuses the sweep (sweep.ts)
      };
    });
    outputDir(out, '--out');
    const parallel = flags.jobs as number | undefined;
    const samples = speedSamples([out, path.join(REPO_ROOT, 'data', 'runs')]);
    const estimate = (j: (typeof jobs)[number]): number | undefined =>
      estimateRun(j.config!, samples, reachedStep(j.dir), ownSpeeds(j.dir, resolveConfig(j.config!).initSteps))
        ?.seconds;
    const estimates = new Map(jobs.map((j) => [j.dir, estimate(j)]));
    const progress = new SweepProgress(estimates, parallel ?? os.cpus().length);
    const { failed } = await runSweep(jobs, {
      jobs: parallel,
      onEvent: (e) => {
        const counts = progress.event(e.job.dir, e.status);
        const detail = `${e.code ? ` (exit ${e.code})` : ''}${e.reason ? `: ${e.reason}` : ''}`;
        console.error(`[sweep] ${clock()} ${e.status} ${path.basename(e.job.dir)}${detail} · ${counts}`);
      },
    });
    return failed.length ? 1 : 0;
  },
};

const clock = (): string => new Date().toISOString().slice(11, 19);

const report: Subcommand = {
  summary: 'figures (return vs FLOPs, steps, wall time) and a table',
  usage:
    'seer report --runs <dir> [--runs <dir> ...] [--envs <id,...>] [--out <dir>]   (--out: build/reports/<runs name>)',
  flags: {
    runs: { takes: 'repeat', meta: '<dir>', check: (v, f) => inputDir(v, f) },
    envs: list('<id,...>'),
    out: text('<dir>'),
  },
  required: ['runs'],
  async run({ flags }) {
    const runs = flags.runs as string[];
    const out = outputDir((flags.out as string | undefined) ?? defaultReportDir(runs), '--out');
    const written = await writeReport(runs, out, { envs: flags.envs as string[] | undefined });
    for (const f of written) console.log(f);
    return 0;
  },
};

const unitInterval = (v: string, f: string): number => {
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n <= 0 || n > 1)
    throw new UsageError(`${f}: got '${v}'; expected numbers in (0, 1]`);
  return n;
};

const analyze: Subcommand = {
  summary: "Figure 8 and the adaptive rule replayed over a run's encoder snapshots",
  usage:
    'seer analyze --run <dir> --out <dir> [--probe N] [--taus 0.9,0.99] [--checks M]\n' +
    '  the run must have been kept with --set snapshotEvery=N',
  flags: {
    run: text('<dir>'),
    out: text('<dir>'),
    probe: integer('N', 1),
    taus: list('<τ,...>', unitInterval),
    checks: integer('M', 1),
  },
  required: ['run', 'out'],
  async run({ flags }) {
    const runDir = inputDir(flags.run as string, '--run');
    const out = outputDir(flags.out as string, '--out');
    const a = await analyzeRun(runDir, out, {
      probeSize: flags.probe as number | undefined,
      taus: flags.taus as number[] | undefined,
      checks: flags.checks as number | undefined,
    });
    for (const f of a.files) console.log(f);
    return 0;
  },
};

const demo: Subcommand = {
  summary: "the README's main job: SEER vs baseline on minatar/breakout, a figure and a table",
  usage: 'seer demo [--out <dir>] [--jobs N]   (--out: build/demo)',
  flags: { out: text('<dir>'), jobs: integer('N', 1, 64) },
  async run({ flags }) {
    const out = outputDir((flags.out as string | undefined) ?? path.join('build', 'demo'), '--out');
    const written = await runDemo(out, { jobs: flags.jobs as number | undefined });
    for (const f of written) console.log(f);
    return 0;
  },
};

const SECTION_CHOICES = [...SECTION_NAMES, 'all'];

/** Prints each event of a section queue with `k of n finished` and the overall ETA (lib/plan/section-status.ts). */
function sectionEventLogger(jobs: SectionJob[], parallel: number, root?: string): (e: SectionEvent) => void {
  const progress = sectionQueueProgress(jobs, parallel, defaultSamples(root));
  return (e) =>
    console.error(
      `[section] ${clock()} ${e.status} ${path.relative(process.cwd(), e.job.dir)}` +
        `${e.reason ? ` (${e.reason})` : ''} · ${progress.event(e.job.dir, e.status)}`,
    );
}

function reportFailed(failed: SectionJob[]): number {
  if (failed.length)
    console.error(
      `[section] failed: ${failed.map((f) => path.relative(process.cwd(), f.dir)).join(', ')} (see stdout.log in each)`,
    );
  return failed.length ? 1 : 0;
}

const section: Subcommand = {
  summary: "a paper section's runs, into data/runs/<section>/",
  usage:
    `seer section <${SECTION_CHOICES.join('|')}> [--scale <scale>] [--jobs N] [--root <dir>] [--status]\n` +
    '  --jobs: runs at a time (default 2; 0: one after another in this process)\n' +
    '  --status: each run finished, started or missing; for each unfinished one the command that makes it and its\n' +
    '            estimated time from measured speeds (makes nothing)\n' +
    "  all: every section's missing runs in one queue (forks after their baselines, transfer after pre-training)",
  flags: { scale: choice(SCALES), jobs: integer('N', 0, 64), root: text('<dir>'), status: toggle },
  positionals(args) {
    if (args.length !== 1) {
      throw new UsageError(
        args.length
          ? `seer section takes one section name, got ${args.join(' ')}`
          : `seer section needs a section name: ${SECTION_CHOICES.join(', ')}`,
      );
    }
    choice(SECTION_CHOICES).check!(args[0], 'section');
  },
  async run({ flags, positionals }) {
    const scale = (flags.scale as Scale | undefined) ?? 'laptop';
    const jobs = (flags.jobs as number | undefined) ?? 2;
    const root = flags.root as string | undefined;
    if (positionals[0] === 'all') {
      if (root !== undefined)
        throw new UsageError(
          "--root applies to one section; 'all' uses each section's own folder (data/runs/<section> at laptop scale)",
        );
      if (flags.status) {
        for (const line of allStatusLines(scale, defaultSamples())) console.log(line);
        return 0;
      }
      console.error(`[section] all sections at scale ${scale}, ${jobs} at a time`);
      const all = SECTION_NAMES.flatMap((n) => sectionJobs(n, scale));
      return reportFailed(await runAllSections(scale, { jobs, onEvent: sectionEventLogger(all, jobs) }));
    }
    const name = sectionNamed(positionals[0]).name;
    const dir = root ?? sectionDir(name, scale);
    if (flags.status) {
      // What is finished and what is not, per run directory, with the command and time of each unfinished one.
      for (const line of sectionStatusLines(name, scale, dir, defaultSamples(dir), Math.max(1, jobs)))
        console.log(line);
      return 0;
    }
    const planned = sectionJobs(name, scale, dir);
    console.error(`[section] ${name} at scale ${scale}: ${planned.length} runs into ${dir}`);
    const onEvent = sectionEventLogger(planned, jobs, dir);
    return reportFailed(await runSection(name, scale, { root: dir, jobs, onEvent }));
  },
};

const sectionJob: Subcommand = {
  summary: "one run of a section's plan, in this process (what `seer section` starts for each run)",
  usage:
    'seer section-job <section> <scale> <root> <run dir|index> [--out <run dir>] [--resume]\n' +
    '  makes or continues one job of the plan of <section> at <scale> under <root>: named by its run directory or its\n' +
    '  index in the plan; transfer and snapshot jobs too, which a plain `seer run` cannot make\n' +
    '  --out: the run directory again (the section queue adds it to every job; another directory is refused)\n' +
    '  --resume: accepted for the same reason; a section job always resumes (a started run continues)',
  flags: { out: text('<dir>'), resume: toggle },
  hidden: true,
  positionals(args) {
    if (args.length !== 4)
      throw new UsageError(
        `seer section-job expects <section> <scale> <root> <run dir|index>, got ${args.length} argument${args.length === 1 ? '' : 's'}`,
      );
    choice(SECTION_NAMES).check!(args[0], 'section');
    choice(SCALES).check!(args[1], 'scale');
  },
  async run({ flags, positionals }) {
    const [name, scale, root, which] = positionals;
    const job = findSectionJob(sectionNamed(name).name, parseScale(scale), root, which);
    const out = flags.out as string | undefined;
    if (out !== undefined && path.resolve(out) !== path.resolve(job.dir))
      throw new UsageError(`--out ${out} is not the job's run directory ${job.dir}`);
    await runJob(job);
    return 0;
  },
};

/** Every subcommand, by name. New ones plug in here (or through registerSubcommand). */
export const SUBCOMMANDS: Record<string, Subcommand> = {
  run,
  sweep,
  report,
  analyze,
  demo,
  section,
  'section-job': sectionJob,
};
// The queue (README "Scaling out"): --queue on sweep and section; worker, queue status, dashboard.
addQueueCommands(SUBCOMMANDS, experimentInput);

/** Adds a subcommand (e.g. the queue's `worker`, `queue`, `dashboard`), checked like the built-in ones. */
export function registerSubcommand(name: string, spec: Subcommand): void {
  if (SUBCOMMANDS[name]) throw new Error(`seer: subcommand '${name}' is already registered`);
  SUBCOMMANDS[name] = spec;
}

const EXIT_CODES = `exit codes:
  0    done
  1    a failure while working (a run failed, a file could not be read or written: the message names the path)
  2    a usage error: unknown command or flag, a missing or malformed value, an unusable output path (nothing ran)
  130  stopped by Ctrl-C after writing a checkpoint (143 for SIGTERM); --resume continues`;

export function usage(name?: string): string {
  if (name && SUBCOMMANDS[name]) {
    const s = SUBCOMMANDS[name];
    const more = s.more ? `${s.more()}\n\n` : '';
    return `${s.usage}\n\n${s.summary}\naccepted flags: ${flagList(s)}, --help\n\n${more}${EXIT_CODES}`;
  }
  const listed = Object.entries(SUBCOMMANDS).filter(([, s]) => !s.hidden);
  const width = Math.max(...listed.map(([n]) => n.length));
  const lines = listed.map(([n, s]) => `  ${n.padEnd(width)}  ${s.summary}`);
  return (
    `usage: seer <command> [flags]    (seer <command> --help for its flags)\n\ncommands:\n${lines.join('\n')}\n\n` +
    `${listed.map(([, s]) => s.usage).join('\n\n')}\n\n${EXIT_CODES}`
  );
}

/** The `seer` command line; returns the exit code (2 usage error, 1 failure, 130/143 stopped by a signal). */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined) {
    console.error(usage());
    return 2;
  }
  if (command === '--help' || command === '-h' || command === 'help') {
    const topic = rest[0];
    if (topic !== undefined && !SUBCOMMANDS[topic]) return usageError(unknownCommand(topic));
    console.log(usage(topic));
    return 0;
  }
  const spec = SUBCOMMANDS[command];
  if (!spec) return usageError(unknownCommand(command));
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(usage(command));
    return 0;
  }
  try {
    return await spec.run(parseArgs(command, spec, rest));
  } catch (err) {
    if (err instanceof UsageError || err instanceof ConfigError)
      return usageError(`${err.message}\n(seer ${command} --help lists its flags)`);
    const fs = describeFsError(err);
    console.error(`seer: ${fs ?? (err as Error)?.message ?? String(err)}`);
    if (process.env.SEER_DEBUG && err instanceof Error) console.error(err.stack);
    const code = (err as { exitCode?: unknown } | null)?.exitCode;
    return Number.isInteger(code) ? (code as number) : 1;
  }
}

function unknownCommand(command: string): string {
  const names = Object.keys(SUBCOMMANDS).filter((n) => !SUBCOMMANDS[n].hidden);
  const hint = closest(command, names);
  const mean = hint ? ` (did you mean '${hint}'?)` : '';
  return `unknown command '${command}'${mean}; commands: ${names.join(', ')} (seer --help for usage)`;
}

function usageError(message: string): number {
  console.error(`seer: ${message}`);
  return 2;
}
