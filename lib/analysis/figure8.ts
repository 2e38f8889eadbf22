/**
 * SEER Figure 8 from a run's encoder snapshots: (a) attention overlays at several points of training,
 * (b) per-layer SVCCA between consecutive snapshots. Writes `fig8a.png` and `fig8b.json` into `outDir`
 * (the plotting layer draws 8b from the JSON).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Encoder } from '../nets/encoders';
import { attentionOverTime, saveFramePng, type AttentionOptions } from './attention';
import { layerSimilarityOverTime, type LayerSimilarityOptions, type Probe, type SimilarityPoint } from './similarity';
import type { SnapshotStore } from './snapshots';
import { writeFileAtomic } from '../util/atomic';

export interface Figure8Options {
  /** Observations shown in panel (a) (a few, [n, H, W, C]); default: the first 3 of the probe. */
  attentionObs?: Probe;
  /** How many snapshots panel (a) shows, evenly spaced, first and last included (default 5). */
  attentionRows?: number;
  attention?: AttentionOptions;
  similarity?: LayerSimilarityOptions & { lag?: number };
}

export interface Figure8 {
  attention: { updates: number[]; layer: string; file: string };
  similarity: { layers: string[]; points: SimilarityPoint[]; file: string };
}

/** Evenly spaced picks of `k` items, first and last included. */
export function evenlySpaced<T>(items: readonly T[], k: number): T[] {
  if (items.length <= k) return [...items];
  if (k === 1) return [items[items.length - 1]];
  return Array.from({ length: k }, (_, i) => items[Math.round((i * (items.length - 1)) / (k - 1))]);
}

function firstObs(probe: Probe, n: number): Probe {
  const [N, H, W, C] = probe.shape;
  const m = Math.min(n, N);
  const size = H * W * C;
  return { data: Array.from({ length: m * size }, (_, i) => probe.data[i]), shape: [m, H, W, C] };
}

export function figure8(
  store: SnapshotStore,
  probe: Probe,
  encoderFactory: () => Encoder,
  outDir: string,
  opts: Figure8Options = {},
): Figure8 {
  const updates = store.updates();
  if (updates.length < 2) throw new Error(`Figure 8 needs at least 2 snapshots, the store holds ${updates.length}`);
  fs.mkdirSync(outDir, { recursive: true });

  const encoder = encoderFactory();
  let attention: Figure8['attention'];
  try {
    const rows = evenlySpaced(updates, opts.attentionRows ?? 5).map((u) => store.get(u));
    const obs = opts.attentionObs ?? firstObs(probe, 3);
    const a = attentionOverTime(rows, encoder, obs, opts.attention);
    const file = path.join(outDir, 'fig8a.png');
    saveFramePng(file, a.grid);
    attention = { updates: a.updates, layer: a.layer, file };
  } finally {
    encoder.dispose();
  }

  const sim = layerSimilarityOverTime(store, probe, encoderFactory, opts.similarity);
  const file = path.join(outDir, 'fig8b.json');
  writeFileAtomic(
    file,
    JSON.stringify({ method: opts.similarity?.method ?? 'svcca', probe: probe.shape, ...sim }, null, 1),
  );
  return { attention, similarity: { ...sim, file } };
}
