/**
 * `seer report`: figures and a table from a folder of runs. Curves of evaluation return against cumulative FLOPs,
 * environment steps and wall-clock time (mean ± std across seeds, the freeze marked), and a summary table.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as aq from 'arquero';
import { PALETTE, figure, line, type FigureSpec, type Panel } from '../plots';
import { saveFigure } from '../plots/render';
import {
  aggregate,
  groupByEnvArm,
  loadRuns,
  meanOf,
  stdOf,
  trainingFlopsAt,
  type RunResult,
  type XAxis,
} from './results';
import { sampleStd } from '../stats';
import { defaultBudget } from '../run/config';
import { machine, provenance } from '../run/manifest';
import { writeOutputManifest } from './outputs';
import { withLayoutArms, withoutPretraining } from '../plan/sections';
import { tableMarkdown } from '../util/table-markdown';

const X_TITLES: Record<XAxis, string> = {
  flops: 'cumulative FLOPs (evaluation included)',
  trainingFlops: 'training FLOPs (evaluation not counted)',
  envSteps: 'environment steps',
  wallSeconds: 'wall-clock seconds',
  updates: 'updates',
};

/** The FLOPs axis of the figures: training FLOPs (as the at-budget scores, lib/report/results.ts), when known. */
function flopsAxis(runs: RunResult[], xAxis: XAxis): XAxis {
  if (xAxis !== 'flops') return xAxis;
  return runs.every((r) => r.evals.every((e) => Number.isFinite(e.trainingFlops))) ? 'trainingFlops' : 'flops';
}

/**
 * Evaluations of one run at the same x merged into one point (their mean return): on the training-FLOPs axis the
 * evaluations before the first update (steps 0, 500, 1000 of a CURL run) all sit at 0 and would draw a vertical
 * segment there; they are the same untrained agent, so their mean is its return.
 */
export function mergeEqualX(run: RunResult, xAxis: XAxis): RunResult {
  const evals: RunResult['evals'] = [];
  let group: RunResult['evals'] = [];
  const flush = (): void => {
    if (!group.length) return;
    evals.push({ ...group[0], evalReturn: meanOf(group.map((e) => e.evalReturn)) });
    group = [];
  };
  for (const e of run.evals) {
    if (group.length && group[0][xAxis] !== e[xAxis]) flush();
    group.push(e);
  }
  flush();
  return { ...run, evals };
}

const seedOf = (r: RunResult): number => r.manifest.config.seed;

/**
 * How many leading evaluations `b`'s runs share with `a`'s, seed by seed (same env steps, same x, same return): a SEER
 * run forked from its baseline (or run from scratch, bit for bit the same before T_f) repeats it until the freeze, a
 * memory-constrained run repeats the unconstrained one until its budget binds.
 * 0 when the seeds differ or fewer than two points agree.
 */
export function sharedPrefix(a: RunResult[], b: RunResult[], xAxis: XAxis): number {
  const seeds = (rs: RunResult[]) =>
    rs
      .map(seedOf)
      .sort((x, y) => x - y)
      .join(',');
  if (!a.length || seeds(a) !== seeds(b)) return 0;
  let k = Infinity;
  for (const rb of b) {
    const ra = a.find((r) => seedOf(r) === seedOf(rb))!;
    let n = 0;
    while (n < ra.evals.length && n < rb.evals.length) {
      const ea = ra.evals[n];
      const eb = rb.evals[n];
      if (ea.envSteps !== eb.envSteps || ea.evalReturn !== eb.evalReturn || ea[xAxis] !== eb[xAxis]) break;
      n += 1;
    }
    k = Math.min(k, n);
  }
  return k >= 2 ? k : 0;
}

export interface CurvesOptions {
  /** Adds a second row of panels zoomed on this arm's x-range (Figure 7: the frozen runs use a few % of the FLOPs). */
  zoomOn?: string;
}

/** '1 seed', '3 seeds'. */
export const seedCount = (n: number): string => `${n} seed${n > 1 ? 's' : ''}`;

