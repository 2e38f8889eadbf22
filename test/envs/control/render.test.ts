import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeControlTask, Physics, Renderer, type ControlEnv } from '../../../lib/envs/control';
import { loadMujoco } from '../../../lib/envs/control/mujoco';

function stats(img: Uint8Array): { mean: number; std: number } {
  let s = 0,
    s2 = 0;
  for (const v of img) {
    s += v;
    s2 += v * v;
  }
  const mean = s / img.length;
  return { mean, std: Math.sqrt(s2 / img.length - mean * mean) };
}

function diffPixels(a: Uint8Array, b: Uint8Array, size: number): { count: number; row: number; col: number } {
  let count = 0,
    row = 0,
    col = 0;
  for (let p = 0; p < size * size; p++) {
    if (a[3 * p] !== b[3 * p] || a[3 * p + 1] !== b[3 * p + 1] || a[3 * p + 2] !== b[3 * p + 2]) {
      count++;
      row += Math.floor(p / size);
      col += p % size;
    }
  }
  return { count, row: row / Math.max(1, count), col: col / Math.max(1, count) };
}

test('every task renders a non-constant image at 100, 84, 64 and 50 pixels', async () => {
  for (const name of [
    'cartpole-swingup',
    'reacher-easy',
    'finger-spin',
    'walker-walk',
    'hopper-hop',
    'cheetah-run',
    'ball_in_cup-catch',
  ]) {
    const env = (await makeControlTask(name, { size: 50, frameStack: 1, seed: 1 })) as ControlEnv;
    env.reset();
    for (const size of [100, 84, 64, 50]) {
      const img = env.render(size);
      assert.equal(img.length, size * size * 3);
      const { mean, std } = stats(img);
      assert.ok(std > 10 && mean > 10 && mean < 245, `${name}@${size}: mean ${mean.toFixed(1)}, std ${std.toFixed(1)}`);
    }
    env.close();
  }
});

test('the cartpole camera sees the pole: changing the angle changes pixels above the cart', async () => {
  const env = (await makeControlTask('cartpole-balance', { size: 84, frameStack: 1 })) as ControlEnv;
  env.reset({ seed: 0 });
  const p = env.physics;
  const pose = (angle: number) => {
    p.data.qpos[p.qposAdr('slider')] = 0;
    p.data.qpos[p.qposAdr('hinge_1')] = angle;
    p.forward();
    return env.render();
  };
  const up = pose(0);
  const tilted = pose(1.0);
  const d = diffPixels(up, tilted, 84);
  assert.ok(d.count > 40, `only ${d.count} pixels changed`);
  assert.ok(d.row < 42, `changes centred at row ${d.row}, expected above the image centre (cart at the horizon)`);
  // the upright pole is a vertical stripe at the image centre; tilted towards +x it leans right
  assert.ok(d.col >= 42, `changes centred at column ${d.col}`);
  // same state → same bytes
  assert.deepEqual(pose(1.0), tilted);
  env.close();
});

test('a known object lands where the camera model says: reacher target seen from above', async () => {
  const env = (await makeControlTask('reacher-easy', { size: 84, frameStack: 1 })) as ControlEnv;
  env.reset({ seed: 0 });
  const p = env.physics;
  const target = p.id('geom', 'target');
  // arm pointing to −x, target at (0.12, 0.1): camera at height 0.75 looks straight down, image up = +y
  p.data.qpos[0] = Math.PI;
  p.data.qpos[1] = 0;
  const place = (x: number, y: number, z: number) => {
    p.model.geom_pos[3 * target] = x;
    p.model.geom_pos[3 * target + 1] = y;
    p.model.geom_pos[3 * target + 2] = z;
    p.forward();
    return env.render();
  };
  const shown = place(0.12, 0.1, 0.01);
  const hidden = place(0.12, 0.1, -1);
  const d = diffPixels(shown, hidden, 84);
  const f = 1 / Math.tan((22.5 * Math.PI) / 180) / 0.74; // pixels per metre / 42 at depth 0.74
  const col = 42 + 0.12 * f * 42 - 0.5,
    row = 42 - 0.1 * f * 42 - 0.5;
  assert.ok(
    Math.abs(d.col - col) < 1 && Math.abs(d.row - row) < 1,
    `target at (${d.row}, ${d.col}), expected (${row}, ${col})`,
  );
  // disc of radius 0.05 m → π (0.05 f 42)² pixels
  const area = Math.PI * (0.05 * f * 42) ** 2;
  assert.ok(Math.abs(d.count - area) < 0.15 * area, `target covers ${d.count} px, expected ≈ ${area.toFixed(0)}`);
  env.close();
});

