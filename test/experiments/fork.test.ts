/**
 * A SEER run forked from its baseline's fork point (the baseline's last checkpoint before T_f) must write the
 * same log as a SEER run from scratch, wall time aside: that identity is what makes forking honest. Forks the
 * identity does not cover are refused, naming why.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runExperiment } from '../../lib/experiments/train';
import { readLog } from '../../lib/experiments/log';
import { resolveConfig, type ExperimentConfig } from '../../lib/experiments/config';
import { forkPointDir, forkProblem } from '../../lib/experiments/fork';
import { readLatestCheckpoint } from '../../lib/experiments/checkpoint';
import { sectionJobs, type SectionJob } from '../../lib/experiments/sections';
import { runSection } from '../../lib/experiments/section-run';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'seer-fork-'));

/** The log without wall-clock times and resume/fork markers. */
function comparable(dir: string): string[] {
  return readLog(path.join(dir, 'log.jsonl'))
    .filter((r) => r.type !== 'resume' && r.type !== 'fork')
    .map((r) => JSON.stringify({ ...r, wallSeconds: 0 }));
}

type Cfg = Partial<ExperimentConfig> & { env: string };

async function forkMatchesScratch(name: string, seer: Cfg): Promise<void> {
  const baseline = path.join(tmp, `${name}-baseline`);
  const scratch = path.join(tmp, `${name}-scratch`);
  const forked = path.join(tmp, `${name}-forked`);
  // Checkpoints at every episode end, so the fork point lies well inside the run.
  const source = seer.variant === 'constrained-seer' ? 'constrained-images' : 'baseline';
  const { latentDtype: _unusedBeforeTf, ...sourceCfg } = seer; // the source need not name the target's latent dtype
  await runExperiment({ ...sourceCfg, variant: source, checkpointSeconds: 0 }, { out: baseline });
  await runExperiment(seer, { out: scratch });
  const point = readLatestCheckpoint(forkPointDir(baseline))!.meta.loop as { updates: number };
  assert.ok(point.updates > 0 && point.updates <= resolveConfig(seer).freezeAt, `fork point at update ${point.updates}`);

  await runExperiment(seer, { out: forked, forkFrom: baseline });
  assert.deepEqual(comparable(forked), comparable(scratch));
  assert.ok(comparable(scratch).some((l) => l.includes('"type":"freeze"')), 'the run freezes after the fork point');
  const manifest = JSON.parse(fs.readFileSync(path.join(forked, 'manifest.json'), 'utf8')) as { forkedFrom: { dir: string; updates: number }; config: ExperimentConfig };
  assert.deepEqual(manifest.forkedFrom, { dir: path.relative(forked, baseline), updates: point.updates });
  assert.equal(manifest.config.variant, seer.variant);
  assert.equal(readLog(path.join(forked, 'log.jsonl')).filter((r) => r.type === 'fork').length, 1);

  // Killed after the fork, resumed (its own checkpoint wins over the fork point): still the same log.
  const killed = path.join(tmp, `${name}-killed`);
  const first = await runExperiment({ ...seer, checkpointSeconds: 0 }, { out: killed, forkFrom: baseline, stopAfterSteps: 6 });
  assert.equal(first.completed, false);
  await runExperiment({ ...seer, checkpointSeconds: 0 }, { out: killed, forkFrom: baseline, resume: true });
  assert.deepEqual(comparable(killed), comparable(scratch));
}

test('rainbow: a seer run forked from its baseline logs exactly what a seer run from scratch logs', async () => {
  await forkMatchesScratch('rainbow', { env: 'minatar/breakout', variant: 'seer', scale: 'smoke' });
});

test('constrained memory: a constrained-seer run forked from constrained-images logs what it logs from scratch', async () => {
  await forkMatchesScratch('constrained', { env: 'minatar/breakout', variant: 'constrained-seer', scale: 'smoke', memoryBudget: '0.3MB', latentDtype: 'int8' });
});

test('curl: a seer run forked from its baseline logs exactly what a seer run from scratch logs', async () => {
  await forkMatchesScratch('curl', { env: 'cartpole-swingup', variant: 'seer', scale: 'smoke', steps: 24, initSteps: 4, freezeAt: 12, evalEvery: 8, maxEpisodeSteps: 4 });
});

test('a baseline keeps a fork point within about one episode of T_f, even when the clock asks for no checkpoint', async () => {
  const dir = path.join(tmp, 'near-freeze');
  await runExperiment({ env: 'minatar/breakout', variant: 'baseline', scale: 'smoke', checkpointSeconds: 86400 }, { out: dir });
  const cfg = resolveConfig({ env: 'minatar/breakout', variant: 'baseline', scale: 'smoke' });
  const loop = readLatestCheckpoint(forkPointDir(dir))!.meta.loop as { updates: number; step: number; episode: number };
  const meanEpisode = loop.step / loop.episode;
  assert.ok(loop.updates <= cfg.freezeAt && cfg.freezeAt - loop.updates < 2 * meanEpisode, `fork point at update ${loop.updates}, T_f ${cfg.freezeAt}, episodes of ${meanEpisode.toFixed(1)} steps`);
});

