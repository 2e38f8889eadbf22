/**
 * Time estimates from measured speeds (issue 17): per-phase seconds per step read off finished runs' logs, a new
 * run estimated phase by phase, and `seer section --status` listing each unfinished run with its command and time.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { estimateRun, ownSpeeds, phaseSpeeds, speedSamples, type SpeedSample } from '../../lib/plan/estimate';
import { resolveConfig } from '../../lib/run/config';
import type { LogRecord } from '../../lib/run/log';
import { jobCommand, sectionStatusLines, startStep } from '../../lib/plan/section-status';
import { cliArgs, sectionJobs } from '../../lib/plan/sections';
import { tmpDir } from '../tmp';

const evalAt = (agentSteps: number, wallSeconds: number, frozen = false): LogRecord => ({
  type: 'eval',
  agentSteps,
  envSteps: agentSteps,
  updates: 0,
  wallSeconds,
  frozen,
});

/** A laptop-scale CURL SEER run: 1,000 warm-up steps, T_f at step 2,500, 5,000 steps. */
const CURL_LOG: LogRecord[] = [
  evalAt(0, 3),
  evalAt(500, 5),
  evalAt(1000, 7), // warm-up: 2 s per 500 steps
  evalAt(1500, 207),
  evalAt(2000, 407),
  evalAt(2500, 607), // updates on images: 0.4 s per step
  { type: 'freeze', agentSteps: 2501, envSteps: 2501, updates: 1500, wallSeconds: 617 },
  evalAt(3000, 637, true),
  evalAt(3500, 657, true),
  evalAt(4000, 677, true),
  evalAt(4500, 697, true),
  evalAt(5000, 717, true),
];

test('phase speeds come from the intervals between evaluations; the one holding the switch is left out', () => {
  const s = phaseSpeeds(CURL_LOG, 1000);
  assert.equal(s['warm-up'], 4 / 1000);
  assert.equal(s.updates, 600 / 1500);
  assert.equal(s.frozen, 80 / 2000); // 2,500 → 3,000 holds the switch (frozen only at its end): not counted
});

test("a forked run's speeds leave out the intervals copied from its source", () => {
  // the source's records up to the fork (updates at 0.4 s per step), then the fork's own (frozen at 0.04)
  const forked: LogRecord[] = [
    ...CURL_LOG.slice(0, 6),
    { type: 'fork', agentSteps: 2400, envSteps: 2400, updates: 1400, wallSeconds: 567 },
    ...CURL_LOG.slice(6),
  ];
  const s = phaseSpeeds(forked, 1000);
  assert.equal(s.updates, undefined, "every image interval is the source's");
  assert.equal(s['warm-up'], undefined);
  assert.equal(s.frozen, 80 / 2000);
});

test('a run is estimated phase by phase; a fork or a started run only for what is left', () => {
  const config = resolveConfig({ env: 'cartpole-swingup', scale: 'laptop', variant: 'seer' });
  const samples: SpeedSample[] = [{ dir: 'x', config, secondsPerStep: phaseSpeeds(CURL_LOG, 1000) }];
  const seer = estimateRun({ env: 'cartpole-swingup', scale: 'laptop', variant: 'seer' }, samples)!;
  assert.ok(Math.abs(seer.seconds - (1000 * 0.004 + 1500 * 0.4 + 2500 * 0.04)) < 1e-9);
  assert.match(seer.basis, /measured speeds of 1 finished run$/);
  const baseline = estimateRun({ env: 'cartpole-swingup', scale: 'laptop', variant: 'baseline' }, samples)!;
  assert.ok(Math.abs(baseline.seconds - (1000 * 0.004 + 4000 * 0.4)) < 1e-9);
  const forked = estimateRun({ env: 'cartpole-swingup', scale: 'laptop', variant: 'seer' }, samples, 2500)!;
  assert.ok(Math.abs(forked.seconds - 2500 * 0.04) < 1e-9);
  // another agent: no finished run measured it
  assert.equal(estimateRun({ env: 'minatar/breakout', scale: 'laptop' }, samples), undefined);
});

