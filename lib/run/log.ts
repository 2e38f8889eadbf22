/**
 * Append-only JSONL run logs. Each record is written with a single appendFileSync of one line, so a kill can at
 * worst leave a torn last line: one without its newline. Readers drop that line (it is the record being written
 * when the process died, and a resumed run writes it again) and nothing else: any other line that is not a JSON
 * record is damage, and reading fails with the file and line number (test/run/log.test.ts).
 */
import * as fs from 'fs';
import { writeFileAtomic } from '../util/atomic';

export interface LogRecord {
  /** 'eval' | 'train' | 'freeze' | 'resume' | … */
  type: string;
  envSteps: number;
  updates: number;
  wallSeconds: number;
  [key: string]: unknown;
}

export class CorruptLogError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    problem: string,
  ) {
    super(
      `${file}:${line}: ${problem}. Only a torn last line (one without its newline, from a killed write) may be ` +
        'dropped; this line is followed by others, so records would be lost. Repair or remove it by hand',
    );
    this.name = 'CorruptLogError';
  }
}

export class RunLog {
  private checkedTail = false;

  constructor(readonly file: string) {}

  append(record: LogRecord): void {
    if (!this.checkedTail) this.dropTornTail();
    fs.appendFileSync(this.file, JSON.stringify(record) + '\n');
  }

  /** Cuts the log back to the first `keep` complete records (used by --resume to drop work after the checkpoint). */
  truncateTo(keep: number): void {
    const records = readLog(this.file).slice(0, keep);
    writeFileAtomic(this.file, records.map((r) => JSON.stringify(r) + '\n').join(''));
    this.checkedTail = true;
  }

  /** Before the first append: a torn last line left by a killed writer goes, so the new record starts a line. */
  private dropTornTail(): void {
    this.checkedTail = true;
    if (!fs.existsSync(this.file)) return;
    const text = fs.readFileSync(this.file, 'utf8');
    if (text === '' || text.endsWith('\n')) return;
    fs.truncateSync(this.file, Buffer.byteLength(text.slice(0, text.lastIndexOf('\n') + 1)));
  }
}

/** Every record of a run log; throws CorruptLogError naming the line when one that is not the torn last is damaged. */
export function readLog(file: string): LogRecord[] {
  if (!fs.existsSync(file)) return [];
  const text = fs.readFileSync(file, 'utf8');
  const lines = text.split('\n');
  lines.pop(); // '' after the final newline, or the torn last line of an interrupted write
  const out: LogRecord[] = [];
  lines.forEach((line, i) => {
    let record: unknown;
    try {
      record = JSON.parse(line);
    } catch (err) {
      const shown = JSON.stringify(line.slice(0, 60));
      const problem = line === '' ? 'empty line' : `not JSON (${(err as Error).message}): ${shown}`;
      throw new CorruptLogError(file, i + 1, problem);
    }
    if (typeof record !== 'object' || record === null || typeof (record as LogRecord).type !== 'string') {
      const shown = JSON.stringify(line.slice(0, 60));
      throw new CorruptLogError(file, i + 1, `not a log record (an object with a "type"): ${shown}`);
    }
    out.push(record as LogRecord);
  });
  return out;
}
