/**
 * The `seer` command.
 *   seer run    --env minatar/breakout --variant seer --scale laptop --seed 1 --out data/runs/x [--resume] [--set field=value]
 *   seer sweep  --envs a,b --variants baseline,seer --seeds 0,1,2 --scale laptop --out data/runs/section [--jobs 2]
 *   seer report --runs data/runs/section --out data/figures/section
 *   seer analyze --run data/runs/x --out data/figures/x-analysis
 */
import * as path from 'path';
import { resolveConfig, type ExperimentConfig } from './experiments/config';
import { runExperiment } from './experiments/train';
import { expand, runSweep, type SweepJob } from './experiments/sweep';
import { ConfigError } from './experiments/validate';
import { writeReport } from './experiments/report';
import { runDemo } from './experiments/demo';
import { sectionCli } from './experiments/section-run';
import { analyzeRun } from './experiments/analyze';

const USAGE = `usage:
  seer run    --env <id> [--agent curl|rainbow] [--variant <id>] [--scale smoke|laptop|paper] [--seed N] --out <dir> [--resume] [--fork-from <baseline run dir>] [--set field=value ...]
              --fork-from: a seer run starts at the baseline's last checkpoint before T_f (identical until then)
  seer sweep  --envs <id,...> --variants <id,...> --seeds <n,...> [--scale ...] --out <dir> [--jobs N] [--set field=value ...]
  seer report --runs <dir> [--runs <dir> ...] [--envs <id,...>] [--out <dir>]
  seer analyze --run <dir> --out <dir> [--probe N] [--taus 0.9,0.99] [--checks M]   Figure 8 + adaptive-rule replay from a run's snapshots
  seer demo   [--out <dir>] [--jobs N]     the README's main job: SEER vs baseline on minatar/breakout, figure + table
  seer section <compute|memory|impala|transfer|encoder-analysis|resolution|all> [--scale laptop] [--jobs N] [--root dir] [--status]
              --status: which of the section's runs are finished, started or missing (makes nothing)
              all: every section's missing runs in one queue (forks after their baselines, transfer after pre-training)`;

type Flags = Record<string, string[]>;

function parseFlags(argv: string[]): Flags {
  const flags: Flags = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) throw new Error(`unexpected argument '${a}'\n${USAGE}`);
    const [key, inline] = a.slice(2).split(/=(.*)/s, 2);
    const value = inline ?? (argv[i + 1] !== undefined && !argv[i + 1].startsWith('--') ? argv[++i] : 'true');
    (flags[key] ??= []).push(value);
  }
  return flags;
}

function one(flags: Flags, key: string): string | undefined {
  return flags[key]?.[flags[key].length - 1];
}

/** `--set batchSize=64 --set agentOptions.hidden=256`: numbers and booleans are parsed, the rest kept as strings. */
function overrides(flags: Flags): Partial<ExperimentConfig> {
  const out: Record<string, unknown> = {};
  for (const kv of flags.set ?? []) {
    const m = /^([\w.]+)=(.*)$/.exec(kv);
    if (!m) throw new Error(`--set expects field=value, got '${kv}'`);
    const raw = m[2];
    const value = raw === 'true' ? true : raw === 'false' ? false : raw !== '' && !Number.isNaN(Number(raw)) ? Number(raw) : raw;
    const [head, ...rest] = m[1].split('.');
    if (rest.length) ((out[head] ??= {}) as Record<string, unknown>)[rest.join('.')] = value;
    else out[head] = value;
  }
  return out as Partial<ExperimentConfig>;
}

const NUMERIC = ['seed'] as const;