test('a run whose batch no finished run shares is scaled from runs of the same network by the ratio of batches', () => {
  const laptop = resolveConfig({ env: 'cartpole-swingup', scale: 'laptop', variant: 'seer' });
  const speeds = phaseSpeeds(CURL_LOG, 1000);
  const samples: SpeedSample[] = [{ dir: 'x', config: laptop, secondsPerStep: speeds }];
  const input = { env: 'walker-walk', scale: 'laptop', variant: 'baseline', batchSize: 4 * laptop.batchSize } as const;
  const cfg = resolveConfig(input);
  const est = estimateRun(input, samples)!;
  // warm-up steps do no updates: unscaled; update steps: 4× the measured seconds per step
  const expected = cfg.initSteps * speeds['warm-up']! + (cfg.steps - cfg.initSteps) * 4 * speeds.updates!;
  assert.ok(Math.abs(est.seconds - expected) < 1e-6, `${est.seconds} vs ${expected}`);
  assert.equal(est.scaledFrom, laptop.batchSize);
  assert.match(est.basis, new RegExp(`scaled from batch ${laptop.batchSize} to ${cfg.batchSize}$`));
  // a run at the measured batch is not scaled, and another network (a different image size) is not matched at all
  const same = estimateRun({ env: 'walker-walk', scale: 'laptop', variant: 'baseline' }, samples)!;
  assert.equal(same.scaledFrom, undefined);
  assert.ok(
    Math.abs(same.seconds - (cfg.initSteps * speeds['warm-up']! + (cfg.steps - cfg.initSteps) * speeds.updates!)) <
      1e-6,
  );
  assert.equal(estimateRun({ ...input, imageSize: 50 }, samples), undefined);
});

test('a started run is estimated from its own speed so far where it has measured one', () => {
  const config = resolveConfig({ env: 'cartpole-swingup', scale: 'laptop', variant: 'baseline' });
  const samples: SpeedSample[] = [{ dir: 'x', config, secondsPerStep: phaseSpeeds(CURL_LOG, 1000) }];
  // the run itself: 1,000 warm-up steps, then updates at 1.0 s per step (the finished run measured 0.4)
  const root = tmpDir('seer-own-');
  const own = [evalAt(0, 0), evalAt(1000, 4), evalAt(1500, 504), evalAt(2000, 1004)];
  writeRun(root, config, own, false);
  const speeds = ownSpeeds(root, config.initSteps);
  assert.equal(speeds.updates, 1.0);
  const est = estimateRun({ env: 'cartpole-swingup', scale: 'laptop', variant: 'baseline' }, samples, 2000, speeds)!;
  assert.ok(Math.abs(est.seconds - (config.steps - 2000) * 1.0) < 1e-9);
  assert.equal(est.basis, "the run's own speed so far");
  // a phase the run has not measured yet comes from the finished runs
  const seer = estimateRun({ env: 'cartpole-swingup', scale: 'laptop', variant: 'seer' }, samples, 2000, speeds)!;
  assert.ok(Math.abs(seer.seconds - (500 * 1.0 + 2500 * 0.04)) < 1e-9);
  assert.equal(seer.basis, "the run's own speed so far and measured speeds of 1 finished run");
  assert.deepEqual(ownSpeeds(path.join(root, 'none'), config.initSteps), {});
});

function writeRun(dir: string, config: object, log: LogRecord[], done = true): void {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify({ config }));
  fs.writeFileSync(path.join(dir, 'log.jsonl'), log.map((r) => JSON.stringify(r) + '\n').join(''));
  if (done) fs.writeFileSync(path.join(dir, 'DONE'), '{}');
}

test('speed samples are read from finished runs only', () => {
  const root = tmpDir('seer-speeds-');
  const config = resolveConfig({ env: 'cartpole-swingup', scale: 'laptop', variant: 'seer' });
  writeRun(path.join(root, 'a'), config, CURL_LOG);
  writeRun(path.join(root, 'b'), config, CURL_LOG.slice(0, 5), false);
  const samples = speedSamples([root]);
  assert.deepEqual(
    samples.map((s) => path.basename(s.dir)),
    ['a'],
  );
});

