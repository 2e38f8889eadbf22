/**
 * Temporary directories for tests: a fresh directory under the OS temp folder, removed with everything in it when
 * the test process exits (node:test runs each test file in its own process). Tests used to leave their run
 * directories behind, about 1 GB per `npm test`, until the disk filled and a long training run stopped on ENOSPC.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const made: string[] = [];

export function tmpDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  if (made.push(dir) === 1) {
    process.once('exit', () => {
      for (const d of made) fs.rmSync(d, { recursive: true, force: true });
    });
  }
  return dir;
}
