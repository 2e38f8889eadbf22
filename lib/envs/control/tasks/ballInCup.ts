/** Ball in cup (dm_control suite/ball_in_cup.{xml,py}): swing a ball on a string into a planar cup. */
import { COMMON_ASSETS } from '../assets';
import type { Physics } from '../physics';
import type { Random, Task } from '../task';

export const BALL_IN_CUP_XML = `
<mujoco model="ball in cup">
${COMMON_ASSETS}
  <default>
    <motor ctrllimited="true" ctrlrange="-1 1" gear="5"/>
    <default class="cup">
      <joint type="slide" damping="3" stiffness="20"/>
      <geom type="capsule" size=".008" material="self"/>
    </default>
  </default>
  <worldbody>
    <light name="light" directional="true" diffuse=".6 .6 .6" pos="0 0 2" specular=".3 .3 .3"/>
    <geom name="ground" type="plane" pos="0 0 0" size=".6 .2 10" material="grid"/>
    <camera name="cam0" pos="0 -1 .8" xyaxes="1 0 0 0 1 2"/>
    <camera name="cam1" pos="0 -1 .4" xyaxes="1 0 0 0 0 1"/>
    <body name="cup" pos="0 0 .6" childclass="cup">
      <joint name="cup_x" axis="1 0 0"/>
      <joint name="cup_z" axis="0 0 1"/>
      <geom name="cup_part_0" fromto="-.05 0 0 -.05 0 -.075"/>
      <geom name="cup_part_1" fromto="-.05 0 -.075 -.025 0 -.1"/>
      <geom name="cup_part_2" fromto="-.025 0 -.1 .025 0 -.1"/>
      <geom name="cup_part_3" fromto=".025 0 -.1 .05 0 -.075"/>
      <geom name="cup_part_4" fromto=".05 0 -.075 .05 0 0"/>
      <site name="cup" pos="0 0 -.108" size=".005"/>
      <site name="target" type="box" pos="0 0 -.05" size=".05 .006 .05" group="4"/>
    </body>
    <body name="ball" pos="0 0 .2">
      <joint name="ball_x" type="slide" axis="1 0 0"/>
      <joint name="ball_z" type="slide" axis="0 0 1"/>
      <geom name="ball" type="sphere" size=".025" material="effector"/>
      <site name="ball" size=".005"/>
    </body>
  </worldbody>
  <actuator>
    <motor name="x" joint="cup_x"/>
    <motor name="z" joint="cup_z"/>
  </actuator>
  <tendon>
    <spatial name="string" limited="true" range="0 0.3" width="0.003">
      <site site="ball"/>
      <site site="cup"/>
    </spatial>
  </tendon>
</mujoco>`;

const MAX_RESET_ATTEMPTS = 1000;

export const ballInCupTasks = {
  catch: (): Task => ({
    domain: 'ball_in_cup',
    task: 'catch',
    xml: BALL_IN_CUP_XML,
    nSubSteps: 10,
    actionRepeat: 4,
    camera: 'cam0',
    initialize(p: Physics, random: Random): void {
      const qpos = p.data.qpos as Float64Array;
      // drop the ball somewhere it does not overlap the cup
      for (let attempt = 0; attempt < MAX_RESET_ATTEMPTS; attempt++) {
        qpos[p.qposAdr('ball_x')] = random.uniform(-0.2, 0.2);
        qpos[p.qposAdr('ball_z')] = random.uniform(0.2, 0.5);
        p.forwardWithoutActuation();
        if (p.data.ncon === 0) break;
      }
    },
    reward(p: Physics): number {
      const m = p.model;
      const d = p.data;
      const t = p.id('site', 'target');
      const b = p.id('body', 'ball');
      const ballRadius = m.geom_size[3 * p.id('geom', 'ball')] as number;
      const dx = Math.abs((d.site_xpos[3 * t] as number) - (d.xpos[3 * b] as number));
      const dz = Math.abs((d.site_xpos[3 * t + 2] as number) - (d.xpos[3 * b + 2] as number));
      const inX = dx < (m.site_size[3 * t] as number) - ballRadius;
      const inZ = dz < (m.site_size[3 * t + 2] as number) - ballRadius;
      return inX && inZ ? 1 : 0;
    },
    observation(p: Physics): number[] {
      const out: number[] = [];
      for (let i = 0; i < p.model.nq; i++) out.push(p.data.qpos[i] as number);
      for (let i = 0; i < p.model.nv; i++) out.push(p.data.qvel[i] as number);
      return out;
    },
  }),
};
