import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  backwardFlops,
  conv2dFlops,
  conv2dMacs,
  convOutSize,
  forwardFlops,
  layerNormFlops,
  linearFlops,
  maxPoolFlops,
  trainingFlops,
  type FlopLayer,
} from '../../lib/nets/flops';

test('output sizes follow TensorFlow valid/same rules', () => {
  assert.equal(convOutSize(84, 3, 2, 'valid'), 41);
  assert.equal(convOutSize(41, 3, 1, 'valid'), 39);
  assert.equal(convOutSize(84, 5, 5, 'valid'), 16);
  assert.equal(convOutSize(16, 5, 5, 'valid'), 3);
  assert.equal(convOutSize(84, 3, 2, 'same'), 42);
  assert.equal(convOutSize(21, 3, 2, 'same'), 11);
  assert.throws(() => convOutSize(2, 3, 1, 'valid'), /too small/);
  assert.throws(() => convOutSize(8, 0, 1, 'valid'), /kernel and stride/);
});

test('conv and linear forward FLOPs are 2 × multiply-adds', () => {
  // CURL conv1: 9→32, 3×3 stride 2 on 84×84 → 41×41 outputs, each 3·3·9 MACs per channel.
  const g = { inH: 84, inW: 84, inC: 9, outC: 32, kernel: 3, stride: 2, pad: 'valid' as const };
  assert.equal(conv2dMacs(g), 41 * 41 * 32 * 3 * 3 * 9);
  assert.equal(conv2dFlops(g), 2 * 4_357_152);
  assert.equal(linearFlops(39200, 50), 2 * 1_960_000);
  assert.equal(layerNormFlops(50), 400);
  assert.equal(maxPoolFlops(10, 3), 80);
});

test('backward is 2 × forward; the first MAC layer can count 1 ×', () => {
  const layers: FlopLayer[] = [
    { name: 'relu0', forwardFlops: 0, elementwiseFlops: 5 },
    { name: 'a', forwardFlops: 100, elementwiseFlops: 10 },
    { name: 'b', forwardFlops: 30 },
  ];
  assert.equal(forwardFlops(layers, 4), 4 * 130);
  assert.equal(forwardFlops(layers, 1, { elementwise: true }), 145);
  assert.equal(backwardFlops(layers, 2), 2 * 260);
  assert.equal(backwardFlops(layers, 1, { firstLayerBackward: 'weights-only' }), 100 + 60);
  assert.equal(trainingFlops(layers, 1), 390);
  assert.equal(trainingFlops(layers, 1, { firstLayerBackward: 'weights-only' }), 290);
  assert.throws(() => forwardFlops(layers, 0), /positive integer/);
  assert.throws(() => trainingFlops(layers, 1.5), /positive integer/);
});
