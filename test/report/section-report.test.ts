/**
 * Section verdicts: scores at a fixed training-FLOPs budget (issue 16 §2) and comparisons that rest on
 * stratified-bootstrap intervals, with sample standard deviations and the learning check (issue 16 §3).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RunResult } from '../../lib/report/results';
import { armStatsTable, comparisonTable, noLearningClause, tally, verdictLines } from '../../lib/report/section-report';
import {
  compareArmStats,
  finalReturns,
  flopsBudgets,
  learnedOf,
  returnsAtBudget,
  verdict,
  type ArmStats,
} from '../../lib/report/section-stats';

/** A run from its evaluations: [training FLOPs, acting FLOPs, return] each. */
function run(arm: string, seed: number, evals: [number, number, number][], env = 'e'): RunResult {
  return {
    dir: `${arm}/${env}__s${seed}`,
    arm,
    manifest: { config: { env, variant: 'baseline', seed } }, // grouped by the arm, not the variant
    evals: evals.map(([training, acting, evalReturn], i) => ({
      envSteps: i,
      updates: i,
      wallSeconds: i,
      evalReturn,
      replayBytes: 0,
      flops: training + acting,
      trainingFlops: training,
    })),
  } as unknown as RunResult;
}

test('fixed budget: every run of the cheaper arm at its own final evaluation, whichever side of the mean', () => {
  // SEER's three seeds spent slightly different training FLOPs (mean 100); their evaluation episodes cost
  // different acting FLOPs, so their cumulative totals order the other way round.
  const seer = [
    run('seer', 0, [
      [0, 5, 0],
      [50, 9, 2],
      [100.01, 10, 7.3],
    ]), // above the mean
    run('seer', 1, [
      [0, 5, 0],
      [50, 9, 2],
      [100, 20, 7.8],
    ]),
    run('seer', 2, [
      [0, 5, 0],
      [50, 9, 2],
      [99.99, 30, 4.0],
    ]), // below the mean
  ];
  const base = [
    run('baseline', 0, [
      [0, 5, 0],
      [60, 9, 2],
      [100.005, 10, 3],
      [200, 12, 9],
    ]), // within the budget: scored 3
    run('baseline', 1, [
      [0, 5, 0],
      [60, 9, 2],
      [100.02, 10, 3],
      [200, 12, 9],
    ]), // just over it: scored 2
    run('baseline', 2, [
      [0, 5, 0],
      [60, 9, 1],
      [150, 10, 3],
      [200, 12, 9],
    ]),
  ];
  const runs = [...seer, ...base];
  const budgets = flopsBudgets(runs, ['baseline', 'seer']);
  assert.equal(budgets.get('e'), 100.01, 'the most training FLOPs any SEER run spent');
  const at = returnsAtBudget(runs, budgets, ['baseline', 'seer']);
  const s = at.find((x) => x.arm === 'seer')!;
  assert.deepEqual(s.values, [7.3, 7.8, 4.0]);
  assert.ok(Math.abs(s.mean - 19.1 / 3) < 1e-12);
  assert.ok(Math.abs(s.std - 2.0647840887931) < 1e-9, `sample std, got ${s.std}`);
  assert.deepEqual(at.find((x) => x.arm === 'baseline')!.values, [3, 2, 1]);
});

test('the cheaper arm is the one with fewer training FLOPs; a missing breakdown is an error naming the run', () => {
  const runs = [
    run('a', 0, [
      [0, 0, 0],
      [10, 50, 1],
    ]),
    run('b', 0, [
      [0, 0, 0],
      [20, 0, 1],
    ]),
  ];
  assert.equal(flopsBudgets(runs, ['a', 'b']).get('e'), 10, 'acting FLOPs do not make a cheaper');
  const broken = run('a', 1, [
    [0, 0, 0],
    [NaN, 0, 1],
  ]);
  assert.throws(() => flopsBudgets([broken], ['a']), /a\/e__s1: .*no FLOPs breakdown/);
});

const stats = (arm: string, values: number[], learned?: boolean): ArmStats => {
  const [s] = finalReturns(
    values.map((v, i) =>
      run(arm, i, [
        [0, 0, 0],
        [1, 0, v],
      ]),
    ),
  );
  return { ...s, learned };
};

test('verdicts rest on the 95% interval of the difference of means', () => {
  // Every resample of [9, 10, 11] has a mean ≥ 9 and every one of [4, 5, 6] ≤ 6: the interval lies above 3.
  assert.equal(verdict(stats('a', [10, 11, 9]), stats('b', [5, 6, 4])), 'holds');
  assert.equal(verdict(stats('a', [5, 6, 4]), stats('b', [10, 11, 9])), 'does not hold');
  assert.equal(verdict(stats('a', [0, 20, 10]), stats('b', [9, 11, 10])), 'inconclusive');
  // The old rule (difference 7 > the larger population std 5.66) said 'holds'; resampling a's seeds gives [0, 0, 0]
  // with probability 1/27 > 2.5%, a difference of −1: the interval covers 0.
  assert.equal(verdict(stats('a', [0, 12, 12]), stats('b', [1, 1, 1])), 'inconclusive');
  assert.equal(verdict(stats('a', [10]), stats('b', [5, 4])), 'inconclusive', 'one seed: no interval');
  assert.equal(verdict(stats('a', [10, 11]), undefined), 'inconclusive');
});

