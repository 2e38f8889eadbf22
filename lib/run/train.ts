/**
 * The training loop of one experiment, readable top to bottom (CleanRL-style): act, step, store, update, and at
 * T_f switch to latent replay (SEER). It writes an append-only JSONL log and a manifest, checkpoints at episode
 * ends every `checkpointSeconds`, and `resume` continues a killed run from its last checkpoint with the same
 * random streams, so an interrupted run's log equals an uninterrupted one (wall time aside).
 */
import * as fs from 'fs';
import * as path from 'path';
import { initBackend } from '../backend/select';
import { makeEnv, withTimeLimit, type Env, type Observation } from '../envs';
import { Rng } from '../envs/rng';
import { makeCurl, type CurlAgent } from '../agents/curl';
import { makeRainbow, type RainbowAgent } from '../agents/rainbow';
import type { Batch, Transition } from '../replay/types';
import type { ReplayState } from '../replay/step-ring';
import { ImageReplay, imageCapacityForBudget, type ImageReplayOptions } from '../replay/image-replay';
import { LatentReplay } from '../replay/latent-replay';
import { capacityHat } from '../seer/capacity';
import { switchToLatentReplay, switchReportOf } from '../seer/switch';
import { seerVariant } from '../seer/variants';
import { writeCheckpoint, type Snapshot } from './checkpoint';
import { ForkPointKeeper, forkPointOrReason } from './fork';
import { resolveConfig, type ExperimentConfig } from './config';
import { RunLog, readLog, type LogRecord } from './log';
import { makeManifest } from './manifest';
import { writeFileAtomic } from '../util/atomic';
import { Progress, runPhase } from './progress';
import { markDone, isDone } from '../plan/sweep';
import { RunFreezing } from './freezing';
import { openRunDir, type OpenRun } from './run-guard';
import { RunInterrupted, type StopSignal } from './stop';

export type TrainAgent = CurlAgent | RainbowAgent;

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

