/**
 * A finished run: its directory holds `DONE` with the run's summary (steps, updates, final return, wall seconds),
 * written atomically after the last log record. Sweeps, sections and the queue skip such a run; `--resume` on it
 * returns its summary without training.
 */
import * as fs from 'fs';
import * as path from 'path';
import { writeFileAtomic } from '../util/atomic';

export const DONE_MARKER = 'DONE';

export function isDone(dir: string): boolean {
  return fs.existsSync(path.join(dir, DONE_MARKER));
}

export function markDone(dir: string, summary: object): void {
  writeFileAtomic(path.join(dir, DONE_MARKER), JSON.stringify(summary, null, 1));
}
