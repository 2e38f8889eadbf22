/**
 * Variable bookkeeping shared by the agents: unique name prefixes (tfjs variable names must be unique
 * while alive, and tests build several agents in one process), checkpoint keys without that prefix,
 * hard and soft (EMA) copies between online and target networks.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../envs/rng';
import type { FlopCounter } from '../flops/counter';
import type { AgentState } from './types';

let instances = 0;

/** A fresh prefix such as 'curl3'; checkpoint keys drop it so any instance can load any checkpoint. */
export function instancePrefix(kind: string): string {
  return `${kind}${instances++}`;
}

export function keyFn(prefix: string): (v: tf.Variable) => string {
  return (v) => (v.name.startsWith(prefix + '/') ? v.name.slice(prefix.length + 1) : v.name);
}

export async function saveVariables(
  vars: readonly tf.Variable[],
  keyOf: (v: tf.Variable) => string,
  out: AgentState,
): Promise<void> {
  for (const v of vars) out.tensors[keyOf(v)] = { shape: v.shape.slice(), data: (await v.data()) as Float32Array };
}

export function loadVariables(
  vars: readonly tf.Variable[],
  keyOf: (v: tf.Variable) => string,
  state: AgentState,
): void {
  for (const v of vars) {
    const t = state.tensors[keyOf(v)];
    if (!t) throw new Error(`checkpoint lacks tensor '${keyOf(v)}'`);
    if (t.shape.length !== v.shape.length || t.shape.some((d, i) => d !== v.shape[i])) {
      throw new Error(`checkpoint tensor '${keyOf(v)}' has shape [${t.shape}], the agent expects [${v.shape}]`);
    }
    tf.tidy(() => v.assign(tf.tensor(t.data, t.shape)));
  }
}

/** What both agents put in a checkpoint besides their own flags: weights, optimizer moments, counters, RNG. */
export interface CheckpointParts {
  kind: string;
  vars: readonly tf.Variable[];
  keyOf: (v: tf.Variable) => string;
  optimizers: readonly { save(out: AgentState): Promise<void>; load(state: AgentState): void }[];
  flops: FlopCounter;
  rng: Rng;
}

export async function saveAgentState(p: CheckpointParts, scalars: AgentState['scalars']): Promise<AgentState> {
  const state: AgentState = { tensors: {}, scalars: {} };
  await saveVariables(p.vars, p.keyOf, state);
  for (const opt of p.optimizers) await opt.save(state);
  // String(x) round-trips every double, NaN (no cached normal) included.
  Object.assign(state.scalars, p.flops.toScalars(), {
    kind: p.kind,
    ...scalars,
    'rng/state': p.rng.getState().join(','),
  });
  return state;
}

/** Checks the checkpoint's kind; call before restoring agent-specific flags (a freeze changes the variable set). */
export function checkKind(state: AgentState, kind: string): void {
  if (state.scalars.kind !== kind) throw new Error(`checkpoint is for '${String(state.scalars.kind)}', not ${kind}`);
}

/** Restores what saveAgentState wrote; returns the update counter. */
export function loadAgentState(p: CheckpointParts, state: AgentState): number {
  checkKind(state, p.kind);
  loadVariables(p.vars, p.keyOf, state);
  for (const opt of p.optimizers) opt.load(state);
  p.rng.setState(String(state.scalars['rng/state']).split(',').map(Number));
  p.flops.fromScalars(state.scalars);
  return Number(state.scalars.updates);
}

function checkPairs(src: readonly tf.Variable[], dst: readonly tf.Variable[]): void {
  if (src.length !== dst.length) throw new Error(`cannot copy ${src.length} variables onto ${dst.length}`);
  src.forEach((s, i) => {
    if (s.shape.join() !== dst[i].shape.join()) throw new Error(`shape mismatch copying ${s.name} → ${dst[i].name}`);
  });
}

/** dst ← src. */
export function hardCopy(src: readonly tf.Variable[], dst: readonly tf.Variable[]): void {
  checkPairs(src, dst);
  tf.tidy(() => src.forEach((s, i) => dst[i].assign(tf.clone(s))));
}

/** dst ← τ·src + (1 − τ)·dst (CURL's soft_update_params). */
export function softUpdate(src: readonly tf.Variable[], dst: readonly tf.Variable[], tau: number): void {
  checkPairs(src, dst);
  tf.tidy(() => src.forEach((s, i) => dst[i].assign(tf.add(tf.mul(s, tau), tf.mul(dst[i], 1 - tau)))));
}
