/** The tiny PNG encoder (lib/envs/png.ts). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inflateSync } from 'zlib';
import { crc32, decodePng, encodePng } from '../../../lib/envs/png';

test('crc32 matches the standard check value', () => {
  assert.equal(crc32(Buffer.from('123456789')), 0xcbf43926);
  assert.equal(crc32(Buffer.from('IEND')), 0xae426082);
});

test('grayscale and RGB images round-trip; the header says size, depth and colour type', () => {
  const gray = Uint8Array.from({ length: 84 * 30 }, (_, i) => (i * 37) & 255);
  const file = encodePng(gray, 84, 30, 1);
  assert.deepEqual([...file.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  assert.equal(file.toString('ascii', 12, 16), 'IHDR');
  assert.deepEqual([file.readUInt32BE(16), file.readUInt32BE(20), file[24], file[25]], [84, 30, 8, 0]);
  const back = decodePng(file);
  assert.deepEqual([back.width, back.height, back.channels], [84, 30, 1]);
  assert.deepEqual(back.pixels, gray);
  const rgb = Uint8Array.from({ length: 5 * 4 * 3 }, (_, i) => i);
  const rb = decodePng(encodePng(rgb, 5, 4, 3));
  assert.deepEqual([rb.channels, ...rb.pixels], [3, ...rgb]);
  // The IDAT payload is a valid zlib stream of filter-0 scanlines.
  const idatLen = file.readUInt32BE(33);
  assert.equal(file.toString('ascii', 37, 41), 'IDAT');
  const raw = inflateSync(file.subarray(41, 41 + idatLen));
  assert.equal(raw.length, 30 * 85);
  assert.equal(raw[0], 0);
});

test('bad input: wrong sizes and channel counts are errors', () => {
  assert.throws(() => encodePng(new Uint8Array(10), 4, 4, 1), /expected 16 bytes/);
  assert.throws(() => encodePng(new Uint8Array(0), 0, 4, 1), /positive integers/);
  assert.throws(() => encodePng(new Uint8Array(16), 4, 4, 5 as 1), /1, 2, 3 or 4/);
  const f = encodePng(new Uint8Array(4), 2, 2, 1);
  f[20] ^= 1;
  assert.throws(() => decodePng(f), /CRC mismatch/);
});
