import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CONTROL_TASK_NAMES, makeControlTask, type ControlEnv } from '../../../lib/envs/control';
import { Rng } from '../../../lib/envs/rng';

const deg = (d: number) => (d * Math.PI) / 180;

/** Facts from the DMC models (environments.md A.3 and A.5). */
const SPEC: Record<
  string,
  {
    timestep: number;
    rk4?: boolean;
    controlTimestep: number;
    masses: Record<string, number>;
    ranges?: Record<string, [number, number]>;
    gears: number[];
  }
> = {
  'cartpole-swingup': {
    timestep: 0.01,
    rk4: true,
    controlTimestep: 0.01,
    masses: { cart: 1, pole_1: 0.1 },
    ranges: { slider: [-1.8, 1.8] },
    gears: [10],
  },
  'reacher-easy': {
    timestep: 0.02,
    controlTimestep: 0.02,
    masses: { arm: 0.0419, hand: 0.0356, finger: 0.0042 },
    ranges: { wrist: [deg(-160), deg(160)] },
    gears: [0.05, 0.05],
  },
  'finger-spin': {
    timestep: 0.01,
    controlTimestep: 0.02,
    masses: { proximal: 0.834, distal: 0.687, spinner: 2.459 },
    ranges: { proximal: [deg(-110), deg(110)], distal: [deg(-110), deg(110)] },
    gears: [30, 15],
  },
  'walker-walk': {
    timestep: 0.0025,
    controlTimestep: 0.025,
    masses: {
      torso: 10.67,
      right_thigh: 4.06,
      right_leg: 2.78,
      right_foot: 2.09,
      left_thigh: 4.06,
      left_leg: 2.78,
      left_foot: 2.09,
    },
    ranges: { right_hip: [deg(-20), deg(100)], left_knee: [deg(-150), 0], right_ankle: [deg(-45), deg(45)] },
    gears: [100, 50, 20, 100, 50, 20],
  },
  'hopper-hop': {
    timestep: 0.005,
    controlTimestep: 0.02,
    masses: { torso: 4.83, pelvis: 3.14, thigh: 1.93, calf: 1.02, foot: 1.53 },
    ranges: {
      waist: [deg(-30), deg(30)],
      hip: [deg(-170), deg(10)],
      knee: [deg(5), deg(150)],
      ankle: [deg(-45), deg(45)],
    },
    gears: [30, 40, 30, 10],
  },
  'cheetah-run': {
    timestep: 0.01,
    controlTimestep: 0.01,
    masses: { torso: 6.25, bthigh: 1.54, bshin: 1.59, bfoot: 1.1, fthigh: 1.44, fshin: 1.2, ffoot: 0.89 },
    ranges: { bthigh: [deg(-30), deg(60)], bfoot: [deg(-230), deg(50)], ffoot: [deg(-28), deg(28)] },
    gears: [120, 90, 60, 90, 60, 30],
  },
  'ball_in_cup-catch': {
    timestep: 0.002,
    controlTimestep: 0.02,
    masses: { cup: 0.0652, ball: 0.0654 },
    gears: [5, 5],
  },
};

test('models match the DMC specification: masses, joint ranges, gears, timesteps, integrator', async () => {
  for (const [name, spec] of Object.entries(SPEC)) {
    const env = await makeControlTask(name, { obs: 'state' });
    const p = env.physics;
    const m = p.model;
    assert.ok(Math.abs(m.opt.timestep - spec.timestep) < 1e-12, `${name} timestep`);
    assert.equal(m.opt.integrator === 1, spec.rk4 === true, `${name} integrator`);
    assert.ok(Math.abs(env.task.nSubSteps * m.opt.timestep - spec.controlTimestep) < 1e-12, `${name} control timestep`);
    for (const [body, mass] of Object.entries(spec.masses)) {
      const got = m.body_mass[p.id('body', body)] as number;
      assert.ok(Math.abs(got - mass) < 0.006 * Math.max(1, mass), `${name} ${body} mass ${got} vs ${mass}`);
    }
    for (const [joint, [lo, hi]] of Object.entries(spec.ranges ?? {})) {
      const j = p.id('joint', joint);
      assert.equal(m.jnt_limited[j], 1, `${name} ${joint} limited`);
      assert.ok(
        Math.abs(m.jnt_range[2 * j] - lo) < 1e-9 && Math.abs(m.jnt_range[2 * j + 1] - hi) < 1e-9,
        `${name} ${joint} range`,
      );
    }
    assert.deepEqual(
      Array.from({ length: m.nu }, (_, i) => m.actuator_gear[6 * i]),
      spec.gears,
      `${name} gears`,
    );
    for (let i = 0; i < m.nu; i++) {
      assert.deepEqual([m.actuator_ctrlrange[2 * i], m.actuator_ctrlrange[2 * i + 1]], [-1, 1]);
    }
    env.close();
  }
});

