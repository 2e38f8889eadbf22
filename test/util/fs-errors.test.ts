/** File-system problems said with the path and what to do (issue 16 §5), instead of raw EEXIST / EPERM. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkOutputDir, describeFsError } from '../../lib/util/fs-errors';
import { tmpDir } from '../tmp';

const errno = (code: string, syscall: string, p: string): NodeJS.ErrnoException =>
  Object.assign(new Error(`${code}: raw, ${syscall} '${p}'`), { code, syscall, path: p });

test('each file-system error names the path and what to do', () => {
  assert.equal(
    describeFsError(errno('EEXIST', 'mkdir', 'runs/x')),
    'runs/x exists and is not a directory: choose another path, or move that file away',
  );
  assert.match(
    describeFsError(errno('EPERM', 'open', '/ro/log.jsonl'))!,
    /^operation not permitted on \/ro\/log\.jsonl \(open\): .*choose another directory, or make it writable$/,
  );
  assert.match(
    describeFsError(errno('EACCES', 'mkdir', '/root/x'))!,
    /permission denied on \/root\/x \(mkdir\): choose a directory you can write to/,
  );
  assert.match(
    describeFsError(errno('ENOSPC', 'write', 'runs/x/arrays.bin'))!,
    /no space left .* runs\/x\/arrays\.bin: free some space, then continue with --resume/,
  );
  assert.match(describeFsError(errno('EWEIRD', 'open', 'p'))!, /^EWEIRD on p \(open\)/);
  assert.equal(describeFsError(new Error('not a file-system error')), undefined);
});

test('an output directory is checked without being created', () => {
  const root = tmpDir('seer-fs-');
  assert.equal(checkOutputDir(path.join(root, 'a', 'b')), undefined);
  assert.equal(fs.existsSync(path.join(root, 'a')), false);
  fs.writeFileSync(path.join(root, 'f'), '');
  assert.match(checkOutputDir(path.join(root, 'f'))!, /f is a file, not a directory/);
  assert.match(checkOutputDir(path.join(root, 'f', 'g'))!, /f is a file, so .* cannot be created under it/);
});
