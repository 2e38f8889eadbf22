/** Cartpole (dm_control suite/cartpole.{xml,py}): swing a pole up / keep it up by pushing the cart. */
import { COMMON_ASSETS } from '../assets';
import type { Physics } from '../physics';
import type { Random, Task } from '../task';
import { tolerance } from '../tolerance';

export const CARTPOLE_XML = `
<mujoco model="cart-pole">
${COMMON_ASSETS}
  <option timestep="0.01" integrator="RK4">
    <flag contact="disable" energy="enable"/>
  </option>
  <default>
    <default class="pole">
      <joint type="hinge" axis="0 1 0" damping="2e-6"/>
      <geom type="capsule" fromto="0 0 0 0 0 1" size="0.045" material="self" mass=".1"/>
    </default>
  </default>
  <worldbody>
    <light name="light" pos="0 0 6"/>
    <camera name="fixed" pos="0 -4 1" zaxis="0 -1 0"/>
    <camera name="lookatcart" mode="targetbody" target="cart" pos="0 -2 2"/>
    <geom name="floor" pos="0 0 -.05" size="4 4 .2" type="plane" material="grid"/>
    <geom name="rail1" type="capsule" pos="0 .07 1" zaxis="1 0 0" size="0.02 2" material="decoration"/>
    <geom name="rail2" type="capsule" pos="0 -.07 1" zaxis="1 0 0" size="0.02 2" material="decoration"/>
    <body name="cart" pos="0 0 1">
      <joint name="slider" type="slide" limited="true" axis="1 0 0" range="-1.8 1.8" solreflimit=".08 1" damping="5e-4"/>
      <geom name="cart" type="box" size="0.2 0.15 0.1" material="self" mass="1"/>
      <body name="pole_1" childclass="pole">
        <joint name="hinge_1"/>
        <geom name="pole_1"/>
      </body>
    </body>
  </worldbody>
  <actuator>
    <motor name="slide" joint="slider" gear="10" ctrllimited="true" ctrlrange="-1 1"/>
  </actuator>
</mujoco>`;

function poleCos(p: Physics): number {
  return p.data.xmat[9 * p.id('body', 'pole_1') + 8] as number; // zz
}

function poleSin(p: Physics): number {
  return p.data.xmat[9 * p.id('body', 'pole_1') + 2] as number; // xz
}

function makeCartpole(task: 'balance' | 'swingup'): Task {
  return {
    domain: 'cartpole',
    task,
    xml: CARTPOLE_XML,
    nSubSteps: 1,
    actionRepeat: 8,
    camera: 'fixed',
    initialize(p: Physics, random: Random): void {
      const qpos = p.data.qpos;
      const slider = p.qposAdr('slider');
      const hinge = p.qposAdr('hinge_1');
      if (task === 'swingup') {
        qpos[slider] = 0.01 * random.normal();
        qpos[hinge] = Math.PI + 0.01 * random.normal();
      } else {
        qpos[slider] = random.uniform(-0.1, 0.1);
        qpos[hinge] = random.uniform(-0.034, 0.034);
      }
      const qvel = p.data.qvel;
      for (let i = 0; i < p.model.nv; i++) qvel[i] = 0.01 * random.normal();
    },
    reward(p: Physics): number {
      const cartX = p.data.qpos[p.qposAdr('slider')] as number;
      const angVel = p.data.qvel[p.dofAdr('hinge_1')] as number;
      const u = p.data.ctrl[0] as number;
      const upright = (poleCos(p) + 1) / 2;
      const centered = (1 + tolerance(cartX, { margin: 2 })) / 2;
      const smallControl = (4 + tolerance(u, { margin: 1, valueAtMargin: 0, sigmoid: 'quadratic' })) / 5;
      const smallVelocity = (1 + tolerance(angVel, { margin: 5 })) / 2;
      return upright * smallControl * smallVelocity * centered;
    },
    observation(p: Physics): number[] {
      const qvel = p.data.qvel;
      return [p.data.qpos[p.qposAdr('slider')] as number, poleCos(p), poleSin(p), qvel[0] as number, qvel[1] as number];
    },
  };
}

export const cartpoleTasks = {
  balance: () => makeCartpole('balance'),
  swingup: () => makeCartpole('swingup'),
};