function formatCount(v: number): string {
  const units: [number, string][] = [
    [1e12, 'T'],
    [1e9, 'G'],
    [1e6, 'M'],
    [1e3, 'k'],
  ];
  const [div, unit] = units.find(([d]) => Math.abs(v) >= d) ?? [1, ''];
  return `${Number((v / div).toPrecision(2))}${unit}`;
}

/**
 * The memory budget of a panel's constrained arms (`constrained-…`; a plain run's arm is its variant), with the
 * paper's when it differs (Figures 4 and 5). A budget sweep's `images@…` / `seer@…` arms are not listed.
 */
function budgetLine(env: string, runs: RunResult[]): string {
  const constrained = runs.filter((r) => r.manifest.config.env === env && r.arm.startsWith('constrained'));
  const budgets = [...new Set(constrained.map((r) => r.manifest.config.memoryBudget))];
  if (!budgets.length) return '';
  const paper = defaultBudget(env);
  const same = budgets.length === 1 && budgets[0] === paper;
  return `memory budget ${budgets.join(', ')}${same ? " (the paper's)" : ` (paper: ${paper})`}`;
}

/**
 * One panel per environment: return against `xAxis`, one mean ± sample-std line per arm (`RunResult.arm`: a plain
 * run's variant), the freeze marked, and a note on the figure saying what line and band are. On the FLOPs axis x is
 * training FLOPs (evaluation not counted, as for the at-budget scores). Where one arm's runs repeat another's until
 * the freeze (SEER forked from its baseline), that segment is drawn once, in the first arm's colour, and the legend
 * and note say so.
 */
