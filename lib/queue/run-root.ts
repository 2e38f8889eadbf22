/**
 * The run root: the one directory every worker mounts (NFS or any shared filesystem) and every queued run's
 * directory lies under. Default `<repo>/data/runs` (so sections land where notebooks look), or SEER_RUN_ROOT /
 * `--run-root`. A marker file `<root>/.seer-run-root` holds a random id written by the first enqueue; each job
 * carries it, and a worker whose root holds another id (or none) sees a different directory and refuses the job.
 */
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { REPO_ROOT } from '../util/paths';
import { writeFileAtomic } from '../util/atomic';

export const DEFAULT_RUN_ROOT = path.join(REPO_ROOT, 'data', 'runs');
export const ROOT_MARKER = '.seer-run-root';

export function runRootFrom(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  if (flag === 'true') throw new Error('--run-root needs a directory (the shared run root every worker mounts)');
  return path.resolve(flag ?? env.SEER_RUN_ROOT ?? DEFAULT_RUN_ROOT);
}

/** The root's id, writing the marker when the root has none yet (enqueue side). */
export function ensureRootId(root: string): string {
  fs.mkdirSync(root, { recursive: true });
  const existing = readRootId(root);
  if (existing) return existing;
  const id = randomBytes(16).toString('hex');
  const file = path.join(root, ROOT_MARKER);
  // Two enqueues racing on a fresh root: the first link wins and both read its id back.
  const tmp = `${file}.${process.pid}`;
  writeFileAtomic(
    tmp,
    JSON.stringify({ id, createdBy: `${os.hostname()}:${process.pid}`, at: new Date().toISOString() }) + '\n',
  );
  try {
    fs.linkSync(tmp, file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  } finally {
    fs.rmSync(tmp, { force: true });
  }
  return readRootId(root)!;
}

export function readRootId(root: string): string | undefined {
  try {
    return (JSON.parse(fs.readFileSync(path.join(root, ROOT_MARKER), 'utf8')) as { id: string }).id;
  } catch {
    return undefined;
  }
}

/** A worker's check at start-up: the root exists, is a directory and this user can write in it. */
export function checkRootUsable(root: string): void {
  let st: fs.Stats;
  try {
    st = fs.statSync(root);
  } catch {
    throw new Error(
      `the run root ${root} does not exist on ${os.hostname()}: mount the shared run root there, ` +
        'or pass --run-root (SEER_RUN_ROOT) where it is mounted',
    );
  }
  if (!st.isDirectory()) throw new Error(`the run root ${root} is not a directory`);
  try {
    fs.accessSync(root, fs.constants.R_OK | fs.constants.W_OK);
  } catch {
    throw new Error(`the run root ${root} is not readable and writable by this user on ${os.hostname()}`);
  }
}

/** A job's check: this worker's root is the one the job was enqueued under. */
export function checkSameRoot(root: string, rootId: string): void {
  const here = readRootId(root);
  if (here === rootId) return;
  throw new Error(
    here === undefined
      ? `the run root ${root} on ${os.hostname()} has no ${ROOT_MARKER}: this worker does not see the shared run ` +
          'root the job was enqueued under (mount it there, or pass --run-root)'
      : `the run root ${root} on ${os.hostname()} is another directory than the one the job was enqueued under ` +
          `(id ${here} ≠ ${rootId}): mount the shared run root there, or pass --run-root`,
  );
}

/** A run directory relative to the root ('/'-separated); throws when `dir` lies outside it. */
export function relativeToRoot(root: string, dir: string): string {
  const rel = path.relative(root, path.resolve(dir));
  if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) {
    throw new Error(
      `${path.resolve(dir)} is not inside the run root ${root}, which every worker mounts: ` +
        'put it under the root, or pass --run-root (SEER_RUN_ROOT)',
    );
  }
  return rel.split(path.sep).join('/');
}

export const absoluteInRoot = (root: string, rel: string): string => path.join(root, ...rel.split('/'));
