/**
 * One MuJoCo model + data pair with the few operations the tasks need: named lookups, DMC's "legacy" sub-step
 * sequence, reset with actuation disabled, and explicit release of the wasm memory.
 */
import { compileModel, OBJ, type MainModule, type MjData, type MjModel, type ObjKind } from './mujoco';

const INTEGRATOR_RK4 = 1;

export class Physics {
  readonly mj: MainModule;
  private modelRef: MjModel | undefined;
  private dataRef: MjData | undefined;
  private readonly ids = new Map<string, number>();
  private readonly disableActuation: number;

  constructor(mj: MainModule, xml: string, label: string) {
    this.mj = mj;
    const { model, data } = compileModel(mj, xml, label);
    this.modelRef = model;
    this.dataRef = data;
    this.disableActuation = (mj.mjtDisableBit as unknown as Record<string, { value: number }>).mjDSBL_ACTUATION.value;
  }

  get model(): MjModel {
    if (!this.modelRef) throw new Error('Physics is closed: its MuJoCo model was released by close()');
    return this.modelRef;
  }

  get data(): MjData {
    if (!this.dataRef) throw new Error('Physics is closed: its MuJoCo data was released by close()');
    return this.dataRef;
  }

  get closed(): boolean {
    return this.modelRef === undefined;
  }

  /** Index of a named object; throws with the kind and name when the model lacks it. */
  id(kind: ObjKind, name: string): number {
    const key = `${kind}:${name}`;
    let id = this.ids.get(key);
    if (id === undefined) {
      id = this.mj.mj_name2id(this.model, OBJ[kind], name);
      if (id < 0) throw new Error(`The model has no ${kind} named '${name}'`);
      this.ids.set(key, id);
    }
    return id;
  }

  /** Address of a named joint's first qpos entry. */
  qposAdr(joint: string): number {
    return this.model.jnt_qposadr[this.id('joint', joint)] as number;
  }

  /** Address of a named joint's first dof (qvel entry). */
  dofAdr(joint: string): number {
    return this.model.jnt_dofadr[this.id('joint', joint)] as number;
  }

  /** First address of a named sensor's output in sensordata. */
  sensorAdr(sensor: string): number {
    return this.model.sensor_adr[this.id('sensor', sensor)] as number;
  }

  forward(): void {
    this.mj.mj_forward(this.model, this.data);
  }

  /** mj_forward with actuators switched off, as DMC does around task initialisation. */
  forwardWithoutActuation(): void {
    const opt = this.model.opt;
    const saved = opt.disableflags;
    opt.disableflags = saved | this.disableActuation;
    try {
      this.forward();
    } finally {
      opt.disableflags = saved;
    }
  }

  resetData(): void {
    this.mj.mj_resetData(this.model, this.data);
  }

  /**
   * Advances `n` physics steps the way dm_control's legacy step does: the same dynamics as n mj_step calls,
   * but finishing with mj_step1 so positions, velocities, poses and sensors are fresh for reward and pixels.
   * Requires the previous call (or a forward()) to have left the position/velocity stage computed.
   */
  step(n: number): void {
    const mj = this.mj;
    const model = this.model;
    const data = this.data;
    if (model.opt.integrator === INTEGRATOR_RK4) {
      for (let i = 0; i < n; i++) mj.mj_step(model, data);
    } else {
      mj.mj_step2(model, data);
      for (let i = 1; i < n; i++) mj.mj_step(model, data);
    }
    mj.mj_step1(model, data);
  }

  /** Frees the wasm-side model and data. Safe to call more than once. */
  close(): void {
    this.dataRef?.delete();
    this.modelRef?.delete();
    this.dataRef = undefined;
    this.modelRef = undefined;
  }
}
