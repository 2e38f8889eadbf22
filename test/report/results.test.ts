import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { RunLog, readLog } from '../../lib/run/log';
import { aggregate, groupByEnvArm, loadRun, loadRuns, returnAtFlops } from '../../lib/report/results';
import { curvesFigure, reportRuns, summaryTable } from '../../lib/report/report';
import { tmpDir } from '../tmp';

const root = tmpDir('seer-results-');

/**
 * A fake run directory: a manifest and a log with evaluations at fixed steps. Each evaluation costs `flopsPerEval`
 * training FLOPs and, as evaluation episodes do, a different amount of acting FLOPs (i + 1 per evaluation).
 */
function fakeRun(variant: string, seed: number, returns: number[], flopsPerEval: number, freezeAt?: number): void {
  const dir = path.join(root, `${variant}-${seed}`);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(
    path.join(dir, 'manifest.json'),
    JSON.stringify({ seed, config: { env: 'minatar/breakout', variant } }),
  );
  const log = new RunLog(path.join(dir, 'log.jsonl'));
  returns.forEach((r, i) => {
    const step = (i + 1) * 100;
    if (freezeAt !== undefined && step === freezeAt)
      log.append({ type: 'freeze', envSteps: step, updates: step, wallSeconds: i, cumulativeFlops: i * flopsPerEval });
    const acting = ((i + 1) * (i + 2)) / 2;
    const flops = { heads: (i + 1) * flopsPerEval, acting };
    const cumulativeFlops = (i + 1) * flopsPerEval + acting;
    const at = { envSteps: step, updates: step, wallSeconds: i + 1 };
    log.append({ type: 'eval', ...at, evalReturn: r, flops, cumulativeFlops, replayBytes: 1000 });
  });
}

fakeRun('baseline', 0, [1, 2, 3], 10);
fakeRun('baseline', 1, [3, 4, 5], 10);
fakeRun('seer', 0, [1, 3, 5], 4, 200);

test('curves are mean ± sample std (n − 1) across seeds at each evaluation', () => {
  const runs = loadRuns(root);
  assert.equal(runs.length, 3);
  const base = aggregate(runs, 'envSteps').find((c) => c.arm === 'baseline')!;
  assert.deepEqual(base.x, [100, 200, 300]);
  assert.deepEqual(base.mean, [2, 3, 4]);
  assert.deepEqual(base.std, [Math.SQRT2, Math.SQRT2, Math.SQRT2]);
  const seer = aggregate(runs, 'flops').find((c) => c.arm === 'seer')!;
  assert.deepEqual(seer.x, [5, 11, 18]);
  assert.deepEqual(seer.std, [0, 0, 0], 'one seed: no band');
  assert.equal(runs.find((r) => r.manifest.config.variant === 'seer')!.freeze!.envSteps, 200);
});

test('seeds are aligned by env step: only steps every seed evaluated enter the curve', () => {
  const dir = tmpDir('seer-align-');
  const write = (name: string, steps: number[]) => {
    fs.mkdirSync(path.join(dir, name));
    fs.writeFileSync(
      path.join(dir, name, 'manifest.json'),
      JSON.stringify({ seed: 0, config: { env: 'minatar/breakout', variant: 'seer' } }),
    );
    const log = new RunLog(path.join(dir, name, 'log.jsonl'));
    for (const st of steps)
      log.append({
        type: 'eval',
        envSteps: st,
        updates: st,
        wallSeconds: 0,
        evalReturn: st / 100,
        cumulativeFlops: st,
      });
  };
  write('a', [0, 100, 200, 300]); // evaluates at step 0 too
  write('b', [100, 200]); // older runner (no step-0 eval), still running
  const [c] = aggregate(loadRuns(dir), 'envSteps');
  assert.deepEqual(c.x, [100, 200]);
  assert.deepEqual(c.mean, [1, 2]);
});

test('curves figure marks each frozen curve at its own freeze', () => {
  const fig = curvesFigure(loadRuns(root), 'envSteps');
  assert.equal(fig.panels.length, 1);
  assert.deepEqual(fig.panels[0].events, [{ x: 200, label: 'freeze: seer' }]);
});

test('curves figure: one legend name per variant; a seed count that differs between panels goes to their titles', () => {
  const runs = loadRuns(root);
  const names = (fig: ReturnType<typeof curvesFigure>): string[] =>
    fig.panels.flatMap((p) => p.series.map((s) => s.name));
  assert.deepEqual(names(curvesFigure(runs, 'envSteps')), ['baseline (2 seeds)', 'seer (1 seed)']);
  // A second environment where the baseline has one seed: names stay one per variant, titles carry the counts.
  const other = runs
    .filter((r) => r.manifest.seed === 0)
    .map((r) => ({ ...r, manifest: { ...r.manifest, config: { ...r.manifest.config, env: 'minatar/asterix' } } }));
  const fig = curvesFigure([...runs, ...other], 'envSteps');
  assert.deepEqual(new Set(names(fig)), new Set(['baseline', 'seer (1 seed)']));
  assert.deepEqual(
    fig.panels.map((p) => p.title),
    ['minatar/breakout<br>(baseline: 2 seeds)', 'minatar/asterix<br>(baseline: 1 seed)'],
  );
});

