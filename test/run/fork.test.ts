/**
 * A SEER run forked from its baseline's fork point (the baseline's state at its last episode end at or before T_f)
 * must write the same log as a SEER run from scratch, wall time aside: that identity is what makes forking honest.
 * Every baseline has its fork point, whatever the clock and the episode lengths; a SEER run whose baseline has
 * none usable runs from update 0 and says so. Forks the identity does not cover are refused, naming why.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runExperiment } from '../../lib/run/train';
import { readLog } from '../../lib/run/log';
import { resolveConfig, type ExperimentConfig } from '../../lib/run/config';
import { forkPointDir, forkPointOrReason, forkProblem } from '../../lib/run/fork';
import { isDone } from '../../lib/run/done';
import { readLatestCheckpoint } from '../../lib/run/checkpoint';
import { sectionJobs, type SectionJob } from '../../lib/plan/sections';
import { runJobs, runSection } from '../../lib/plan/section-run';
import { tmpDir } from '../tmp';

const tmp = tmpDir('seer-fork-');

/** The log without wall-clock times and resume/fork markers. */
function comparable(dir: string): string[] {
  return readLog(path.join(dir, 'log.jsonl'))
    .filter((r) => r.type !== 'resume' && r.type !== 'fork')
    .map((r) => JSON.stringify({ ...r, wallSeconds: 0 }));
}

type Cfg = Partial<ExperimentConfig> & { env: string };
type Manifest = { forkedFrom?: { dir: string; updates: number }; forkFallback?: { from: string; reason: string } };

async function forkMatchesScratch(name: string, seer: Cfg, sourceOverrides: Partial<Cfg> = {}): Promise<void> {
  const baseline = path.join(tmp, `${name}-baseline`);
  const scratch = path.join(tmp, `${name}-scratch`);
  const forked = path.join(tmp, `${name}-forked`);
  // Checkpoints at every episode end, so the fork point lies well inside the run.
  const source = seer.variant === 'constrained-seer' ? 'constrained-images' : 'baseline';
  const { latentDtype: _unusedBeforeTf, ...sourceCfg } = seer; // the source need not name the target's latent dtype
  await runExperiment({ ...sourceCfg, ...sourceOverrides, variant: source, checkpointSeconds: 0 }, { out: baseline });
  await runExperiment(seer, { out: scratch });
  const point = readLatestCheckpoint(forkPointDir(baseline))!.meta.loop as { updates: number };
  assert.ok(
    point.updates > 0 && point.updates <= resolveConfig(seer).freezeAt,
    `fork point at update ${point.updates}`,
  );

  await runExperiment(seer, { out: forked, forkFrom: baseline });
  assert.deepEqual(comparable(forked), comparable(scratch));
  assert.ok(
    comparable(scratch).some((l) => l.includes('"type":"freeze"')),
    'the run freezes after the fork point',
  );
  const manifest = JSON.parse(fs.readFileSync(path.join(forked, 'manifest.json'), 'utf8')) as {
    forkedFrom: { dir: string; updates: number };
    config: ExperimentConfig;
  };
  assert.deepEqual(manifest.forkedFrom, { dir: path.relative(forked, baseline), updates: point.updates });
  assert.equal(manifest.config.variant, seer.variant);
  assert.equal(readLog(path.join(forked, 'log.jsonl')).filter((r) => r.type === 'fork').length, 1);

  // Killed after the fork, resumed (its own checkpoint wins over the fork point): still the same log.
  const killed = path.join(tmp, `${name}-killed`);
  const first = await runExperiment(
    { ...seer, checkpointSeconds: 0 },
    { out: killed, forkFrom: baseline, stopAfterSteps: 6 },
  );
  assert.equal(first.completed, false);
  await runExperiment({ ...seer, checkpointSeconds: 0 }, { out: killed, forkFrom: baseline, resume: true });
  assert.deepEqual(comparable(killed), comparable(scratch));
}

