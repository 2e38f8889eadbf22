/**
 * Append-only JSONL run logs. Each record is written with a single appendFileSync of one line, so a kill
 * can at worst leave a torn last line; readers drop an unterminated or unparsable final line and keep the rest.
 */
import * as fs from 'fs';

export interface LogRecord {
  /** 'eval' | 'train' | 'freeze' | 'resume' | … */
  type: string;
  envSteps: number;
  updates: number;
  wallSeconds: number;
  [key: string]: unknown;
}

export class RunLog {
  constructor(readonly file: string) {}

  append(record: LogRecord): void {
    fs.appendFileSync(this.file, JSON.stringify(record) + '\n');
  }

  /** Cuts the log back to the first `keep` complete records (used by --resume to drop work after the checkpoint). */
  truncateTo(keep: number): void {
    const records = readLog(this.file).slice(0, keep);
    const tmp = this.file + '.tmp';
    fs.writeFileSync(tmp, records.map((r) => JSON.stringify(r) + '\n').join(''));
    fs.renameSync(tmp, this.file);
  }
}

export function readLog(file: string): LogRecord[] {
  if (!fs.existsSync(file)) return [];
  const text = fs.readFileSync(file, 'utf8');
  const lines = text.split('\n');
  const complete = text.endsWith('\n') ? lines.slice(0, -1) : lines.slice(0, -1); // last piece is '' or torn
  const out: LogRecord[] = [];
  for (const line of complete) {
    if (!line) continue;
    try {
      out.push(JSON.parse(line) as LogRecord);
    } catch {
      break; // a corrupt line can only be the torn tail of an interrupted write
    }
  }
  return out;
}
