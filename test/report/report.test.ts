/**
 * Figure specs of `seer report` and the section notebooks (lib/report/report.ts): what issue 17 found
 * unreadable in Figures 2, 3, 4/5 and 7, checked on the spec, without a browser.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { curvesFigure, mergeEqualX, sharedPrefix } from '../../lib/report/report';
import type { RunResult } from '../../lib/report/results';

interface FakeEval {
  step: number;
  ret: number;
  /** Training FLOPs at the evaluation; acting (evaluation) FLOPs grow by 1 per evaluation on top. */
  train: number;
}

function run(
  env: string,
  variant: string,
  seed: number,
  evals: FakeEval[],
  opts: { budget?: string; freezeAt?: number } = {},
): RunResult {
  const freeze = opts.freezeAt !== undefined ? evals.find((e) => e.step === opts.freezeAt) : undefined;
  return {
    dir: `/runs/${variant}/${env}__s${seed}`,
    manifest: {
      seed,
      config: { env, variant, seed, memoryBudget: opts.budget ?? '0.07GB' },
    } as unknown as RunResult['manifest'],
    log: freeze
      ? [
          {
            type: 'freeze',
            envSteps: freeze.step,
            updates: freeze.step,
            wallSeconds: 0,
            cumulativeFlops: freeze.train + 1,
            flops: { heads: freeze.train, acting: 1 },
          } as never,
        ]
      : [],
    evals: evals.map((e, i) => ({
      envSteps: e.step,
      updates: e.step,
      flops: e.train + i + 1,
      trainingFlops: e.train,
      wallSeconds: i,
      evalReturn: e.ret,
      replayBytes: 0,
    })),
    freeze: freeze ? { envSteps: freeze.step, flops: freeze.train + 1 } : undefined,
    done: true,
    arm: variant,
  };
}

// CURL-like: three evaluations before the first update (training FLOPs 0), then training.
const pre = (ret: number): FakeEval[] => [
  { step: 0, ret, train: 0 },
  { step: 500, ret: ret + 2, train: 0 },
  { step: 1000, ret: ret + 4, train: 0 },
];
const baseline = (seed: number) =>
  run('cartpole-swingup', 'baseline', seed, [
    ...pre(seed),
    { step: 1500, ret: 10 + seed, train: 100 },
    { step: 2000, ret: 20, train: 200 },
    { step: 2500, ret: 30, train: 300 },
  ]);
// SEER: the same runs as its baseline up to step 1500 (forked), then cheaper updates.
const seer = (seed: number) =>
  run(
    'cartpole-swingup',
    'seer',
    seed,
    [
      ...pre(seed),
      { step: 1500, ret: 10 + seed, train: 100 },
      { step: 2000, ret: 25, train: 120 },
      { step: 2500, ret: 35, train: 140 },
    ],
    { freezeAt: 1500 },
  );
const runs = [baseline(0), baseline(1), seer(0), seer(1)];

test('evaluations before the first update are one point at 0 training FLOPs (no vertical segment at x = 0)', () => {
  const merged = mergeEqualX(baseline(0), 'trainingFlops');
  assert.deepEqual(
    merged.evals.map((e) => e.trainingFlops),
    [0, 100, 200, 300],
  );
  assert.equal(merged.evals[0].evalReturn, 2, "the mean of the untrained agent's three evaluations (0, 2, 4)");
  const fig = curvesFigure(runs, 'flops');
  for (const s of fig.panels[0].series) {
    const zeros = s.x.filter((x) => x === 0).length;
    assert.ok(zeros <= 1, `${s.name} has ${zeros} points at x = 0`);
  }
  assert.match(fig.panels[0].x.title, /training FLOPs/);
  assert.equal(fig.panels[0].x.siPrefixes, true, 'FLOPs ticks read 500T, 1P');
  assert.ok(!curvesFigure(runs, 'envSteps').panels[0].x.siPrefixes);
});

test('a SEER curve that repeats its baseline before the freeze is drawn from the split on, and the figure says so', () => {
  assert.equal(sharedPrefix([baseline(0), baseline(1)], [seer(0), seer(1)], 'trainingFlops'), 4);
  const fig = curvesFigure(runs, 'flops');
  const [base, s] = fig.panels[0].series;
  assert.deepEqual(base.x, [0, 100, 200, 300]);
  assert.deepEqual(s.x, [100, 120, 140], 'starts at the last shared point, the shared segment drawn once');
  assert.match(s.name, /= baseline up to the split/);
  assert.match(fig.note!, /that part is drawn once, in the first curve's colour/);
  // Seeds that differ before the freeze share nothing.
  const other = run('cartpole-swingup', 'seer', 0, [
    { step: 0, ret: 9, train: 0 },
    { step: 1500, ret: 1, train: 100 },
  ]);
  assert.equal(sharedPrefix([baseline(0)], [other], 'trainingFlops'), 0);
});

test('the note on every curve figure says what the line and the band are', () => {
  for (const axis of ['flops', 'envSteps', 'wallSeconds'] as const) {
    assert.match(curvesFigure(runs, axis).note!, /Line: mean over seeds; band: ±1 sample standard deviation \(n − 1\)/);
  }
});

test("panels of memory-constrained arms carry their budget and the paper's (Figures 4 and 5)", () => {
  const mk = (variant: string, budget?: string) =>
    run(
      'minatar/breakout',
      variant,
      0,
      [
        { step: 0, ret: 0, train: 0 },
        { step: 100, ret: 1, train: 10 },
      ],
      { budget },
    );
  const fig = curvesFigure(
    [mk('unbounded'), mk('constrained-images', '0.007GB'), mk('constrained-seer', '0.007GB')],
    'envSteps',
  );
  assert.match(fig.panels[0].title!, /memory budget 0\.007GB \(paper: 0\.07GB\)/);
  const plain = curvesFigure([mk('baseline')], 'envSteps');
  assert.doesNotMatch(plain.panels[0].title!, /budget/);
});

test("a zoom row shows the frozen arm's FLOPs range (Figure 7)", () => {
  const fig = curvesFigure(runs, 'flops', 'Figure 7', { zoomOn: 'seer' });
  assert.equal(fig.panels.length, 2);
  assert.equal(fig.columns, 1);
  const zoom = fig.panels[1];
  assert.ok(zoom.x.range && zoom.x.range[1] < 300 && zoom.x.range[1] >= 140, `zoom range ${zoom.x.range}`);
  assert.match(zoom.title!, /zoom/);
});
