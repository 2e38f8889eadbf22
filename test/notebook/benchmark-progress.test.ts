import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import {
  benchmarkProgressNote,
  benchmarkProgressTable,
  benchmarkRuns,
  finishedBenchmarkRuns,
  learningParityFigure,
  learningParityTable,
  LEARNING_REFERENCES,
  parityVerdict,
  scalesSideBySide,
} from '../../lib/notebook/benchmark-progress';
import * as aq from 'arquero';
import { sectionJobs } from '../../lib/plan/sections';
import { tmpDir } from '../tmp';
import { writeBenchRun } from './bench-run';

/** A run of the compute plan at benchmark scale, with evaluations every 5,000 steps. */
const writeRun = (dir: string, config: object, returns: number[], done: boolean): void =>
  writeBenchRun(dir, config, returns, { done });

test('benchmark progress: planned, started and finished runs per arm, latest return, never a verdict', () => {
  const root = tmpDir('bench-progress-');
  const jobs = sectionJobs('compute', 'benchmark', root).filter(
    (j) => j.env === 'minatar/breakout' && j.arm === 'baseline',
  );
  assert.equal(jobs.length, 5);
  writeRun(jobs[0].dir, jobs[0].config, [0.6, 2.1, 3.0], false);
  writeRun(jobs[1].dir, jobs[1].config, [0.4, 5.0], false);
  const runs = benchmarkRuns('compute', root);
  assert.equal(runs.length, 2);
  const rows = benchmarkProgressTable('compute', runs).objects() as Record<string, unknown>[];
  const row = rows.find((r) => r.env === 'minatar/breakout' && r.arm === 'baseline')!;
  assert.equal(row.planned, 5);
  assert.equal(row.started, 2);
  assert.equal(row.finished, 0);
  assert.equal(row['agent steps reached'], '7,500 of 100,000');
  assert.equal(row['latest return'], `4.00 ± ${Math.SQRT2.toFixed(2)}`);
  assert.match(String(row.reference), /MinAtar README/);
  const seer = rows.find((r) => r.env === 'minatar/breakout' && r.arm === 'seer')!;
  assert.equal(seer.started, 0);
  assert.equal(seer['latest return'], '');
  assert.match(benchmarkProgressNote('compute', runs), /0 of 29 runs finished, 2 in progress/);
  assert.match(benchmarkProgressNote('compute', []), /none of the 29 runs has started/);
});

test('finished benchmark runs: only runs with DONE enter a verdict', () => {
  const root = tmpDir('bench-finished-');
  const [a, b] = sectionJobs('compute', 'benchmark', root).filter((j) => j.env === 'minatar/breakout');
  writeRun(a.dir, a.config, [0.6, 3.0], true);
  writeRun(b.dir, b.config, [0.6, 9.0], false);
  const finished = finishedBenchmarkRuns('compute', benchmarkRuns('compute', root));
  assert.deepEqual(
    finished.map((r) => r.dir),
    [a.dir],
  );
});

test('scales side by side: one row per environment of either scale, blanks and "not yet" where a scale lacks it', () => {
  const row = (env: string, x: string, y: string, seeds: string, v: string) => ({
    env,
    'seer: mean ± sd': x,
    'baseline: mean ± sd': y,
    seeds,
    'seer − baseline': 0,
    'seer > baseline?': v,
  });
  const laptop = aq.from([
    row('minatar/breakout', '2.6', '2.2', '3 / 3', 'inconclusive'),
    row('cartpole', '1', '2', '3 / 3', 'holds'),
  ]);
  const benchmark = aq.from([row('minatar/breakout', '4.1', '3.3', '1 / 1', 'inconclusive')]);
  const t = scalesSideBySide({ laptop, benchmark }, 'seer', 'baseline').objects() as Record<string, unknown>[];
  assert.equal(t.length, 2);
  assert.deepEqual(Object.keys(t[0]), [
    'env',
    'laptop · seer: mean ± sd',
    'laptop · baseline: mean ± sd',
    'laptop · seeds',
    'laptop · seer > baseline?',
    'benchmark · seer: mean ± sd',
    'benchmark · baseline: mean ± sd',
    'benchmark · seeds',
    'benchmark · seer > baseline?',
  ]);
  assert.equal(t[0]['benchmark · seer: mean ± sd'], '4.1');
  assert.equal(t[1]['benchmark · seer > baseline?'], 'not yet');
  assert.equal(t[1]['benchmark · seeds'], '');
  assert.equal(t[1]['laptop · seer > baseline?'], 'holds');
  const empty = scalesSideBySide({ laptop: aq.from([]), benchmark: aq.from([]) }, 'seer', 'baseline');
  assert.equal(empty.numRows(), 0);
  assert.equal(empty.numCols(), 9);
});

