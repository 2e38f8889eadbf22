/**
 * Encoder snapshots during training, for Figure 8 (attention over time, per-layer SVCCA between t and
 * t+Δ) and for the adaptive freeze rule.
 *
 * A snapshot is float32 copies of variables with shapes and the update number. Keys are
 * `${group}/${variable name without its owner's prefix}` — e.g. 'encoder/conv1/kernel',
 * 'critic/q1/fc1/kernel' — so a snapshot loads into a freshly built network with another name.
 *
 * Stores: in memory, or on disk as one binary file (tensors back to back, little-endian float32) plus a
 * JSON index per snapshot. Both are written to a temporary name and renamed, the index last, so a
 * reader never sees a half-written snapshot: an index exists only once its binary is complete.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { writeFileAtomic } from '../util/atomic';

export interface SnapshotTensor {
  shape: number[];
  data: Float32Array;
}

export interface Snapshot {
  update: number;
  tensors: Record<string, SnapshotTensor>;
}

/** Something owning named tf.Variables (an Encoder, an FcHead, a whole Q-network…). */
export interface VariableOwner {
  readonly name: string;
  variables(): tf.Variable[];
}

/** What to save: the encoder, plus optional named groups (e.g. `{critic: qNet, actor: policy}` fc layers). */
export interface SnapshotSources {
  encoder: VariableOwner;
  groups?: Record<string, VariableOwner | tf.Variable[]>;
}

/** A variable's name relative to its owner ('enc_3/conv1/kernel' → 'conv1/kernel'). */
function relativeName(v: tf.Variable, owner?: string): string {
  const prefix = owner ? `${owner}/` : '';
  return prefix && v.name.startsWith(prefix) ? v.name.slice(prefix.length) : v.name;
}

function addGroup(out: Record<string, SnapshotTensor>, group: string, vars: tf.Variable[], owner?: string): void {
  for (const v of vars) {
    const key = `${group}/${relativeName(v, owner)}`;
    if (out[key]) throw new Error(`two variables map to snapshot key '${key}'`);
    out[key] = { shape: [...v.shape], data: Float32Array.from(v.dataSync() as Float32Array) };
  }
}

/** Copies the sources' current weights (synchronously: the copy is taken now, whatever training does next). */
export function takeSnapshot(update: number, sources: SnapshotSources): Snapshot {
  if (!Number.isInteger(update) || update < 0) throw new Error(`update must be an integer ≥ 0, got ${update}`);
  const tensors: Record<string, SnapshotTensor> = {};
  addGroup(tensors, 'encoder', sources.encoder.variables(), sources.encoder.name);
  for (const [group, src] of Object.entries(sources.groups ?? {})) {
    if (group === 'encoder') throw new Error(`group name 'encoder' is reserved for sources.encoder`);
    if (Array.isArray(src)) addGroup(tensors, group, src);
    else addGroup(tensors, group, src.variables(), src.name);
  }
  return { update, tensors };
}

/** Writes a snapshot's `group` tensors into the owner's variables (shapes must match). */
export function loadSnapshot(snapshot: Snapshot, owner: VariableOwner, group = 'encoder'): void {
  const vars = owner.variables();
  const missing: string[] = [];
  for (const v of vars) {
    const key = `${group}/${relativeName(v, owner.name)}`;
    const t = snapshot.tensors[key];
    if (!t) {
      missing.push(key);
      continue;
    }
    if (t.shape.length !== v.shape.length || t.shape.some((d, i) => d !== v.shape[i])) {
      throw new Error(`snapshot tensor '${key}' has shape [${t.shape}] but variable '${v.name}' has [${v.shape}]`);
    }
    tf.tidy(() => v.assign(tf.tensor(t.data, t.shape, 'float32')));
  }
  if (missing.length) {
    const have = Object.keys(snapshot.tensors).filter((k) => k.startsWith(`${group}/`));
    throw new Error(
      `snapshot of update ${snapshot.update} lacks ${missing.join(', ')}; it has ${have.join(', ') || 'no tensors in that group'}`,
    );
  }
}

export interface SnapshotStore {
  add(snapshot: Snapshot): void;
  /** Update numbers held, ascending. */
  updates(): number[];
  get(update: number): Snapshot;
}

