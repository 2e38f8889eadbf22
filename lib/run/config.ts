/**
 * An experiment = agent + environment + SEER variant + scale + seed. `resolveConfig` fills every field from the
 * scale's defaults and validates the result; errors name the field and the accepted values.
 */
import { CONTROL_TASKS, CONTROL_TASK_NAMES } from '../envs/control';
import { GAME_NAMES } from '../envs/games';
import { LATENT_DTYPES, type LatentDtype } from '../replay/latent-codec';
import { SEER_VARIANTS, type VariantId } from '../seer/variants';
import { ADAPTIVE_DEFAULTS, ADAPTIVE_TAU } from '../seer/adaptive';
import { ConfigError, intIn, noUnknownKeys, numberIn, oneOf } from '../util/validate';
import { parseMemoryBudget } from '../replay/budget';
import { checkCurlOptions } from '../agents/curl';
import { checkRainbowOptions } from '../agents/rainbow';
import { CURL_DEFAULTS, CURL_SPEC, curlReplay } from '../agents/curl-args';
import { RAINBOW_DEFAULTS, RAINBOW_SPEC, rainbowReplay } from '../agents/rainbow-args';
import { defaultsOf, helpLines, type ReplaySettings, type Spec } from '../agents/spec';
import { paperBudgetFor } from '../seer/capacity';

import { SCALES, type Scale } from './scale';

export { SCALES, type Scale };
export const AGENTS = ['curl', 'rainbow'] as const;
export const ENCODERS = ['sac-ae', 'rainbow', 'impala'] as const;

export interface ExperimentConfig {
  agent: (typeof AGENTS)[number];
  env: string;
  encoder: (typeof ENCODERS)[number];
  variant: VariantId;
  scale: Scale;
  seed: number;
  /** Agent steps (one action each; env steps = agent steps × action repeat). */
  steps: number;
  /** Random-action steps before the first update (CURL init_steps, Rainbow learn-start). */
  initSteps: number;
  /** T_f in updates; ignored by variants that never freeze. */
  freezeAt: number;
  /** K augmented copies per stored latent. */
  copies: number;
  latentDtype: LatentDtype;
  /** Image replay capacity C for unconstrained variants. */
  capacity: number;
  /** Memory budget of constrained variants, e.g. '0.03GB'; default: the task's paper budget. */
  memoryBudget: string;
  batchSize: number;
  /** Rendered image side (control 100 → crop 84; games 84). */
  imageSize: number;
  frameStack: number;
  /** 0 = the task's default. */
  actionRepeat: number;
  /** 0 = the environment's own limit. */
  maxEpisodeSteps: number;
  evalEvery: number;
  evalEpisodes: number;
  /** Seconds between checkpoints (taken at the next episode end). */
  checkpointSeconds: number;
  /** When SEER variants freeze: at T_f = freezeAt ('fixed', the paper) or when the encoder's layers stop changing
   *  ('adaptive': SVCCA between consecutive checks ≥ adaptiveTau for adaptiveChecks checks, lib/seer/adaptive.ts). */
  freezeRule: 'fixed' | 'adaptive';
  adaptiveTau: number;
  adaptiveChecks: number;
  /** Updates between adaptive checks (Δ). */
  adaptiveInterval: number;
  /** Save the encoder every this many updates into <run>/snapshots for Figure 8 (0 = never). */
  snapshotEvery: number;
  /** Observations in the fixed probe set of the adaptive rule (taken from replay at the first update). */
  probeSize: number;
  /** Extra agent options (learning rates, …) passed through to the agent's own validation. */
  agentOptions: Record<string, unknown>;
}

export const FREEZE_RULES = ['fixed', 'adaptive'] as const;

type Defaults = Omit<
  ExperimentConfig,
  'agent' | 'env' | 'variant' | 'scale' | 'seed' | 'encoder' | 'memoryBudget' | AnalysisField
>;
type AnalysisField =
  'freezeRule' | 'adaptiveTau' | 'adaptiveChecks' | 'adaptiveInterval' | 'snapshotEvery' | 'probeSize';