test('rainbow: a seer run forked from its baseline logs exactly what a seer run from scratch logs', async () => {
  await forkMatchesScratch('rainbow', { env: 'minatar/breakout', variant: 'seer', scale: 'smoke' });
});

test('constrained memory: a constrained-seer run forked from constrained-images logs what it logs from scratch', async () => {
  await forkMatchesScratch('constrained', {
    env: 'minatar/breakout',
    variant: 'constrained-seer',
    scale: 'smoke',
    memoryBudget: '0.3MB',
    latentDtype: 'int8',
  });
});

test('curl: a seer run forked from its baseline logs exactly what a seer run from scratch logs', async () => {
  await forkMatchesScratch('curl', {
    env: 'cartpole-swingup',
    variant: 'seer',
    scale: 'smoke',
    steps: 24,
    initSteps: 4,
    freezeAt: 12,
    evalEvery: 8,
    maxEpisodeSteps: 4,
  });
});

test("curl: a seer run freezing after its baseline's T_f forks from it and logs what it logs from scratch", async () => {
  const curl: Cfg = { env: 'cartpole-swingup', variant: 'seer', scale: 'smoke', steps: 24, initSteps: 4 };
  // The baseline keeps its fork point at or before update 6; the run freezes at 14 (the benchmark's seer-late arm).
  await forkMatchesScratch('curl-late', { ...curl, freezeAt: 14, evalEvery: 8, maxEpisodeSteps: 4 }, { freezeAt: 6 });
});

/** The baseline's last episode end at or before T_f, from its log: where its fork point must be. */
function lastEpisodeEndBeforeFreeze(dir: string, freezeAt: number): { agentSteps: number; updates: number } {
  const ends = readLog(path.join(dir, 'log.jsonl')).filter((r) => r.type === 'episode' && r.updates <= freezeAt);
  assert.ok(ends.length > 0, `${dir} has no episode end at or before T_f = ${freezeAt}`);
  const { agentSteps, updates } = ends[ends.length - 1];
  return { agentSteps: agentSteps as number, updates };
}

function forkPointOf(dir: string): { agentSteps: number; updates: number } | undefined {
  const loop = readLatestCheckpoint(forkPointDir(dir))?.meta.loop as { step: number; updates: number } | undefined;
  return loop && { agentSteps: loop.step, updates: loop.updates };
}

test('a baseline keeps its fork point at its last episode end at or before T_f, whatever the clock', async () => {
  // No clock checkpoint in any of these runs (checkpointSeconds far above their length). Breakout's episodes vary;
  // in seed 1 (T_f 20) and in the compute section's seed-0 setting (T_f 16) the episode that crosses T_f is longer
  // than the mean episode before it; a time limit of 7 cuts some episodes and not others.
  const never = 86_400;
  const runs: Cfg[] = [
    { env: 'minatar/breakout', seed: 0 },
    { env: 'minatar/breakout', seed: 1 },
    { env: 'minatar/breakout', seed: 0, steps: 48, initSteps: 12, freezeAt: 16, evalEvery: 12 },
    { env: 'minatar/breakout', seed: 2, maxEpisodeSteps: 7, freezeAt: 30 },
    { env: 'cartpole-swingup', steps: 24, initSteps: 4, freezeAt: 9, evalEvery: 12, maxEpisodeSteps: 4 },
  ];
  const dirs: string[] = [];
  for (const [i, run] of runs.entries()) {
    const cfg = resolveConfig({ ...run, variant: 'baseline', scale: 'smoke', checkpointSeconds: never });
    const dir = path.join(tmp, `fork-point-${i}`);
    await runExperiment(cfg, { out: dir });
    assert.deepEqual(forkPointOf(dir), lastEpisodeEndBeforeFreeze(dir, cfg.freezeAt), `${JSON.stringify(run)}`);
    dirs.push(dir);
  }
  for (const dir of dirs) {
    assert.equal(fs.existsSync(path.join(dir, 'checkpoints')), false, `${dir}: no checkpoint but the fork point`);
  }
});

