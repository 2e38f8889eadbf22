/**
 * Checkpoints: JSON metadata plus named typed arrays in one binary file. A checkpoint is written into a fresh
 * directory, fsynced, renamed into place, and only then does the `LATEST` pointer (itself written atomically)
 * move to it — so a kill at any moment leaves the previous checkpoint intact and readable. The previous one is kept
 * beside the newest, and the index records each file's size and SHA-256: a checkpoint damaged afterwards (a
 * truncated arrays.bin, a garbled LATEST) is reported by name, and reading falls back to the previous complete one,
 * saying so (test/run/checkpoint.test.ts).
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { writeFileAtomic } from '../util/atomic';

export type StoredArray = Float32Array | Float64Array | Int32Array | Uint8Array | Uint16Array | Int8Array;

export interface Snapshot {
  meta: Record<string, unknown>;
  arrays: Record<string, StoredArray>;
}

const CTORS = { Float32Array, Float64Array, Int32Array, Uint8Array, Uint16Array, Int8Array } as const;
type CtorName = keyof typeof CTORS;

interface Index {
  meta: Record<string, unknown>;
  arrays: { name: string; type: CtorName; offset: number; length: number }[];
  /** arrays.bin's size and SHA-256 (hex); absent in checkpoints written before they were recorded. */
  bin?: { bytes: number; sha256: string };
}

const POINTER = 'LATEST';
const isTemporary = (entry: string): boolean => entry.includes('.tmp-');

/**
 * The one publishing protocol: `fill` writes the checkpoint's files into a fresh directory, which is then renamed
 * into place; only after that does `LATEST` move to it. Then every other checkpoint goes but the one `LATEST`
 * named before (the fallback when this one turns out damaged).
 */