/** Adaptive freezing defaults (lib/seer/adaptive.ts ADAPTIVE_DEFAULTS), Δ scaled to the run; τ per agent. */
const ANALYSIS_DEFAULTS: Record<Scale, Pick<ExperimentConfig, Exclude<AnalysisField, 'adaptiveTau'>>> = {
  smoke: { freezeRule: 'fixed', adaptiveChecks: 2, adaptiveInterval: 4, snapshotEvery: 0, probeSize: 8 },
  laptop: {
    freezeRule: 'fixed',
    adaptiveChecks: ADAPTIVE_DEFAULTS.checks,
    adaptiveInterval: 500,
    snapshotEvery: 0,
    probeSize: 256,
  },
  benchmark: {
    freezeRule: 'fixed',
    adaptiveChecks: ADAPTIVE_DEFAULTS.checks,
    adaptiveInterval: 500,
    snapshotEvery: 0,
    probeSize: 256,
  },
  paper: {
    freezeRule: 'fixed',
    adaptiveChecks: ADAPTIVE_DEFAULTS.checks,
    adaptiveInterval: ADAPTIVE_DEFAULTS.interval,
    snapshotEvery: 0,
    probeSize: 256,
  },
};

/**
 * Per scale and agent: smoke runs in seconds (tests), laptop in hours on two cores (data/runs), benchmark at the
 * field's 100K-step budgets, paper at the paper's settings. One object per scale and agent, one line per concern
 * (run length; replay; observations and episodes; evaluation and checkpoints; agent options beyond the agent's
 * defaults, lib/agents/*-args.ts), the columns aligned so a scale's two agents and an agent's four scales read side
 * by side. A comment says why where a value departs from its neighbours.
 */
// prettier-ignore
const SCALE_DEFAULTS: Record<Scale, Record<ExperimentConfig['agent'], Defaults>> = {
  smoke: {
    curl: {
      steps: 24,         initSteps: 8,    freezeAt: 8,
      copies: 2,         latentDtype: 'float32', capacity: 64,      batchSize: 4,
      imageSize: 100,    frameStack: 3,   actionRepeat: 0, maxEpisodeSteps: 10, // episode ends within a test
      evalEvery: 12,     evalEpisodes: 1,  checkpointSeconds: 0, // a checkpoint at every episode end
      agentOptions: { hidden: 32 }, // a small network: seconds per run
    },
    rainbow: {
      steps: 60,         initSteps: 16,   freezeAt: 20,
      copies: 1,         latentDtype: 'float32', capacity: 200,     batchSize: 8,
      imageSize: 84,     frameStack: 4,   actionRepeat: 0, maxEpisodeSteps: 25,
      evalEvery: 30,     evalEpisodes: 1,  checkpointSeconds: 0,
      agentOptions: { hidden: 32, targetUpdate: 10 }, // targets copied within the run's 44 updates
    },
  },
  laptop: {
    // 4,000 updates at batch 32: about 25 min per baseline on one core of this machine (0.32 s per update), so that
    // every CURL run of every section (about 30 baseline-equivalents with forks) fits in a few sessions. The
    // earlier 9,000 updates cost about an hour per run on one core, 65 core-hours for the set.
    curl: {
      steps: 5000,       initSteps: 1000, freezeAt: 1500,
      copies: 4,         latentDtype: 'float32', capacity: 5000,    batchSize: 32,
      imageSize: 100,    frameStack: 3,   actionRepeat: 0, maxEpisodeSteps: 0,
      evalEvery: 500,    evalEpisodes: 5,  checkpointSeconds: 120,
      agentOptions: {},
    },
    // Sized for this 2-core machine (about 0.1 s per update on wasm): ~10 minutes per run.
    rainbow: {
      steps: 6000,       initSteps: 1000, freezeAt: 2000,
      copies: 1,         latentDtype: 'float32', capacity: 6000,    batchSize: 32,
      imageSize: 84,     frameStack: 4,   actionRepeat: 0, maxEpisodeSteps: 5000,
      evalEvery: 500,    evalEpisodes: 10, checkpointSeconds: 120,
      agentOptions: {},
    },
  },
  // The field's sample-efficiency budgets (issue 18): Rainbow 100K agent steps (the Atari-100k length, data-efficient
  // Rainbow's T-max), CURL 100K environment steps (DMC-100k; agent steps = 100K / action repeat, set per task in
  // `benchmarkCurl`) at SEER's batch 128. T_f sits where the paper's scripts put it relative to the run
  // (`relativeFreeze`). Both follow the SEER authors' code where it departs from CURL/Rainbow (agentOptions):
  // Rainbow without prioritized replay (seer_atari memory_no_per.py); CURL with SEER's Adam layout and its whole-critic
  // target copy at the freeze (seer_dmc curl_sac.py:329-358, train.py:395; lib/agents/curl.ts).
  benchmark: {
    curl: {
      // steps, freezeAt and evalEvery: replaced per task by `benchmarkCurl` (these are action repeat 8's)
      steps: 12_500,     initSteps: 1000, freezeAt: relativeFreeze('curl', 12_500, 1000),
      copies: 4,         latentDtype: 'float32', capacity: 100_000, batchSize: 128,
      imageSize: 100,    frameStack: 3,   actionRepeat: 0, maxEpisodeSteps: 0,
      evalEvery: 1250,   evalEpisodes: 10, checkpointSeconds: 300,
      agentOptions: { optimizers: 'seer', targetCopyAtFreeze: 'critic' },
    },
    rainbow: {
      steps: 100_000,    initSteps: 1600, freezeAt: relativeFreeze('rainbow', 100_000, 1600),
      copies: 1,         latentDtype: 'float32', capacity: 100_000, batchSize: 32,
      imageSize: 84,     frameStack: 4,   actionRepeat: 0, maxEpisodeSteps: 27_000, // Atari's 108K frames at skip 4
      evalEvery: 5000,   evalEpisodes: 10, checkpointSeconds: 300,
      agentOptions: { prioritizedReplay: false },
    },
  },
  paper: {
    curl: {
      steps: 80_000,     initSteps: 1000, freezeAt: 10_000, // the SEER authors' cartpole script
      copies: 4,         latentDtype: 'float32', capacity: 80_000,  batchSize: 128,
      imageSize: 100,    frameStack: 3,   actionRepeat: 0, maxEpisodeSteps: 0,
      evalEvery: 2500,   evalEpisodes: 10, checkpointSeconds: 600,
      agentOptions: {},
    },
    rainbow: {
      steps: 500_000,    initSteps: 1600, freezeAt: 50_004, // the SEER authors' Alien script
      copies: 1,         latentDtype: 'float32', capacity: 500_000, batchSize: 32,
      imageSize: 84,     frameStack: 4,   actionRepeat: 0, maxEpisodeSteps: 27_000, // Atari's 108K frames at skip 4
      evalEvery: 10_000, evalEpisodes: 10, checkpointSeconds: 600,
      agentOptions: {},
    },
  },
};

