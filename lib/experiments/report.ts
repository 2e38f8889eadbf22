/**
 * `seer report`: figures and a table from a folder of runs. Curves of evaluation return against cumulative FLOPs,
 * environment steps and wall-clock time (mean ± std across seeds, the freeze marked), and a summary table.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as aq from 'arquero';
import { PALETTE, figure, line, type FigureSpec, type Panel } from '../plots';
import { saveFigure } from '../plots/render';
import { aggregate, loadRuns, meanOf, stdOf, type RunResult, type XAxis } from './results';
import { machine, provenance } from './manifest';
import { byArm } from './sections';
import { writeFileAtomic } from '../util/atomic';

const X_TITLES: Record<XAxis, string> = {
  flops: 'cumulative FLOPs',
  envSteps: 'environment steps',
  wallSeconds: 'wall-clock seconds',
  updates: 'updates',
};

/** One panel per environment: return against `xAxis`, one mean ± std line per variant, the freeze marked. */
export function curvesFigure(runs: RunResult[], xAxis: XAxis, title?: string): FigureSpec {
  const curves = aggregate(runs, xAxis);
  const envs = [...new Set(curves.map((c) => c.env))];
  const variants = [...new Set(curves.map((c) => c.variant))];
  // One legend entry per variant: its seed count joins its name when it is the same in every panel; a variant
  // whose count differs between panels has it in each panel's title instead (a name per count would list one
  // colour twice).
  const seedCounts = new Map(variants.map((v) => [v, [...new Set(curves.filter((c) => c.variant === v).map((c) => c.seeds))]]));
  const plural = (n: number): string => `${n} seed${n > 1 ? 's' : ''}`;
  const legendName = (v: string): string => {
    const counts = seedCounts.get(v)!;
    return counts.length === 1 ? `${v} (${plural(counts[0])})` : v;
  };
  const panelTitle = (env: string): string => {
    const varying = curves.filter((c) => c.env === env && c.x.length > 0 && seedCounts.get(c.variant)!.length > 1);
    // On a second line (plotly's <br>): two side-by-side panel titles would otherwise run into each other.
    return varying.length ? `${env}<br>(${varying.map((c) => `${c.variant}: ${plural(c.seeds)}`).join(', ')})` : env;
  };
  const panels: Panel[] = envs.map((env) => {
    // One marker per curve that froze (a fixed T_f and an adaptive rule freeze at different points), at its seeds' mean.
    const events = variants.flatMap((v) => {
      const frozen = runs.filter((r) => r.manifest.config.env === env && r.manifest.config.variant === v && r.freeze);
      const xs = xAxis === 'flops' ? frozen.map((r) => r.freeze!.flops) : xAxis === 'envSteps' ? frozen.map((r) => r.freeze!.envSteps) : [];
      return xs.length ? [{ x: meanOf(xs), label: variants.length > 1 ? `freeze: ${v}` : 'freeze (T_f)' }] : [];
    });
    return {
      title: panelTitle(env),
      x: { title: X_TITLES[xAxis] },
      y: { title: 'evaluation return' },
      series: curves
        .filter((c) => c.env === env && c.x.length > 0)
        .map((c) => line(legendName(c.variant), c.x, c.mean, { band: c.std, color: PALETTE[variants.indexOf(c.variant) % PALETTE.length] })),
      events,
    };
  });
  return figure({ title, panels });
}

/** Final return, compute and memory per environment and variant (mean ± std across seeds). */
export function summaryTable(runs: RunResult[]): aq.ColumnTable {
  const rows = new Map<string, RunResult[]>();
  for (const r of runs) {
    const key = `${r.manifest.config.env}\u0000${r.manifest.config.variant}`;
    rows.set(key, [...(rows.get(key) ?? []), r]);
  }
  const out = [...rows.entries()].map(([key, rs]) => {
    const [env, variant] = key.split('\u0000');
    const last = rs.map((r) => r.evals[r.evals.length - 1]).filter(Boolean);
    const finals = last.map((e) => e.evalReturn);
    return {
      env,
      variant,
      seeds: rs.length,
      finished: rs.filter((r) => r.done).length,
      'final return': meanOf(finals),
      'return std': stdOf(finals),
      'GFLOPs': meanOf(last.map((e) => e.flops)) / 1e9,
      'wall s': meanOf(last.map((e) => e.wallSeconds)),
      'replay MB': meanOf(last.map((e) => e.replayBytes)) / 2 ** 20,
    };
  });
  return aq.from(out);
}

/**
 * Writes `<out>/returns-vs-{flops,steps,wall}.{svg,png}` and `<out>/summary.{csv,md}`; returns the paths. Several
 * roots are drawn together (e.g. an adaptive-freezing arm next to the fixed-T_f arms of the compute section);
 * `envs` keeps only those environments.
 */
export async function writeReport(runsDirs: string | string[], outDir: string, opts: { envs?: string[] } = {}): Promise<string[]> {
  const roots = Array.isArray(runsDirs) ? runsDirs : [runsDirs];
  const runs = roots.flatMap((root) => {
    const found = loadRuns(root).filter((r) => r.evals.length > 0 && (!opts.envs || opts.envs.includes(r.manifest.config.env)));
    // Section layout <root>/<arm>/<run>: curves are arms (e.g. 'constrained-seer@int8'), not bare variants.
    const sectionLayout = found.length > 0 && found.every((r) => path.relative(root, r.dir).split(path.sep).length === 2);
    return sectionLayout ? byArm(found) : found;
  });
  if (!runs.length) throw new Error(`no runs with evaluations under ${roots.join(', ')}${opts.envs ? ` for env(s) ${opts.envs.join(', ')}` : ''}`);
  fs.mkdirSync(outDir, { recursive: true });
  const written: string[] = [];
  for (const [axis, name] of [['flops', 'returns-vs-flops'], ['envSteps', 'returns-vs-steps'], ['wallSeconds', 'returns-vs-wall']] as const) {
    const { svg, png } = await saveFigure(curvesFigure(runs, axis), path.join(outDir, name));
    written.push(svg, png);
  }
  const table = summaryTable(runs);
  const csv = path.join(outDir, 'summary.csv');
  const md = path.join(outDir, 'summary.md');
  fs.writeFileSync(csv, table.toCSV());
  fs.writeFileSync(md, table.toMarkdown({ maxdigits: 3 }));
  const manifest = path.join(outDir, 'manifest.json');
  const runDirs = runs.map((r) => path.relative(outDir, r.dir));
  const backends = [...new Set(runs.map((r) => r.manifest.backend))];
  writeFileAtomic(manifest, JSON.stringify({ ...provenance(), machine: machine(), createdAt: new Date().toISOString(), runsBackends: backends, runs: runDirs }, null, 1));
  written.push(csv, md, manifest);
  return written;
}
