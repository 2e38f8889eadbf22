/**
 * Section figures that are not return curves (those are `curvesFigure` in report.ts): the memory section's budget
 * sweep, Figure 8b's per-layer SVCCA with Breakout's and the CURL encoder's layers side by side, and Figure 8a's
 * attention grid with its labels and colour bar. Notebooks call these; each says on the figure what its marks are.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { heatColor } from '../analysis/attention';
import type { SimilarityPoint } from '../analysis/similarity';
import { figure, line, markers, type FigureSpec, type Panel } from '../plots';
import { parseMemoryBudget } from '../replay/budget';
import { meanOf, stdOf, type RunResult } from './results';

export interface SweepPoint {
  env: string;
  kind: 'images' | 'seer';
  budgetMB: number;
  budget: string;
  mean: number;
  std: number;
  seeds: number;
}

/** Final return per environment, replay kind and memory budget (constrained arms and the sweep's `images@…`/`seer@…`). */
export function budgetSweepPoints(runs: RunResult[]): SweepPoint[] {
  const groups = new Map<string, { env: string; kind: SweepPoint['kind']; budget: string; finals: number[] }>();
  for (const r of runs) {
    const v = r.arm;
    const kind = /^images@|^constrained-images$/.test(v)
      ? 'images'
      : /^seer@|^constrained-seer$/.test(v)
        ? 'seer'
        : undefined;
    if (!kind || !r.evals.length) continue;
    const budget = r.manifest.config.memoryBudget;
    const key = `${r.manifest.config.env}\u0000${kind}\u0000${budget}`;
    const g = groups.get(key) ?? { env: r.manifest.config.env, kind, budget, finals: [] };
    g.finals.push(r.evals[r.evals.length - 1].evalReturn);
    groups.set(key, g);
  }
  return [...groups.values()]
    .map((g) => ({
      env: g.env,
      kind: g.kind,
      budget: g.budget,
      budgetMB: parseMemoryBudget(g.budget) / 2 ** 20,
      mean: meanOf(g.finals),
      std: stdOf(g.finals),
      seeds: g.finals.length,
    }))
    .sort((a, b) => a.env.localeCompare(b.env) || a.kind.localeCompare(b.kind) || a.budgetMB - b.budgetMB);
}

/**
 * Final return against the memory budget, one panel per environment: points with ±1 sample-std error bars, joined
 * per replay kind, ticks only at the budgets that ran (labelled in MB), the two kinds nudged apart so their bars
 * do not cover each other.
 */
export function budgetSweepFigure(points: SweepPoint[], title = 'Final return against the memory budget'): FigureSpec {
  const envs = [...new Set(points.map((p) => p.env))];
  const seeds = [...new Set(points.map((p) => p.seeds))];
  const panels: Panel[] = envs.map((env) => {
    const pts = points.filter((p) => p.env === env);
    const budgets = [...new Set(pts.map((p) => p.budgetMB))].sort((a, b) => a - b);
    const lo = budgets[0] / 1.5;
    const hi = budgets[budgets.length - 1] * 1.5;
    const series = (['images', 'seer'] as const).map((kind) => {
      const own = pts.filter((p) => p.kind === kind);
      const nudge = kind === 'images' ? 1 / 1.04 : 1.04;
      return markers(
        kind === 'images' ? 'image replay (constrained)' : 'SEER latent replay (constrained)',
        own.map((p) => p.budgetMB * nudge),
        own.map((p) => p.mean),
        {
          error: own.map((p) => p.std),
          connect: own.length > 1,
          labels: own.map((p) => `${p.budget}, ${p.seeds} seed${p.seeds > 1 ? 's' : ''}`),
        },
      );
    });
    return {
      title: env,
      x: {
        title: 'memory budget (MB, log scale)',
        log: true,
        range: [lo, hi],
        tickValues: budgets,
        tickLabels: budgets.map((b) => `${Number(b.toPrecision(3))} MB`),
      },
      y: { title: 'final evaluation return' },
      series,
    };
  });
  const n = seeds.length === 1 ? `${seeds[0]} seeds` : `${Math.min(...seeds)}–${Math.max(...seeds)} seeds`;
  return figure({
    title,
    note: `Point: mean final return over ${n}; error bar: ±1 sample standard deviation (n − 1). The two kinds are drawn slightly left and right of their budget.`,
    panels,
  });
}

export interface LayerSimilarity {
  /** e.g. 'minatar/breakout · Rainbow (2 convs)' */
  label: string;
  layers: string[];
  /** Per seed, the consecutive-snapshot similarities. */
  perSeed: SimilarityPoint[][];
  /** The fixed T_f of these runs, marked when given. */
  freezeAt?: number;
}

/**
 * Figure 8b: SVCCA between consecutive encoder snapshots per layer, one panel per encoder (Breakout's two convs beside
 * the CURL encoder's conv1–4 and fc, where higher layers keep changing longer). Mean over seeds with a ±1 sample-std
 * band where there are several; the random baseline of the highest layer dotted.
 */
