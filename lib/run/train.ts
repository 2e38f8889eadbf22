/**
 * The training loop of one experiment, readable top to bottom (CleanRL-style): act, step, store, update, and at
 * T_f switch to latent replay (SEER). It writes an append-only JSONL log and a manifest, checkpoints at episode
 * ends every `checkpointSeconds`, and `resume` continues a killed run from its last checkpoint with the same
 * random streams, so an interrupted run's log equals an uninterrupted one (wall time aside).
 *
 * What happens before the loop and at its episode ends lives beside it: how the run begins (from step 0, its own
 * checkpoint or a baseline's fork point: restore-or-start.ts), when it checkpoints (checkpointing.ts), the run's
 * state as a checkpoint (run-state.ts), the loop's counters (loop-state.ts), and the replay's two phases, images
 * then latents (replay-phase.ts).
 */
import * as path from 'path';
import { initBackend } from '../backend/select';
import { makeEnv, withTimeLimit, type Env, type Observation } from '../envs';
import { Rng } from '../envs/rng';
import type { TrainAgent } from '../agents/types';
import { makeCurl } from '../agents/curl';
import { makeRainbow } from '../agents/rainbow';
import type { Batch, Transition } from '../replay/types';
import { ImageReplay, imageCapacityForBudget, type ImageReplayOptions } from '../replay/image-replay';
import { capacityHat } from '../seer/capacity';
import { switchReportOf } from '../seer/switch';
import { seerVariant } from '../seer/variants';
import { replaySettingsOf, resolveConfig, type ExperimentConfig } from './config';
import type { ReplaySettings } from '../agents/spec';
import { RunLog, readLog } from './log';
import { Progress, runPhase } from './progress';
import { markDone, isDone } from './done';
import { RunFreezing } from './freezing';
import { openRunDir, type OpenRun } from './run-guard';
import { RunInterrupted, type StopSignal } from './stop';
import { freshLoopState, LoopLog } from './loop-state';
import { chooseBeginning, restoreOrStart } from './restore-or-start';
import { Checkpointing } from './checkpointing';
import { freezeReplay } from './replay-phase';

export type { TrainAgent };

export interface RunOptions {
  /** Run directory: manifest.json, log.jsonl, checkpoints/, DONE. */
  out: string;
  /** Continue from the last checkpoint in `out` (a fresh start when there is none). */
  resume?: boolean;
  /** Draw a progress bar on stderr (when it is a TTY). */
  progress?: boolean;
  /** Stop after this many agent steps of this process (tests use it to simulate a kill). */
  stopAfterSteps?: number;
  /**
   * A SEER run: start from this baseline run's fork point (its state at its last episode end at or before T_f)
   * instead of update 0 (lib/run/fork.ts); a baseline with no usable one: from update 0, saying so in the
   * log and manifest. With `resume`, the run's own checkpoint, when it has one, wins.
   */
  forkFrom?: string;
  /**
   * Called on the freshly built agent when the run starts from step 0 (not when it restores a checkpoint, which
   * already holds what this set): e.g. a transfer run loads a pre-trained encoder here, before the step-0
   * evaluation. What it returns is added to the manifest.
   */
  initAgent?: (agent: TrainAgent) => Promise<Record<string, unknown>>;
}

export interface RunSummary {
  dir: string;
  steps: number;
  updates: number;
  finalReturn: number | null;
  wallSeconds: number;
  completed: boolean;
}

// ---- what a run is made of: environments, agent, image replay, evaluation ----------------------------------------

/** Deterministic per-episode seeds: independent of how often the run was interrupted. */
function episodeSeed(seed: number, episode: number, evalRound = -1): number {
  return (seed * 1_000_003 + (evalRound + 1) * 7_919_993 + episode) % 2 ** 31;
}

/** Environment steps per agent step (control: the task's action repeat; games: frame skip). */
function actionRepeatOf(env: Env): number {
  const e = env as Env & { actionRepeat?: number; frameSkip?: number };
  return e.actionRepeat ?? e.frameSkip ?? 1;
}

