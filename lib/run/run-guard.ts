/**
 * What a process settles before it writes a run directory (the start of runExperiment): that it is the only writer
 * (lib/run/lock.ts), that a resumed run is the same experiment as the one its manifest describes, which
 * checkpoint it continues from (or that it has none, said aloud), and that Ctrl-C / SIGTERM stop it at a checkpoint.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { ExperimentConfig } from './config';
import { acquireRunLock, describeLockOwner, type LockOwner } from './lock';
import { runConfigConflict } from './manifest';
import { describeFallback, loadLatestCheckpoint, type LoadedCheckpoint } from './checkpoint';
import { readLog } from './log';
import { GracefulStop } from './stop';

export interface OpenRun {
  /** The checkpoint a resumed run continues from, when it has one. */
  checkpoint: LoadedCheckpoint | undefined;
  /**
   * What the run's first record after (re)starting notes: a stale lock taken over, damaged checkpoints skipped, a
   * resumed run restarted from step 0. Empty when there is nothing to say.
   */
  notes: Record<string, unknown>;
  stop: GracefulStop;
  /** Releases the lock and the signal handlers. */
  close(): void;
}

const notice = (msg: string): void => console.error(`[seer] ${msg}`);

/**
 * Takes `dir` for this process: the lock (a live holder refuses; a stale one is taken over, said on stderr), the
 * manifest check (with `resume`, a run recorded with other settings refuses, naming every differing field), and the
 * checkpoint to continue from. Throws without writing anything when the run cannot go on.
 */
export function openRunDir(dir: string, cfg: ExperimentConfig, resume: boolean): OpenRun {
  const existed = fs.existsSync(dir);
  const lock = acquireRunLock(dir);
  try {
    const notes: Record<string, unknown> = {};
    if (lock.tookOver) {
      notice(`${dir}: took over the lock left by ${describeLockOwner(lock.tookOver)}, which is no longer running`);
      notes.tookOverLockOf = lockNote(lock.tookOver);
    }
    let checkpoint: LoadedCheckpoint | undefined;
    if (resume) {
      const conflict = runConfigConflict(dir, cfg);
      if (conflict) throw new Error(`cannot resume: ${conflict}`);
    }
    if (resume && !fs.existsSync(path.join(dir, 'DONE'))) {
      const ckptDir = path.join(dir, 'checkpoints');
      checkpoint = loadLatestCheckpoint(ckptDir);
      if (checkpoint?.skipped.length) {
        notice(describeFallback(ckptDir, checkpoint));
        notes.damagedCheckpoints = checkpoint.skipped;
        notes.resumedFrom = checkpoint.label;
      }
      const records = readLog(path.join(dir, 'log.jsonl')).length;
      const started = records > 0 || fs.existsSync(path.join(dir, 'manifest.json'));
      if (!checkpoint && !started) {
        // Sweeps pass --resume to every run, new ones too (their children run with SEER_QUIET).
        const what = existed ? `${dir} holds no run yet` : `${dir} does not exist`;
        if (!process.env.SEER_QUIET) notice(`--resume: ${what}; starting a new run from step 0`);
      } else if (!checkpoint) {
        const rewritten = records ? ` (the ${records} records in its log are rewritten)` : '';
        notice(`--resume: ${dir} has no checkpoint${rewritten}; starting from step 0`);
        notes.restartedFromStep0 = `no checkpoint${rewritten}`;
      }
    }
    const stop = new GracefulStop(dir);
    return {
      checkpoint,
      notes,
      stop,
      close: () => {
        stop.dispose();
        lock.release();
      },
    };
  } catch (err) {
    lock.release();
    throw err;
  }
}

const lockNote = (o: LockOwner): Record<string, unknown> => ({ pid: o.pid, host: o.host, since: o.since });