/** Deterministic per-episode seeds: independent of how often the run was interrupted. */
function episodeSeed(seed: number, episode: number, evalRound = -1): number {
  return (seed * 1_000_003 + (evalRound + 1) * 7_919_993 + episode) % 2 ** 31;
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
function buildReplay(cfg: ExperimentConfig, env: Env, agent: TrainAgent): ImageReplay {
  const variant = seerVariant(cfg.variant);
  const space = env.actionSpace;
  const opts: Omit<ImageReplayOptions, 'capacity'> = {
    obsShape: env.observationSpace.shape,
    frameStack: cfg.frameStack,
    action: space.kind === 'discrete' ? { discrete: true } : { discrete: false, dim: space.shape[0] },
    nStep: cfg.agent === 'rainbow' ? 20 : 1,
    gamma: 0.99,
    prioritized: agent.kind === 'rainbow' && agent.config.prioritizedReplay ? { exponent: 0.5, beta: 0.4 } : undefined,
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

/** Environment steps per agent step (control: the task's action repeat; games: frame skip). */
function actionRepeatOf(env: Env): number {
  const e = env as Env & { actionRepeat?: number; frameSkip?: number };
  return e.actionRepeat ?? e.frameSkip ?? 1;
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

interface LoopState {
  /** Agent steps (actions taken); env steps = step × actionRepeat. */
  step: number;
  actionRepeat: number;
  updates: number;
  episode: number;
  evalRound: number;
  frozen: boolean;
  logRecords: number;
  wallBefore: number;
  lastReturn: number | null;
}

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
  const ckptDir = path.join(dir, 'checkpoints');
  const logFile = path.join(dir, 'log.jsonl');
  if (isDone(dir) && options.resume) {
    const last = readLog(logFile)
      .filter((r) => r.type === 'eval')
      .pop();
    return {
      dir,
      steps: cfg.steps,
      updates: cfg.steps - cfg.initSteps,
      finalReturn: (last?.evalReturn as number) ?? null,
      wallSeconds: 0,
      completed: true,
    };
  }
  const own = run.checkpoint?.snapshot;
  if (!options.resume && fs.existsSync(logFile) && fs.statSync(logFile).size > 0) {
    throw new Error(
      `${logFile} already exists: pass --resume to continue that run, or choose another --out (nothing is overwritten)`,
    );
  }
  // A baseline with no usable fork point: this run starts from update 0 instead, and says so (lib/run/fork.ts).
  const forkOrNot = !own && options.forkFrom ? forkPointOrReason(options.forkFrom, cfg) : undefined;
  const fork = forkOrNot && 'checkpoint' in forkOrNot ? forkOrNot : undefined;
  const noFork =
    forkOrNot && 'missing' in forkOrNot
      ? { from: path.relative(dir, options.forkFrom!), reason: forkOrNot.missing }
      : undefined;
  const checkpoint = own ?? fork?.checkpoint;
  const forkPoint = new ForkPointKeeper(dir, cfg);

  const { env, actionRepeat } = await buildEnv(cfg, cfg.seed);
  const { env: evalEnv } = await buildEnv(cfg, cfg.seed + 1);
  const agent = buildAgent(cfg, env);
  let replay: ImageReplay | LatentReplay = buildReplay(cfg, env, agent);
  const log = new RunLog(logFile);
  const freezing = new RunFreezing(cfg, agent, dir, (check) =>
    append(log, s, wall(), { type: 'similarity', ...check }),
  );
  const s: LoopState = {
    step: 0,
    actionRepeat,
    updates: 0,
    episode: 0,
    evalRound: 0,
    frozen: false,
    logRecords: 0,
    wallBefore: 0,
    lastReturn: null,
  };
  const start = stamp(s, 0, {
    type: 'start',
    variant: cfg.variant,
    freezeRule: freezing.describe(),
    capacity: replay.capacity,
    replayBytes: replay.bytesAllocated(),
    replayPaperBytes: replay.paperBytes(),
  });

  if (checkpoint) {
    Object.assign(s, checkpoint.meta.loop as LoopState);
    // A frozen run: switch the (still empty) image replay first, so the latent buffer gets the same Ĉ, then refill it.
    if (s.frozen) replay = switchToLatentReplay(agent, replay as ImageReplay, latentOptions(cfg, agent));
    agent.load(snapshotToAgentState(checkpoint));
    replay.importState(sub(checkpoint, 'replay/', 'replay'));
    freezing.importState(sub(checkpoint, 'freezing/', 'freezing'));
    if (forkPoint.wants(s.updates)) forkPoint.hold(checkpointLabel(s), checkpoint); // may still be the fork point
    if (fork) {
      // The source's records up to the fork point, behind this run's own manifest and start record.
      log.truncateTo(0);
      writeFileAtomic(
        path.join(dir, 'manifest.json'),
        JSON.stringify(
          {
            ...makeManifest(cfg, cfg.seed),
            forkedFrom: { dir: path.relative(dir, options.forkFrom!), updates: fork.updates },
          },
          null,
          1,
        ),
      );
      log.append(start);
      for (const r of fork.records.slice(1)) log.append(r);
      log.append(stamp(s, s.wallBefore, { type: 'fork', from: path.relative(dir, options.forkFrom!) }));
    } else {
      log.truncateTo(s.logRecords); // drop what was logged after the checkpoint: it will be redone identically
      log.append(stamp(s, 0, { type: 'resume', ...run.notes }));
    }
  } else {
    // Resumed before its first checkpoint: the run restarts from step 0 and rewrites the same records.
    if (options.resume) log.truncateTo(0);
    const extra = options.initAgent ? await options.initAgent(agent) : {};
    if (noFork) console.error(`[seer] ${dir}: ${noFork.reason}; this run starts from update 0 instead`);
    const manifest = { ...makeManifest(cfg, cfg.seed), ...extra, ...(noFork ? { forkFallback: noFork } : {}) };
    writeFileAtomic(path.join(dir, 'manifest.json'), JSON.stringify(manifest, null, 1));
    log.append(start);
    if (noFork) log.append(stamp(s, 0, { type: 'fork-fallback', ...noFork }));
    if (Object.keys(run.notes).length) log.append(stamp(s, 0, { type: 'resume', ...run.notes }));
  }
  s.logRecords = readLog(logFile).length;

  const t0 = Date.now();
  const wall = () => s.wallBefore + (Date.now() - t0) / 1000;
  const bar = new Progress(`${cfg.env} ${cfg.variant} s${cfg.seed}`, cfg.steps, s.step);
  let lastCkpt = Date.now();
  let stepsThisProcess = 0;
  const totalUpdates = cfg.steps - cfg.initSteps;
  let interrupted: StopSignal | undefined;
  const evalRound = (): void => {
    s.evalRound += 1;
    const ret = evaluate(evalEnv, agent, cfg.evalEpisodes, cfg.seed, s.evalRound);
    s.lastReturn = ret;
    bar.setReturn(ret);
    append(log, s, wall(), {
      type: 'eval',
      evalReturn: ret,
      flops: agent.flops.snapshot().cumulative,
      cumulativeFlops: agent.flops.total(),
      replayBytes: replay.bytesAllocated(),
      replayPaperBytes: replay.paperBytes(),
      capacity: replay.capacity,
      replaySize: replay.size,
      frozen: s.frozen,
    });
  };
  // Every curve starts at the untrained agent (step 0), as the paper's figures do.
  if (!checkpoint) evalRound();
  const rng = new Rng(episodeSeed(cfg.seed, s.episode));
  let obs: Observation = env.reset({ seed: episodeSeed(cfg.seed, s.episode) }).obs;
  let episodeReturn = 0;
  let episodeLength = 0;
  const clipReward = cfg.agent === 'rainbow'; // data-efficient Rainbow trains on rewards clipped to ±1; logs raw returns

  while (s.step < cfg.steps) {
    const action = s.step < cfg.initSteps ? randomAction(env, rng) : agent.act(obs, 'explore');
    const r = env.step(action);
    const reward = clipReward ? Math.max(-1, Math.min(1, r.reward)) : r.reward;
    const t: Transition = {
      obs,
      action: action as number | Float32Array,
      reward,
      nextObs: r.obs,
      terminated: r.terminated,
      truncated: r.truncated,
    };
    replay.add(t);
    episodeReturn += r.reward;
    episodeLength += 1;
    obs = r.obs;
    s.step += 1;
    stepsThisProcess += 1;

    if (s.step > cfg.initSteps) {
      if (!s.frozen && freezing.shouldFreeze(s.updates, s.step, replay as ImageReplay)) {
        replay = switchToLatentReplay(agent, replay as ImageReplay, latentOptions(cfg, agent));
        s.frozen = true;
        append(log, s, wall(), {
          type: 'freeze',
          ...(switchReportOf(replay as LatentReplay) ?? {}),
          cumulativeFlops: agent.flops.total(),
          flops: agent.flops.snapshot().cumulative,
        });
        if (options.progress) bar.froze(s.updates, agent, switchReportOf(replay as LatentReplay));
      }
      if (replay.prioritized) replay.beta = Math.min(1, 0.4 + (0.6 * s.updates) / Math.max(1, totalUpdates));
      if (s.updates === 0) freezing.afterUpdate(0); // the encoder before training, for Figure 8
      const batch: Batch = replay.sample(cfg.batchSize);
      const stats = agent.update(batch, s.updates);
      const prios = 'lastPriorities' in agent ? agent.lastPriorities() : undefined;
      if (prios && replay.prioritized) replay.updatePriorities(batch.indices, prios);
      s.updates += 1;
      freezing.afterUpdate(s.updates);
      if (s.updates % 100 === 0) append(log, s, wall(), { type: 'train', ...stats });
    }

    if (s.step % cfg.evalEvery === 0 || s.step === cfg.steps) evalRound();

    if (r.terminated || r.truncated) {
      append(log, s, wall(), { type: 'episode', episodeReturn, episodeLength });
      s.episode += 1;
      episodeReturn = 0;
      episodeLength = 0;
      rng.seed(episodeSeed(cfg.seed, s.episode));
      obs = env.reset({ seed: episodeSeed(cfg.seed, s.episode) }).obs;
      // A checkpoint when the clock asks for one. A baseline also hands this state to its fork point's keeper when
      // it may be the last episode end at or before T_f, which writes the one it holds once past T_f (fork.ts).
      const clockSays = (Date.now() - lastCkpt) / 1000 >= cfg.checkpointSeconds && s.step < cfg.steps;
      const snapshot = clockSays ? await snapshotOf(s, wall(), agent, replay, freezing) : undefined;
      if (forkPoint.wants(s.updates)) {
        forkPoint.hold(checkpointLabel(s), await markedSnapshotOf(s, wall(), agent, replay, freezing));
      }
      forkPoint.settle(s.updates);
      if (snapshot) {
        writeCheckpoint(ckptDir, checkpointLabel(s), snapshot);
        lastCkpt = Date.now();
      }
      if (run.stop.signal && s.step < cfg.steps) {
        // Ctrl-C / SIGTERM: this episode end is the safe point; keep the work in a checkpoint, then stop (stop.ts).
        if (!snapshot)
          writeCheckpoint(ckptDir, checkpointLabel(s), await snapshotOf(s, wall(), agent, replay, freezing));
        interrupted = run.stop.signal;
        break;
      }
    }
    if (options.progress) bar.update(s.step, runPhase(s.step, cfg.initSteps, s.frozen));
    await run.stop.poll(); // lets a pending signal's handler run
    if (options.stopAfterSteps !== undefined && stepsThisProcess >= options.stopAfterSteps) break;
  }
  bar.done();
  const completed = s.step >= cfg.steps;
  if (completed) {
    forkPoint.settle(s.updates, true);
    append(log, s, wall(), {
      type: 'end',
      cumulativeFlops: agent.flops.total(),
      flops: agent.flops.snapshot().cumulative,
    });
    markDone(dir, { steps: s.step, updates: s.updates, finalReturn: s.lastReturn, wallSeconds: wall() });
  }
  env.close();
  evalEnv.close();
  freezing.dispose();
  agent.dispose();
  if (interrupted) {
    const where = path.join(ckptDir, checkpointLabel(s));
    throw new RunInterrupted(
      interrupted,
      `stopped by ${interrupted} at step ${s.step} of ${cfg.steps}: checkpoint ${where} written; continue with --resume`,
    );
  }
  return { dir, steps: s.step, updates: s.updates, finalReturn: s.lastReturn, wallSeconds: wall(), completed };

  function append(l: RunLog, st: LoopState, w: number, rec: { type: string; [key: string]: unknown }): void {
    l.append(stamp(st, w, rec));
    st.logRecords += 1;
  }
}

function stamp(s: LoopState, wallSeconds: number, rec: { type: string; [key: string]: unknown }): LogRecord {
  return {
    ...rec,
    type: rec.type,
    agentSteps: s.step,
    envSteps: s.step * s.actionRepeat,
    updates: s.updates,
    episode: s.episode,
    wallSeconds: Math.round(wallSeconds * 1000) / 1000,
  };
}

function latentOptions(cfg: ExperimentConfig, agent: TrainAgent) {
  const variant = seerVariant(cfg.variant);
  return {
    copies: cfg.copies,
    dtype: cfg.latentDtype,
    maxCapacity: cfg.steps,
    batchSize: cfg.batchSize,
    seed: cfg.seed + 29,
    ...(variant.latentCapacity === 'budget' ? { memoryBudget: cfg.memoryBudget } : {}),
    augment: agent.kind === 'curl',
  };
}

/** A checkpoint's name: the agent step it was taken at. */
const checkpointLabel = (s: LoopState): string => `step-${s.step}`;

/** The whole run state as a checkpoint, in fresh arrays: later training does not change it. */
async function snapshotOf(
  s: LoopState,
  wall: number,
  agent: TrainAgent,
  replay: ImageReplay | LatentReplay,
  freezing: RunFreezing,
): Promise<Snapshot> {
  return withReplay(await snapshotBesidesReplay(s, wall, agent, freezing), replay.exportState());
}

/**
 * The whole run state as a checkpoint, built when the returned function is called, as it is now: the replay's
 * slots are not copied now but kept by its mark (StepRing.mark), the rest is copied now. How a run holds its
 * fork point candidates cheaply.
 */
async function markedSnapshotOf(
  s: LoopState,
  wall: number,
  agent: TrainAgent,
  replay: ImageReplay | LatentReplay,
  freezing: RunFreezing,
): Promise<() => Snapshot> {
  replay.mark();
  const rest = await snapshotBesidesReplay(s, wall, agent, freezing);
  return () => withReplay(rest, replay.exportMarked());
}

/** The run state but the replay: the loop's counters, the agent, the freezing rule (fresh arrays). */
async function snapshotBesidesReplay(
  s: LoopState,
  wall: number,
  agent: TrainAgent,
  freezing: RunFreezing,
): Promise<Snapshot> {
  const state = await agent.save();
  const arrays: Snapshot['arrays'] = {};
  for (const [k, v] of Object.entries(state.tensors)) arrays[`agent/${k}`] = v.data;
  const shapes = Object.fromEntries(Object.entries(state.tensors).map(([k, v]) => [k, v.shape]));
  const fr = freezing.exportState();
  for (const [k, v] of Object.entries(fr.arrays)) arrays[`freezing/${k}`] = v;
  const meta = {
    loop: { ...s, wallBefore: wall },
    agentScalars: state.scalars,
    agentShapes: shapes,
    freezing: fr.meta,
  };
  return { meta, arrays };
}

/** `snap` with the replay's state added (arrays in the checkpoint's order: agent, replay, freezing). */
function withReplay(snap: Snapshot, rep: ReplayState): Snapshot {
  const arrays: Snapshot['arrays'] = {};
  const own = Object.entries(snap.arrays);
  for (const [k, v] of own) if (k.startsWith('agent/')) arrays[k] = v;
  for (const [k, v] of Object.entries(rep.arrays)) arrays[`replay/${k}`] = v;
  for (const [k, v] of own) if (!k.startsWith('agent/')) arrays[k] = v;
  const { loop, agentScalars, agentShapes, freezing } = snap.meta;
  return { meta: { loop, agentScalars, agentShapes, replay: rep.meta, freezing }, arrays };
}

function snapshotToAgentState(c: Snapshot) {
  const shapes = c.meta.agentShapes as Record<string, number[]>;
  const tensors: Record<string, { shape: number[]; data: Float32Array }> = {};
  for (const [k, shape] of Object.entries(shapes)) tensors[k] = { shape, data: c.arrays[`agent/${k}`] as Float32Array };
  return { tensors, scalars: c.meta.agentScalars as Record<string, number | string | boolean> };
}

/** The part of a checkpoint saved under `prefix` (arrays) and `metaKey` (metadata). */
function sub(c: Snapshot, prefix: string, metaKey: string): Snapshot {
  const arrays: Snapshot['arrays'] = {};
  for (const [k, v] of Object.entries(c.arrays)) if (k.startsWith(prefix)) arrays[k.slice(prefix.length)] = v;
  return { meta: (c.meta[metaKey] ?? {}) as Record<string, unknown>, arrays };
}
