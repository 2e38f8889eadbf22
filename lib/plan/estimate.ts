/**
 * How long a run will take, from the speeds finished runs measured: each run's log has `wallSeconds` at every
 * evaluation, so the seconds per agent step of each phase — warm-up without updates, updates on images, updates
 * after the freeze on latents — can be read off between neighbouring evaluations. A new run is estimated from the
 * most similar finished runs (same agent, encoder, batch and image size, same environment where there is one),
 * phase by phase: the three differ by up to 100× (CURL at laptop scale: 4 ms, 500 ms and 40 ms per step).
 * When no finished run shares the batch size (a benchmark-scale IMPALA or half-resolution run, whose only measured
 * cousins are laptop runs at batch 32), the update phases are scaled by the ratio of batch sizes: an update's
 * work is per sample (the benchmark cartpole baseline, batch 128, took 3.75× the laptop's 0.40 s per update).
 */
import { resolveConfig, type ExperimentConfig } from '../run/config';
import { loadRuns } from '../report/results';
import * as path from 'path';
import { readLog, type LogRecord } from '../run/log';
import { seerVariant } from '../seer/variants';
import type { RunPhase } from '../run/progress';

/** Seconds per agent step in each phase of one finished run, with the settings that decide its speed. */
export interface SpeedSample {
  dir: string;
  config: ExperimentConfig;
  secondsPerStep: Partial<Record<RunPhase, number>>;
}

/**
 * Per-phase seconds per agent step of one run's log (a phase with no whole interval between evaluations: none). A
 * forked run's log begins with its source's records up to the fork: those intervals are the source's measurements
 * (counted once, in the source) and are left out.
 */
export function phaseSpeeds(log: LogRecord[], initSteps: number): Partial<Record<RunPhase, number>> {
  const fork = log.find((r) => r.type === 'fork');
  const evals = log.filter((r) => r.type === 'eval' && !(fork && Number(r.agentSteps) <= Number(fork.agentSteps)));
  const sums: Record<RunPhase, { steps: number; seconds: number }> = {
    'warm-up': { steps: 0, seconds: 0 },
    updates: { steps: 0, seconds: 0 },
    frozen: { steps: 0, seconds: 0 },
  };
  for (let i = 1; i < evals.length; i++) {
    const [a, b] = [evals[i - 1], evals[i]];
    const steps = Number(b.agentSteps) - Number(a.agentSteps);
    const seconds = b.wallSeconds - a.wallSeconds;
    if (!(steps > 0) || !(seconds > 0)) continue;
    // An interval belongs to one phase only if both ends do; the one holding the switch to latents is left out.
    const phase: RunPhase | undefined =
      Number(b.agentSteps) <= initSteps
        ? 'warm-up'
        : a.frozen === true
          ? 'frozen'
          : b.frozen !== true && Number(a.agentSteps) >= initSteps
            ? 'updates'
            : undefined;
    if (!phase) continue;
    sums[phase].steps += steps;
    sums[phase].seconds += seconds;
  }
  const out: Partial<Record<RunPhase, number>> = {};
  for (const [phase, s] of Object.entries(sums) as [RunPhase, { steps: number; seconds: number }][]) {
    if (s.steps > 0) out[phase] = s.seconds / s.steps;
  }
  return out;
}

/** Speed samples of every finished run (DONE) below the roots; a run whose log or manifest cannot be read: none. */
export function speedSamples(roots: readonly string[]): SpeedSample[] {
  const out: SpeedSample[] = [];
  const seen = new Set<string>();
  for (const root of roots) {
    let runs: ReturnType<typeof loadRuns>;
    try {
      runs = loadRuns(root);
    } catch {
      continue;
    }
    for (const r of runs) {
      if (!r.done || seen.has(r.dir)) continue;
      seen.add(r.dir);
      try {
        const config = resolveConfig(r.manifest.config);
        out.push({ dir: r.dir, config, secondsPerStep: phaseSpeeds(r.log, config.initSteps) });
      } catch {
        // a run of an older config schema: no sample
      }
    }
  }
  return out;
}

/** The network's size and input, besides the batch: what makes one sample's update cost what it does. */
const shapeKey = (c: ExperimentConfig): string =>
  [c.agent, c.encoder, c.imageSize, c.frameStack, c.agentOptions.cropSize ?? '', c.agentOptions.hidden ?? ''].join('|');

interface MatchLevel {
  key: (c: ExperimentConfig) => string;
  /** Whether the batch size may differ (the update phases are then scaled by the ratio of batch sizes). */
  scaleBatch: boolean;
}

/** Settings that decide a step's cost, from the most to the least specific match. */
const MATCH_LEVELS: MatchLevel[] = [
  {
    key: (c) => [c.agent, c.env, c.encoder, c.batchSize, c.imageSize, c.frameStack, c.actionRepeat].join('|'),
    scaleBatch: false,
  },
  { key: (c) => [shapeKey(c), c.batchSize].join('|'), scaleBatch: false },
  { key: shapeKey, scaleBatch: true },
];

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

