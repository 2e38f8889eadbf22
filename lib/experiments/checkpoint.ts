/**
 * Checkpoints: JSON metadata plus named typed arrays in one binary file. A checkpoint is written into a fresh
 * directory, fsynced, renamed into place, and only then does the `LATEST` pointer (itself written atomically)
 * move to it — so a kill at any moment leaves the previous checkpoint intact and readable.
 */
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
}

/**
 * The one publishing protocol: `fill` writes the checkpoint's files into a fresh directory, which is then renamed
 * into place; only after that does `LATEST` move to it and do older checkpoints go.
 */
function publish(dir: string, label: string, fill: (tmp: string) => void): string {
  fs.mkdirSync(dir, { recursive: true });
  const final = path.join(dir, label);
  const tmp = `${final}.tmp-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(tmp);
  fill(tmp);
  fs.rmSync(final, { recursive: true, force: true });
  fs.renameSync(tmp, final);
  writeFileAtomic(path.join(dir, 'LATEST'), label);
  for (const entry of fs.readdirSync(dir)) {
    if (entry !== label && entry !== 'LATEST') fs.rmSync(path.join(dir, entry), { recursive: true, force: true });
  }
  return final;
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
  return publish(dir, label, (tmp) => {
    writeFileAtomic(path.join(tmp, 'arrays.bin'), Buffer.concat(parts));
    writeFileAtomic(path.join(tmp, 'index.json'), JSON.stringify(index));
  });
}

/**
 * Keeps checkpoint `label` of `fromDir` as the only checkpoint of `toDir` as well, by hard links (no copy, and
 * `fromDir` may delete it afterwards): same atomic protocol, so a kill leaves `toDir`'s previous one readable.
 */
export function linkCheckpoint(fromDir: string, label: string, toDir: string): void {
  publish(toDir, label, (tmp) => {
    for (const f of ['arrays.bin', 'index.json']) fs.linkSync(path.join(fromDir, label, f), path.join(tmp, f));
  });
}

/** The newest complete checkpoint in `dir`, or undefined when there is none. */
export function readLatestCheckpoint(dir: string): Snapshot | undefined {
  const pointer = path.join(dir, 'LATEST');
  if (!fs.existsSync(pointer)) return undefined;
  const where = path.join(dir, fs.readFileSync(pointer, 'utf8').trim());
  const index = JSON.parse(fs.readFileSync(path.join(where, 'index.json'), 'utf8')) as Index;
  const bin = fs.readFileSync(path.join(where, 'arrays.bin'));
  const arrays: Record<string, StoredArray> = {};
  for (const a of index.arrays) {
    const Ctor = CTORS[a.type];
    const bytes = bin.subarray(a.offset, a.offset + a.length * Ctor.BYTES_PER_ELEMENT);
    arrays[a.name] = new Ctor(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  }
  return { meta: index.meta, arrays };
}
