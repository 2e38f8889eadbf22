import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  attentionFigure,
  budgetSweepFigure,
  budgetSweepPoints,
  heatColorStops,
  svccaFigure,
} from '../../lib/report/section-figures';
import type { RunResult } from '../../lib/report/results';
import { toPlotly } from '../../lib/plots/plotly';

function run(env: string, variant: string, budget: string, final: number): RunResult {
  return {
    dir: `/r/${variant}`,
    manifest: { config: { env, variant, memoryBudget: budget } } as unknown as RunResult['manifest'],
    log: [],
    evals: [{ envSteps: 1, updates: 1, flops: 1, trainingFlops: 1, wallSeconds: 1, evalReturn: final, replayBytes: 0 }],
    done: true,
    arm: variant,
  };
}

test('budget sweep: error bars, ticks only at the budgets that ran, a range around them', () => {
  const runs = [
    ...[1, 2, 3].map((r) => run('cartpole-swingup', 'constrained-images', '0.03GB', r)),
    ...[4, 6].map((r) => run('cartpole-swingup', 'constrained-seer', '0.03GB', r)),
    run('cartpole-swingup', 'unbounded', '0.03GB', 99),
  ];
  const pts = budgetSweepPoints(runs);
  assert.deepEqual(
    pts.map((p) => [p.kind, p.mean, p.seeds]),
    [
      ['images', 2, 3],
      ['seer', 5, 2],
    ],
  );
  assert.ok(Math.abs(pts[1].std - Math.SQRT2) < 1e-12, 'sample std (n − 1)');
  const fig = budgetSweepFigure(pts);
  const x = fig.panels[0].x;
  assert.deepEqual(x.tickValues, [pts[0].budgetMB]);
  assert.deepEqual(x.tickLabels, ['28.6 MB']);
  assert.ok(x.range && x.range[0] < pts[0].budgetMB && x.range[1] > pts[0].budgetMB);
  const traces = toPlotly(fig).data.filter((t) => t.type === 'scatter');
  assert.ok(
    traces.every((t) => (t.error_y as { visible: boolean }).visible),
    'every point has an error bar',
  );
  assert.match(fig.note!, /error bar: ±1 sample standard deviation/);
});

test('Figure 8b puts encoders side by side, each with its own layers', () => {
  const pt = (update: number, layers: string[]) => ({
    update,
    next: update + 1,
    similarity: Object.fromEntries(layers.map((l) => [l, 0.9])),
    baseline: Object.fromEntries(layers.map((l) => [l, 0.1])),
  });
  const rainbow = ['conv1', 'conv2'];
  const curl = ['conv1', 'conv2', 'conv3', 'conv4', 'fc'];
  const fig = svccaFigure([
    {
      label: 'minatar/breakout · Rainbow',
      layers: rainbow,
      perSeed: [
        [pt(0, rainbow), pt(1, rainbow)],
        [pt(0, rainbow), pt(1, rainbow)],
      ],
      freezeAt: 1,
    },
    { label: 'cartpole-swingup · CURL', layers: curl, perSeed: [[pt(0, curl), pt(1, curl)]] },
  ]);
  assert.equal(fig.panels.length, 2);
  assert.deepEqual(
    fig.panels[1].series.map((s) => s.name),
    [...curl, 'random baseline (highest layer)'],
  );
  assert.ok(fig.panels[0].series[0].kind === 'line' && fig.panels[0].series[0].band, 'two seeds: a band');
  assert.match(fig.panels[0].title!, /2 seeds/);
});

test('Figure 8a has a title, row and column labels and a colour bar', () => {
  const png = Buffer.alloc(24);
  png.writeUInt32BE(0x49484452, 12);
  png.writeUInt32BE(90, 16);
  png.writeUInt32BE(60, 20);
  const fig = attentionFigure(png, { updates: [0, 500], layer: 'conv2', observations: 3 }, 'minatar/breakout');
  assert.match(fig.title!, /Figure 8a .* conv2 .* minatar\/breakout/);
  const img = fig.panels[0].image!;
  assert.deepEqual(img.rowLabels, ['update 0', 'update 500']);
  assert.deepEqual(img.columnLabels, ['obs 1', 'obs 2', 'obs 3']);
  assert.equal(img.colorScale?.title, 'attention');
  const stops = heatColorStops();
  assert.equal(stops[0][0], 0);
  assert.equal(stops[stops.length - 1][0], 1);
});