test('training FLOPs leave out the acting component, evaluation episodes included', () => {
  const seer = loadRuns(root).find((r) => r.manifest.config.variant === 'seer')!;
  assert.deepEqual(
    seer.evals.map((e) => e.flops),
    [5, 11, 18],
  );
  assert.deepEqual(
    seer.evals.map((e) => e.trainingFlops),
    [4, 8, 12],
  );
});

test('score at a FLOPs budget is the last evaluation whose training FLOPs are within it', () => {
  const seer = loadRuns(root).find((r) => r.manifest.config.variant === 'seer')!;
  assert.equal(returnAtFlops(seer, 9), 3);
  assert.equal(returnAtFlops(seer, 12), 5, 'the evaluation at exactly the budget counts, whatever its acting FLOPs');
  assert.ok(Number.isNaN(returnAtFlops(seer, 3)));
});

test('a log without a FLOPs breakdown cannot be scored at a training budget, and says which run', () => {
  const dir = tmpDir('seer-nobreakdown-');
  const manifest = { seed: 0, config: { env: 'minatar/breakout', variant: 'seer' } };
  fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(manifest));
  const evalRecord = { type: 'eval', envSteps: 0, updates: 0, wallSeconds: 0, evalReturn: 1, cumulativeFlops: 5 };
  new RunLog(path.join(dir, 'log.jsonl')).append(evalRecord);
  const run = loadRun(dir);
  assert.ok(Number.isNaN(run.evals[0].trainingFlops));
  const namesRun = (e: Error) => e.message.includes(dir) && /no FLOPs breakdown/.test(e.message);
  assert.throws(() => returnAtFlops(run, 10), namesRun);
});

test('summary table: final return per variant', () => {
  const rows = summaryTable(loadRuns(root)).objects() as Record<string, unknown>[];
  const base = rows.find((r) => r.variant === 'baseline')!;
  assert.equal(base['final return'], 4);
  assert.equal(base['return sample std'], Math.SQRT2);
  assert.equal(base.seeds, 2);
  // one seed: no deviation to show (blank in the markdown table), never a misleading 0
  const one = summaryTable(
    loadRuns(root)
      .filter((r) => r.manifest.config.variant === 'baseline')
      .slice(0, 1),
  );
  assert.ok(Number.isNaN((one.objects()[0] as Record<string, number>)['return sample std']));
});

test('a torn last log line (a kill mid-write) is dropped, the rest stays readable', () => {
  const f = path.join(root, 'torn.jsonl');
  fs.writeFileSync(f, '{"type":"eval","envSteps":1,"updates":0,"wallSeconds":0}\n{"type":"ev');
  assert.equal(readLog(f).length, 1);
});

test("a plain run's arm is its variant", () => {
  assert.deepEqual(
    loadRuns(root).map((r) => [r.arm, r.manifest.config.variant]),
    [
      ['baseline', 'baseline'],
      ['baseline', 'baseline'],
      ['seer', 'seer'],
    ],
  );
});

test('groupByEnvArm: one group per (environment, arm), in the order of their first item', () => {
  const items = [
    { env: 'a', arm: 'x', n: 0 },
    { env: 'b', arm: 'x', n: 1 },
    { env: 'a', arm: 'y', n: 2 },
    { env: 'a', arm: 'x', n: 3 },
    // names that a joined string key would confuse ('a' + 'x|y' vs 'a|x' + 'y')
    { env: 'a|x', arm: 'y', n: 4 },
    { env: 'a', arm: 'x|y', n: 5 },
  ];
  assert.deepEqual(
    groupByEnvArm(items, (i) => i).map((g) => [g.env, g.arm, g.items.map((i) => i.n)]),
    [
      ['a', 'x', [0, 3]],
      ['b', 'x', [1]],
      ['a', 'y', [2]],
      ['a|x', 'y', [4]],
      ['a', 'x|y', [5]],
    ],
  );
});

test('seer report on a section folder draws arms from the folders, leaves pre-training out, keeps configs', () => {
  const dir = tmpDir('seer-report-arms-');
  for (const [arm, variant] of [
    ['constrained-seer@int8', 'constrained-seer'],
    ['constrained-seer', 'constrained-seer'],
    ['pretrain', 'baseline'],
  ]) {
    const run = path.join(dir, arm, 'minatar_breakout__s0');
    fs.mkdirSync(run, { recursive: true });
    fs.writeFileSync(
      path.join(run, 'manifest.json'),
      JSON.stringify({ seed: 0, config: { env: 'minatar/breakout', variant } }),
    );
    new RunLog(path.join(run, 'log.jsonl')).append({
      type: 'eval',
      envSteps: 0,
      updates: 0,
      wallSeconds: 0,
      evalReturn: 1,
    });
  }
  const runs = reportRuns(dir, loadRuns(dir));
  assert.deepEqual(
    runs.map((r) => [r.arm, r.manifest.config.variant]),
    [
      ['constrained-seer@int8', 'constrained-seer'],
      ['constrained-seer', 'constrained-seer'],
    ],
  );
  assert.deepEqual(summaryTable(runs).array('variant'), ['constrained-seer@int8', 'constrained-seer']);
});
