/** Finger (dm_control suite/finger.{xml,py}): a planar two-joint finger spins a free hinged body. */
import { COMMON_ASSETS } from '../assets';
import type { Physics } from '../physics';
import { randomizeLimitedAndRotationalJoints } from '../randomizers';
import type { Random, Task } from '../task';

export const FINGER_XML = `
<mujoco model="finger">
${COMMON_ASSETS}
  <option timestep="0.01" cone="elliptic" iterations="200">
    <flag gravity="disable"/>
  </option>
  <default>
    <geom solimp="0 0.9 0.01" solref=".02 1"/>
    <joint type="hinge" axis="0 -1 0"/>
    <motor ctrllimited="true" ctrlrange="-1 1"/>
    <default class="finger">
      <joint damping="2.5" limited="true"/>
      <site type="ellipsoid" size=".025 .03 .025" material="site" group="3"/>
    </default>
  </default>
  <worldbody>
    <light name="light" directional="true" diffuse=".6 .6 .6" pos="0 0 2" specular=".3 .3 .3"/>
    <geom name="ground" type="plane" pos="0 0 0" size=".6 .2 10" material="grid"/>
    <camera name="cam0" pos="0 -1 .8" xyaxes="1 0 0 0 1 2"/>
    <camera name="cam1" pos="0 -1 .4" xyaxes="1 0 0 0 0 1"/>
    <body name="proximal" pos="-.2 0 .4" childclass="finger">
      <geom name="proximal_decoration" type="cylinder" fromto="0 -.033 0 0 .033 0" size=".034" material="decoration"/>
      <joint name="proximal" range="-110 110" ref="-90"/>
      <geom name="proximal" type="capsule" material="self" size=".03" fromto="0 0 0 0 0 -.17"/>
      <body name="distal" pos="0 0 -.18" childclass="finger">
        <joint name="distal" range="-110 110"/>
        <geom name="distal" type="capsule" size=".028" material="self" fromto="0 0 0 0 0 -.16" contype="0" conaffinity="0"/>
        <geom name="fingertip" type="capsule" size=".03" material="effector" fromto="0 0 -.13 0 0 -.161"/>
        <site name="touchtop" pos=".01 0 -.17"/>
        <site name="touchbottom" pos="-.01 0 -.17"/>
      </body>
    </body>
    <body name="spinner" pos=".2 0 .4">
      <joint name="hinge" frictionloss=".1" damping=".5"/>
      <geom name="cap1" type="capsule" size=".04 .09" material="self" pos=".02 0 0"/>
      <geom name="cap2" type="capsule" size=".04 .09" material="self" pos="-.02 0 0"/>
      <site name="tip" type="sphere" size=".02" pos="0 0 .13" material="target"/>
      <geom name="spinner_decoration" type="cylinder" fromto="0 -.045 0 0 .045 0" size=".02" material="decoration"/>
    </body>
    <site name="target" type="sphere" size=".03" pos="0 0 .4" material="target"/>
  </worldbody>
  <actuator>
    <motor name="proximal" joint="proximal" gear="30"/>
    <motor name="distal" joint="distal" gear="15"/>
  </actuator>
  <sensor>
    <jointpos name="proximal" joint="proximal"/>
    <jointpos name="distal" joint="distal"/>
    <jointvel name="proximal_velocity" joint="proximal"/>
    <jointvel name="distal_velocity" joint="distal"/>
    <jointvel name="hinge_velocity" joint="hinge"/>
    <framepos name="tip" objtype="site" objname="tip"/>
    <framepos name="target" objtype="site" objname="target"/>
    <framepos name="spinner" objtype="xbody" objname="spinner"/>
    <touch name="touchtop" site="touchtop"/>
    <touch name="touchbottom" site="touchbottom"/>
  </sensor>
</mujoco>`;

/** Angular velocity at which spinning counts (rad/s, clockwise seen from the camera). */
export const SPIN_VELOCITY = 15;
const MAX_RESET_ATTEMPTS = 1000;

function sensor(p: Physics, name: string, offset = 0): number {
  return p.data.sensordata[p.sensorAdr(name) + offset] as number;
}

export const fingerTasks = {
  spin: (): Task => ({
    domain: 'finger',
    task: 'spin',
    xml: FINGER_XML,
    nSubSteps: 2,
    actionRepeat: 2,
    camera: 'cam0',
    initialize(p: Physics, random: Random): void {
      const m = p.model;
      m.site_rgba[4 * p.id('site', 'target') + 3] = 0;
      m.site_rgba[4 * p.id('site', 'tip') + 3] = 0;
      m.dof_damping[p.dofAdr('hinge')] = 0.03;
      // resample until the finger and spinner do not overlap
      for (let attempt = 0; attempt < MAX_RESET_ATTEMPTS; attempt++) {
        randomizeLimitedAndRotationalJoints(p, random);
        p.forwardWithoutActuation();
        if (p.data.ncon === 0) break;
      }
    },
    reward(p: Physics): number {
      return sensor(p, 'hinge_velocity') <= -SPIN_VELOCITY ? 1 : 0;
    },
    observation(p: Physics): number[] {
      // position: joint angles and the tip relative to the spinner (x, z); velocity; log1p(touch)
      return [
        sensor(p, 'proximal'),
        sensor(p, 'distal'),
        sensor(p, 'tip', 0) - sensor(p, 'spinner', 0),
        sensor(p, 'tip', 2) - sensor(p, 'spinner', 2),
        sensor(p, 'proximal_velocity'),
        sensor(p, 'distal_velocity'),
        sensor(p, 'hinge_velocity'),
        Math.log1p(sensor(p, 'touchtop')),
        Math.log1p(sensor(p, 'touchbottom')),
      ];
    },
  }),
};