/** Plausible episode returns (action repeat 1, 1000 steps) for a zero and a uniform-random policy. */
const RETURNS: Record<string, { zero: [number, number]; random: [number, number] }> = {
  'cartpole-balance': { zero: [300, 1000], random: [100, 900] },
  'cartpole-swingup': { zero: [0, 60], random: [0, 300] },
  'reacher-easy': { zero: [0, 1000], random: [0, 500] },
  'finger-spin': { zero: [0, 0], random: [0, 300] },
  'walker-stand': { zero: [50, 450], random: [50, 450] },
  'walker-walk': { zero: [0, 150], random: [0, 150] },
  'walker-run': { zero: [0, 100], random: [0, 100] },
  'hopper-stand': { zero: [0, 60], random: [0, 60] },
  'hopper-hop': { zero: [0, 10], random: [0, 10] },
  'cheetah-run': { zero: [0, 30], random: [0, 150] },
  'ball_in_cup-catch': { zero: [0, 1000], random: [0, 500] },
};

test('every step reward is in [0, 1]; zero and random policies score plausible returns', async () => {
  const rng = new Rng(123);
  for (const name of CONTROL_TASK_NAMES) {
    const env = await makeControlTask(name, { obs: 'state', actionRepeat: 1, seed: 5 });
    const n = env.actionSpace.shape[0];
    for (const policy of ['zero', 'random'] as const) {
      env.reset();
      let ret = 0;
      let steps = 0;
      for (;;) {
        const a = Array.from({ length: n }, () => (policy === 'zero' ? 0 : rng.uniform(-1, 1)));
        const s = env.step(a);
        assert.ok(s.reward >= 0 && s.reward <= 1, `${name}: reward ${s.reward}`);
        for (const v of s.obs) assert.ok(Number.isFinite(v), `${name}: non-finite observation`);
        ret += s.reward;
        steps++;
        if (s.truncated) break;
      }
      assert.equal(steps, 1000);
      const [lo, hi] = RETURNS[name][policy];
      assert.ok(ret >= lo && ret <= hi, `${name} ${policy} return ${ret.toFixed(1)} outside [${lo}, ${hi}]`);
    }
    env.close();
  }
});

test('passive dynamics: a released pole falls; a frictionless swing does not gain energy', async () => {
  const env = (await makeControlTask('cartpole-balance', { obs: 'state', actionRepeat: 1 })) as ControlEnv;
  env.reset({ seed: 0 });
  const p = env.physics;
  const hinge = p.qposAdr('hinge_1');
  const setState = (angle: number) => {
    p.resetData();
    p.data.qpos[hinge] = angle;
    p.forward();
  };
  setState(0.05);
  for (let i = 0; i < 100; i++) env.step([0]);
  assert.ok(Math.abs(p.data.qpos[hinge] - 0.05) > 0.5, `pole stayed at ${p.data.qpos[hinge]}`);
  // hanging swing: total energy (MuJoCo energy flag on) must not grow
  setState(Math.PI - 1);
  const energy = () => (p.data.energy[0] as number) + (p.data.energy[1] as number);
  p.forward();
  const e0 = energy();
  let eMax = e0;
  for (let i = 0; i < 500; i++) {
    env.step([0]);
    eMax = Math.max(eMax, energy());
  }
  assert.ok(eMax <= e0 + 1e-6, `energy grew from ${e0} to ${eMax}`);
  // tiny joint damping: the swing (about 0.5 J of pendulum energy) loses well under 0.01 J in 5 s
  assert.ok(energy() > e0 - 0.01, `swing lost energy: ${e0} → ${energy()}`);
  env.close();
});

test('reset randomisation follows DMC: swingup starts hanging, walker orientation spans ±π', async () => {
  const swing = (await makeControlTask('cartpole-swingup', { obs: 'state' })) as ControlEnv;
  for (let s = 0; s < 5; s++) {
    const obs = swing.reset({ seed: s }).obs;
    assert.ok(obs[1] < -0.99, `pole cos ${obs[1]} should be ≈ -1 at swingup reset`);
  }
  swing.close();
  const walker = (await makeControlTask('walker-stand', { obs: 'state' })) as ControlEnv;
  const rooty = walker.physics.qposAdr('rooty');
  let min = Infinity,
    max = -Infinity;
  for (let s = 0; s < 40; s++) {
    walker.reset({ seed: s });
    const a = walker.physics.data.qpos[rooty] as number;
    min = Math.min(min, a);
    max = Math.max(max, a);
    assert.equal(walker.physics.data.qpos[walker.physics.qposAdr('rootx')], 0);
  }
  assert.ok(min < -2 && max > 2 && min >= -Math.PI && max <= Math.PI, `rooty range [${min}, ${max}]`);
  walker.close();
  const finger = (await makeControlTask('finger-spin', { obs: 'state' })) as ControlEnv;
  finger.reset({ seed: 4 });
  const fp = finger.physics;
  assert.equal(fp.data.ncon, 0, 'finger reset leaves no contacts');
  assert.ok(Math.abs(fp.model.dof_damping[fp.dofAdr('hinge')] - 0.03) < 1e-12);
  finger.close();
});