test('two seeds per arm give an interval but no verdict: too few to decide', () => {
  // Every resample of [14, 16] beats every resample of [12, 13]: the 2-seed interval lies above 0 ...
  const a = stats('a', [14, 16]);
  const b = stats('b', [12, 13]);
  assert.ok(compareArmStats(a, b).interval!.meanDiff.low > 0);
  // ... yet it is far too narrow to rest a verdict on.
  assert.equal(compareArmStats(a, b).verdict, 'inconclusive');
  assert.equal(verdict(stats('a', [14, 16, 15]), stats('b', [12, 13])), 'inconclusive', 'the smaller arm decides');
  assert.equal(verdict(stats('a', [14, 16, 15]), stats('b', [12, 13, 12.5])), 'holds');
  const line = verdictLines([a, b], 'a', 'b').join('\n');
  assert.match(line, /\*\*inconclusive\*\* \(2 and 2 seeds: fewer than 3 per arm, too few to decide\)/);
});

test('comparison table: mean ± sample std, the difference with its interval, IQM and P(a > b)', () => {
  const t = comparisonTable([stats('a', [10, 12]), stats('b', [4, 6])], 'a', 'b');
  assert.deepEqual(t.objects()[0], {
    env: 'e',
    'a: mean ± sd': '11.0 ± 1.4',
    'b: mean ± sd': '5.0 ± 1.4',
    seeds: '2 / 2',
    'a − b': 6,
    '95% CI': '[4.0, 8.0]',
    'IQM diff [95% CI]': '6.0 [4.0, 8.0]',
    'P(a > b) [95% CI]': '1.00 [1.00, 1.00]',
    'a > b?': 'inconclusive', // 2 seeds per arm: an interval, no verdict (MIN_SEEDS_FOR_VERDICT)
  });
  const [line] = verdictLines([stats('a', [10, 12]), stats('b', [4, 6])], 'a', 'b', { a: 'A' });
  assert.equal(
    line,
    '- **e**: A − b = 6.0 (95% CI [4.0, 8.0]; IQM 6.0 [4.0, 8.0]), P(A > b) = 1.00 [1.00, 1.00]: ' +
      '**inconclusive** (2 and 2 seeds: fewer than 3 per arm, too few to decide).',
  );
  const [three] = verdictLines([stats('a', [10, 12, 11]), stats('b', [4, 6, 5])], 'a', 'b', { a: 'A' });
  assert.match(three, /^- \*\*e\*\*: A − b = 6\.0 \(95% CI \[.*\]: \*\*holds\*\* \(the interval lies above 0\)\.$/);
  // One seed: never "± 0.0".
  const one = comparisonTable([stats('a', [7.3]), stats('b', [4, 6])], 'a', 'b').objects()[0] as Record<string, string>;
  assert.equal(one['a: mean ± sd'], '7.30 (1 seed)');
  assert.equal(one['95% CI'], '–');
  // An environment where one arm has no runs yet is no comparison (and no 'inconclusive' in the tally).
  const onlyA = { ...stats('a', [1, 2]), env: 'only-a' };
  const partial = comparisonTable([stats('a', [10, 12]), stats('b', [4, 6]), onlyA], 'a', 'b');
  assert.deepEqual(partial.array('env'), ['e']);
  const shown = armStatsTable([stats('a', [1, 3])]).objects()[0] as Record<string, unknown>;
  assert.equal(shown['sd (n−1)'], Math.SQRT2);
  assert.equal(shown['per seed'], '1.00, 3.00');
});

test('a comparison where neither arm learned says so instead of a verdict', () => {
  // Two seeds per arm: evaluation returns from the first (before any update) to the last.
  const curve = (arm: string, seed: number, returns: number[]) =>
    run(
      arm,
      seed,
      returns.map((r, i) => [i, 0, r] as [number, number, number]),
    );
  const flat = [curve('a', 0, [30, 25, 40]), curve('a', 1, [30, 32, 20]), curve('b', 0, [30, 30, 20])];
  flat.push(curve('b', 1, [28, 10, 24]));
  assert.equal(learnedOf(flat.slice(0, 2)), false);
  const st = finalReturns(flat);
  assert.equal(verdict(st[0], st[1]), 'neither learned');
  const table = comparisonTable(st, 'a', 'b');
  assert.deepEqual(tally(table, 'a > b?'), { holds: 0, 'does not hold': 0, inconclusive: 0, 'neither learned': 1 });
  assert.match(noLearningClause(table, 'a > b?'), /\*\*e\*\* neither arm learned/);
  // One arm that learned is enough for a verdict: here it beats the flat one.
  const rising = [curve('a', 0, [30, 90, 120]), curve('a', 1, [30, 100, 110]), curve('a', 2, [30, 95, 115])];
  rising.push(...flat.slice(2), curve('b', 2, [29, 20, 22]));
  assert.equal(learnedOf(rising.slice(0, 2)), true);
  const [a, b] = finalReturns(rising);
  assert.equal(verdict(a, b), 'holds');
  assert.equal(noLearningClause(comparisonTable([a, b], 'a', 'b'), 'a > b?'), '');
  assert.equal(learnedOf(rising.slice(0, 1)), undefined, 'one seed has no spread to judge by');
  // The learning check uses the sample std: finals [45, 20] rose from firsts [20, 15] by 15, more than the population
  // std (12.5) but not the sample std (17.7).
  assert.equal(learnedOf([curve('c', 0, [20, 50, 45]), curve('c', 1, [15, 10, 20])]), false);
});