function publish(dir: string, label: string, fill: (tmp: string) => void): string {
  if (!label || label === POINTER || isTemporary(label) || label !== path.basename(label)) {
    throw new Error(`checkpoint label ${JSON.stringify(label)} is not a plain directory name`);
  }
  fs.mkdirSync(dir, { recursive: true });
  const final = path.join(dir, label);
  const tmp = `${final}.tmp-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(tmp);
  fill(tmp);
  const previous = pointedTo(dir);
  fs.rmSync(final, { recursive: true, force: true });
  fs.renameSync(tmp, final);
  writeFileAtomic(path.join(dir, POINTER), label);
  for (const entry of fs.readdirSync(dir)) {
    if (entry === label || entry === POINTER || entry === previous) continue;
    fs.rmSync(path.join(dir, entry), { recursive: true, force: true });
  }
  return final;
}

/** The label `LATEST` names, when it names a checkpoint directory that exists. */
function pointedTo(dir: string): string | undefined {
  try {
    const label = fs.readFileSync(path.join(dir, POINTER), 'utf8').trim();
    const plain = label !== '' && label === path.basename(label);
    return plain && fs.statSync(path.join(dir, label)).isDirectory() ? label : undefined;
  } catch {
    return undefined;
  }
}

/** Whether `dir` holds a published checkpoint (its `LATEST` names one), without reading it. */
export function hasCheckpoint(dir: string): boolean {
  return pointedTo(dir) !== undefined;
}

export function writeCheckpoint(dir: string, label: string, snap: Snapshot): string {
  const index: Index = { meta: snap.meta, arrays: [] };
  let offset = 0;
  const parts: Uint8Array[] = [];
  for (const [name, arr] of Object.entries(snap.arrays)) {
    const type = arr.constructor.name as CtorName;
    if (!(type in CTORS)) throw new Error(`checkpoint array '${name}' has unsupported type ${type}`);
    const pad = (8 - (offset % 8)) % 8; // keep every array aligned for zero-copy views on load
    if (pad) parts.push(new Uint8Array(pad));
    offset += pad;
    index.arrays.push({ name, type, offset, length: arr.length });
    parts.push(new Uint8Array(arr.buffer, arr.byteOffset, arr.byteLength));
    offset += arr.byteLength;
  }
  const bin = Buffer.concat(parts);
  index.bin = { bytes: bin.length, sha256: crypto.createHash('sha256').update(bin).digest('hex') };
  return publish(dir, label, (tmp) => {
    writeFileAtomic(path.join(tmp, 'arrays.bin'), bin);
    writeFileAtomic(path.join(tmp, 'index.json'), JSON.stringify(index));
  });
}

/** A checkpoint that cannot be read; the message names its directory and what is wrong. */
export class CheckpointError extends Error {
  constructor(
    readonly where: string,
    problem: string,
  ) {
    super(`checkpoint ${where} is damaged: ${problem}`);
    this.name = 'CheckpointError';
  }
}

/** Reads and checks one checkpoint directory; throws CheckpointError naming it and the problem. */
export function readCheckpointAt(where: string): Snapshot {
  let index: Index;
  try {
    index = JSON.parse(fs.readFileSync(path.join(where, 'index.json'), 'utf8')) as Index;
  } catch (err) {
    throw new CheckpointError(where, `index.json cannot be read (${(err as Error).message})`);
  }
  if (typeof index !== 'object' || index === null || !Array.isArray(index.arrays) || typeof index.meta !== 'object') {
    throw new CheckpointError(where, 'index.json lacks its "meta" and "arrays"');
  }
  let bin: Buffer;
  try {
    bin = fs.readFileSync(path.join(where, 'arrays.bin'));
  } catch (err) {
    throw new CheckpointError(where, `arrays.bin cannot be read (${(err as Error).message})`);
  }
  let needed = 0;
  for (const a of index.arrays) {
    const Ctor = CTORS[a.type];
    if (!Ctor || !Number.isInteger(a.offset) || !Number.isInteger(a.length) || a.offset < 0 || a.length < 0) {
      throw new CheckpointError(where, `index.json describes array '${a.name}' as ${JSON.stringify(a)}`);
    }
    needed = Math.max(needed, a.offset + a.length * Ctor.BYTES_PER_ELEMENT);
  }
  const expected = index.bin?.bytes ?? needed;
  if (bin.length !== expected || bin.length < needed) {
    const problem = `arrays.bin holds ${bin.length} bytes, its index.json describes ${expected} (truncated?)`;
    throw new CheckpointError(where, problem);
  }
  if (index.bin && crypto.createHash('sha256').update(bin).digest('hex') !== index.bin.sha256) {
    throw new CheckpointError(where, 'arrays.bin does not match the SHA-256 in index.json (its bytes changed)');
  }
  const arrays: Record<string, StoredArray> = {};
  for (const a of index.arrays) {
    const Ctor = CTORS[a.type];
    const bytes = bin.subarray(a.offset, a.offset + a.length * Ctor.BYTES_PER_ELEMENT);
    arrays[a.name] = new Ctor(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  }
  return { meta: index.meta, arrays };
}

export interface LoadedCheckpoint {
  snapshot: Snapshot;
  /** Its directory name (e.g. 'step-480'). */
  label: string;
  /** Newer checkpoints that were damaged, and why, when this one is a fallback; empty otherwise. */
  skipped: { label: string; problem: string }[];
}

/** Trailing number of a label (step-480 → 480), for newest-first order. */
const labelNumber = (label: string): number => Number(/(\d+)$/.exec(label)?.[1] ?? -1);

/**
 * The newest complete checkpoint in `dir`: the one `LATEST` names, or — when that pointer or that checkpoint is
 * damaged — the newest other complete one, with what was skipped and why. Undefined when `dir` holds no checkpoint;
 * throws CheckpointError, naming each one and its problem, when it holds checkpoints and none is complete.
 */
export function loadLatestCheckpoint(dir: string): LoadedCheckpoint | undefined {
  if (!fs.existsSync(dir)) return undefined;
  const skipped: LoadedCheckpoint['skipped'] = [];
  const labels = fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && !isTemporary(e.name))
    .map((e) => e.name)
    .sort((a, b) => labelNumber(b) - labelNumber(a) || b.localeCompare(a));
  const pointer = path.join(dir, POINTER);
  if (fs.existsSync(pointer)) {
    const named = fs.readFileSync(pointer, 'utf8').trim();
    if (labels.includes(named)) labels.unshift(...labels.splice(labels.indexOf(named), 1));
    else {
      const problem = `${pointer} names ${JSON.stringify(named.slice(0, 60))}, which is not a checkpoint in ${dir}`;
      skipped.push({ label: POINTER, problem });
    }
  } else if (labels.length) {
    skipped.push({ label: POINTER, problem: `${pointer} is missing` });
  }
  for (const label of labels) {
    try {
      return { snapshot: readCheckpointAt(path.join(dir, label)), label, skipped };
    } catch (err) {
      if (!(err instanceof CheckpointError)) throw err;
      skipped.push({ label, problem: err.message });
    }
  }
  if (!skipped.length) return undefined;
  throw new CheckpointError(
    dir,
    `no complete checkpoint in it: ${skipped.map((s) => s.problem).join('; ')}. ` +
      `Delete ${dir} to start the run from step 0`,
  );
}

/**
 * The newest complete checkpoint in `dir` (see loadLatestCheckpoint), or undefined when there is none. A fallback
 * to an older one is reported on stderr.
 */
export function readLatestCheckpoint(dir: string): Snapshot | undefined {
  const loaded = loadLatestCheckpoint(dir);
  if (loaded?.skipped.length) console.error(`[seer] ${describeFallback(dir, loaded)}`);
  return loaded?.snapshot;
}

/** What was skipped and which checkpoint is used instead, for stderr and the resume record. */
export function describeFallback(dir: string, loaded: LoadedCheckpoint): string {
  return (
    `${loaded.skipped.map((s) => s.problem).join('; ')}; falling back to the newest complete checkpoint, ` +
    `${path.join(dir, loaded.label)}`
  );
}