test('forks the identity does not cover are refused, naming why', async () => {
  const base = resolveConfig({ env: 'minatar/breakout', variant: 'baseline', scale: 'smoke' });
  const seer = { ...base, variant: 'seer' as const };
  assert.equal(forkProblem(base, seer), undefined);
  assert.equal(forkProblem(base, { ...seer, checkpointSeconds: 5, snapshotEvery: 7 }), undefined, 'bookkeeping settings may differ');
  assert.equal(forkProblem(base, { ...seer, latentDtype: 'float16', copies: 2 }), undefined, 'so may the latent replay, unused before T_f');
  assert.equal(forkProblem({ ...base, variant: 'constrained-images' }, { ...seer, variant: 'constrained-seer' }), undefined);
  assert.match(forkProblem(seer, seer)!, /source run is variant 'seer', which freezes/);
  assert.match(forkProblem(base, { ...seer, variant: 'capacity-control' })!, /'capacity-control' never freezes/);
  assert.match(forkProblem(base, { ...seer, variant: 'constrained-seer' })!, /'baseline' and 'constrained-seer' keep different image replays before T_f/);
  assert.match(forkProblem(base, { ...seer, freezeRule: 'adaptive' })!, /freezeRule 'adaptive' cannot fork/);
  assert.match(forkProblem(base, { ...seer, batchSize: 64 })!, /differ in batchSize \(8 vs 64\)/);

  const src = path.join(tmp, 'refuse-baseline');
  await expectReject(runExperiment(seer, { out: path.join(tmp, 'refuse-a'), forkFrom: path.join(tmp, 'nowhere') }), /no manifest.json/);
  await runExperiment({ ...base, steps: 40, checkpointSeconds: 86400 }, { out: src, stopAfterSteps: 5 }); // stopped before any checkpoint: no fork point
  await expectReject(runExperiment(seer, { out: path.join(tmp, 'refuse-b'), forkFrom: src }), /differ in steps/);
  await expectReject(runExperiment({ ...seer, steps: 40 }, { out: path.join(tmp, 'refuse-c'), forkFrom: src }), /no fork point yet/);
});

async function expectReject(p: Promise<unknown>, re: RegExp): Promise<void> {
  await assert.rejects(p, re);
}

test('section jobs: each freezing job forks from the non-freezing job of the same setting, when there is one', () => {
  const twins = { seer: 'baseline', 'constrained-seer': 'constrained-images' } as const;
  for (const name of ['resolution', 'memory'] as const) {
    const jobs = sectionJobs(name, 'laptop', `/data/runs/${name}`);
    for (const j of jobs.filter((x) => x.config.variant === 'seer' || x.config.variant === 'constrained-seer')) {
      const twin = jobs.find((b) => b.dir === j.forkFrom);
      assert.ok(twin, `${j.dir} has no run to fork from`);
      const v = j.config.variant as keyof typeof twins;
      assert.equal(twin.config.variant, twins[v]);
      const { latentDtype: _d, ...own } = j.config;
      assert.deepEqual({ ...twin.config, variant: v }, own);
    }
  }
  // Transfer's seer arm starts from a pre-trained encoder, not from its scratch baseline: no fork.
  assert.ok(sectionJobs('transfer', 'laptop', '/r').every((j) => j.forkFrom === undefined));
});

test('a section runs its baselines first, then its SEER runs as forks of them', async () => {
  const root = path.join(tmp, 'section', 'compute');
  const started: SectionJob[] = [];
  const failed = await runSection('compute', 'smoke', { root, jobs: 0, onEvent: (e) => e.status === 'start' && started.push(e.job) });
  assert.deepEqual(failed, []);
  const firstFork = started.findIndex((j) => j.forkFrom);
  assert.ok(firstFork > 0 && started.slice(firstFork).every((j) => j.forkFrom), started.map((j) => j.dir).join('\n'));
  for (const j of started.filter((x) => x.config.variant === 'seer')) {
    const m = JSON.parse(fs.readFileSync(path.join(j.dir, 'manifest.json'), 'utf8')) as { forkedFrom?: { dir: string } };
    assert.equal(m.forkedFrom?.dir, path.relative(j.dir, j.forkFrom!), `${j.dir} did not fork`);
  }
});

test('in child processes, each SEER run starts once its own baseline has finished, and forks from it', async () => {
  const root = path.join(tmp, 'section-children', 'compute');
  const events: { status: string; dir: string }[] = [];
  const failed = await runSection('compute', 'smoke', { root, jobs: 2, onEvent: (e) => events.push({ status: e.status, dir: e.job.dir }) });
  assert.deepEqual(failed, []);
  for (const j of sectionJobs('compute', 'smoke', root).filter((x) => x.forkFrom)) {
    const started = events.findIndex((e) => e.status === 'start' && e.dir === j.dir);
    const baselineDone = events.findIndex((e) => e.status === 'done' && e.dir === j.forkFrom);
    assert.ok(baselineDone >= 0 && baselineDone < started, `${j.dir} started before ${j.forkFrom} finished`);
    const m = JSON.parse(fs.readFileSync(path.join(j.dir, 'manifest.json'), 'utf8')) as { forkedFrom?: { dir: string } };
    assert.equal(m.forkedFrom?.dir, path.relative(j.dir, j.forkFrom!), `${j.dir} did not fork`);
  }
});