const FIELDS: readonly (keyof ExperimentConfig)[] = [
  'agent',
  'env',
  'encoder',
  'variant',
  'scale',
  'seed',
  'steps',
  'initSteps',
  'freezeAt',
  'copies',
  'latentDtype',
  'capacity',
  'memoryBudget',
  'batchSize',
  'imageSize',
  'frameStack',
  'actionRepeat',
  'maxEpisodeSteps',
  'evalEvery',
  'evalEpisodes',
  'checkpointSeconds',
  'freezeRule',
  'adaptiveTau',
  'adaptiveChecks',
  'adaptiveInterval',
  'snapshotEvery',
  'probeSize',
  'agentOptions',
];

/** The default `memoryBudget`: the paper's for the task (lib/seer/capacity.ts PAPER_MEMORY, paperBudgetFor). */
export function defaultBudget(env: string): string {
  return paperBudgetFor(env);
}

/**
 * T_f at the same fraction of the run's updates as in the SEER authors' scripts (seer-reference §1.2, §1.8):
 * cartpole 10,000 agent steps of 80,000 with 1,000 random steps (9,000 of 79,000 updates); Alien 50,004 of 500,000
 * with learn-start 1,600 (48,404 of 498,400 updates).
 */
export function relativeFreeze(agent: ExperimentConfig['agent'], steps: number, initSteps: number): number {
  const [frozenAt, updates] = agent === 'curl' ? [9_000, 79_000] : [48_404, 498_400];
  return Math.round(((steps - initSteps) * frozenAt) / updates);
}

/** CURL at benchmark scale: 100K environment steps of the task (its own or the given action repeat), eval every 10K. */
function benchmarkCurl(env: string, actionRepeat: number | undefined, d: Defaults): Defaults {
  const repeat = actionRepeat || CONTROL_TASKS[env]().actionRepeat;
  const steps = Math.ceil(100_000 / repeat);
  return { ...d, steps, freezeAt: relativeFreeze('curl', steps, d.initSteps), evalEvery: Math.ceil(10_000 / repeat) };
}

