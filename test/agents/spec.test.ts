/**
 * One spec per agent (issue 20): the options type, the defaults, the validation and the help text all come from
 * lib/agents/curl-args.ts and lib/agents/rainbow-args.ts through lib/agents/spec.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  checkOptions,
  defaultsOf,
  greaterThan,
  helpLines,
  interval,
  oneOf,
  positiveInt,
  type OptionsOf,
} from '../../lib/agents/spec';
import { CURL_DEFAULTS, CURL_SPEC, curlReplay } from '../../lib/agents/curl-args';
import { RAINBOW_DEFAULTS, RAINBOW_SPEC, rainbowReplay } from '../../lib/agents/rainbow-args';
import { CurlAgent } from '../../lib/agents/curl';
import { RainbowAgent } from '../../lib/agents/rainbow';

const TOY = {
  layers: positiveInt(2, 'how many layers'),
  lo: interval(0, 1, '[)', 0.5, 'a fraction'),
  hi: greaterThan('lo', 0.9, 'above lo'),
  mode: oneOf(['fast', 'exact'] as const, 'exact', 'how to compute'),
} as const;

test('a spec gives its defaults, and its type from the fields', () => {
  const d: OptionsOf<typeof TOY> = defaultsOf(TOY);
  assert.deepEqual(d, { layers: 2, lo: 0.5, hi: 0.9, mode: 'exact' });
  // @ts-expect-error not one of the field's values: the type comes from oneOf's list
  const bad: OptionsOf<typeof TOY>['mode'] = 'slow';
  assert.equal(bad, 'slow');
});

test('validation names the agent, the field, the accepted values and the value given, in the spec order', () => {
  const d = defaultsOf(TOY);
  checkOptions('toy', TOY, d);
  assert.throws(
    () => checkOptions('toy', TOY, { ...d, layers: 0 }),
    /^Error: toy config: layers must be a positive integer, got 0$/,
  );
  assert.throws(() => checkOptions('toy', TOY, { ...d, lo: 1 }), /lo must be in \[0, 1\), got 1/);
  assert.throws(() => checkOptions('toy', TOY, { ...d, hi: 0.2 }), /hi must be greater than lo \(0\.5\), got 0\.2/);
  assert.throws(() => checkOptions('toy', TOY, { ...d, mode: 'slow' }), /mode must be 'fast' \| 'exact', got "slow"/);
  assert.throws(() => checkOptions('toy', TOY, { ...d, layers: '2' }), /layers must be a positive integer, got "2"/);
  assert.throws(() => checkOptions('toy', TOY, { ...d, layers: -1, mode: 'x' }), /layers/);
});

test('help: one aligned line per field with its default, accepted values and doc', () => {
  const lines = helpLines(TOY, ['lo']);
  assert.equal(lines.length, 3);
  assert.match(lines[0], /^layers +2 +a positive integer +how many layers$/);
  assert.match(lines[2], /^mode +'exact' +'fast' \| 'exact' +how to compute$/);
  const docAt = lines.map((l, i) => l.indexOf([TOY.layers, TOY.hi, TOY.mode][i].doc));
  assert.equal(new Set(docAt).size, 1, 'docs start in one column');
});

test("every option keeps its name and default from before the specs; new ones hold the runner's old literals", () => {
  assert.deepEqual(CURL_DEFAULTS, {
    encoder: 'sac-ae',
    featureDim: 50,
    hidden: 1024,
    batchSize: 128,
    actorLr: 1e-3,
    criticLr: 1e-3,
    encoderLr: 1e-3,
    beta1: 0.9,
    alphaLr: 1e-4,
    alphaBeta1: 0.5,
    initTemperature: 0.1,
    criticTau: 0.01,
    encoderTau: 0.05,
    targetUpdateFreq: 2,
    actorUpdateFreq: 2,
    cpcUpdateFreq: 1,
    logStdMin: -10,
    logStdMax: 2,
    cpcEncoderDoubleStep: true,
    optimizers: 'curl',
    targetCopyAtFreeze: 'encoder',
    seed: 0,
    cropSize: 84,
    discount: 0.99,
  });
  assert.deepEqual(RAINBOW_DEFAULTS, {
    encoder: 'rainbow',
    hidden: 256,
    atoms: 51,
    vMin: -10,
    vMax: 10,
    sigma0: 0.1,
    lr: 1e-4,
    adamEps: 1.5e-4,
    targetUpdate: 2000,
    gradClip: 10,
    evalEpsilon: 0.001,
    prioritizedReplay: true,
    seed: 0,
    nStep: 20,
    discount: 0.99,
    priorityExponent: 0.5,
    priorityWeight: 0.4,
    rewardClip: 1,
  });
  for (const spec of [CURL_SPEC, RAINBOW_SPEC] as const) {
    checkOptions('x', spec, defaultsOf(spec));
    for (const [name, f] of Object.entries(spec)) assert.ok(f.doc && !f.doc.includes('\n'), `${name}: one-line doc`);
  }
});

test('the agents take their defaults and checks from the specs', () => {
  const curl = new CurlAgent({ obsShape: [20, 20, 3], actionDim: 1, hidden: 8 });
  try {
    assert.equal(curl.config.cropSize, 17, 'the crop default follows the image (84 of 100)');
    assert.equal(curl.config.criticTau, CURL_SPEC.criticTau.default);
  } finally {
    curl.dispose();
  }
  assert.throws(() => new CurlAgent({ obsShape: [20, 20, 3], actionDim: 1, discount: 1.5 }), /curl config: discount/);
  assert.throws(() => new CurlAgent({ obsShape: [20, 20, 3], actionDim: 1, seed: -1 }), /seed must be an integer >= 0/);
  const small = { obsShape: [10, 10, 4], numActions: 3, encoder: 'flatten' as const };
  assert.throws(
    () => new RainbowAgent({ ...small, nStep: 0 }),
    /rainbow config: nStep must be a positive integer, got 0/,
  );
  assert.throws(() => new RainbowAgent({ ...small, lr: 0 }), /lr must be a positive number, got 0/);
  assert.throws(() => new RainbowAgent({ ...small, rewardClip: -1 }), /rewardClip must be a number >= 0/);
});

test("the replay's settings come from the options: n-step, γ, PER exponents and β schedule, reward clipping", () => {
  assert.deepEqual(curlReplay(CURL_DEFAULTS), { nStep: 1, gamma: 0.99, rewardClip: 0 });
  const r = rainbowReplay(RAINBOW_DEFAULTS);
  assert.deepEqual([r.nStep, r.gamma, r.rewardClip, r.prioritized?.exponent], [20, 0.99, 1, 0.5]);
  // β from priorityWeight at the first update to 1 at the last, linearly, then held at 1
  const beta = r.prioritized!.beta;
  assert.deepEqual([beta(0, 100), beta(100, 100), beta(150, 100)], [0.4, 1, 1]);
  assert.ok(Math.abs(beta(50, 100) - 0.7) < 1e-12);
  assert.equal(beta(0, 0), 0.4);
  const other = rainbowReplay({ ...RAINBOW_DEFAULTS, nStep: 3, discount: 0.9, priorityWeight: 0, rewardClip: 0 });
  assert.deepEqual([other.nStep, other.gamma, other.rewardClip, other.prioritized!.beta(1, 4)], [3, 0.9, 0, 0.25]);
  assert.equal(rainbowReplay({ ...RAINBOW_DEFAULTS, prioritizedReplay: false }).prioritized, undefined);
});