test('every primitive type is drawn in its colour at its projected centre', async () => {
  const mj = await loadMujoco();
  const kinds = [
    ['sphere', 'size=".2"', '1 0 0'],
    ['capsule', 'size=".12 .15"', '0 1 0'],
    ['ellipsoid', 'size=".25 .15 .2"', '0 0 1'],
    ['cylinder', 'size=".2 .2"', '1 1 0'],
    ['box', 'size=".2 .2 .2"', '0 1 1'],
  ];
  const geoms = kinds
    .map(([type, size, rgb], i) => `<geom type="${type}" ${size} pos="${-1.2 + 0.6 * i} 0 0.5" rgba="${rgb} 1"/>`)
    .join('\n');
  const xml = `<mujoco><worldbody>
    <geom type="plane" size="3 3 .1" rgba=".2 .2 .2 1"/>
    <camera name="c" pos="0 -3 0.5" xyaxes="1 0 0 0 0 1"/>
    ${geoms}</worldbody></mujoco>`;
  const physics = new Physics(mj, xml, 'primitives');
  physics.forward();
  const size = 100;
  const img = new Renderer(physics, size).render('c');
  const f = 1 / Math.tan((22.5 * Math.PI) / 180);
  kinds.forEach(([type, , rgb], i) => {
    const x = -1.2 + 0.6 * i;
    // nearest face is ~0.2 m in front of the centre; project the centre itself (depth 3) for the pixel
    const col = Math.round(size / 2 + (x / 3) * f * (size / 2) - 0.5);
    const row = Math.round(size / 2 - 0.5);
    const px = Array.from(img.subarray(3 * (row * size + col), 3 * (row * size + col) + 3));
    const want = rgb.split(' ').map(Number);
    // coloured channels well above the others (the default headlight adds a white specular highlight)
    for (let c = 0; c < 3; c++) {
      for (let o = 0; o < 3; o++) {
        if (want[c] === 1 && want[o] === 0) assert.ok(px[c] > px[o] + 100, `${type}: pixel ${px} is not ${rgb}`);
      }
    }
  });
  assert.throws(() => new Renderer(physics, 0), /image size/);
  assert.throws(() => new Renderer(physics, 8).render(3), /camera 3 does not exist/);
  physics.close();
});

test('the cached background of fixed cameras gives the same bytes as a full render', async () => {
  for (const name of ['cartpole-swingup', 'finger-spin', 'reacher-easy', 'ball_in_cup-catch']) {
    const env = (await makeControlTask(name, { size: 64, frameStack: 1, seed: 2 })) as ControlEnv;
    const full = new Renderer(env.physics, 64, 64, { cacheBackground: false });
    let obs = env.reset().obs as Uint8Array;
    full.refreshScene(); // the task may have edited the model (finger hides its sites)
    assert.deepEqual(obs, full.render(env.task.camera), `${name} at reset`);
    for (let i = 0; i < 6; i++) {
      obs = env.step(Array(env.actionSpace.shape[0]).fill(i % 2 ? 1 : -1)).obs as Uint8Array;
      assert.deepEqual(obs, full.render(env.task.camera), `${name} step ${i}`);
    }
    // a new episode moves world-fixed things (reacher's target): the cache must notice
    obs = env.reset().obs as Uint8Array;
    full.refreshScene();
    assert.deepEqual(obs, full.render(env.task.camera), `${name} after second reset`);
    env.close();
  }
});

test('model lights cast shadows on the floor: only floor pixels change, and only darker', async () => {
  for (const name of ['walker-stand', 'ball_in_cup-catch']) {
    const env = (await makeControlTask(name, { size: 64, frameStack: 1, seed: 1 })) as ControlEnv;
    env.reset();
    const withShadows = new Renderer(env.physics, 64, 64).render(env.task.camera);
    const without = new Renderer(env.physics, 64, 64, { shadows: false }).render(env.task.camera);
    let changed = 0;
    for (let p = 0; p < 64 * 64; p++) {
      const a = withShadows[3 * p] + withShadows[3 * p + 1] + withShadows[3 * p + 2];
      const b = without[3 * p] + without[3 * p + 1] + without[3 * p + 2];
      if (a !== b) {
        changed++;
        assert.ok(a < b, `${name}: pixel ${p} got brighter in shadow`);
      }
    }
    assert.ok(changed > 5, `${name}: only ${changed} shadowed pixels`);
    env.close();
  }
});
