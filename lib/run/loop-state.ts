/**
 * The training loop's counters: stamped on every log record, saved in every checkpoint (`meta.loop`), restored on
 * resume, and read by a fork from a baseline (lib/run/fork.ts). Their names are part of the checkpoint format.
 */
import type { LogRecord, RunLog } from './log';

export interface LoopState {
  /** Agent steps (actions taken); env steps = step × actionRepeat. */
  step: number;
  actionRepeat: number;
  updates: number;
  episode: number;
  evalRound: number;
  frozen: boolean;
  /** Log records written so far: a resumed run cuts its log back to this many. */
  logRecords: number;
  /** Wall seconds spent before this process (by the runs this one resumed). */
  wallBefore: number;
  lastReturn: number | null;
  /**
   * Each training statistic's latest value since the last `train` record. A record is written every 100 updates,
   * while CURL's actor and α statistics come only from every `actorUpdateFreq`-th update, so the record carries the
   * latest of each (a statistic no longer reported, like the contrastive loss after the freeze, drops out). Saved
   * with the counters, so that a resumed run writes the same records.
   */
  windowStats: Record<string, number>;
}

export function freshLoopState(actionRepeat: number): LoopState {
  return {
    step: 0,
    actionRepeat,
    updates: 0,
    episode: 0,
    evalRound: 0,
    frozen: false,
    logRecords: 0,
    wallBefore: 0,
    lastReturn: null,
    windowStats: {},
  };
}

/** A log record with the loop's counters and the run's wall time (ms precision). */
export function stamp(s: LoopState, wallSeconds: number, rec: { type: string; [key: string]: unknown }): LogRecord {
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

/** A checkpoint's name: the agent step it was taken at. */
export const checkpointLabel = (s: LoopState): string => `step-${s.step}`;

/**
 * The loop's log: appends stamped records and counts them in `logRecords`, with the run's wall time, which counts
 * from `startClock()` on top of the time spent before a resume.
 */
export class LoopLog {
  private t0 = Date.now();

  constructor(
    private readonly log: RunLog,
    private readonly s: LoopState,
  ) {}

  /** The training clock starts now (after set-up and restoring). */
  startClock(): void {
    this.t0 = Date.now();
  }

  /** Wall seconds of the whole run so far, resumed parts included. */
  wall(): number {
    return this.s.wallBefore + (Date.now() - this.t0) / 1000;
  }

  append(rec: { type: string; [key: string]: unknown }): void {
    this.log.append(stamp(this.s, this.wall(), rec));
    this.s.logRecords += 1;
  }
}