test('a baseline killed after T_f, resumed from its checkpoint before T_f, keeps the right fork point', async () => {
  // Seed 1: episodes end at steps 16, 22 and 38; T_f = 20 updates falls at step 36, inside the third episode.
  const cfg = resolveConfig({ env: 'minatar/breakout', variant: 'baseline', scale: 'smoke', seed: 1 });
  assert.equal(cfg.checkpointSeconds, 0, 'a checkpoint at every episode end');
  const dir = path.join(tmp, 'fork-point-resumed');
  const first = await runExperiment(cfg, { out: dir, stopAfterSteps: 37 });
  assert.equal(first.completed, false);
  assert.equal(forkPointOf(dir), undefined, 'written only once the run has passed T_f at an episode end');
  await runExperiment(cfg, { out: dir, resume: true });
  const want = lastEpisodeEndBeforeFreeze(dir, cfg.freezeAt);
  assert.equal(want.agentSteps, 22);
  assert.deepEqual(forkPointOf(dir), want);
});

test('a seer run whose baseline has no usable fork point runs from update 0, says so, forks once it can', async () => {
  const seer = resolveConfig({ env: 'minatar/breakout', variant: 'seer', scale: 'smoke', seed: 1 });
  seer.checkpointSeconds = 86_400;
  const scratch = path.join(tmp, 'fallback-scratch');
  await runExperiment(seer, { out: scratch });
  const src = path.join(tmp, 'fallback-baseline');
  await runExperiment({ ...seer, variant: 'baseline' }, { out: src, stopAfterSteps: 30 }); // killed before T_f

  const said: string[] = [];
  const write = console.error;
  console.error = (...a: unknown[]) => void said.push(a.join(' '));
  const out = path.join(tmp, 'fallback-seer');
  try {
    await runExperiment(seer, { out, forkFrom: src });
  } finally {
    console.error = write;
  }
  assert.ok(
    said.some((l) => /no fork point yet.*starts from update 0/.test(l)),
    said.join('\n'),
  );
  const log = readLog(path.join(out, 'log.jsonl'));
  const note = log.find((r) => r.type === 'fork-fallback');
  assert.equal(note?.from, path.relative(out, src));
  assert.match(String(note?.reason), /no fork point yet/);
  assert.equal(log.filter((r) => r.type === 'fork').length, 0);
  const manifestOf = (dir: string) => JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as Manifest;
  const manifest = manifestOf(out);
  assert.equal(manifest.forkedFrom, undefined);
  assert.equal(manifest.forkFallback?.from, path.relative(out, src));
  const withoutNote = (dir: string) => comparable(dir).filter((l) => !l.includes('"type":"fork-fallback"'));
  assert.deepEqual(withoutNote(out), comparable(scratch), 'from update 0 it is the run from scratch');

  // An unreadable fork point is no fork point either.
  await runExperiment({ ...seer, variant: 'baseline' }, { out: src, resume: true });
  const pointer = fs.readFileSync(path.join(forkPointDir(src), 'LATEST'), 'utf8').trim();
  const index = path.join(forkPointDir(src), pointer, 'index.json');
  const good = fs.readFileSync(index);
  fs.writeFileSync(index, '{"meta": {"lo');
  const garbled = path.join(tmp, 'fallback-garbled');
  await runExperiment(seer, { out: garbled, forkFrom: src });
  const reason = readLog(path.join(garbled, 'log.jsonl')).find((r) => r.type === 'fork-fallback')?.reason;
  assert.ok(String(reason).includes(forkPointDir(src)), `the reason names the fork point: ${String(reason)}`);
  fs.writeFileSync(index, good);

  // Killed before its first checkpoint while running from update 0, then re-run once the baseline has its fork
  // point: it forks now, and its log is the run from scratch.
  const repaired = path.join(tmp, 'fallback-repaired');
  const early = path.join(tmp, 'fallback-early');
  await runExperiment({ ...seer, variant: 'baseline' }, { out: early, stopAfterSteps: 10 });
  await runExperiment(seer, { out: repaired, forkFrom: early, stopAfterSteps: 5 });
  assert.ok(readLog(path.join(repaired, 'log.jsonl')).some((r) => r.type === 'fork-fallback'));
  await runExperiment({ ...seer, variant: 'baseline' }, { out: early, resume: true });
  await runExperiment(seer, { out: repaired, forkFrom: early, resume: true });
  assert.ok(isDone(repaired));
  const m = manifestOf(repaired);
  assert.deepEqual([m.forkedFrom?.dir, m.forkFallback], [path.relative(repaired, early), undefined]);
  assert.deepEqual(comparable(repaired), comparable(scratch));
});