export function curvesFigure(
  runsIn: RunResult[],
  xAxisIn: XAxis,
  title?: string,
  opts: CurvesOptions = {},
): FigureSpec {
  const xAxis = flopsAxis(runsIn, xAxisIn);
  const runs = runsIn.map((r) => mergeEqualX(r, xAxis));
  const curves = aggregate(runs, xAxis);
  const envs = [...new Set(curves.map((c) => c.env))];
  const arms = [...new Set(curves.map((c) => c.arm))];
  const grouped = groupByEnvArm(runs);
  const runsOf = (env: string, v: string) => grouped.find((g) => g.env === env && g.arm === v)?.items ?? [];
  // One legend entry per arm: its seed count joins its name when it is the same in every panel; an arm whose count
  // differs between panels has it in each panel's title instead (a name per count would list one colour twice).
  const seedCounts = new Map(arms.map((v) => [v, [...new Set(curves.filter((c) => c.arm === v).map((c) => c.seeds))]]));
  // Per environment, per arm: the arm its curve repeats before the freeze and for how many points.
  const shared = new Map(envs.map((env) => [env, new Map<string, { of: string; points: number }>()]));
  for (const env of envs) {
    const here = shared.get(env)!;
    for (const [j, v] of arms.entries()) {
      for (const u of arms.slice(0, j)) {
        const k = sharedPrefix(runsOf(env, u), runsOf(env, v), xAxis);
        if (k && !here.has(u)) {
          here.set(v, { of: u, points: k });
          break;
        }
      }
    }
  }
  const sharedOf = (env: string, v: string) => shared.get(env)?.get(v);
  // The legend names the repeat when it holds in every panel where the arm is drawn.
  const repeats = (v: string): string | undefined => {
    const froms = envs.filter((env) => runsOf(env, v).length).map((env) => sharedOf(env, v)?.of);
    return froms.length && froms.every((f) => f && f === froms[0]) ? froms[0] : undefined;
  };
  const legendName = (v: string): string => {
    const counts = seedCounts.get(v)!;
    const seeds = counts.length === 1 ? seedCount(counts[0]) : '';
    const rep = repeats(v);
    const parts = [seeds, rep ? `= ${rep} up to the split` : ''].filter(Boolean);
    return parts.length ? `${v} (${parts.join('; ')})` : v;
  };
  const panelTitle = (env: string): string => {
    const lines = [env];
    const varying = curves.filter((c) => c.env === env && c.x.length > 0 && seedCounts.get(c.arm)!.length > 1);
    if (varying.length) lines.push(`(${varying.map((c) => `${c.arm}: ${seedCount(c.seeds)}`).join(', ')})`);
    const budget = budgetLine(env, runs);
    if (budget) lines.push(budget);
    // On separate lines (plotly's <br>): two side-by-side panel titles would otherwise run into each other.
    return lines.join('<br>');
  };
  const freezeX = (r: RunResult): number | undefined => {
    if (!r.freeze) return undefined;
    if (xAxis === 'envSteps') return r.freeze.envSteps;
    if (xAxis === 'flops') return r.freeze.flops;
    if (xAxis === 'trainingFlops') {
      const rec = r.log.find((x) => x.type === 'freeze');
      return rec ? trainingFlopsAt(rec) : undefined;
    }
    return undefined;
  };
  const colorOf = (v: string): string => PALETTE[arms.indexOf(v) % PALETTE.length];
  const panels: Panel[] = envs.map((env) => {
    // One marker per curve that froze (a fixed T_f and an adaptive rule freeze at different points), at its seeds'
    // mean.
    const events = arms.flatMap((v) => {
      const xs = runsOf(env, v)
        .map(freezeX)
        .filter((x): x is number => x !== undefined && Number.isFinite(x));
      return xs.length ? [{ x: meanOf(xs), label: arms.length > 1 ? `freeze: ${v}` : 'freeze (T_f)' }] : [];
    });
    const series = curves
      .filter((c) => c.env === env && c.x.length > 0)
      .map((c) => {
        // A repeated segment is drawn once (by the curve it repeats); this curve starts at its last shared point.
        const from = (sharedOf(env, c.arm)?.points ?? 1) - 1;
        const style = { band: c.std.slice(from), color: colorOf(c.arm) };
        return line(legendName(c.arm), c.x.slice(from), c.mean.slice(from), style);
      });
    const x = { title: X_TITLES[xAxis], siPrefixes: xAxis === 'flops' || xAxis === 'trainingFlops' };
    return { title: panelTitle(env), x, y: { title: 'evaluation return' }, series, events };
  });
  const zoomed = opts.zoomOn ? zoomPanels(panels, curves, opts.zoomOn, xAxis) : [];
  // One sentence, whoever shares with whom: the legend names the source where it holds in every panel.
  const pairs = [...shared.values()].some((m) => m.size)
    ? [
        'Where curves ran the same updates (same seeds: before the freeze, or before the memory budget binds), that ' +
          "part is drawn once, in the first curve's colour; the others start where they split from it",
      ]
    : [];
  const note = [
    `Line: mean over seeds; band: ±1 sample standard deviation (n − 1) across seeds (none for one seed).`,
    xAxis === 'trainingFlops'
      ? 'x: training FLOPs, evaluation not counted; evaluations before the first update are one point at 0 ' +
        '(their mean).'
      : '',
    xAxis === 'wallSeconds'
      ? "x: wall-clock seconds of the run (a forked run counts its baseline's time before the fork)."
      : '',
    pairs.length ? `${pairs.join('; ')}.` : '',
  ]
    .filter(Boolean)
    .join(' ');
  const all = [...panels, ...zoomed];
  return figure({ title, note, panels: all, columns: zoomed.length ? panels.length : undefined });
}

/** The same panels with x limited to `arm`'s range (and the points just past it), titled as a zoom. */
function zoomPanels(panels: Panel[], curves: ReturnType<typeof aggregate>, arm: string, xAxis: XAxis): Panel[] {
  return panels.flatMap((p) => {
    const env = p.title!.split('<br>')[0];
    const own = curves.find((c) => c.env === env && c.arm === arm && c.x.length);
    if (!own) return [];
    const hi = Math.max(...own.x) * 1.08;
    const lo = -0.02 * hi;
    const series = p.series.map((s) => {
      const keep = s.x.map((x, j) => (x as number) <= hi || (j > 0 && (s.x[j - 1] as number) <= hi));
      const pick = <T>(v: readonly T[]): T[] => v.filter((_, j) => keep[j]);
      return s.kind === 'line' ? { ...s, x: pick(s.x), y: pick(s.y), band: s.band && pick(s.band) } : s;
    });
    const label = `${formatCount(hi / 1.08)}${xAxis === 'trainingFlops' || xAxis === 'flops' ? ' FLOPs' : ''}`;
    const x = { ...p.x, range: [lo, hi] as [number, number] };
    const events = (p.events ?? []).filter((e) => e.x <= hi);
    return [{ ...p, title: `${env} · zoom: the first ${label}`, series, x, events }];
  });
}

