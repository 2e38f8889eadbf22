import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FlopCounter, totalOf } from '../../lib/flops/counter';
import {
  curlActFlops,
  curlEncodeFlops,
  curlUpdateFlops,
  rainbowActFlops,
  rainbowEncodeFlops,
  rainbowUpdateFlops,
  type CurlFlopModel,
  type RainbowFlopModel,
} from '../../lib/flops/plans';
import { conv2dFlops, linearFlops } from '../../lib/nets/flops';

const one = (f: number) => [{ name: 'x', forwardFlops: f }];

// A toy CURL with one-layer parts: trunk T = 100, fc F = 10, each Q = 5, actor P = 7, d = 2.
const toy: CurlFlopModel = { trunk: one(100), fc: one(10), q: one(5), actor: one(7), featureDim: 2 };

test('curl update by hand: critic + actor + contrastive, batch 1', () => {
  const b = curlUpdateFlops(toy, 1, { frozen: 'none', actorUpdate: true, contrastive: true });
  // critic: next (actor T+F, target T+F), obs T+F fwd; actor step T + 2F; anchor T+F.
  assert.equal(b.encoderForward, 110 + 110 + 120 + 110);
  // backward 2×: critic T+F, actor fc F, anchor T+F.
  assert.equal(b.encoderBackward, 220 + 20 + 220);
  // target critic (T + F + 2Q) on s', positive key (T + F).
  assert.equal(b.target, 120 + 110);
  // heads: P on s'; 2Q fwd + 2·2Q bwd; actor P + 2P, Q fwd 2Q + input grad 2Q; bilinear 3·2·(B·d² + B²·d).
  assert.equal(b.heads, 7 + 30 + 21 + 20 + 3 * 2 * (4 + 2));
  assert.equal(b.acting + b.augmentation, 0);
  // Batch scales linearly except the bilinear B² term.
  const b4 = curlUpdateFlops(toy, 4, { frozen: 'none', actorUpdate: true, contrastive: true });
  assert.equal(b4.encoderForward, 4 * b.encoderForward);
  assert.equal(b4.heads, 4 * (7 + 30 + 21 + 20) + 3 * 2 * (4 * 4 + 16 * 2));
});

test('curl update by hand after the freeze: no encoder work at all (scope all), fc only (scope convs)', () => {
  const all = curlUpdateFlops(toy, 1, { frozen: 'all', actorUpdate: true, contrastive: false });
  assert.equal(all.encoderForward, 0);
  assert.equal(all.encoderBackward, 0);
  assert.equal(all.target, 10); // 2 target Qs on s'
  assert.equal(all.heads, 7 + 30 + 21 + 20);
  const wo = curlUpdateFlops(
    toy,
    1,
    { frozen: 'all', actorUpdate: false, contrastive: false },
    { firstLayerBackward: 'weights-only' },
  );
  // Q reads a stored latent: its only layer's backward is 1×; P on s' forward.
  assert.equal(wo.heads, 7 + 10 + 10);
  const convs = curlUpdateFlops(toy, 1, { frozen: 'convs', actorUpdate: false, contrastive: true });
  assert.equal(convs.encoderForward, 20); // fc on s' (actor) and s (critic)
  assert.equal(convs.encoderBackward, 20);
  assert.equal(convs.target, 10 + 10);
});

test('rainbow update by hand', () => {
  const m: RainbowFlopModel = { trunk: one(100), head: [...one(3), ...one(3), ...one(1), ...one(2)] };
  const b = rainbowUpdateFlops(m, 2, false);
  assert.deepEqual(
    { ...b },
    {
      encoderForward: 2 * 200,
      encoderBackward: 2 * 200,
      heads: 2 * (18 + 18),
      target: 2 * 109,
      augmentation: 0,
      acting: 0,
    },
  );
  const f = rainbowUpdateFlops(m, 2, true, { firstLayerBackward: 'weights-only' });
  // Both stream inputs read the stored latent: fc_h_v and fc_h_a 1×, the rest 2×.
  assert.deepEqual(
    { ...f },
    {
      encoderForward: 0,
      encoderBackward: 0,
      heads: 2 * (18 + 3 + 3 + 2 + 4),
      target: 2 * 9,
      augmentation: 0,
      acting: 0,
    },
  );
  assert.equal(rainbowEncodeFlops(m, 5).augmentation, 500);
  assert.equal(rainbowActFlops(m).acting, 109);
});

