/**
 * A run's whole state as one checkpoint, and back: the loop's counters (`meta.loop`), the agent (`agent/…` arrays,
 * `meta.agentScalars`, `meta.agentShapes`), the replay (`replay/…`, `meta.replay`) and the freezing rule
 * (`freezing/…`, `meta.freezing`). Snapshots hold fresh arrays: later training does not change them.
 */
import type { AgentState, TrainAgent } from '../agents/types';
import type { ImageReplay } from '../replay/image-replay';
import type { ReplayState } from '../replay/step-ring';
import type { Snapshot } from './checkpoint';
import type { ExperimentConfig } from './config';
import type { RunFreezing } from './freezing';
import type { LoopState } from './loop-state';
import { freezeReplay, imagesPhase, type ReplayPhase } from './replay-phase';

/** What a run's state is made of: the loop's counters, the agent, the freezing rule (the replay is passed apart). */
export interface RunParts {
  s: LoopState;
  agent: TrainAgent;
  freezing: RunFreezing;
}

/** The whole run state as a checkpoint, `wall` seconds into the run. */
export async function snapshotOf(run: RunParts, replay: ReplayPhase['replay'], wall: number): Promise<Snapshot> {
  return withReplay(await snapshotBesidesReplay(run, wall), replay.exportState());
}

/**
 * The whole run state as a checkpoint, built when the returned function is called, as it is now: the replay's
 * slots are not copied now but kept by its mark (StepRing.mark), the rest is copied now. How a run holds its
 * fork point candidates cheaply.
 */
export async function markedSnapshotOf(
  run: RunParts,
  replay: ReplayPhase['replay'],
  wall: number,
): Promise<() => Snapshot> {
  replay.mark();
  const rest = await snapshotBesidesReplay(run, wall);
  return () => withReplay(rest, replay.exportMarked());
}

/**
 * Puts `checkpoint` back into the loop's counters, the agent, the replay and the freezing rule, and returns the
 * replay phase the run was in: a frozen run's empty image replay is switched first, so that its latent replay gets
 * the same Ĉ, and then refilled.
 */
export function restoreRunState(
  checkpoint: Snapshot,
  run: RunParts,
  images: ImageReplay,
  cfg: ExperimentConfig,
): ReplayPhase {
  Object.assign(run.s, checkpoint.meta.loop as LoopState);
  const phase = run.s.frozen ? freezeReplay(imagesPhase(images), run.agent, cfg) : imagesPhase(images);
  run.agent.load(agentStateOf(checkpoint));
  phase.replay.importState(part(checkpoint, 'replay/', 'replay'));
  run.freezing.importState(part(checkpoint, 'freezing/', 'freezing'));
  return phase;
}

/** The run state but the replay: the loop's counters, the agent, the freezing rule (fresh arrays). */
async function snapshotBesidesReplay({ s, agent, freezing }: RunParts, wall: number): Promise<Snapshot> {
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

function agentStateOf(c: Snapshot): AgentState {
  const shapes = c.meta.agentShapes as Record<string, number[]>;
  const tensors: AgentState['tensors'] = {};
  for (const [k, shape] of Object.entries(shapes)) tensors[k] = { shape, data: c.arrays[`agent/${k}`] as Float32Array };
  return { tensors, scalars: c.meta.agentScalars as AgentState['scalars'] };
}

/** The part of a checkpoint saved under `prefix` (arrays) and `metaKey` (metadata). */
function part(c: Snapshot, prefix: string, metaKey: string): Snapshot {
  const arrays: Snapshot['arrays'] = {};
  for (const [k, v] of Object.entries(c.arrays)) if (k.startsWith(prefix)) arrays[k.slice(prefix.length)] = v;
  return { meta: (c.meta[metaKey] ?? {}) as Record<string, unknown>, arrays };
}
