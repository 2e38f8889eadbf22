/** dm_control's `randomize_limited_and_rotational_joints` for the joint types these models use. */
import type { Physics } from './physics';
import type { Random } from './task';

const JOINT_SLIDE = 2;
const JOINT_HINGE = 3;

/** Limited hinges/slides ~ U(range); unlimited hinges ~ U(−π, π); unlimited slides untouched. Model order. */
export function randomizeLimitedAndRotationalJoints(p: Physics, random: Random): void {
  const m = p.model;
  const qpos = p.data.qpos as Float64Array;
  for (let j = 0; j < m.njnt; j++) {
    const type = m.jnt_type[j] as number;
    if (type !== JOINT_HINGE && type !== JOINT_SLIDE) {
      throw new Error(
        `randomizeLimitedAndRotationalJoints: joint ${j} has type ${type}; only hinge and slide joints are supported`,
      );
    }
    const adr = m.jnt_qposadr[j] as number;
    if (m.jnt_limited[j]) {
      qpos[adr] = random.uniform(m.jnt_range[2 * j] as number, m.jnt_range[2 * j + 1] as number);
    } else if (type === JOINT_HINGE) {
      qpos[adr] = random.uniform(-Math.PI, Math.PI);
    }
  }
}
