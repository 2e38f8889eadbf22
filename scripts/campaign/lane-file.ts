/**
 * A lane file as lane.sh reads it: "<section> <arm>/<run>" per line, # comments and blank lines skipped. One reader
 * for the scripts and tests that look at the lanes (remaining.ts, test/plan/campaign-lanes.test.ts).
 */
import * as fs from 'fs';
import * as path from 'path';

export const LANES_DIR = path.join(__dirname, 'lanes');

/** The lane files, in order: those given, else every scripts/campaign/lanes/*.list. */
export function laneFiles(given: readonly string[] = []): string[] {
  if (given.length) return given.map((f) => path.resolve(f));
  return fs
    .readdirSync(LANES_DIR)
    .filter((f) => f.endsWith('.list'))
    .sort()
    .map((f) => path.join(LANES_DIR, f));
}

/** One lane file's runs in order; a line that is not "<section> <arm>/<run>" is an error naming it. */
export function readLaneFile(file: string): { section: string; run: string }[] {
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => {
      const [section, run, ...rest] = l.split(/\s+/);
      if (!run || rest.length) throw new Error(`${path.basename(file)}: "${l}" is not "<section> <arm>/<run>"`);
      return { section, run };
    });
}