test('forks the identity does not cover are refused, naming why', async () => {
  const base = resolveConfig({ env: 'minatar/breakout', variant: 'baseline', scale: 'smoke' });
  const seer = { ...base, variant: 'seer' as const };
  assert.equal(forkProblem(base, seer), undefined);
  assert.equal(
    forkProblem(base, { ...seer, checkpointSeconds: 5, snapshotEvery: 7 }),
    undefined,
    'bookkeeping settings may differ',
  );
  assert.equal(
    forkProblem(base, { ...seer, latentDtype: 'float16', copies: 2 }),
    undefined,
    'so may the latent replay, unused before T_f',
  );
  assert.equal(
    forkProblem({ ...base, variant: 'constrained-images' }, { ...seer, variant: 'constrained-seer' }),
    undefined,
  );
  assert.match(forkProblem(seer, seer)!, /source run is variant 'seer', which freezes/);
  assert.match(forkProblem(base, { ...seer, variant: 'capacity-control' })!, /'capacity-control' never freezes/);
  assert.match(
    forkProblem(base, { ...seer, variant: 'constrained-seer' })!,
    /'baseline' and 'constrained-seer' keep different image replays before T_f/,
  );
  assert.match(forkProblem(base, { ...seer, freezeRule: 'adaptive' })!, /freezeRule 'adaptive' cannot fork/);
  assert.match(forkProblem(base, { ...seer, batchSize: 64 })!, /differ in batchSize \(8 vs 64\)/);
  assert.equal(forkProblem(base, { ...seer, freezeAt: base.freezeAt + 4 }), undefined, 'a later T_f may fork');
  assert.match(
    forkProblem(base, { ...seer, freezeAt: base.freezeAt - 1 })!,
    /may come before the source's fork point .*it must be ≥ it/,
  );

  const src = path.join(tmp, 'refuse-baseline');
  fs.mkdirSync(path.join(tmp, 'not-a-run'));
  await expectReject(
    runExperiment(seer, { out: path.join(tmp, 'refuse-a'), forkFrom: path.join(tmp, 'not-a-run') }),
    /no manifest.json/,
  );
  // A source that has not started (another lane's, not yet begun) is one with no fork point yet: from update 0.
  const early = forkPointOrReason(path.join(tmp, 'nowhere'), seer);
  assert.ok('missing' in early && /has not started \(no such directory\)/.test(early.missing));
  await runExperiment({ ...base, steps: 40, checkpointSeconds: 86400 }, { out: src, stopAfterSteps: 5 });
  await expectReject(runExperiment(seer, { out: path.join(tmp, 'refuse-b'), forkFrom: src }), /differ in steps/);
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
  const failed = await runSection('compute', 'smoke', {
    root,
    jobs: 0,
    onEvent: (e) => e.status === 'start' && started.push(e.job),
  });
  assert.deepEqual(failed, []);
  const firstFork = started.findIndex((j) => j.forkFrom);
  assert.ok(firstFork > 0 && started.slice(firstFork).every((j) => j.forkFrom), started.map((j) => j.dir).join('\n'));
  for (const j of started.filter((x) => x.config.variant === 'seer')) {
    const m = JSON.parse(fs.readFileSync(path.join(j.dir, 'manifest.json'), 'utf8')) as {
      forkedFrom?: { dir: string };
    };
    assert.equal(m.forkedFrom?.dir, path.relative(j.dir, j.forkFrom!), `${j.dir} did not fork`);
  }
});

