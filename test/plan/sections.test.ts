/**
 * The paper's sections as data (plans valid at every scale, paper numbers as printed), the transfer hand-over
 * (the frozen encoder of a transfer run is exactly the pre-trained one) and snapshot runs (one snapshot per
 * segment, loadable into a SAC-AE encoder).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SCALES } from '../../lib/run/scale';
import {
  cliArgs,
  loadSection,
  section,
  sectionJobs,
  sectionStatus,
  SECTION_NAMES,
  SECTIONS,
  withLayoutArms,
  withoutPretraining,
} from '../../lib/plan/sections';
import { missingNote } from '../../lib/report/section-report';
import { isCurlEncoderKey, readPretrainedEncoder, runTransfer, withEncoder } from '../../lib/plan/transfer';
import { runWithSnapshots, snapshotDir } from '../../lib/run/snapshot-run';
import { runExperiment } from '../../lib/run/train';
import { readLatestCheckpoint } from '../../lib/run/checkpoint';
import { readLog } from '../../lib/run/log';
import type { RunResult } from '../../lib/report/results';
import { DiskSnapshotStore, loadSnapshot } from '../../lib/analysis/snapshots';
import { makeEncoder } from '../../lib/nets/encoders';
import { tmpDir } from '../tmp';

const tmp = tmpDir('seer-sections-');

test('every section has a valid plan at every scale, with unique run folders', () => {
  for (const name of SECTION_NAMES) {
    for (const scale of SCALES) {
      const jobs = sectionJobs(name, scale, '/r');
      assert.ok(jobs.length > 0, `${name}/${scale} has no runs`);
      assert.equal(new Set(jobs.map((j) => j.dir)).size, jobs.length, `${name}/${scale}: two runs share a folder`);
      for (const a of SECTIONS[name].plans[scale].arms)
        assert.ok(
          jobs.some((j) => j.arm === a.name),
          `${name}/${scale}: arm ${a.name} has no runs`,
        );
      for (const j of jobs) assert.equal(j.config.scale, scale);
    }
  }
});

test('laptop plans have at least 3 seeds per arm and environment (issue 9: data/ holds ≥ 3 seeds)', () => {
  for (const name of SECTION_NAMES) {
    const jobs = sectionJobs(name, 'laptop', '/r').filter((j) => j.arm !== 'pretrain');
    const groups = new Map<string, number>();
    for (const j of jobs) groups.set(`${j.arm} ${j.env}`, (groups.get(`${j.arm} ${j.env}`) ?? 0) + 1);
    // The one exception, declared in the plan and checked on data below: a run that would repeat another.
    const fewer = SECTIONS[name].plans.laptop.arms.filter((a) => a.seeds).map((a) => `${a.name} ${a.seeds}`);
    assert.deepEqual(fewer, name === 'memory' ? ['capacity-control 0'] : []);
    for (const [g, n] of groups)
      if (!(name === 'memory' && g === 'capacity-control cartpole-swingup'))
        assert.ok(n >= 3, `${name}: ${g} has ${n} seeds`);
  }
});

test("laptop memory: the capacity control on cartpole-swingup is compute's baseline again (why it has one seed)", () => {
  const runs = path.join(__dirname, '..', '..', 'data', 'runs');
  const control = readLog(path.join(runs, 'memory', 'capacity-control', 'cartpole-swingup__s0', 'log.jsonl'));
  const baseline = readLog(path.join(runs, 'compute', 'baseline', 'cartpole-swingup__s0', 'log.jsonl'));
  const capacity = (log: typeof control): unknown => log.find((r) => r.type === 'start')!.capacity;
  assert.equal(capacity(control), 5000);
  assert.equal(capacity(control), capacity(baseline));
  const evals = (log: typeof control): unknown[] =>
    log.filter((r) => r.type === 'eval').map((r) => [r.agentSteps, r.evalReturn]);
  assert.equal(evals(control).length, 11);
  assert.deepEqual(evals(control), evals(baseline));
});

test('section plans say what they claim to test', () => {
  const transfer = sectionJobs('transfer', 'smoke', '/r');
  const pre = transfer.filter((j) => j.arm === 'pretrain');
  assert.ok(pre.length > 0 && pre.every((j) => j.env === 'walker-stand' && j.config.checkpointSeconds === 0));
  for (const j of transfer.filter((x) => x.arm === 'pretrained+frozen')) {
    assert.equal(j.config.variant, 'seer');
    assert.equal(j.config.freezeAt, 0);
    assert.equal(j.pretrainedFrom, pre.find((p) => p.seed === j.seed)!.dir);
  }
  const res = sectionJobs('resolution', 'laptop', '/r');
  assert.ok(
    res.some(
      (j) =>
        j.arm === 'baseline@half' &&
        j.env === 'cartpole-swingup' &&
        j.config.imageSize === 50 &&
        j.config.agentOptions?.cropSize === 42,
    ),
  );
  assert.ok(res.some((j) => j.arm === 'baseline@half' && j.env === 'minatar/breakout' && j.config.imageSize === 42));
  assert.ok(sectionJobs('impala', 'laptop', '/r').every((j) => j.config.encoder === 'impala'));
  assert.deepEqual(
    new Set(sectionJobs('memory', 'laptop', '/r').map((j) => j.config.variant)),
    new Set(['baseline', 'constrained-images', 'constrained-seer', 'capacity-control']),
  );
  assert.throws(() => section('computer'), /unknown section 'computer'. Accepted: compute, memory/);
});

test("resolution's full-resolution arms are the compute section's runs, shared rather than repeated", () => {
  for (const scale of SCALES) {
    const compute = sectionJobs('compute', scale, '/data/runs/compute');
    const res = sectionJobs('resolution', scale, '/data/runs/resolution');
    const full = res.filter((j) => j.arm === 'baseline' || j.arm === 'seer');
    assert.ok(full.length > 0);
    for (const j of full) {
      const twin = compute.find((c) => c.dir === j.dir);
      assert.ok(twin, `${scale}: ${j.dir} is not a compute run`);
      assert.deepEqual(twin.config, j.config);
    }
    assert.ok(res.filter((j) => j.arm.endsWith('@half')).every((j) => j.dir.startsWith('/data/runs/resolution/')));
  }
  // Memory's unbounded CURL runs are compute's baselines; its unbounded game runs carry the budget override, so are its own.
  for (const scale of ['laptop', 'paper'] as const) {
    const compute = sectionJobs('compute', scale, '/data/runs/compute');
    const unbounded = sectionJobs('memory', scale, '/data/runs/memory').filter((j) => j.arm === 'unbounded');
    for (const j of unbounded.filter((x) => !x.env.startsWith('minatar/'))) {
      assert.equal(compute.find((c) => c.dir === j.dir)?.arm, 'baseline', `${scale}: ${j.dir}`);
    }
    assert.ok(
      unbounded
        .filter((x) => x.env.startsWith('minatar/'))
        .every((j) => j.dir.startsWith('/data/runs/memory/unbounded/')),
    );
  }
  // A shared arm whose config drifted from the other section's would silently compare different experiments.
  const saved = SECTIONS.resolution.plans.laptop.overrides;
  SECTIONS.resolution.plans.laptop.overrides = { rainbow: { batchSize: 64 } };
  try {
    assert.throws(
      () => sectionJobs('resolution', 'laptop', '/r'),
      /shared with compute, but their configs differ for minatar\/breakout/,
    );
  } finally {
    SECTIONS.resolution.plans.laptop.overrides = saved;
  }
});

test("loadSection also loads shared arms, from the other section's folder", async () => {
  const runs = path.join(tmp, 'shared', 'runs');
  const res = sectionJobs('resolution', 'smoke', path.join(runs, 'resolution'));
  const shared = res.find((j) => j.arm === 'baseline' && j.env === 'minatar/breakout' && j.seed === 0)!;
  const own = res.find((j) => j.arm === 'baseline@half' && j.env === 'minatar/breakout' && j.seed === 0)!;
  assert.ok(shared.dir.startsWith(path.join(runs, 'compute')));
  for (const j of [shared, own]) await runExperiment(j.config, { out: j.dir });
  const only = loadSection(path.join(runs, 'resolution'));
  assert.deepEqual(
    only.map((r) => r.arm),
    ['baseline@half'],
  );
  const all = loadSection(path.join(runs, 'resolution'), { name: 'resolution', scale: 'smoke' });
  assert.deepEqual(all.map((r) => r.arm).sort(), ['baseline', 'baseline@half']);
  // The arm is a field of its own: each run's config stays the one it was made with.
  assert.deepEqual(
    all.map((r) => r.manifest.config.variant),
    ['baseline', 'baseline'],
  );
  // Labelled with this section's arm, even where the other section's folder is named differently.
  const memoryRuns = path.join(tmp, 'shared-memory', 'runs');
  const unbounded = sectionJobs('memory', 'laptop', path.join(memoryRuns, 'memory')).find(
    (j) => j.arm === 'unbounded' && j.env === 'cartpole-swingup' && j.seed === 0,
  )!;
  assert.equal(path.basename(path.dirname(unbounded.dir)), 'baseline');
  fs.mkdirSync(unbounded.dir, { recursive: true });
  for (const f of ['manifest.json', 'log.jsonl'])
    fs.copyFileSync(path.join(shared.dir, f), path.join(unbounded.dir, f));
  const mem = loadSection(path.join(memoryRuns, 'memory'), { name: 'memory', scale: 'laptop' });
  assert.deepEqual(
    mem.map((r) => [r.arm, r.manifest.config.variant]),
    [['unbounded', 'baseline']],
  );
  const missing = sectionStatus('resolution', 'smoke', path.join(runs, 'resolution')).missing;
  const note = missingNote('resolution', 'smoke', missing);
  assert.match(note, new RegExp(`^\\*\\*Partial results: 2 of ${res.length} runs`));
  assert.match(note, /`baseline@half` on cartpole-swingup: seed 0/);
  assert.match(note, /`seer@half` on minatar\/breakout: seeds 0, 1/);
  assert.equal(missingNote('resolution', 'smoke', []), '');
});

test('laptop scale: transfer learns walker-walk from scratch in the compute baselines, hopper-hop in its own runs', () => {
  const runs = '/runs';
  const scratch = sectionJobs('transfer', 'laptop', path.join(runs, 'transfer')).filter((j) => j.arm === 'scratch');
  assert.deepEqual(
    scratch.filter((j) => j.env === 'walker-walk').map((j) => j.dir),
    [0, 1, 2].map((s) => path.join(runs, 'compute', 'baseline', `walker-walk__s${s}`)),
  );
  assert.deepEqual(
    scratch.filter((j) => j.env === 'hopper-hop').map((j) => j.dir),
    [0, 1, 2].map((s) => path.join(runs, 'transfer', 'scratch', `hopper-hop__s${s}`)),
  );
});

test("paper numbers are Table 1's as printed", () => {
  const get = (name: 'compute' | 'memory', game: string, arm: string) =>
    SECTIONS[name].reference.find((r) => r.env === `atari/${game}` && r.arm === arm);
  // §5.2 quotes these in its text (line 140 and 142), independently of the table.
  assert.equal(get('compute', 'BankHeist', 'baseline')?.mean, 145.8);
  assert.equal(get('compute', 'BankHeist', 'seer')?.mean, 276.6);
  assert.equal(get('compute', 'Qbert', 'seer')?.mean, 4123.5);
  assert.equal(get('memory', 'CrazyClimber', 'constrained-images')?.mean, 10498.0);
  assert.equal(get('memory', 'CrazyClimber', 'constrained-seer')?.mean, 17620.0);
  assert.equal(get('memory', 'Qbert', 'constrained-seer')?.std, 1567.6);
  assert.equal(SECTIONS.compute.reference.length, 16);
  const paper = '/work/shared/reference/seer-paper.txt';
  if (fs.existsSync(paper)) {
    const text = fs.readFileSync(paper, 'utf8');
    for (const r of [...SECTIONS.compute.reference, ...SECTIONS.memory.reference]) {
      const row = text.split('\n').find((l) => l.startsWith(r.env.replace('atari/', '') + '\t'));
      assert.ok(
        row?.includes(`${r.mean.toFixed(1)} \\pm ${r.std!.toFixed(1)}`),
        `${r.env} ${r.arm}: ${r.mean} ± ${r.std} not in the paper's row '${row}'`,
      );
    }
  }
});

test('cliArgs reproduce a job config for `seer run`', () => {
  assert.deepEqual(
    cliArgs({
      env: 'cartpole-swingup',
      variant: 'seer',
      seed: 2,
      scale: 'laptop',
      imageSize: 50,
      agentOptions: { cropSize: 42 },
    }),
    [
      '--env',
      'cartpole-swingup',
      '--variant',
      'seer',
      '--seed',
      '2',
      '--scale',
      'laptop',
      '--set',
      'imageSize=50',
      '--set',
      'agentOptions.cropSize=42',
    ],
  );
});

test(
  'transfer: the target run trains on exactly the pre-trained encoder, frozen from update 0',
  { timeout: 240_000 },
  async () => {
    const small = { scale: 'smoke', steps: 12, initSteps: 6, freezeAt: 2, evalEvery: 8, maxEpisodeSteps: 4 } as const;
    const pre = path.join(tmp, 'pre');
    await runExperiment({ ...small, env: 'walker-stand', checkpointSeconds: 0 }, { out: pre });
    const encoder = readPretrainedEncoder(pre);
    assert.ok(Object.keys(encoder.tensors).every(isCurlEncoderKey));
    assert.ok(
      encoder.tensors['critic/conv1/kernel'] &&
        encoder.tensors['actor/fc/kernel'] &&
        encoder.tensors['target/ln/gamma'],
    );
    assert.ok(!isCurlEncoderKey('critic/q1/l0/kernel') && !isCurlEncoderKey('actor/trunk/l0/kernel'));

    const out = path.join(tmp, 'transfer');
    const summary = await runTransfer({ ...small, env: 'walker-walk', variant: 'seer', freezeAt: 0, seed: 3 }, pre, {
      out,
    });
    assert.equal(summary.completed, true);
    const log = readLog(path.join(out, 'log.jsonl'));
    assert.equal(log.find((r) => r.type === 'freeze')?.updates, 0);
    assert.equal(log.filter((r) => r.type === 'start').length, 1);
    // The run's last checkpoint (after updates) still holds the pre-trained encoder: it was handed over and frozen.
    const ckpt = readLatestCheckpoint(path.join(out, 'checkpoints'))!;
    assert.ok((ckpt.meta.loop as { updates: number }).updates > 0);
    // (The target encoder is hard-synced to the online one at the freeze, as in the official code.)
    for (const k of Object.keys(encoder.tensors)) {
      const expected = encoder.tensors[k.replace(/^target\//, 'critic/')];
      assert.deepEqual(ckpt.arrays[`agent/${k}`], expected, `${k} differs from the pre-trained tensor`);
    }
    const manifest = JSON.parse(fs.readFileSync(path.join(out, 'manifest.json'), 'utf8')) as {
      config: { checkpointSeconds: number };
      transfer: { pretrainedFrom: string };
    };
    assert.equal(manifest.transfer.pretrainedFrom, path.resolve(pre));
    assert.equal(manifest.config.checkpointSeconds, 0); // smoke's own default; the hand-over forced 0 only for its first phase
    await assert.rejects(
      runTransfer({ ...small, env: 'walker-walk', variant: 'seer', freezeAt: 0, seed: 3 }, pre, { out }),
      /already holds a transfer run/,
    );
    assert.throws(
      () =>
        withEncoder(
          { scalars: {}, tensors: { 'critic/conv1/kernel': { shape: [3], data: new Float32Array(3) } } },
          { ...encoder, tensors: { 'critic/conv1/kernel': new Float32Array(4) } },
        ),
      /encoders differ/,
    );
    assert.throws(() => withEncoder({ scalars: {}, tensors: {} }, encoder), /has no tensor 'critic\/conv1\/kernel'/);

    // The hand-over does not wait for an episode end: here the first episode outlasts the run (walker-walk at laptop
    // scale ends its first episode exactly at the first evaluation).
    const long = path.join(tmp, 'transfer-long');
    const longRun = await runTransfer(
      { ...small, maxEpisodeSteps: 50, env: 'walker-walk', variant: 'seer', freezeAt: 0, seed: 4 },
      pre,
      { out: long },
    );
    assert.equal(longRun.completed, true);
    const t = JSON.parse(fs.readFileSync(path.join(long, 'transfer.json'), 'utf8')) as {
      injectedAtStep: number;
      tensors: string[];
    };
    assert.equal(t.injectedAtStep, 0);
    assert.equal(t.tensors.length, Object.keys(encoder.tensors).length);
  },
);

test(
  'snapshot runs store an encoder snapshot every Δ updates from update 0, loadable into a SAC-AE encoder',
  { timeout: 240_000 },
  async () => {
    const out = path.join(tmp, 'snap');
    await runWithSnapshots(
      { env: 'cartpole-swingup', scale: 'smoke', steps: 12, initSteps: 4, evalEvery: 12, maxEpisodeSteps: 4 },
      4,
      { out },
    );
    const store = new DiskSnapshotStore(snapshotDir(out));
    assert.deepEqual(store.updates(), [0, 4, 8]); // 8 updates (12 steps after 4 random ones), Δ = 4
    const enc = makeEncoder({ kind: 'sac-ae', inputShape: [84, 84, 9], seed: 0 });
    loadSnapshot(store.get(4), enc);
    enc.dispose();
    const a = store.get(0).tensors['encoder/conv1/kernel'].data;
    const b = store.get(4).tensors['encoder/conv1/kernel'].data;
    assert.ok(
      a.some((x, i) => x !== b[i]),
      'the encoder did not change between snapshots',
    );
    // Recording snapshots leaves the run itself unchanged: its log equals a run's without them (wall time aside).
    const ref = path.join(tmp, 'snap-ref');
    await runExperiment(
      {
        env: 'cartpole-swingup',
        scale: 'smoke',
        steps: 12,
        initSteps: 4,
        evalEvery: 12,
        maxEpisodeSteps: 4,
        checkpointSeconds: 0,
      },
      { out: ref },
    );
    const strip = (d: string) =>
      readLog(path.join(d, 'log.jsonl'))
        .filter((r) => r.type !== 'resume')
        .map((r) => JSON.stringify({ ...r, wallSeconds: 0 }));
    assert.deepEqual(strip(out), strip(ref));
  },
);

test('section runs take their arm from the plan, else their folder; pre-training runs are no curve', () => {
  const fake = (dir: string, variant: string): RunResult => ({
    dir,
    manifest: { config: { env: 'minatar/breakout', variant } } as RunResult['manifest'],
    log: [],
    evals: [],
    done: true,
    arm: variant, // as loadRun sets it: a plain run's arm is its variant
  });
  const runs = withLayoutArms([fake('/r/seer@half/e__s0', 'seer'), fake('/r/pretrain/e__s0', 'baseline')]);
  assert.deepEqual(
    runs.map((r) => r.arm),
    ['seer@half', 'pretrain'],
  );
  const drawn = withoutPretraining(runs);
  assert.deepEqual(
    drawn.map((r) => [r.arm, r.manifest.config.variant]),
    [['seer@half', 'seer']],
  );
  // The plan's arm wins over the folder's name (a shared run of another section keeps this section's arm).
  const job = sectionJobs('resolution', 'smoke', '/r').find((j) => j.arm === 'baseline' && j.seed === 0)!;
  const [shared] = withLayoutArms([fake(job.dir, 'baseline')], [{ ...job, arm: 'full' }]);
  assert.equal(shared.arm, 'full');
});