test('section --status lists each unfinished run with the command that makes it and its estimated time', () => {
  const root = tmpDir('seer-status-');
  const jobs = sectionJobs('compute', 'smoke', root);
  const rainbow = jobs.find((j) => j.env === 'minatar/breakout' && j.arm === 'baseline')!;
  // one finished smoke Rainbow run with measured speeds; everything else missing
  const cfg = resolveConfig(rainbow.config);
  writeRun(rainbow.dir, cfg, [
    evalAt(0, 1),
    evalAt(cfg.initSteps, 1 + cfg.initSteps * 0.01),
    evalAt(cfg.steps, 1 + cfg.initSteps * 0.01 + (cfg.steps - cfg.initSteps) * 0.5),
  ]);
  // a finished baseline keeps its fork point (checkpoints-fork/), where its SEER run starts
  fs.mkdirSync(path.join(rainbow.dir, 'checkpoints-fork', 'step-1'), { recursive: true });
  fs.writeFileSync(path.join(rainbow.dir, 'checkpoints-fork', 'LATEST'), 'step-1');
  const samples = speedSamples([root]);
  const lines = sectionStatusLines('compute', 'smoke', root, samples, 2);
  const text = lines.join('\n');
  assert.match(text, new RegExp(`^done +\\S*${path.basename(rainbow.dir)}`, 'm'));
  const seer = jobs.find((j) => j.env === 'minatar/breakout' && j.arm === 'seer')!;
  assert.ok(seer.forkFrom, 'the seer job forks from its baseline');
  const seerLine = lines.findIndex(
    (l) => l.includes(path.relative(process.cwd(), seer.dir)) && l.startsWith('missing'),
  );
  assert.ok(seerLine >= 0, text);
  const after = cfg.steps - (cfg.initSteps + cfg.freezeAt); // only what follows the fork point, at the measured rate
  assert.match(
    lines[seerLine],
    new RegExp(`about ${Math.floor(after * 0.5)}s; starts from .* once that has passed T_f`),
  );
  assert.equal(lines[seerLine + 1].trim(), jobCommand(seer));
  assert.ok(
    jobCommand(seer).includes(cliArgs(seer.config).join(' ')) &&
      jobCommand(seer).endsWith(`--resume --fork-from ${path.relative(process.cwd(), seer.forkFrom!)}`),
  );
  assert.match(text, /time unknown: no finished run measured this setting/); // CURL: nothing measured
  // A fork job that started without its source's fork point says it runs from update 0, and why.
  const late = jobs.find((j) => j.env === 'cartpole-swingup' && j.arm === 'seer')!;
  const reason = 'cannot fork from there, it has not started';
  fs.mkdirSync(late.dir, { recursive: true });
  fs.writeFileSync(
    path.join(late.dir, 'manifest.json'),
    JSON.stringify({ config: late.config, forkFallback: { from: '..', reason } }),
  );
  fs.writeFileSync(path.join(late.dir, 'log.jsonl'), JSON.stringify(evalAt(0, 0)) + '\n');
  const again = sectionStatusLines('compute', 'smoke', root, samples, 2).join('\n');
  assert.match(again, new RegExp(`^started .*cartpole-swingup.*; runs from update 0: ${reason}\\)`, 'm'));
  assert.match(
    lines[lines.length - 1],
    new RegExp(
      `^1 of ${jobs.length} runs finished; the rest take about .* with 2 processes .*plus \\d+ runs of unknown time`,
    ),
  );
});

test("a fork starts at its source's fork point (the source's T_f), or at 0 when the source finished without one", () => {
  const root = tmpDir('seer-start-');
  const jobs = sectionJobs('compute', 'benchmark', root);
  const late = jobs.find((j) => j.arm === 'seer-late' && j.env === 'cartpole-swingup' && j.seed === 0)!;
  assert.ok(late.forkFrom, 'seer-late forks from the compute baseline');
  const source = jobs.find((j) => j.dir === late.forkFrom)!;
  const src = resolveConfig(source.config);
  assert.ok(resolveConfig(late.config).freezeAt > src.freezeAt, 'seer-late freezes later than its source keeps');
  // not started: it will fork once the source has passed T_f
  assert.equal(startStep(late), src.initSteps + src.freezeAt);
  // finished with its fork point kept: the same
  writeRun(source.dir, src, [evalAt(0, 0)]);
  fs.mkdirSync(path.join(source.dir, 'checkpoints-fork', 'step-9'), { recursive: true });
  fs.writeFileSync(path.join(source.dir, 'checkpoints-fork', 'LATEST'), 'step-9');
  assert.equal(startStep(late), src.initSteps + src.freezeAt);
  // finished without it (restored from a commit): from update 0, and the status line says why
  fs.rmSync(path.join(source.dir, 'checkpoints-fork'), { recursive: true });
  assert.equal(startStep(late), 0);
  const text = sectionStatusLines('compute', 'benchmark', root, [], 2).join('\n');
  assert.match(text, /seer-late\/cartpole-swingup__s0 .*runs from update 0: .* finished without keeping a fork point/);
  // a started run continues from where it is
  writeRun(late.dir, resolveConfig(late.config), [evalAt(0, 0), evalAt(1250, 10)], false);
  assert.equal(startStep(late), 1250);
});