export function resolveConfig(input: Partial<ExperimentConfig> & { env: string }): ExperimentConfig {
  noUnknownKeys('', input, FIELDS);
  const envIds = [...CONTROL_TASK_NAMES, ...GAME_NAMES.map((g) => `minatar/${g}`)];
  const env = oneOf('env', input.env, envIds);
  const isGame = env.startsWith('minatar/');
  const agent = oneOf('agent', input.agent ?? (isGame ? 'rainbow' : 'curl'), AGENTS);
  if (agent === 'rainbow' && !isGame)
    throw new ConfigError('agent', `'rainbow' needs a discrete game (minatar/…), got env '${env}'`);
  if (agent === 'curl' && isGame)
    throw new ConfigError('agent', `'curl' needs a continuous control task, got env '${env}'`);
  const scale = oneOf('scale', input.scale ?? 'smoke', SCALES);
  const scaled = SCALE_DEFAULTS[scale][agent];
  const d = scale === 'benchmark' && agent === 'curl' ? benchmarkCurl(env, input.actionRepeat, scaled) : scaled;
  const c: ExperimentConfig = {
    ...d,
    ...ANALYSIS_DEFAULTS[scale],
    adaptiveTau: ADAPTIVE_TAU[agent],
    encoder: agent === 'curl' ? 'sac-ae' : 'rainbow',
    variant: 'baseline',
    seed: 0,
    memoryBudget: defaultBudget(env),
    ...input,
    agent,
    env,
    scale,
    agentOptions: { ...d.agentOptions, ...(input.agentOptions ?? {}) },
  } as ExperimentConfig;
  oneOf('encoder', c.encoder, agent === 'curl' ? (['sac-ae', 'impala'] as const) : ENCODERS);
  oneOf(
    'variant',
    c.variant,
    SEER_VARIANTS.map((v) => v.id),
  );
  oneOf('latentDtype', c.latentDtype, LATENT_DTYPES);
  intIn('seed', c.seed, 0, 2 ** 31 - 1);
  intIn('steps', c.steps, 1);
  intIn('initSteps', c.initSteps, 0, c.steps);
  const updates = c.steps - c.initSteps;
  if (!Number.isInteger(c.freezeAt) || c.freezeAt < 0 || c.freezeAt > updates) {
    throw new ConfigError(
      'freezeAt',
      `T_f = ${JSON.stringify(c.freezeAt)} must be an integer in [0, ${updates}] (the run does ${updates} updates)`,
    );
  }
  intIn('copies', c.copies, 1, 64);
  intIn('capacity', c.capacity, 1);
  intIn('batchSize', c.batchSize, 1, 4096);
  intIn('imageSize', c.imageSize, 10, 512);
  intIn('frameStack', c.frameStack, 1, 16);
  intIn('actionRepeat', c.actionRepeat, 0, 100);
  intIn('maxEpisodeSteps', c.maxEpisodeSteps, 0);
  intIn('evalEvery', c.evalEvery, 1);
  intIn('evalEpisodes', c.evalEpisodes, 0, 1000);
  numberIn('checkpointSeconds', c.checkpointSeconds, 0, 86_400);
  oneOf('freezeRule', c.freezeRule, FREEZE_RULES);
  numberIn('adaptiveTau', c.adaptiveTau, 0, 1);
  intIn('adaptiveChecks', c.adaptiveChecks, 1);
  intIn('adaptiveInterval', c.adaptiveInterval, 1);
  intIn('snapshotEvery', c.snapshotEvery, 0);
  intIn('probeSize', c.probeSize, 1, 100_000);
  // Checked for every variant, also those that never read it: a typo must not wait for the run that uses it.
  if (typeof c.memoryBudget === 'number') c.memoryBudget = String(c.memoryBudget);
  if (typeof c.memoryBudget !== 'string')
    throw new ConfigError('memoryBudget', `expected a string such as '0.03GB' or '30MB'`);
  try {
    parseMemoryBudget(c.memoryBudget);
  } catch (err) {
    throw new ConfigError('memoryBudget', (err as Error).message);
  }
  checkAgentOptions(agent, c.agentOptions);
  checkAgentRanges(c);
  return c;
}