test('real networks: CURL 84×84×9 and data-efficient Rainbow 84×84×4 per-sample MACs match the hand count', () => {
  const conv = (inH: number, inC: number, k: number, s: number, outC: number) => ({
    name: 'c',
    forwardFlops: conv2dFlops({ inH, inW: inH, inC, outC, kernel: k, stride: s, pad: 'valid' }),
  });
  const curl: CurlFlopModel = {
    trunk: [conv(84, 9, 3, 2, 32), conv(41, 32, 3, 1, 32), conv(39, 32, 3, 1, 32), conv(37, 32, 3, 1, 32)],
    fc: [{ name: 'fc', forwardFlops: linearFlops(39200, 50) }],
    q: [linearFlops(56, 1024), linearFlops(1024, 1024), linearFlops(1024, 1)].map((f) => ({
      name: 'q',
      forwardFlops: f,
    })),
    actor: [linearFlops(50, 1024), linearFlops(1024, 1024), linearFlops(1024, 12)].map((f) => ({
      name: 'p',
      forwardFlops: f,
    })),
    featureDim: 50,
  };
  // Hand: convs 41²·32·81 + 39²·32·288 + 37²·32·288 + 35²·32·288 = 42,280,992 MACs; fc 1,960,000; actor 1,112,064.
  assert.equal(curlActFlops(curl).acting, 2 * (42_280_992 + 1_960_000 + 1_112_064));
  // K = 4 crops of 10 observations: convs once per crop, both fc heads.
  assert.equal(curlEncodeFlops(curl, 40, 'all').augmentation, 40 * 2 * (42_280_992 + 2 * 1_960_000));
  const rb: RainbowFlopModel = {
    trunk: [conv(84, 4, 5, 5, 32), conv(16, 32, 5, 5, 64)],
    head: [linearFlops(576, 256), linearFlops(576, 256), linearFlops(256, 51), linearFlops(256, 18 * 51)].map((f) => ({
      name: 'h',
      forwardFlops: f,
    })),
  };
  // Hand: 16²·32·100 + 3²·64·800 = 1,280,000 conv MACs; head 2·576·256 + 256·51 + 256·918 = 542,976.
  assert.equal(rainbowActFlops(rb).acting, 2 * (1_280_000 + 542_976));
  // Before the freeze an update at batch 32: 3 trunk forwards + 1 backward (2×) + head 3 fwd + 1 bwd.
  assert.equal(totalOf(rainbowUpdateFlops(rb, 32, false)), 32 * 2 * (5 * 1_280_000 + 5 * 542_976));
  assert.equal(totalOf(rainbowUpdateFlops(rb, 32, true)), 32 * 2 * (5 * 542_976));
});

test('FlopCounter accumulates by component and round-trips through checkpoint scalars', () => {
  const c = new FlopCounter();
  c.add('update', { encoderForward: 10, heads: 1 });
  c.add('update', { encoderForward: 10, encoderBackward: 20 });
  c.add('act', { acting: 3 });
  c.add('encode', { augmentation: 40 }, 4);
  const s = c.snapshot();
  assert.deepEqual(s.cumulative, {
    encoderForward: 20,
    encoderBackward: 20,
    heads: 1,
    target: 0,
    augmentation: 40,
    acting: 3,
  });
  assert.equal(s.total, 84);
  assert.equal(s.updates, 2);
  assert.equal(s.encoded, 4);
  assert.equal(c.last.update.encoderBackward, 20);
  const d = new FlopCounter();
  d.fromScalars(c.toScalars());
  assert.deepEqual(d.snapshot(), s);
});