test('in child processes, each SEER run starts once its own baseline has finished, and forks from it', async () => {
  const root = path.join(tmp, 'section-children', 'compute');
  const events: { status: string; dir: string; at: number }[] = [];
  const failed = await runSection('compute', 'smoke', {
    root,
    jobs: 2,
    onEvent: (e) => events.push({ status: e.status, dir: e.job.dir, at: Date.now() }),
  });
  assert.deepEqual(failed, []);
  for (const j of sectionJobs('compute', 'smoke', root).filter((x) => x.forkFrom)) {
    // Finished = its DONE marker written (the last thing a run writes, after its fork point); the baseline's process
    // may still be exiting, so its 'done' event can come after the SEER run's 'start'.
    const started = events.find((e) => e.status === 'start' && e.dir === j.dir)!;
    assert.ok(events.some((e) => e.status === 'done' && e.dir === j.forkFrom));
    const finishedAt = fs.statSync(path.join(j.forkFrom!, 'DONE')).mtimeMs;
    assert.ok(finishedAt <= started.at, `${j.dir} started before ${j.forkFrom} finished`);
    const m = JSON.parse(fs.readFileSync(path.join(j.dir, 'manifest.json'), 'utf8')) as {
      forkedFrom?: { dir: string };
    };
    assert.equal(m.forkedFrom?.dir, path.relative(j.dir, j.forkFrom!), `${j.dir} did not fork`);
  }
});

test('no clock checkpoints: a section forks every SEER run; with no fork points they start at 0, say so', async () => {
  const root = path.join(tmp, 'section-no-clock', 'compute');
  const noClock = (j: SectionJob): SectionJob => ({ ...j, config: { ...j.config, checkpointSeconds: 86_400 } });
  const jobs = sectionJobs('compute', 'smoke', root).map(noClock);
  const forks = jobs.filter((j) => j.forkFrom);
  assert.ok(forks.length >= 2);
  const notes: string[] = [];
  const onEvent = (e: { job: SectionJob; reason?: string }) => e.reason && notes.push(`${e.job.dir}: ${e.reason}`);
  assert.deepEqual(await runJobs(jobs, { jobs: 0, onEvent }), []);
  assert.equal(notes.length, 0, notes.join('\n'));
  for (const j of forks) {
    const forkedFrom = (JSON.parse(fs.readFileSync(path.join(j.dir, 'manifest.json'), 'utf8')) as Manifest).forkedFrom;
    assert.equal(forkedFrom?.dir, path.relative(j.dir, j.forkFrom!), `${j.dir} did not fork`);
    assert.equal(readLog(path.join(j.dir, 'log.jsonl')).filter((r) => r.type === 'fork').length, 1, j.dir);
  }

  // Baselines finished without a fork point (as older code left them): the SEER runs run from update 0, and the
  // runner's 'done' events say why.
  for (const j of forks) {
    fs.rmSync(j.dir, { recursive: true });
    fs.rmSync(forkPointDir(j.forkFrom!), { recursive: true });
  }
  assert.deepEqual(await runJobs(jobs, { jobs: 0, onEvent }), []);
  assert.equal(notes.length, forks.length, notes.join('\n'));
  for (const j of forks) {
    assert.ok(isDone(j.dir), j.dir);
    const said = notes.some((n) => n.startsWith(`${j.dir}: ran from update 0: `) && n.includes('no fork point yet'));
    assert.ok(said, notes.join('\n'));
    assert.equal(readLog(path.join(j.dir, 'log.jsonl')).filter((r) => r.type === 'fork-fallback').length, 1, j.dir);
  }
});