export function svccaFigure(
  encoders: LayerSimilarity[],
  title = 'Figure 8b · SVCCA between consecutive encoder snapshots',
): FigureSpec {
  const panels: Panel[] = encoders.map((e) => {
    const n = Math.min(...e.perSeed.map((p) => p.length));
    const xs = e.perSeed[0].slice(0, n).map((p) => p.update);
    const at = (layer: string, key: 'similarity' | 'baseline') =>
      xs.map((_, i) => e.perSeed.map((p) => p[i][key][layer]));
    const series = e.layers.map((l) => {
      const v = at(l, 'similarity');
      return line(l, xs, v.map(meanOf), e.perSeed.length > 1 ? { band: v.map(stdOf) } : {});
    });
    const top = e.layers[e.layers.length - 1];
    series.push(
      line('random baseline (highest layer)', xs, at(top, 'baseline').map(meanOf), { dash: 'dot', color: '#777777' }),
    );
    return {
      title: `${e.label}<br>${e.perSeed.length} seed${e.perSeed.length > 1 ? 's' : ''}`,
      x: { title: 'update t' },
      y: { title: 'SVCCA(t, next snapshot)', range: [0, 1.05] as [number, number] },
      series,
      events: e.freezeAt !== undefined ? [{ x: e.freezeAt, label: `fixed T_f = ${e.freezeAt}` }] : [],
    };
  });
  const multi = encoders.some((e) => e.perSeed.length > 1);
  return figure({
    title,
    note: `Line: similarity of each layer's representation of a fixed probe set at update t and at the next snapshot${multi ? ', mean over seeds; band: ±1 sample standard deviation (n − 1)' : ''}. 1 = unchanged. Dotted: the same for a random encoder (chance level).`,
    panels,
  });
}

/** Width and height of a PNG, from its IHDR chunk. */
export function pngSize(png: Uint8Array): { width: number; height: number } {
  const b = Buffer.from(png.buffer, png.byteOffset, png.byteLength);
  if (b.length < 24 || b.readUInt32BE(12) !== 0x49484452) throw new Error('not a PNG: no IHDR chunk where one must be');
  return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
}

/**
 * The CURL encoder's per-layer similarities from a `seer analyze` output (analysis.json), for Figure 8b beside the
 * section's own runs; undefined when the file is not there. T_f comes from the analysed run's manifest when readable.
 */
export function analysisSimilarity(file: string, label: string): LayerSimilarity | undefined {
  if (!fs.existsSync(file)) return undefined;
  const a = JSON.parse(fs.readFileSync(file, 'utf8')) as {
    run: string;
    layers: string[];
    consecutive: SimilarityPoint[];
  };
  let freezeAt: number | undefined;
  for (const dir of [a.run, path.resolve(path.dirname(file), a.run)]) {
    try {
      freezeAt = (
        JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as { config: { freezeAt: number } }
      ).config.freezeAt;
      break;
    } catch {
      // try the path relative to the analysis folder
    }
  }
  return { label, layers: a.layers, perSeed: [a.consecutive], freezeAt };
}

/** Stops of the attention colormap (lib/analysis/attention.ts heatColor) for a colour bar. */
export function heatColorStops(n = 9): [number, string][] {
  return Array.from({ length: n }, (_, i) => {
    const t = i / (n - 1);
    const [r, g, b] = heatColor(t);
    return [t, `rgb(${r},${g},${b})`];
  });
}

/**
 * Figure 8a: the attention grid (a row per snapshot, a column per observation) with its rows labelled by update,
 * its columns by observation, a title naming the layer and a colour bar for the overlay.
 */
export function attentionFigure(
  png: Uint8Array,
  a: { updates: number[]; layer: string; observations: number },
  env: string,
): FigureSpec {
  const grid = { png, ...pngSize(png) };
  const scale = Math.max(1, Math.floor(560 / grid.height));
  return figure({
    title: `Figure 8a · spatial attention of ${a.layer} over training · ${env}`,
    note: "Columns: probe observations; rows: encoder snapshots. Each map: softmax over positions of the mean |activation| across channels, min–max scaled per map, over the observation's last frame.",
    width: Math.max(780, grid.width * scale + 330),
    height: grid.height * scale + 230,
    panels: [
      {
        // Columns are labelled above the grid ('obs 1', …); an axis title there would sit on the note.
        x: { title: '' },
        y: { title: 'encoder snapshot' },
        series: [],
        image: {
          src: `data:image/png;base64,${Buffer.from(grid.png).toString('base64')}`,
          width: grid.width,
          height: grid.height,
          rowLabels: a.updates.map((u) => `update ${u.toLocaleString('en')}`),
          columnLabels: Array.from({ length: a.observations }, (_, i) => `obs ${i + 1}`),
          colorScale: { stops: heatColorStops(), title: 'attention', lowLabel: 'low', highLabel: 'high' },
        },
      },
    ],
  });
}