export class MemorySnapshotStore implements SnapshotStore {
  private readonly byUpdate = new Map<number, Snapshot>();
  add(snapshot: Snapshot): void {
    this.byUpdate.set(snapshot.update, snapshot);
  }
  updates(): number[] {
    return [...this.byUpdate.keys()].sort((a, b) => a - b);
  }
  get(update: number): Snapshot {
    const s = this.byUpdate.get(update);
    if (!s) throw new Error(`no snapshot at update ${update}; held: ${this.updates().join(', ') || 'none'}`);
    return s;
  }
}

interface IndexEntry {
  name: string;
  shape: number[];
  /** Offset in float32 elements into the binary file. */
  offset: number;
  length: number;
}

interface SnapshotIndex {
  format: 'seer-snapshot-v1';
  update: number;
  bin: string;
  tensors: IndexEntry[];
}

const FORMAT = 'seer-snapshot-v1';

/** Snapshots as `snapshot-<update>.bin` + `snapshot-<update>.json` under one folder. */
export class DiskSnapshotStore implements SnapshotStore {
  constructor(readonly dir: string) {
    fs.mkdirSync(dir, { recursive: true });
  }

  private base(update: number): string {
    return path.join(this.dir, `snapshot-${String(update).padStart(9, '0')}`);
  }

  add(snapshot: Snapshot): void {
    const entries: IndexEntry[] = [];
    let total = 0;
    for (const [name, t] of Object.entries(snapshot.tensors)) {
      entries.push({ name, shape: t.shape, offset: total, length: t.data.length });
      total += t.data.length;
    }
    const buf = new Float32Array(total);
    for (const e of entries) buf.set(snapshot.tensors[e.name].data, e.offset);
    const bytes = new Uint8Array(buf.buffer);
    if (new Uint8Array(new Float32Array([1]).buffer)[3] !== 0x3f)
      throw new Error('snapshots are stored little-endian; this machine is big-endian');
    const base = this.base(snapshot.update);
    writeFileAtomic(`${base}.bin`, bytes);
    const index: SnapshotIndex = {
      format: FORMAT,
      update: snapshot.update,
      bin: path.basename(`${base}.bin`),
      tensors: entries,
    };
    writeFileAtomic(`${base}.json`, JSON.stringify(index));
  }

  updates(): number[] {
    return fs
      .readdirSync(this.dir)
      .map((f) => /^snapshot-(\d+)\.json$/.exec(f))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => Number(m[1]))
      .sort((a, b) => a - b);
  }

  get(update: number): Snapshot {
    const base = this.base(update);
    if (!fs.existsSync(`${base}.json`))
      throw new Error(`no snapshot at update ${update} in ${this.dir}; held: ${this.updates().join(', ') || 'none'}`);
    const index = JSON.parse(fs.readFileSync(`${base}.json`, 'utf8')) as SnapshotIndex;
    if (index.format !== FORMAT) throw new Error(`${base}.json has format '${index.format}', expected '${FORMAT}'`);
    const raw = fs.readFileSync(path.join(this.dir, index.bin));
    const all = new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
    const tensors: Record<string, SnapshotTensor> = {};
    for (const e of index.tensors) {
      if (e.offset + e.length > all.length)
        throw new Error(`${index.bin} is truncated: tensor '${e.name}' ends past ${all.length} floats`);
      tensors[e.name] = { shape: e.shape, data: all.slice(e.offset, e.offset + e.length) };
    }
    return { update: index.update, tensors };
  }
}

/** Takes a snapshot every `every` updates (update 0 included), e.g. from the training loop. */
export class SnapshotRecorder {
  constructor(
    readonly store: SnapshotStore,
    readonly every: number,
  ) {
    if (!Number.isInteger(every) || every <= 0)
      throw new Error(`snapshot interval must be a positive integer (updates), got ${every}`);
  }

  /** Records when `update` is a multiple of the interval; returns whether it did. */
  maybeRecord(update: number, sources: SnapshotSources): boolean {
    if (update % this.every !== 0) return false;
    this.store.add(takeSnapshot(update, sources));
    return true;
  }
}
