/**
 * What a queued job carries: one run's full resolved configuration and where its directory lies under the shared
 * run root — never a command line. A worker validates it here, with the same validator as `seer run`
 * (resolveConfig), before anything runs, and starts the run in-process without a shell; so a job put on the queue
 * by someone else can do nothing but a run. Its id is derived from what the run computes (config, directory,
 * kind, pre-trained encoder), so enqueuing the same run twice never makes it twice.
 */
import { createHash } from 'crypto';
import { resolveConfig, type ExperimentConfig } from '../run/config';

export const JOB_KINDS = ['run', 'transfer', 'snapshots'] as const;
export type JobKind = (typeof JOB_KINDS)[number];

/** A run that must be finished (DONE) before this one starts: its directory and, when queued, its job id. */
export interface JobNeed {
  dir: string;
  id: string;
}

export interface RunJobData {
  kind: JobKind;
  config: ExperimentConfig;
  /** The run directory, relative to the run root ('/'-separated). */
  dir: string;
  /** A seer run: the baseline it forks from, when that one has passed T_f (relative to the run root). */
  forkFrom?: string;
  /** A transfer run: the pre-training run whose encoder it loads (relative to the run root). */
  pretrainedFrom?: string;
  /** A snapshots run: keep the encoder every this many updates. */
  snapshotEvery?: number;
  /** Runs that must be finished first (the fork source, the pre-training run). */
  needs: JobNeed[];
  /** The id in `<run root>/.seer-run-root` of the root it was enqueued under: a worker checks it sees the same one. */
  rootId: string;
}

const JOB_FIELDS = ['kind', 'config', 'dir', 'forkFrom', 'pretrainedFrom', 'snapshotEvery', 'needs', 'rootId'] as const;

export class JobValidationError extends Error {
  constructor(field: string, problem: string) {
    super(`job.${field}: ${problem}`);
    this.name = 'JobValidationError';
  }
}

/** Characters any run setting or run directory uses; everything else (shell syntax, quotes, spaces) is refused. */
const SAFE = /^[A-Za-z0-9_.,:@+=/-]*$/;
const SAFE_WORDS = 'letters, digits and _ . , : @ + = / -';

function checkStrings(where: string, value: unknown): void {
  if (typeof value === 'string') {
    if (!SAFE.test(value)) {
      const bad = [...value].find((ch) => !SAFE.test(ch));
      throw new JobValidationError(
        where,
        `${JSON.stringify(value)} holds ${JSON.stringify(bad)}, which no run setting uses; ` +
          `accepted characters: ${SAFE_WORDS}`,
      );
    }
  } else if (Array.isArray(value)) value.forEach((v, i) => checkStrings(`${where}[${i}]`, v));
  else if (value && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) checkStrings(where ? `${where}.${k}` : k, v);
}

/** A path relative to the run root that stays inside it. */
function relativeDir(field: string, value: unknown): string {
  if (typeof value !== 'string' || value === '')
    throw new JobValidationError(
      field,
      `expected a run directory relative to the run root, got ${JSON.stringify(value)}`,
    );
  const parts = value.split('/');
  if (value.startsWith('/') || parts.some((p) => p === '..' || p === '.' || p === '')) {
    throw new JobValidationError(
      field,
      `'${value}' must be a relative path inside the run root (no leading '/', no '.' or '..' parts)`,
    );
  }
  return value;
}

/**
 * Validates a job's data as it comes off the queue; returns it with the config re-resolved by resolveConfig.
 * Throws JobValidationError or the config's ConfigError, each naming the field and what is accepted.
 */
export function validateJobData(data: unknown): RunJobData {
  if (!data || typeof data !== 'object' || Array.isArray(data))
    throw new JobValidationError('', `expected an object, got ${JSON.stringify(data)}`);
  const d = data as Record<string, unknown>;
  for (const key of Object.keys(d)) {
    if (!(JOB_FIELDS as readonly string[]).includes(key))
      throw new JobValidationError(key, `unknown field; accepted fields: ${JOB_FIELDS.join(', ')}`);
  }
  checkStrings('', d);
  if (!(JOB_KINDS as readonly unknown[]).includes(d.kind))
    throw new JobValidationError('kind', `got ${JSON.stringify(d.kind)}; accepted values: ${JOB_KINDS.join(', ')}`);
  if (!d.config || typeof d.config !== 'object')
    throw new JobValidationError('config', 'expected the run configuration (an object)');
  const config = resolveConfig(d.config as Partial<ExperimentConfig> & { env: string });
  const out: RunJobData = { kind: d.kind as JobKind, config, dir: relativeDir('dir', d.dir), needs: [], rootId: '' };
  if (d.forkFrom !== undefined) out.forkFrom = relativeDir('forkFrom', d.forkFrom);
  if (d.pretrainedFrom !== undefined) out.pretrainedFrom = relativeDir('pretrainedFrom', d.pretrainedFrom);
  if (out.kind === 'transfer' && !out.pretrainedFrom)
    throw new JobValidationError('pretrainedFrom', `a transfer job needs the pre-training run's directory`);
  if (d.snapshotEvery !== undefined || out.kind === 'snapshots') {
    if (!Number.isInteger(d.snapshotEvery) || (d.snapshotEvery as number) < 1) {
      throw new JobValidationError(
        'snapshotEvery',
        `got ${JSON.stringify(d.snapshotEvery)}; expected an integer ≥ 1 ` +
          '(a snapshots job keeps the encoder every N updates)',
      );
    }
    out.snapshotEvery = d.snapshotEvery as number;
  }
  if (!Array.isArray(d.needs))
    throw new JobValidationError('needs', `expected a list of {dir, id}, got ${JSON.stringify(d.needs)}`);
  out.needs = d.needs.map((n: unknown, i) => {
    const o = (n ?? {}) as Record<string, unknown>;
    if (typeof o !== 'object' || Object.keys(o).some((k) => k !== 'dir' && k !== 'id') || typeof o.id !== 'string') {
      throw new JobValidationError(`needs[${i}]`, `expected {dir, id}, got ${JSON.stringify(n)}`);
    }
    return { dir: relativeDir(`needs[${i}].dir`, o.dir), id: o.id };
  });
  if (typeof d.rootId !== 'string' || !/^[0-9a-f]{16,64}$/.test(d.rootId))
    throw new JobValidationError('rootId', `expected the run root's id (hex), got ${JSON.stringify(d.rootId)}`);
  out.rootId = d.rootId;
  return out;
}

/** JSON with object keys sorted at every level, so equal configs give equal text whatever order they were built in. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * The job id: a hash of what the run computes and where it lives — its full resolved config, its directory, its
 * kind and pre-trained encoder. The fork source and the needs are left out: a forked run's log equals the run
 * from scratch (test/run/fork.test.ts), so they only change when the run starts, not what it is.
 */
export function jobIdOf(
  data: Pick<RunJobData, 'kind' | 'config' | 'dir' | 'pretrainedFrom' | 'snapshotEvery'>,
): string {
  const key = canonicalJson({
    kind: data.kind,
    config: resolveConfig(data.config),
    dir: data.dir,
    pretrainedFrom: data.pretrainedFrom,
    snapshotEvery: data.snapshotEvery,
  });
  return `run-${createHash('sha256').update(key).digest('hex').slice(0, 24)}`;
}