interface PhaseSpeed {
  /** Seconds per agent step. */
  value: number;
  runs: number;
  /** The batch size of the measured runs when it differs from the config's (the value is scaled to it). */
  scaledFrom?: number;
}

/** Seconds per step of a phase for this config: the median over the most similar runs that measured it. */
function speedOf(cfg: ExperimentConfig, phase: RunPhase, samples: readonly SpeedSample[]): PhaseSpeed | undefined {
  for (const { key, scaleBatch } of MATCH_LEVELS) {
    const k = key(cfg);
    const matched = samples.filter((s) => key(s.config) === k && s.secondsPerStep[phase] !== undefined);
    if (!matched.length) continue;
    // Warm-up steps do no updates: their cost does not depend on the batch.
    const ratio = (s: SpeedSample): number =>
      scaleBatch && phase !== 'warm-up' ? cfg.batchSize / s.config.batchSize : 1;
    const value = median(matched.map((s) => s.secondsPerStep[phase]! * ratio(s)));
    const batches = [...new Set(matched.map((s) => s.config.batchSize))].filter((b) => b !== cfg.batchSize);
    const scaledFrom = scaleBatch && phase !== 'warm-up' && batches.length ? Math.min(...batches) : undefined;
    return { value, runs: matched.length, ...(scaledFrom !== undefined ? { scaledFrom } : {}) };
  }
  return undefined;
}

export interface RunEstimate {
  seconds: number;
  /** How it was estimated, for the reader. */
  basis: string;
  /** Set when the measured runs used another batch size (the smallest such), scaled to this run's. */
  scaledFrom?: number;
}

/**
 * Seconds a run of `input` needs from agent step `fromStep` (0: a fresh run; a fork starts at T_f; a started run at
 * its last step) to its end, or undefined when no finished run measured the speed of a phase it goes through.
 * Before T_f a freezing run costs what its baseline does; after it, what finished frozen runs cost (or, when none
 * did, the image rate: an upper bound). Adaptive freezing is counted as frozen at freezeAt. `own`: a started run's
 * own speeds so far (ownSpeeds), used for the phases it has measured: the same run on the same machine and load.
 */
export function estimateRun(
  input: Partial<ExperimentConfig> & { env: string },
  samples: readonly SpeedSample[],
  fromStep = 0,
  own: Partial<Record<RunPhase, number>> = {},
): RunEstimate | undefined {
  const cfg = resolveConfig(input);
  const freezes = seerVariant(cfg.variant).freeze;
  const freezeStep = freezes ? cfg.initSteps + cfg.freezeAt : cfg.steps;
  const spans: [RunPhase, number, number][] = [
    ['warm-up', 0, cfg.initSteps],
    ['updates', cfg.initSteps, freezeStep],
    ['frozen', freezeStep, cfg.steps],
  ];
  let seconds = 0;
  let runs = 0;
  let scaledFrom: number | undefined;
  let ownUsed = false;
  for (const [phase, a, b] of spans) {
    const steps = Math.max(0, b - Math.max(a, fromStep));
    if (!steps) continue;
    if (own[phase] !== undefined) {
      seconds += steps * own[phase]!;
      ownUsed = true;
      continue;
    }
    const speed = speedOf(cfg, phase, samples) ?? (phase === 'frozen' ? speedOf(cfg, 'updates', samples) : undefined);
    if (!speed) return undefined;
    seconds += steps * speed.value;
    runs = Math.max(runs, speed.runs);
    if (speed.scaledFrom !== undefined) scaledFrom = Math.min(scaledFrom ?? Infinity, speed.scaledFrom);
  }
  const scaled = scaledFrom !== undefined ? `, scaled from batch ${scaledFrom} to ${cfg.batchSize}` : '';
  const parts = [
    ...(ownUsed ? ["the run's own speed so far"] : []),
    ...(runs ? [`measured speeds of ${runs} finished run${runs === 1 ? '' : 's'}${scaled}`] : []),
  ];
  return {
    seconds,
    basis: parts.join(' and ') || 'nothing left to run',
    ...(scaledFrom !== undefined ? { scaledFrom } : {}),
  };
}

/** A started run's own seconds per step, phase by phase, from its log so far ({} for a fresh or unreadable one). */
export function ownSpeeds(dir: string, initSteps: number): Partial<Record<RunPhase, number>> {
  try {
    return phaseSpeeds(readLog(path.join(dir, 'log.jsonl')), initSteps);
  } catch {
    return {};
  }
}

/** The agent step a started run has logged up to (0 for a fresh or unreadable one), where its estimate starts. */
export function reachedStep(dir: string): number {
  try {
    return Number(readLog(path.join(dir, 'log.jsonl')).pop()?.agentSteps ?? 0) || 0;
  } catch {
    return 0;
  }
}