function runConfig(flags: Flags): Partial<ExperimentConfig> & { env: string } {
  const env = one(flags, 'env');
  if (!env) throw new Error(`--env is required\n${USAGE}`);
  const cfg: Record<string, unknown> = { env, ...overrides(flags) };
  for (const key of ['agent', 'variant', 'scale', 'encoder'] as const) if (one(flags, key)) cfg[key] = one(flags, key);
  for (const key of NUMERIC) if (one(flags, key) !== undefined) cfg[key] = Number(one(flags, key));
  return cfg as Partial<ExperimentConfig> & { env: string };
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === 'run') {
      const flags = parseFlags(rest);
      const out = one(flags, 'out');
      if (!out) throw new Error(`--out <dir> is required\n${USAGE}`);
      const forkFrom = one(flags, 'fork-from');
      if (forkFrom === 'true') throw new Error(`--fork-from needs a baseline run directory\n${USAGE}`);
      const summary = await runExperiment(runConfig(flags), { out, resume: one(flags, 'resume') === 'true', progress: true, forkFrom });
      console.log(JSON.stringify(summary));
      return 0;
    }
    if (command === 'sweep') {
      const flags = parseFlags(rest);
      const out = one(flags, 'out');
      if (!out) throw new Error(`--out <dir> is required\n${USAGE}`);
      const list = (k: string) => (one(flags, k) ?? '').split(',').filter(Boolean);
      const combos = expand({ seed: list('seeds').map(Number), env: list('envs'), variant: list('variants') });
      if (!combos.length) throw new Error(`--envs, --variants and --seeds each need at least one value\n${USAGE}`);
      const passthrough = rest.filter((a, i) => !['--envs', '--variants', '--seeds', '--out', '--jobs'].includes(a) && !['--envs', '--variants', '--seeds', '--out', '--jobs'].includes(rest[i - 1]));
      const jobs: SweepJob[] = combos.map((c) => {
        resolveConfig({ ...runConfig(parseFlags(passthrough.concat(['--env', c.env]))), variant: c.variant as ExperimentConfig['variant'], seed: c.seed });
        return {
          dir: path.join(out, `${c.env.replace('/', '_')}__${c.variant}__s${c.seed}`),
          args: [...passthrough, '--env', c.env, '--variant', c.variant, '--seed', String(c.seed)],
        };
      });
      const jobsN = one(flags, 'jobs') ? Number(one(flags, 'jobs')) : undefined;
      const { failed } = await runSweep(jobs, { jobs: jobsN, onEvent: (e) => console.error(`[sweep] ${e.status} ${path.basename(e.job.dir)}${e.code ? ` (exit ${e.code})` : ''}`) });
      return failed.length ? 1 : 0;
    }
    if (command === 'report') {
      const flags = parseFlags(rest);
      const runs = flags.runs;
      if (!runs?.length) throw new Error(`--runs <dir> is required\n${USAGE}`);
      const envs = one(flags, 'envs')?.split(',').filter(Boolean);
      const written = await writeReport(runs, one(flags, 'out') ?? path.join('data', 'figures', path.basename(runs[0])), { envs });
      for (const f of written) console.log(f);
      return 0;
    }
    if (command === 'analyze') {
      const flags = parseFlags(rest);
      const run = one(flags, 'run');
      const out = one(flags, 'out');
      if (!run || !out) throw new Error(`--run <dir> and --out <dir> are required\n${USAGE}`);
      const num = (k: string, v: string): number => {
        const n = Number(v);
        if (!Number.isFinite(n) || n <= 0) throw new Error(`--${k} expects positive numbers, got '${v}'`);
        return n;
      };
      const taus = one(flags, 'taus')?.split(',').map((t) => num('taus', t));
      const a = await analyzeRun(run, out, {
        probeSize: one(flags, 'probe') ? num('probe', one(flags, 'probe')!) : undefined,
        taus,
        checks: one(flags, 'checks') ? num('checks', one(flags, 'checks')!) : undefined,
      });
      for (const f of a.files) console.log(f);
      return 0;
    }
    if (command === 'section') return sectionCli(rest);
    if (command === 'demo') {
      const flags = parseFlags(rest);
      const out = one(flags, 'out') ?? path.join('build', 'demo');
      const written = await runDemo(out, { jobs: one(flags, 'jobs') ? Number(one(flags, 'jobs')) : undefined });
      for (const f of written) console.log(f);
      return 0;
    }
    console.error(USAGE);
    return command ? 2 : 0;
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`seer: ${err.message}`);
      return 2;
    }
    throw err;
  }
}