/**
 * Final return, compute and memory per environment and arm: mean and sample standard deviation (n − 1) across
 * seeds; the deviation is blank (NaN) for a single seed rather than a misleading 0. The arm's column is headed
 * 'variant', as in the tables written before arms were a field of their own (a plain run's arm is its variant).
 */
export function summaryTable(runs: RunResult[]): aq.ColumnTable {
  const out = groupByEnvArm(runs).map(({ env, arm: variant, items: rs }) => {
    const last = rs.map((r) => r.evals[r.evals.length - 1]).filter(Boolean);
    const finals = last.map((e) => e.evalReturn);
    return {
      env,
      variant,
      seeds: rs.length,
      finished: rs.filter((r) => r.done).length,
      'final return': meanOf(finals),
      'return sample std': sampleStd(finals),
      GFLOPs: meanOf(last.map((e) => e.flops)) / 1e9,
      'wall s': meanOf(last.map((e) => e.wallSeconds)),
      'replay MB': meanOf(last.map((e) => e.replayBytes)) / 2 ** 20,
    };
  });
  return aq.from(out);
}

/**
 * The runs one `--runs` folder draws. In the section layout `<root>/<arm>/<run>` the curves are arms (e.g.
 * 'constrained-seer@int8'), each run's its folder's, and pre-training runs are left out; elsewhere a run's arm is
 * its variant.
 */
export function reportRuns(root: string, found: RunResult[]): RunResult[] {
  const sectionLayout = found.length > 0 && found.every((r) => path.relative(root, r.dir).split(path.sep).length === 2);
  return sectionLayout ? withoutPretraining(withLayoutArms(found)) : found;
}

/**
 * Writes `<out>/returns-vs-{flops,steps,wall}.{svg,png}` and `<out>/summary.{csv,md}`; returns the paths. Several
 * roots are drawn together (e.g. an adaptive-freezing arm next to the fixed-T_f arms of the compute section);
 * `envs` keeps only those environments.
 */
export async function writeReport(
  runsDirs: string | string[],
  outDir: string,
  opts: { envs?: string[] } = {},
): Promise<string[]> {
  const roots = Array.isArray(runsDirs) ? runsDirs : [runsDirs];
  const runs = roots.flatMap((root) => {
    const found = loadRuns(root).filter(
      (r) => r.evals.length > 0 && (!opts.envs || opts.envs.includes(r.manifest.config.env)),
    );
    return reportRuns(root, found);
  });
  if (!runs.length)
    throw new Error(
      `no runs with evaluations under ${roots.join(', ')}${opts.envs ? ` for env(s) ${opts.envs.join(', ')}` : ''}`,
    );
  fs.mkdirSync(outDir, { recursive: true });
  const written: string[] = [];
  for (const [axis, name] of [
    ['flops', 'returns-vs-flops'],
    ['envSteps', 'returns-vs-steps'],
    ['wallSeconds', 'returns-vs-wall'],
  ] as const) {
    const { svg, png } = await saveFigure(curvesFigure(runs, axis), path.join(outDir, name));
    written.push(svg, png);
  }
  const table = summaryTable(runs);
  const csv = path.join(outDir, 'summary.csv');
  const md = path.join(outDir, 'summary.md');
  fs.writeFileSync(csv, table.toCSV());
  fs.writeFileSync(md, tableMarkdown(table, { maxdigits: 3 }));
  const manifest = path.join(outDir, 'manifest.json');
  const runDirs = runs.map((r) => path.relative(outDir, r.dir));
  const backends = [...new Set(runs.map((r) => r.manifest.backend))];
  // Rewritten only when the figures, table or runs change (issue 16 §6): provenance is that of the last change.
  const made = () => ({ ...provenance(), machine: machine(), createdAt: new Date().toISOString() });
  writeOutputManifest(outDir, { runsBackends: backends, runs: runDirs }, made);
  written.push(csv, md, manifest);
  return written;
}
