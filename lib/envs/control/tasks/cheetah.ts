/** Cheetah (dm_control suite/cheetah.{xml,py}): a planar quadruped-like runner rewarded for forward speed. */
import { COMMON_ASSETS } from '../assets';
import type { Physics } from '../physics';
import type { Random, Task } from '../task';
import { tolerance } from '../tolerance';

export const CHEETAH_XML = `
<mujoco model="cheetah">
${COMMON_ASSETS}
  <compiler settotalmass="14"/>
  <default>
    <default class="cheetah">
      <joint limited="true" damping=".01" armature=".1" stiffness="8" type="hinge" axis="0 1 0"/>
      <geom contype="1" conaffinity="1" condim="3" friction=".4 .1 .1" material="self"/>
    </default>
    <default class="free">
      <joint limited="false" damping="0" armature="0" stiffness="0"/>
    </default>
    <motor ctrllimited="true" ctrlrange="-1 1"/>
  </default>
  <statistic center="0 0 .7" extent="2"/>
  <option timestep="0.01"/>
  <worldbody>
    <geom name="ground" type="plane" conaffinity="1" pos="98 0 0" size="100 .8 .5" material="grid"/>
    <body name="torso" pos="0 0 .7" childclass="cheetah">
      <light name="light" pos="0 0 2" mode="trackcom"/>
      <camera name="side" pos="0 -3 0" quat="0.707 0.707 0 0" mode="trackcom"/>
      <camera name="back" pos="-1.8 -1.3 0.8" xyaxes="0.45 -0.9 0 0.3 0.15 0.94" mode="trackcom"/>
      <joint name="rootx" type="slide" axis="1 0 0" class="free"/>
      <joint name="rootz" type="slide" axis="0 0 1" class="free"/>
      <joint name="rooty" type="hinge" axis="0 1 0" class="free"/>
      <geom name="torso" type="capsule" fromto="-.5 0 0 .5 0 0" size=".046"/>
      <geom name="head" type="capsule" pos=".6 0 .1" euler="0 50 0" size=".046 .15"/>
      <body name="bthigh" pos="-.5 0 0">
        <joint name="bthigh" range="-30 60" stiffness="240" damping="6"/>
        <geom name="bthigh" type="capsule" pos=".1 0 -.13" euler="0 -218 0" size=".046 .145"/>
        <body name="bshin" pos=".16 0 -.25">
          <joint name="bshin" range="-50 50" stiffness="180" damping="4.5"/>
          <geom name="bshin" type="capsule" pos="-.14 0 -.07" euler="0 -116 0" size=".046 .15"/>
          <body name="bfoot" pos="-.28 0 -.14">
            <joint name="bfoot" range="-230 50" stiffness="120" damping="3"/>
            <geom name="bfoot" type="capsule" pos=".03 0 -.097" euler="0 -15 0" size=".046 .094"/>
          </body>
        </body>
      </body>
      <body name="fthigh" pos=".5 0 0">
        <joint name="fthigh" range="-57 .4" stiffness="180" damping="4.5"/>
        <geom name="fthigh" type="capsule" pos="-.07 0 -.12" euler="0 30 0" size=".046 .133"/>
        <body name="fshin" pos="-.14 0 -.24">
          <joint name="fshin" range="-70 50" stiffness="120" damping="3"/>
          <geom name="fshin" type="capsule" pos=".065 0 -.09" euler="0 -34 0" size=".046 .106"/>
          <body name="ffoot" pos=".13 0 -.18">
            <joint name="ffoot" range="-28 28" stiffness="60" damping="1.5"/>
            <geom name="ffoot" type="capsule" pos=".045 0 -.07" euler="0 -34 0" size=".046 .07"/>
          </body>
        </body>
      </body>
    </body>
  </worldbody>
  <sensor>
    <subtreelinvel name="torso_subtreelinvel" body="torso"/>
  </sensor>
  <actuator>
    <motor name="bthigh" joint="bthigh" gear="120"/>
    <motor name="bshin" joint="bshin" gear="90"/>
    <motor name="bfoot" joint="bfoot" gear="60"/>
    <motor name="fthigh" joint="fthigh" gear="90"/>
    <motor name="fshin" joint="fshin" gear="60"/>
    <motor name="ffoot" joint="ffoot" gear="30"/>
  </actuator>
</mujoco>`;

/** Forward speed (m/s) at which the reward saturates. */
export const RUN_SPEED = 10;
/** Physics steps with zero control that let the randomised pose settle before the episode starts. */
const SETTLE_STEPS = 200;

export const cheetahTasks = {
  run: (): Task => ({
    domain: 'cheetah',
    task: 'run',
    xml: CHEETAH_XML,
    nSubSteps: 1,
    actionRepeat: 4,
    camera: 'side',
    initialize(p: Physics, random: Random): void {
      const m = p.model;
      const qpos = p.data.qpos as Float64Array;
      for (let j = 0; j < m.njnt; j++) {
        if (!m.jnt_limited[j]) continue;
        qpos[m.jnt_qposadr[j] as number] = random.uniform(
          m.jnt_range[2 * j] as number,
          m.jnt_range[2 * j + 1] as number,
        );
      }
      for (let i = 0; i < SETTLE_STEPS; i++) p.mj.mj_step(m, p.data);
      p.data.time = 0;
    },
    reward(p: Physics): number {
      const v = p.data.sensordata[p.sensorAdr('torso_subtreelinvel')] as number;
      return tolerance(v, { bounds: [RUN_SPEED, Infinity], margin: RUN_SPEED, valueAtMargin: 0, sigmoid: 'linear' });
    },
    observation(p: Physics): number[] {
      const out: number[] = [];
      for (let i = 1; i < p.model.nq; i++) out.push(p.data.qpos[i] as number);
      for (let i = 0; i < p.model.nv; i++) out.push(p.data.qvel[i] as number);
      return out;
    },
  }),
};