async function buildEnv(cfg: ExperimentConfig, seed: number): Promise<{ env: Env; actionRepeat: number }> {
  const env = await makeEnv(cfg.env, {
    seed,
    size: cfg.imageSize,
    frameStack: cfg.frameStack,
    ...(cfg.actionRepeat ? { actionRepeat: cfg.actionRepeat } : {}),
    obs: 'pixels',
  });
  const actionRepeat = actionRepeatOf(env);
  return { env: cfg.maxEpisodeSteps ? withTimeLimit(env, cfg.maxEpisodeSteps) : env, actionRepeat };
}

function buildAgent(cfg: ExperimentConfig, env: Env): TrainAgent {
  const shape = env.observationSpace.shape as [number, number, number];
  if (cfg.agent === 'curl') {
    if (env.actionSpace.kind !== 'box') throw new Error(`curl needs a continuous action space, ${cfg.env} has none`);
    return makeCurl({
      obsShape: shape,
      actionDim: env.actionSpace.shape[0],
      encoder: cfg.encoder as 'sac-ae' | 'impala',
      batchSize: cfg.batchSize,
      seed: cfg.seed,
      ...cfg.agentOptions,
    });
  }
  if (env.actionSpace.kind !== 'discrete')
    throw new Error(`rainbow needs a discrete action space, ${cfg.env} has none`);
  return makeRainbow({
    obsShape: shape,
    numActions: env.actionSpace.n,
    encoder: cfg.encoder,
    seed: cfg.seed,
    ...cfg.agentOptions,
  });
}

/** Image replay as the variant asks: the usual capacity, the budget's capacity, or Ĉ of the constrained SEER run. */
function buildReplay(cfg: ExperimentConfig, env: Env, agent: TrainAgent, algo: ReplaySettings): ImageReplay {
  const variant = seerVariant(cfg.variant);
  const space = env.actionSpace;
  // n-step, γ and prioritized replay are the agent's hyperparameters (lib/agents/*-args.ts, replaySettingsOf).
  const per = algo.prioritized;
  const opts: Omit<ImageReplayOptions, 'capacity'> = {
    obsShape: env.observationSpace.shape,
    frameStack: cfg.frameStack,
    action: space.kind === 'discrete' ? { discrete: true } : { discrete: false, dim: space.shape[0] },
    nStep: algo.nStep,
    gamma: algo.gamma,
    prioritized: per ? { exponent: per.exponent, beta: per.beta(0, cfg.steps - cfg.initSteps) } : undefined,
    seed: cfg.seed + 17,
  };
  let capacity = Math.min(cfg.capacity, cfg.steps);
  if (variant.imageCapacity === 'budget') {
    capacity = imageCapacityForBudget(opts, cfg.memoryBudget, cfg.batchSize);
  } else if (variant.imageCapacity === 'c-hat') {
    const C = imageCapacityForBudget(opts, cfg.memoryBudget, cfg.batchSize);
    const frameSize = new ImageReplay({ ...opts, capacity: 1 }).frameSize;
    capacity = capacityHat({
      C,
      P: frameSize,
      N: agent.latentHeads,
      K: cfg.copies,
      L: agent.latentDim,
      dtype: cfg.latentDtype,
      maxCapacity: cfg.steps,
    });
  }
  return new ImageReplay({ ...opts, capacity });
}

function randomAction(env: Env, rng: Rng): number | Float32Array {
  const space = env.actionSpace;
  if (space.kind === 'discrete') return Math.floor(rng.random() * space.n);
  const a = new Float32Array(space.shape[0]);
  for (let i = 0; i < a.length; i++) a[i] = space.low + (space.high - space.low) * rng.random();
  return a;
}

/** Mean undiscounted return of `episodes` evaluation episodes (deterministic policy, fixed seeds per round). */
function evaluate(env: Env, agent: TrainAgent, episodes: number, seed: number, round: number): number {
  let total = 0;
  for (let e = 0; e < episodes; e++) {
    let { obs } = env.reset({ seed: episodeSeed(seed, e, round) });
    for (;;) {
      const r = env.step(agent.act(obs, 'eval'));
      total += r.reward;
      obs = r.obs;
      if (r.terminated || r.truncated) break;
    }
  }
  return episodes ? total / episodes : NaN;
}

