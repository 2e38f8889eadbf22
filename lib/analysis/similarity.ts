/**
 * Per-layer SVCCA of a network with itself at two points of training, on a fixed probe set of
 * observations — SEER Figure 8b — and the live version the adaptive freeze rule uses.
 *
 * Conv layers fold spatial positions into datapoints by default (a 32-channel map of 100 probe
 * observations at 35×35 gives 122,500 datapoints), subsampled with a fixed stride to at most
 * `maxDatapoints` so both sides keep the same rows.
 */
import * as tf from '@tensorflow/tfjs';
import { randomBaseline, svcca, type ConvMode, type SimilarityMethod, type SvccaResult } from './svcca';
import { loadSnapshot, type Snapshot, type SnapshotStore, type VariableOwner } from './snapshots';

/** What the analysis needs of a network: named layers it can tap (an Encoder qualifies). */
export interface TappedNet extends VariableOwner {
  readonly layers: readonly { name: string; kind: string; outputShape: number[] }[];
  applyWithTaps(x: tf.Tensor4D, names: readonly string[]): { output: tf.Tensor; taps: Record<string, tf.Tensor> };
}

/** Probe observations, pixels 0..255, [N, H, W, C]. */
export interface Probe {
  data: ArrayLike<number>;
  shape: [number, number, number, number];
}

export interface LayerSimilarityOptions {
  /** Layers to compare (default: every conv2d and linear layer). */
  layers?: string[];
  conv?: ConvMode;
  /** Cap on datapoints per layer (default 50,000: under a second per 32-channel layer). */
  maxDatapoints?: number;
  method?: SimilarityMethod;
  keep?: number;
  /** Probe observations per forward pass (default 64). */
  batchSize?: number;
}

/** The comparable layers of a net: its conv2d and linear layers, in order. */
export function defaultLayers(net: TappedNet): string[] {
  return net.layers.filter((l) => l.kind === 'conv2d' || l.kind === 'linear').map((l) => l.name);
}

interface Rows {
  data: Float32Array;
  n: number;
  d: number;
}

/** Each layer's activations on the probe as datapoint rows (folded or pooled, stride-subsampled). */
export function probeActivations(
  net: TappedNet,
  probe: Probe,
  opts: LayerSimilarityOptions = {},
): Record<string, Rows> {
  const layers = opts.layers ?? defaultLayers(net);
  const mode = opts.conv ?? 'fold';
  const cap = opts.maxDatapoints ?? 50_000;
  const batch = opts.batchSize ?? 64;
  const [N, H, W, C] = probe.shape;
  if (probe.data.length !== N * H * W * C)
    throw new Error(`probe shape ${JSON.stringify(probe.shape)} does not match ${probe.data.length} values`);
  const plan = layers.map((name) => {
    const info = net.layers.find((l) => l.name === name);
    if (!info) throw new Error(`unknown layer '${name}'. Layers: ${net.layers.map((l) => l.name).join(', ')}`);
    const s = info.outputShape;
    const spatial = s.length === 3 ? s[0] * s[1] : 1;
    const perObs = mode === 'fold' ? spatial : 1;
    const d = s[s.length - 1];
    const total = N * perObs;
    const stride = Math.max(1, Math.ceil(total / cap));
    const n = Math.ceil(total / stride);
    return { name, spatial, perObs, d, stride, n, rows: new Float32Array(n * d), filled: 0 };
  });
  for (let b0 = 0; b0 < N; b0 += batch) {
    const nb = Math.min(batch, N - b0);
    const x = tf.tensor4d(
      Float32Array.from({ length: nb * H * W * C }, (_, i) => probe.data[b0 * H * W * C + i]),
      [nb, H, W, C],
    );
    let taps: Record<string, tf.Tensor> = {};
    let output: tf.Tensor | undefined;
    try {
      ({ output, taps } = net.applyWithTaps(x, layers));
      for (const p of plan) {
        const v = taps[p.name].dataSync();
        for (let i = 0; i < nb; i++) {
          for (let q = 0; q < p.perObs; q++) {
            const row = (b0 + i) * p.perObs + q;
            if (row % p.stride !== 0) continue;
            const dst = (row / p.stride) * p.d;
            if (mode === 'fold' || p.spatial === 1) {
              const src = (i * p.perObs + q) * p.d;
              for (let c = 0; c < p.d; c++) p.rows[dst + c] = v[src + c];
            } else {
              for (let s = 0; s < p.spatial; s++) {
                const src = (i * p.spatial + s) * p.d;
                for (let c = 0; c < p.d; c++) p.rows[dst + c] += v[src + c] / p.spatial;
              }
            }
            p.filled++;
          }
        }
      }
    } finally {
      tf.dispose([x, ...(output ? [output] : []), ...Object.values(taps)]);
    }
  }
  const out: Record<string, Rows> = {};
  for (const p of plan) out[p.name] = { data: p.rows, n: p.n, d: p.d };
  return out;
}

function compare(
  a: Record<string, Rows>,
  b: Record<string, Rows>,
  opts: LayerSimilarityOptions,
): Record<string, SvccaResult> {
  const out: Record<string, SvccaResult> = {};
  for (const name of Object.keys(a)) {
    out[name] = svcca(a[name].data, b[name].data, {
      n: a[name].n,
      da: a[name].d,
      db: b[name].d,
      method: opts.method,
      keep: opts.keep,
    });
  }
  return out;
}