test('learning parity: finished baselines beside the reference; a same-budget band, an upper mark, 3 seeds to decide', () => {
  const root = tmpDir('bench-parity-');
  const jobs = sectionJobs('compute', 'benchmark', root).filter((j) => j.arm === 'baseline');
  const of = (env: string) => jobs.filter((j) => j.env === env);
  const cart = of('cartpole-swingup')[0];
  writeRun(cart.dir, cart.config, [41, 250, 500], true);
  of('minatar/breakout').forEach((j, i) => writeRun(j.dir, j.config, [0.5, 3, 5 + i / 2], i < 3));
  const rows = learningParityTable('compute', benchmarkRuns('compute', root)).objects() as Record<string, unknown>[];
  const row = (env: string) => rows.find((r) => r.env === env)!;
  assert.deepEqual(
    rows.map((r) => r.env),
    ['cartpole-swingup', 'minatar/breakout', 'minatar/space_invaders'],
  );
  assert.equal(row('cartpole-swingup')['final − untrained (95% CI)'], '459.00');
  assert.equal(row('cartpole-swingup').verdict, 'within the published mean ± std (1 seed; a verdict needs 3)');
  assert.equal(row('minatar/breakout')['finished seeds'], 3, 'unfinished runs left out');
  assert.equal(row('minatar/breakout').final, '5.50 ± 0.50');
  assert.match(String(row('minatar/breakout')['final mean (95% CI)']), /^5\.50 \[5\.\d\d, 6\.00\]$/);
  assert.equal(row('cartpole-swingup')['final mean (95% CI)'], '', 'one seed: no interval');
  assert.equal(row('minatar/breakout').verdict, 'learns (final above the untrained agent)');
  assert.equal(row('minatar/space_invaders').verdict, 'not yet');

  const cartRef = LEARNING_REFERENCES.find((r) => r.env === 'cartpole-swingup')!;
  // CURL's 582 ± 146: the band is [436, 728].
  const cartVerdict = (finals: number[]) => parityVerdict(cartRef, finals, [40, 40, 40]);
  assert.equal(cartVerdict([300, 400, 420]), 'below the published mean ± std (its 95% CI too)');
  assert.equal(cartVerdict([800, 760, 740]), 'above the published mean ± std (its 95% CI too)');
  assert.equal(cartVerdict([450, 500, 600]), 'within the published mean ± std');
  assert.equal(
    cartVerdict([300, 420, 500]),
    'inconclusive: the mean is below the published mean ± std, its 95% CI reaches into it',
  );
  const upper = LEARNING_REFERENCES.find((r) => r.env === 'minatar/breakout')!;
  assert.equal(parityVerdict(upper, [0.5, 0.6, 0.4], [0.5, 0.6, 0.4]), 'not shown to learn');
  assert.equal(parityVerdict(upper, [5, 6], [0.5, 0.6]), 'inconclusive (2 seeds; a verdict needs 3)');

  const parity = tmpDir('bench-parity-checks-');
  const fig = learningParityFigure('compute', benchmarkRuns('compute', root), parity)!;
  const series = (f: typeof fig, env: string, kind: string) =>
    f.panels.find((p) => p.title?.startsWith(env))!.series.filter((x) => x.kind === kind);
  assert.deepEqual(
    series(fig, 'cartpole-swingup', 'markers').map((m) => [m.x, m.y, m.kind === 'markers' && m.error]),
    [[[100_000], [582], [146]]],
  );
  assert.equal(series(fig, 'minatar/breakout', 'markers').length, 0, 'upper marks are left to the table');
  assert.equal(series(fig, 'cartpole-swingup', 'line').length, 1, 'no state-SAC check kept: the baseline alone');
  assert.equal(learningParityFigure('compute', []), null);
  // A kept state-SAC check (bench/agents-learning.ts) is drawn beside the pixel baseline, dashed.
  const curve = [
    [50_000, 700],
    [100_000, 850],
  ];
  fs.writeFileSync(path.join(parity, 'sac-state-cartpole-swingup.json'), JSON.stringify({ result: { curve } }));
  const withState = learningParityFigure('compute', benchmarkRuns('compute', root), parity)!;
  const state = series(withState, 'cartpole-swingup', 'line').find((x) => x.name.startsWith('SAC from state'))!;
  assert.deepEqual(
    [state.x, state.y],
    [
      [50_000, 100_000],
      [700, 850],
    ],
  );
  assert.match(withState.note!, /Dashed: SAC from state/);
});