/** A finished run resumed again: nothing to do; its summary comes from its log. */
function finishedRun(cfg: ExperimentConfig, dir: string): RunSummary {
  const last = readLog(path.join(dir, 'log.jsonl'))
    .filter((r) => r.type === 'eval')
    .pop();
  const finalReturn = (last?.evalReturn as number) ?? null;
  return { dir, steps: cfg.steps, updates: cfg.steps - cfg.initSteps, finalReturn, wallSeconds: 0, completed: true };
}

// ---- the run ------------------------------------------------------------------------------------------------------

export async function runExperiment(
  input: Partial<ExperimentConfig> & { env: string },
  options: RunOptions,
): Promise<RunSummary> {
  const cfg = resolveConfig(input);
  await initBackend();
  // One writer per run directory, the same experiment when resumed, a checkpoint on Ctrl-C (run-guard.ts).
  const run = openRunDir(options.out, cfg, options.resume === true);
  try {
    return await train(cfg, options, run);
  } finally {
    run.close();
  }
}

async function train(cfg: ExperimentConfig, options: RunOptions, run: OpenRun): Promise<RunSummary> {
  const dir = options.out;
  if (isDone(dir) && options.resume) return finishedRun(cfg, dir);
  const beginning = chooseBeginning(cfg, dir, options, run.checkpoint?.snapshot);

  const { env, actionRepeat } = await buildEnv(cfg, cfg.seed);
  const { env: evalEnv } = await buildEnv(cfg, cfg.seed + 1);
  const agent = buildAgent(cfg, env);
  // n-step, γ, prioritized replay with its β schedule, reward clipping: the agent's (lib/agents/*-args.ts).
  const algo = replaySettingsOf(cfg);
  const images = buildReplay(cfg, env, agent, algo);
  const s = freshLoopState(actionRepeat);
  const runLog = new RunLog(path.join(dir, 'log.jsonl'));
  const log = new LoopLog(runLog, s);
  const freezing = new RunFreezing(cfg, agent, dir, (check) => log.append({ type: 'similarity', ...check }));
  let phase = await restoreOrStart(beginning, {
    cfg,
    dir,
    s,
    agent,
    freezing,
    images,
    log: runLog,
    resume: options.resume === true,
    notes: run.notes,
    initAgent: options.initAgent,
  });

  log.startClock();
  const checkpoints = new Checkpointing(dir, cfg, { s, agent, freezing }, () => log.wall(), run.stop);
  if (beginning.from !== 'step 0') checkpoints.restoredFrom(beginning.checkpoint);
  const bar = new Progress(`${cfg.env} ${cfg.variant} s${cfg.seed}`, cfg.steps, s.step);
  let stepsThisProcess = 0;
  const totalUpdates = cfg.steps - cfg.initSteps;
  let interrupted: StopSignal | undefined;
  const evalRound = (): void => {
    s.evalRound += 1;
    const ret = evaluate(evalEnv, agent, cfg.evalEpisodes, cfg.seed, s.evalRound);
    s.lastReturn = ret;
    bar.setReturn(ret);
    log.append({
      type: 'eval',
      evalReturn: ret,
      flops: agent.flops.snapshot().cumulative,
      cumulativeFlops: agent.flops.total(),
      replayBytes: phase.replay.bytesAllocated(),
      replayPaperBytes: phase.replay.paperBytes(),
      capacity: phase.replay.capacity,
      replaySize: phase.replay.size,
      frozen: s.frozen,
    });
  };
  // Every curve starts at the untrained agent (step 0), as the paper's figures do.
  if (beginning.from === 'step 0') evalRound();
  const rng = new Rng(episodeSeed(cfg.seed, s.episode));
  let obs: Observation = env.reset({ seed: episodeSeed(cfg.seed, s.episode) }).obs;
  let episodeReturn = 0;
  let episodeLength = 0;
  // Rewards are clipped for training (Rainbow: ±1); logs keep raw returns.
  const { rewardClip, prioritized: per } = algo;

  while (s.step < cfg.steps) {
    const action = s.step < cfg.initSteps ? randomAction(env, rng) : agent.act(obs, 'explore');
    const r = env.step(action);
    const reward = rewardClip ? Math.max(-rewardClip, Math.min(rewardClip, r.reward)) : r.reward;
    const t: Transition = {
      obs,
      action: action as number | Float32Array,
      reward,
      nextObs: r.obs,
      terminated: r.terminated,
      truncated: r.truncated,
    };
    phase.replay.add(t);
    episodeReturn += r.reward;
    episodeLength += 1;
    obs = r.obs;
    s.step += 1;
    stepsThisProcess += 1;

    if (s.step > cfg.initSteps) {
      if (phase.kind === 'images' && freezing.shouldFreeze(s.updates, s.step, phase.replay)) {
        phase = freezeReplay(phase, agent, cfg);
        s.frozen = true;
        const report = switchReportOf(phase.replay);
        log.append({
          type: 'freeze',
          ...(report ?? {}),
          cumulativeFlops: agent.flops.total(),
          flops: agent.flops.snapshot().cumulative,
        });
        if (options.progress) bar.froze(s.updates, agent, report);
      }
      const replay = phase.replay;
      if (replay.prioritized && per) replay.beta = per.beta(s.updates, totalUpdates);
      if (s.updates === 0) freezing.afterUpdate(0); // the encoder before training, for Figure 8
      const batch: Batch = replay.sample(cfg.batchSize);
      const stats = agent.update(batch, s.updates);
      const priorities = agent.lastPriorities?.();
      if (priorities && replay.prioritized) replay.updatePriorities(batch.indices, priorities);
      s.updates += 1;
      freezing.afterUpdate(s.updates);
      Object.assign(s.windowStats, stats);
      if (s.updates % 100 === 0) {
        log.append({ type: 'train', ...s.windowStats });
        s.windowStats = {};
      }
    }

    if (s.step % cfg.evalEvery === 0 || s.step === cfg.steps) evalRound();

    if (r.terminated || r.truncated) {
      log.append({ type: 'episode', episodeReturn, episodeLength });
      s.episode += 1;
      episodeReturn = 0;
      episodeLength = 0;
      rng.seed(episodeSeed(cfg.seed, s.episode));
      obs = env.reset({ seed: episodeSeed(cfg.seed, s.episode) }).obs;
      // Checkpoints when the clock asks, the fork point, and on Ctrl-C / SIGTERM a checkpoint, then stop here.
      interrupted = await checkpoints.atEpisodeEnd(phase.replay);
      if (interrupted) break;
    }
    if (options.progress) bar.update(s.step, runPhase(s.step, cfg.initSteps, s.frozen));
    await run.stop.poll(); // lets a pending signal's handler run
    if (options.stopAfterSteps !== undefined && stepsThisProcess >= options.stopAfterSteps) break;
  }
  bar.done();
  const completed = s.step >= cfg.steps;
  if (completed) {
    checkpoints.atRunEnd();
    log.append({ type: 'end', cumulativeFlops: agent.flops.total(), flops: agent.flops.snapshot().cumulative });
    markDone(dir, { steps: s.step, updates: s.updates, finalReturn: s.lastReturn, wallSeconds: log.wall() });
  }
  env.close();
  evalEnv.close();
  freezing.dispose();
  agent.dispose();
  if (interrupted) {
    throw new RunInterrupted(
      interrupted,
      `stopped by ${interrupted} at step ${s.step} of ${cfg.steps}: checkpoint ${checkpoints.lastWritten} written; continue with --resume`,
    );
  }
  return { dir, steps: s.step, updates: s.updates, finalReturn: s.lastReturn, wallSeconds: log.wall(), completed };
}
