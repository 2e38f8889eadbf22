/**
 * When a run writes checkpoints (their file format: checkpoint.ts). Always at an episode end, since an environment's
 * state mid-episode is not saved: when the clock asks (`checkpointSeconds`), when Ctrl-C / SIGTERM asks the run to
 * stop (checkpoint, then stop; stop.ts), and, for a run that never freezes, at its fork point: the last episode end
 * at or before T_f, the state a SEER run forks from (ForkPointKeeper, fork.ts).
 */
import * as path from 'path';
import type { Snapshot } from './checkpoint';
import { writeCheckpoint } from './checkpoint';
import type { ExperimentConfig } from './config';
import { ForkPointKeeper } from './fork';
import { checkpointLabel } from './loop-state';
import type { ReplayPhase } from './replay-phase';
import { markedSnapshotOf, snapshotOf, type RunParts } from './run-state';
import type { StopSignal } from './stop';

export class Checkpointing {
  private readonly dir: string;
  private readonly forkPoint: ForkPointKeeper;
  private lastWrite = Date.now();
  /** Where the last checkpoint went. */
  lastWritten: string | undefined;

  /** `wall`: the run's wall seconds now; `stop`: where a received signal shows. */
  constructor(
    runDir: string,
    private readonly cfg: ExperimentConfig,
    private readonly run: RunParts,
    private readonly wall: () => number,
    private readonly stop: { readonly signal: StopSignal | undefined },
  ) {
    this.dir = path.join(runDir, 'checkpoints');
    this.forkPoint = new ForkPointKeeper(runDir, cfg);
  }

  /** The state the run was restored from: it may still be the fork point. */
  restoredFrom(checkpoint: Snapshot): void {
    const { s } = this.run;
    if (this.forkPoint.wants(s.updates)) this.forkPoint.hold(checkpointLabel(s), checkpoint);
  }

  /**
   * At an episode end: a checkpoint when the clock asks for one. A baseline also hands this state to its fork
   * point's keeper when it may be the last episode end at or before T_f, which writes the one it holds once past
   * T_f. Returns the signal when one asked the run to stop here (the checkpoint then written whatever the clock).
   */
  async atEpisodeEnd(replay: ReplayPhase['replay']): Promise<StopSignal | undefined> {
    const { s } = this.run;
    const running = s.step < this.cfg.steps;
    const clockSays = (Date.now() - this.lastWrite) / 1000 >= this.cfg.checkpointSeconds && running;
    const snapshot = clockSays ? await snapshotOf(this.run, replay, this.wall()) : undefined;
    if (this.forkPoint.wants(s.updates)) {
      this.forkPoint.hold(checkpointLabel(s), await markedSnapshotOf(this.run, replay, this.wall()));
    }
    this.forkPoint.settle(s.updates);
    if (snapshot) {
      this.write(snapshot);
      this.lastWrite = Date.now();
    }
    if (!this.stop.signal || !running) return undefined;
    if (!snapshot) this.write(await snapshotOf(this.run, replay, this.wall()));
    return this.stop.signal;
  }

  /** At the end of the run: the fork point held, if any, is written. */
  atRunEnd(): void {
    this.forkPoint.settle(this.run.s.updates, true);
  }

  private write(snapshot: Snapshot): void {
    this.lastWritten = writeCheckpoint(this.dir, checkpointLabel(this.run.s), snapshot);
  }
}
