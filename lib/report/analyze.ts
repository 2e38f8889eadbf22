/**
 * Encoder analysis of one run with snapshots (`snapshotEvery` > 0): Figure 8 (a: attention over training, b: per-layer
 * SVCCA between consecutive snapshots), each snapshot's similarity with the last one (how far from its final
 * representation the encoder still is), and the adaptive freeze rule replayed over the recorded similarities for a
 * range of τ — the data the rule's defaults are chosen from. `seer analyze --run <dir> --out <dir>`.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as aq from 'arquero';
import { initBackend } from '../backend/select';
import { DiskSnapshotStore, figure8, layerSimilarityOverTime, type SimilarityPoint } from '../analysis';
import { makeEncoder, type EncoderKind } from '../nets/encoders';
import { figure, line } from '../plots';
import { saveFigure } from '../plots/render';
import { attentionFigure } from './section-figures';
import { tableMarkdown } from '../util/table-markdown';
import { AdaptiveFreezeRule, ADAPTIVE_DEFAULTS } from '../seer/adaptive';
import { writeFileAtomic } from '../util/atomic';
import { machine, provenance } from '../run/manifest';
import { writeOutputManifest } from './outputs';
import { loadRun } from './results';
import { collectProbe, snapshotDir } from '../run/snapshot-run';

export interface AnalyzeOptions {
  /** Probe observations (default 300). */
  probeSize?: number;
  /** τ values to replay the adaptive rule with. */
  taus?: number[];
  /** m of the replayed rule (default ADAPTIVE_DEFAULTS.checks). */
  checks?: number;
}

export interface TauReplay {
  tau: number;
  checks: number;
  /** Update at which the rule would freeze, null if it never does within the run. */
  freezeAt: number | null;
  fractionOfTraining: number | null;
  /** The run's evaluation return at the last evaluation at or before that update (a baseline run keeps training). */
  returnThen: number | null;
}

export interface Analysis {
  run: string;
  layers: string[];
  updates: number[];
  consecutive: SimilarityPoint[];
  toFinal: SimilarityPoint[];
  replay: TauReplay[];
  files: string[];
}

export const DEFAULT_TAUS = [0.9, 0.95, 0.98, 0.99, 0.995, 0.999];

/** The rule's decision over recorded consecutive similarities (one check per snapshot pair). */
export function replayRule(points: SimilarityPoint[], tau: number, checks: number): number | null {
  if (points.length === 0) return null;
  const interval = points.length > 1 ? points[1].next - points[0].next : points[0].next - points[0].update;
  const rule = new AdaptiveFreezeRule((ctx) => points.find((p) => p.next === ctx.update)?.similarity, {
    tau,
    checks,
    interval: Math.max(1, interval),
    minUpdate: 0,
  });
  for (const p of points) if (rule.shouldFreeze({ update: p.next, totalUpdates: Number.MAX_SAFE_INTEGER })) break;
  return rule.freezeUpdate ?? null;
}

export async function analyzeRun(runDir: string, outDir: string, opts: AnalyzeOptions = {}): Promise<Analysis> {
  await initBackend();
  const run = loadRun(runDir);
  const cfg = run.manifest.config;
  const store = new DiskSnapshotStore(snapshotDir(runDir));
  const updates = store.updates();
  if (updates.length < 2)
    throw new Error(
      `${runDir} holds ${updates.length} encoder snapshot(s); the analysis needs at least 2 (run with --set snapshotEvery=N)`,
    );
  fs.mkdirSync(outDir, { recursive: true });
  const probe = await collectProbe(cfg, opts.probeSize ?? 300);
  const [, h, w, c] = probe.shape;
  const factory = () => makeEncoder({ kind: cfg.encoder as EncoderKind, inputShape: [h, w, c], seed: 0 });

  const f8 = figure8(store, probe, factory, outDir);
  const consecutive = f8.similarity.points;
  const layers = f8.similarity.layers;
  const last = updates[updates.length - 1];
  const toFinal = layerSimilarityOverTime(store, probe, factory, { to: last }).points;

  const totalUpdates = cfg.steps - cfg.initSteps;
  const checks = opts.checks ?? ADAPTIVE_DEFAULTS.checks;
  const replay: TauReplay[] = (opts.taus ?? DEFAULT_TAUS).map((tau) => {
    const freezeAt = replayRule(consecutive, tau, checks);
    const before = freezeAt === null ? [] : run.evals.filter((e) => e.updates <= freezeAt);
    return {
      tau,
      checks,
      freezeAt,
      fractionOfTraining: freezeAt === null ? null : freezeAt / totalUpdates,
      returnThen: before.length ? before[before.length - 1].evalReturn : null,
    };
  });

  const xs = consecutive.map((p) => p.update);
  const fig = figure({
    title: `Figure 8b · ${cfg.env} · ${cfg.agent} (${cfg.encoder})`,
    panels: [
      {
        title: 'SVCCA(t, next snapshot)',
        x: { title: 'update t' },
        y: { title: 'SVCCA similarity' },
        series: [
          ...layers.map((l) =>
            line(
              l,
              xs,
              consecutive.map((p) => p.similarity[l]),
            ),
          ),
          line(
            'random baseline (highest layer)',
            xs,
            consecutive.map((p) => Math.max(...layers.map((l) => p.baseline[l])) || 0),
            { dash: 'dot', color: '#777777' },
          ),
        ],
      },
      {
        title: `SVCCA(t, final snapshot at ${last})`,
        x: { title: 'update t' },
        y: { title: 'SVCCA similarity' },
        series: layers.map((l) =>
          line(
            l,
            toFinal.map((p) => p.update),
            toFinal.map((p) => p.similarity[l]),
          ),
        ),
      },
    ],
  });
  const { svg, png } = await saveFigure(fig, path.join(outDir, 'fig8b-svcca'));
  // Figure 8a with its title, row and column labels and colour bar (fig8a.png is the bare grid it is made from).
  const grid = { updates: f8.attention.updates, layer: f8.attention.layer, observations: Math.min(3, probe.shape[0]) };
  const labelled = await saveFigure(
    attentionFigure(fs.readFileSync(f8.attention.file), grid, cfg.env),
    path.join(outDir, 'fig8a-attention'),
  );
  const table = aq.from(
    replay.map((r) => ({
      tau: r.tau,
      m: r.checks,
      'freeze at update': r.freezeAt ?? 'never',
      'fraction of training': r.fractionOfTraining ?? NaN,
      'eval return then': r.returnThen ?? NaN,
    })),
  );
  const md = path.join(outDir, 'adaptive-replay.md');
  fs.writeFileSync(md, tableMarkdown(table, { maxdigits: 3 }));
  const json = path.join(outDir, 'analysis.json');
  const result: Analysis = { run: runDir, layers, updates, consecutive, toFinal, replay, files: [] };
  writeFileAtomic(
    json,
    JSON.stringify({ ...result, probe: probe.shape, interval: xs.length > 1 ? xs[1] - xs[0] : null }, null, 1),
  );
  const manifest = path.join(outDir, 'manifest.json');
  const description = { run: path.relative(outDir, runDir), runBackend: run.manifest.backend, probe: probe.shape };
  const made = () => ({ ...provenance(), machine: machine(), createdAt: new Date().toISOString() });
  writeOutputManifest(outDir, description, made);
  result.files = [f8.attention.file, labelled.svg, labelled.png, f8.similarity.file, svg, png, md, json, manifest];
  return result;
}
