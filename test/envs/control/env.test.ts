import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeEnv, envIds } from '../../../lib/envs/registry';
import { CONTROL_TASK_NAMES, makeControlTask, type ControlEnv } from '../../../lib/envs/control';

test('all eleven tasks are registered under their DMC names', () => {
  const expected = [
    'cartpole-balance',
    'cartpole-swingup',
    'reacher-easy',
    'finger-spin',
    'walker-stand',
    'walker-walk',
    'walker-run',
    'hopper-stand',
    'hopper-hop',
    'cheetah-run',
    'ball_in_cup-catch',
  ];
  assert.deepEqual([...CONTROL_TASK_NAMES].sort(), [...expected].sort());
  for (const id of expected) assert.ok(envIds().includes(id), id);
});

test('an unknown task name is an error listing the tasks', async () => {
  await assert.rejects(makeEnv('cartpole-upside'), /Unknown environment 'cartpole-upside'.*cartpole-swingup/);
  await assert.rejects(makeControlTask('walker-fly'), /Accepted tasks: .*walker-walk/);
});

test('spaces: pixels [H, W, 3·stack] uint8, actions box [-1, 1] per actuator, state float32', async () => {
  const env = (await makeEnv('walker-walk', { size: 64, frameStack: 3, seed: 0 })) as ControlEnv;
  assert.deepEqual(env.observationSpace, { kind: 'box', shape: [64, 64, 9], dtype: 'uint8', low: 0, high: 255 });
  assert.deepEqual(env.actionSpace, { kind: 'box', shape: [6], dtype: 'float32', low: -1, high: 1 });
  assert.equal(env.actionRepeat, 2);
  const { obs } = env.reset();
  assert.ok(obs instanceof Uint8Array);
  assert.equal(obs.length, 64 * 64 * 9);
  env.close();
  const state = await makeEnv('cartpole-swingup', { obs: 'state' });
  assert.deepEqual(state.observationSpace.shape, [5]);
  const r = state.reset({ seed: 1 });
  assert.ok(r.obs instanceof Float32Array);
  assert.equal(r.obs.length, 5);
  state.close();
});

test('episodes are 1000 control steps and end as truncation, never termination', async () => {
  const env = await makeEnv('cartpole-swingup', { obs: 'state', seed: 3 }); // action repeat 8
  env.reset();
  let steps = 0;
  let total = 0;
  for (;;) {
    const s = env.step([0.3]);
    steps++;
    total += s.reward;
    assert.equal(s.terminated, false);
    assert.ok(s.reward >= 0 && s.reward <= 8, `reward ${s.reward} outside [0, repeat]`);
    if (s.truncated) break;
    assert.ok(steps < 200, 'episode did not end');
  }
  assert.equal(steps, 125);
  assert.ok(total > 0);
  assert.throws(() => env.step([0]), /call reset\(\)/);
  env.close();
  // an action repeat that does not divide 1000 still stops at 1000 control steps
  const env6 = await makeEnv('cartpole-swingup', { obs: 'state', actionRepeat: 6 });
  env6.reset();
  let n = 0;
  let last;
  do {
    last = env6.step([0]);
    n++;
  } while (!last.truncated);
  assert.equal(n, 167);
  assert.equal(last.info.controlSteps, 1000);
  env6.close();
});

