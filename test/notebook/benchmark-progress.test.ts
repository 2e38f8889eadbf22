import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { benchmarkProgressNote, benchmarkProgressTable, benchmarkRuns } from '../../lib/notebook/benchmark-progress';
import { resolveConfig } from '../../lib/run/config';
import { sectionJobs } from '../../lib/plan/sections';

/** A run directory of the compute plan at benchmark scale, with evaluations at steps 0 and `steps`. */
function writeRun(dir: string, config: object, returns: number[], done: boolean): void {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify({ config: resolveConfig(config as never) }));
  const recs = returns.map((r, i) => ({
    type: 'eval',
    evalReturn: r,
    agentSteps: i * 5000,
    envSteps: i * 5000,
    updates: Math.max(0, i * 5000 - 1600),
    episode: 0,
    wallSeconds: i,
    cumulativeFlops: i,
    flops: { acting: 0 },
  }));
  fs.writeFileSync(path.join(dir, 'log.jsonl'), recs.map((r) => JSON.stringify(r) + '\n').join(''));
  if (done) fs.writeFileSync(path.join(dir, 'DONE'), '{}');
}

test('benchmark progress: planned, started and finished runs per arm, latest return, never a verdict', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-progress-'));
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
  assert.match(benchmarkProgressNote('compute', runs), /0 of 26 runs finished, 2 in progress/);
  assert.match(benchmarkProgressNote('compute', []), /none of the 26 runs has started/);
});