/** Each agent's hyperparameters, their defaults, ranges and docs: one spec per agent (lib/agents/*-args.ts). */
export const AGENT_SPECS: Record<ExperimentConfig['agent'], Spec> = { curl: CURL_SPEC, rainbow: RAINBOW_SPEC };

/**
 * Agent options the runner passes through (`--set agentOptions.<name>=…`): the fields of each agent's spec (so an
 * option added there is accepted here), with their defaults, minus what the runner sets from the experiment's own
 * fields (encoder, batchSize, seed). CURL's cropSize default is the one of 100-pixel images.
 */
const RUNNER_SET = { encoder: '--encoder', batchSize: '--set batchSize=…', seed: '--seed' } as Record<string, string>;
export const AGENT_OPTIONS: Record<ExperimentConfig['agent'], Record<string, unknown>> = {
  curl: defaultsOf(CURL_SPEC),
  rainbow: defaultsOf(RAINBOW_SPEC),
};

/** What the run's replay takes from the agent's options: n-step, γ, prioritized replay and β, reward clipping. */
export function replaySettingsOf(c: ExperimentConfig): ReplaySettings {
  if (c.agent === 'curl') return curlReplay({ ...CURL_DEFAULTS, ...c.agentOptions });
  return rainbowReplay({ ...RAINBOW_DEFAULTS, ...c.agentOptions });
}

/** `seer run --help`'s agent options, from the specs: per agent its options' defaults, ranges and docs. */
export function agentOptionsHelp(): string {
  const pairs = (o: Record<string, unknown>, sep: string, show: (k: string, v: unknown) => string): string =>
    Object.entries(o)
      .map(([k, v]) => show(k, v))
      .join(sep);
  const lines = [
    'agent options (--set agentOptions.<name>=<value>): name, default, accepted values, what it sets',
    `  set with their own flags: ${pairs(RUNNER_SET, ', ', (k, flag) => `${k} (${flag})`)}`,
  ];
  for (const agent of AGENTS) {
    lines.push(`  ${agent}:`, ...helpLines(AGENT_SPECS[agent], Object.keys(RUNNER_SET)).map((l) => `    ${l}`));
    const byScale = SCALES.map((s) => [s, SCALE_DEFAULTS[s][agent].agentOptions] as const)
      .filter(([, o]) => Object.keys(o).length)
      .map(([s, o]) => `${s} ${pairs(o, ' ', (k, v) => `${k}=${String(v)}`)}`);
    if (byScale.length) lines.push(`    set by scale: ${byScale.join('; ')}`);
  }
  return lines.join('\n');
}

/**
 * The agent's own range checks (e.g. `hidden` a positive integer, `cropSize` at most the image side), run on the
 * observation shape this experiment gives it, so that a bad value stops `seer run` before it writes anything.
 */
function checkAgentRanges(c: ExperimentConfig): void {
  const obsShape = [c.imageSize, c.imageSize, (c.agent === 'curl' ? 3 : 1) * c.frameStack];
  try {
    if (c.agent === 'curl') {
      checkCurlOptions({ obsShape, actionDim: 1, encoder: c.encoder as 'sac-ae' | 'impala', ...c.agentOptions });
    } else {
      checkRainbowOptions({ obsShape, numActions: 2, encoder: c.encoder, ...c.agentOptions });
    }
  } catch (err) {
    throw new ConfigError('agentOptions', (err as Error).message);
  }
}

/** Unknown names are errors naming the accepted ones; values must have the type of the option's default. */
function checkAgentOptions(agent: ExperimentConfig['agent'], options: unknown): void {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new ConfigError('agentOptions', 'expected an object');
  }
  const known = AGENT_OPTIONS[agent];
  const accepted = Object.keys(known).filter((k) => !(k in RUNNER_SET));
  for (const [name, value] of Object.entries(options)) {
    const field = `agentOptions.${name}`;
    if (name in RUNNER_SET) throw new ConfigError(field, `is set by the runner: use ${RUNNER_SET[name]} instead`);
    if (!accepted.includes(name)) {
      throw new ConfigError(field, `not an option of ${agent}; accepted options: ${accepted.join(', ')}`);
    }
    const type = typeof known[name];
    if (typeof value !== type || (type === 'number' && !Number.isFinite(value))) {
      const expected = `${type === 'number' ? 'finite number' : type} like ${JSON.stringify(known[name])}`;
      throw new ConfigError(field, `got ${JSON.stringify(value)}; expected a ${expected}`);
    }
  }
}