test('bad actions are errors naming the expected shape; out-of-range values are clipped', async () => {
  const env = (await makeEnv('cartpole-balance', { obs: 'state' })) as ControlEnv;
  env.reset({ seed: 0 });
  assert.throws(() => env.step([0, 0]), /length 1 \(shape \[1\]/);
  assert.throws(() => env.step([Number.NaN]), /action\[0\] is NaN.*shape \[1\]/);
  assert.throws(() => env.step([Infinity]), /action\[0\] is Infinity/);
  env.step([5]);
  assert.equal(env.physics.data.ctrl[0], 1);
  env.step(new Float32Array([-3]));
  assert.equal(env.physics.data.ctrl[0], -1);
  env.close();
});

test('bad options are errors naming the accepted values', async () => {
  await assert.rejects(makeEnv('cartpole-swingup', { size: 0 }), /'size' must be an integer in \[1, 1024\]/);
  await assert.rejects(makeEnv('cartpole-swingup', { frameStack: 1.5 }), /'frameStack'/);
  await assert.rejects(makeEnv('cartpole-swingup', { obs: 'native' }), /'pixels' or 'state'/);
  await assert.rejects(makeEnv('cartpole-swingup', { colour: true }), /Unknown control env option 'colour'/);
  await assert.rejects(makeEnv('cartpole-swingup', { camera: 'nope' }), /no camera named 'nope'/);
});

test('the same seed gives the same trajectory and the same pixels; another seed does not', async () => {
  const run = async (seed: number) => {
    const env = await makeEnv('finger-spin', { size: 50, seed });
    const frames: Uint8Array[] = [env.reset().obs as Uint8Array];
    const rewards: number[] = [];
    for (let i = 0; i < 10; i++) {
      const s = env.step([Math.sin(i), Math.cos(i)]);
      frames.push(s.obs as Uint8Array);
      rewards.push(s.reward);
    }
    env.close();
    return { frames, rewards };
  };
  const a = await run(7);
  const b = await run(7);
  const c = await run(8);
  assert.deepEqual(a.rewards, b.rewards);
  for (let i = 0; i < a.frames.length; i++) assert.deepEqual(a.frames[i], b.frames[i]);
  assert.notDeepEqual(a.frames[0], c.frames[0]);
});

test('reset({seed}) restarts the stream; reset() continues it', async () => {
  const env = await makeEnv('reacher-easy', { obs: 'state', seed: 1 });
  const first = env.reset().obs;
  const second = env.reset().obs;
  assert.notDeepEqual(first, second);
  assert.deepEqual(env.reset({ seed: 1 }).obs, first);
  env.close();
});

test('frame stack: newest frame last, older frames shift forward, reset repeats the first frame', async () => {
  const env = (await makeEnv('cartpole-swingup', { size: 32, frameStack: 3, seed: 2 })) as ControlEnv;
  const frame = (obs: Uint8Array, slot: number) => {
    const out = new Uint8Array(32 * 32 * 3);
    for (let p = 0; p < 32 * 32; p++) for (let c = 0; c < 3; c++) out[3 * p + c] = obs[9 * p + 3 * slot + c];
    return out;
  };
  const o0 = env.reset().obs as Uint8Array;
  assert.deepEqual(frame(o0, 0), frame(o0, 2));
  assert.deepEqual(frame(o0, 1), frame(o0, 2));
  assert.deepEqual(frame(o0, 2), env.render());
  const o1 = env.step([1]).obs as Uint8Array;
  const o2 = env.step([1]).obs as Uint8Array;
  assert.deepEqual(frame(o2, 1), frame(o1, 2));
  assert.deepEqual(frame(o2, 0), frame(o1, 1));
  assert.deepEqual(frame(o2, 2), env.render());
  assert.notDeepEqual(frame(o2, 2), frame(o2, 1), 'the cart moved, so consecutive frames differ');
  env.close();
});

test('close() frees MuJoCo memory, is idempotent, and later use is an error', async () => {
  const env = (await makeEnv('hopper-hop', { size: 16 })) as ControlEnv;
  env.reset();
  env.close();
  env.close();
  assert.equal(env.physics.closed, true);
  assert.throws(() => env.step([0, 0, 0, 0]), /after close\(\)/);
  assert.throws(() => env.reset(), /closed/);
});

test('closed envs give their MuJoCo memory back: create/close cycles do not grow the wasm heap', async () => {
  const probe = (await makeEnv('walker-walk', { obs: 'state' })) as ControlEnv;
  const heap = () => ((probe.physics.data.qpos as Float64Array).buffer as ArrayBuffer).byteLength;
  const cycle = async () => {
    const env = await makeEnv('walker-walk', { size: 16 });
    env.reset();
    env.step(new Float32Array(6));
    env.close();
  };
  await cycle();
  const before = heap();
  // Each walker MjData takes ~16 MB of the wasm heap, so 20 leaked envs would grow it by ~320 MB. The allocator may
  // still grow the heap once for fragmentation (CI saw +5.7 MB), so the bound is a few envs' worth, not zero.
  for (let i = 0; i < 20; i++) await cycle();
  const grown = heap() - before;
  assert.ok(grown <= 3 * 16 * 2 ** 20, `heap grew ${(grown / 2 ** 20).toFixed(1)} MB over 20 create/close cycles`);
  probe.close();
});
