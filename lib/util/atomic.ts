/**
 * Crash-safe file writes: write to a temporary sibling, fsync, then rename over the target, so readers see the
 * old file or the whole new one, never a part. Low-level on purpose: analysis and experiments both use it.
 */
import * as fs from 'fs';
import * as path from 'path';

export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  const fd = fs.openSync(tmp, 'w');
  try {
    fs.writeFileSync(fd, data); // loops until every byte is written
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
}
