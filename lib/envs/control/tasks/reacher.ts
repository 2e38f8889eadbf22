/** Reacher (dm_control suite/reacher.{xml,py}): a two-link planar arm touches a randomly placed target. */
import { COMMON_ASSETS } from '../assets';
import type { Physics } from '../physics';
import { randomizeLimitedAndRotationalJoints } from '../randomizers';
import type { Random, Task } from '../task';
import { tolerance } from '../tolerance';

export const REACHER_XML = `
<mujoco model="two-link planar reacher">
${COMMON_ASSETS}
  <option timestep="0.02">
    <flag contact="disable"/>
  </option>
  <default>
    <joint type="hinge" axis="0 0 1" damping="0.01"/>
    <motor gear=".05" ctrlrange="-1 1" ctrllimited="true"/>
  </default>
  <worldbody>
    <light name="light" pos="0 0 1"/>
    <camera name="fixed" pos="0 0 .75" quat="1 0 0 0"/>
    <geom name="ground" type="plane" pos="0 0 0" size=".3 .3 10" material="grid"/>
    <geom name="wall_x" type="plane" pos="-.3 0 .02" zaxis="1 0 0" size=".02 .3 .02" material="decoration"/>
    <geom name="wall_y" type="plane" pos="0 -.3 .02" zaxis="0 1 0" size=".3 .02 .02" material="decoration"/>
    <geom name="wall_neg_x" type="plane" pos=".3 0 .02" zaxis="-1 0 0" size=".02 .3 .02" material="decoration"/>
    <geom name="wall_neg_y" type="plane" pos="0 .3 .02" zaxis="0 -1 0" size=".3 .02 .02" material="decoration"/>
    <geom name="root" type="cylinder" fromto="0 0 0 0 0 0.02" size=".011" material="decoration"/>
    <body name="arm" pos="0 0 .01">
      <geom name="arm" type="capsule" fromto="0 0 0 0.12 0 0" size=".01" material="self"/>
      <joint name="shoulder"/>
      <body name="hand" pos=".12 0 0">
        <geom name="hand" type="capsule" fromto="0 0 0 0.1 0 0" size=".01" material="self"/>
        <joint name="wrist" limited="true" range="-160 160"/>
        <body name="finger" pos=".12 0 0">
          <camera name="hand" pos="0 0 .2" mode="track"/>
          <geom name="finger" type="sphere" size=".01" material="effector"/>
        </body>
      </body>
    </body>
    <geom name="target" pos="0 0 .01" material="target" type="sphere" size=".05"/>
  </worldbody>
  <actuator>
    <motor name="shoulder" joint="shoulder"/>
    <motor name="wrist" joint="wrist"/>
  </actuator>
</mujoco>`;

function fingerToTarget(p: Physics): [number, number] {
  const x = p.data.geom_xpos as Float64Array;
  const t = 3 * p.id('geom', 'target');
  const f = 3 * p.id('geom', 'finger');
  return [x[t] - x[f], x[t + 1] - x[f + 1]];
}

function makeReacher(task: 'easy' | 'hard'): Task {
  const targetSize = task === 'easy' ? 0.05 : 0.015;
  return {
    domain: 'reacher',
    task,
    xml: REACHER_XML,
    nSubSteps: 1,
    actionRepeat: 4,
    camera: 'fixed',
    initialize(p: Physics, random: Random): void {
      const m = p.model;
      const target = p.id('geom', 'target');
      m.geom_size[3 * target] = targetSize;
      randomizeLimitedAndRotationalJoints(p, random);
      const angle = random.uniform(0, 2 * Math.PI);
      const radius = random.uniform(0.05, 0.2);
      m.geom_pos[3 * target] = radius * Math.sin(angle);
      m.geom_pos[3 * target + 1] = radius * Math.cos(angle);
    },
    reward(p: Physics): number {
      const m = p.model;
      const radii =
        (m.geom_size[3 * p.id('geom', 'target')] as number) + (m.geom_size[3 * p.id('geom', 'finger')] as number);
      const [dx, dy] = fingerToTarget(p);
      return tolerance(Math.hypot(dx, dy), { bounds: [0, radii] });
    },
    observation(p: Physics): number[] {
      const d = p.data;
      return [d.qpos[0], d.qpos[1], ...fingerToTarget(p), d.qvel[0], d.qvel[1]] as number[];
    },
  };
}

export const reacherTasks = {
  easy: () => makeReacher('easy'),
  hard: () => makeReacher('hard'),
};