export interface SnapshotComparisonOptions extends LayerSimilarityOptions {
  /** Network to load the snapshots into; its weights are overwritten. */
  net: TappedNet;
  /** Snapshot group holding the net's weights (default 'encoder'). */
  group?: string;
}

/** Per-layer SVCCA between the net at two snapshots, on the same probe. */
export function svccaLayers(
  a: Snapshot,
  b: Snapshot,
  probe: Probe,
  opts: SnapshotComparisonOptions,
): Record<string, SvccaResult> {
  loadSnapshot(a, opts.net, opts.group);
  const actA = probeActivations(opts.net, probe, opts);
  loadSnapshot(b, opts.net, opts.group);
  const actB = probeActivations(opts.net, probe, opts);
  return compare(actA, actB, opts);
}

export interface SimilarityPoint {
  update: number;
  next: number;
  /** Layer → SVCCA (or PWCCA) mean. */
  similarity: Record<string, number>;
  /**
   * Layer → what independent representations with the same datapoints and kept directions would score
   * (randomBaseline's meanRho; NaN when kept directions leave too few datapoints for the formula).
   */
  baseline: Record<string, number>;
}

function baselineOf(r: SvccaResult): number {
  return r.keptA + r.keptB < r.n - 1 ? randomBaseline(r.n, r.keptA, r.keptB).meanRho : NaN;
}

/**
 * Figure 8b: per-layer similarity of each snapshot t with snapshot t + lag (default: the next one), or with the
 * snapshot at update `to` (each earlier one against it: how far from that representation the encoder still is).
 * Builds one net with `netFactory` and loads each snapshot into it once.
 */
export function layerSimilarityOverTime(
  snapshots: SnapshotStore | Snapshot[],
  probe: Probe,
  netFactory: () => TappedNet & { dispose?(): void },
  opts: LayerSimilarityOptions & { group?: string; lag?: number; to?: number } = {},
): { layers: string[]; points: SimilarityPoint[] } {
  const get = Array.isArray(snapshots)
    ? (u: number) => snapshots.find((s) => s.update === u) as Snapshot
    : (u: number) => snapshots.get(u);
  const updates = Array.isArray(snapshots) ? snapshots.map((s) => s.update).sort((x, y) => x - y) : snapshots.updates();
  const pairs: [number, number][] = [];
  if (opts.to !== undefined && opts.lag !== undefined)
    throw new Error('layerSimilarityOverTime: give either lag or to, not both');
  if (opts.to !== undefined && !updates.includes(opts.to))
    throw new Error(`no snapshot at update ${opts.to}; snapshots: ${updates.join(', ')}`);
  for (let i = 0; i < updates.length; i++) {
    if (opts.to !== undefined) {
      if (updates[i] < opts.to) pairs.push([updates[i], opts.to]);
    } else if (opts.lag === undefined) {
      if (i + 1 < updates.length) pairs.push([updates[i], updates[i + 1]]);
    } else if (updates.includes(updates[i] + opts.lag)) {
      pairs.push([updates[i], updates[i] + opts.lag]);
    }
  }
  const net = netFactory();
  try {
    const layers = opts.layers ?? defaultLayers(net);
    const cache = new Map<number, Record<string, Rows>>();
    const acts = (u: number) => {
      let a = cache.get(u);
      if (!a) {
        loadSnapshot(get(u), net, opts.group);
        a = probeActivations(net, probe, { ...opts, layers });
        cache.set(u, a);
      }
      return a;
    };
    const points: SimilarityPoint[] = [];
    for (const [t, next] of pairs) {
      const res = compare(acts(t), acts(next), opts);
      for (const u of [...cache.keys()]) if (u < next) cache.delete(u); // pairs are in order: free what is behind
      points.push({
        update: t,
        next,
        similarity: Object.fromEntries(Object.entries(res).map(([k, r]) => [k, r.mean])),
        baseline: Object.fromEntries(Object.entries(res).map(([k, r]) => [k, baselineOf(r)])),
      });
    }
    return { layers, points };
  } finally {
    net.dispose?.();
  }
}

/** Named float32 arrays with shapes: the checkpoint format of AgentState.tensors. */
export type TensorRecord = Record<string, { shape: number[]; data: Float32Array }>;

/** A live source's state: the previous check's activations, so a resumed run compares as an uninterrupted one. */
export interface LiveSimilaritySource {
  (): Record<string, number> | undefined;
  exportState(): TensorRecord;
  importState(tensors: TensorRecord): void;
}

/**
 * A live similarity source: each call runs the net (as it is now) on the probe and returns each
 * layer's similarity with the previous call's activations (undefined on the first call).
 */
export function probeSimilaritySource(
  net: TappedNet,
  probe: Probe,
  opts: LayerSimilarityOptions = {},
): LiveSimilaritySource {
  let previous: Record<string, Rows> | undefined;
  const source = (() => {
    const now = probeActivations(net, probe, opts);
    const prev = previous;
    previous = now;
    if (!prev) return undefined;
    return Object.fromEntries(Object.entries(compare(prev, now, opts)).map(([k, r]) => [k, r.mean]));
  }) as LiveSimilaritySource;
  source.exportState = () =>
    Object.fromEntries(Object.entries(previous ?? {}).map(([k, r]) => [k, { shape: [r.n, r.d], data: r.data }]));
  source.importState = (tensors) => {
    const entries = Object.entries(tensors);
    previous = entries.length
      ? Object.fromEntries(entries.map(([k, t]) => [k, { data: t.data, n: t.shape[0], d: t.shape[1] }]))
      : undefined;
  };
  return source;
}
