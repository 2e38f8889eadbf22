import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  AGENT_OPTIONS,
  AGENT_SPECS,
  relativeFreeze,
  replaySettingsOf,
  resolveConfig,
  type ExperimentConfig,
  type Scale,
} from '../../lib/run/config';
import { sectionJobs, type SectionName } from '../../lib/plan/sections';

test('defaults follow the environment: Rainbow for games, CURL for control, per scale', () => {
  const g = resolveConfig({ env: 'minatar/breakout', scale: 'paper' });
  assert.equal(g.agent, 'rainbow');
  assert.equal(g.encoder, 'rainbow');
  assert.equal(g.steps, 500_000);
  assert.equal(g.freezeAt, 50_004);
  assert.equal(g.memoryBudget, '0.07GB');
  const c = resolveConfig({ env: 'cartpole-swingup', scale: 'paper' });
  assert.equal(c.agent, 'curl');
  assert.equal(c.batchSize, 128);
  assert.equal(c.copies, 4);
  assert.equal(c.memoryBudget, '0.03GB');
  assert.equal(resolveConfig({ env: 'walker-walk' }).memoryBudget, '0.06GB');
});

test('bad configuration names the field and the accepted values', () => {
  assert.throws(() => resolveConfig({ env: 'pong' }), /config\.env: got "pong"; accepted values: .*minatar\/breakout/);
  assert.throws(
    () => resolveConfig({ env: 'minatar/breakout', variant: 'x' as never }),
    /config\.variant: .*baseline, seer, constrained-images/,
  );
  assert.throws(
    () => resolveConfig({ env: 'minatar/breakout', agent: 'curl' }),
    /config\.agent: 'curl' needs a continuous control task/,
  );
  assert.throws(
    () => resolveConfig({ env: 'minatar/breakout', batchSize: 0 }),
    /config\.batchSize: got 0; expected an integer in \[1, 4096\]/,
  );
  assert.throws(
    () => resolveConfig({ env: 'minatar/breakout', latentDtype: 'bf16' as never }),
    /latentDtype: .*float32, float16, int8/,
  );
  assert.throws(
    () => resolveConfig({ env: 'minatar/breakout', bogus: 1 } as never),
    /config\.bogus: unknown field; accepted fields: agent, env/,
  );
  assert.throws(
    () => resolveConfig({ env: 'minatar/breakout', freezeRule: 'sometimes' as never }),
    /freezeRule: .*fixed, adaptive/,
  );
});

test('T_f below zero or beyond the run, and K below 1, are errors that say so', () => {
  assert.throws(
    () => resolveConfig({ env: 'minatar/breakout', freezeAt: -1 }),
    /T_f = -1 must be an integer in \[0, 44\] \(the run does 44 updates\)/,
  );
  assert.throws(
    () => resolveConfig({ env: 'minatar/breakout', freezeAt: 45 }),
    /T_f = 45 must be an integer in \[0, 44\]/,
  );
  assert.equal(resolveConfig({ env: 'minatar/breakout', freezeAt: 44 }).freezeAt, 44);
  assert.throws(
    () => resolveConfig({ env: 'cartpole-swingup', copies: 0 }),
    /config\.copies: got 0; expected an integer in \[1, 64\]/,
  );
});

test("the adaptive rule's τ defaults per agent (Figure 8b data: lib/seer/adaptive.ts) and can be overridden", () => {
  assert.equal(resolveConfig({ env: 'minatar/breakout', scale: 'laptop' }).adaptiveTau, 0.9);
  assert.equal(resolveConfig({ env: 'cartpole-swingup', scale: 'laptop' }).adaptiveTau, 0.85);
  assert.equal(resolveConfig({ env: 'cartpole-swingup', adaptiveTau: 0.97 }).adaptiveTau, 0.97);
  assert.throws(() => resolveConfig({ env: 'cartpole-swingup', adaptiveTau: 1.5 }), /adaptiveTau/);
});

test("benchmark scale: Rainbow 100K agent steps without PER, CURL 100K env steps, T_f at the paper scripts' fraction", () => {
  const r = resolveConfig({ env: 'minatar/breakout', scale: 'benchmark' });
  assert.equal(r.steps, 100_000);
  assert.equal(r.freezeAt, relativeFreeze('rainbow', r.steps, r.initSteps));
  assert.deepEqual(r.agentOptions, { prioritizedReplay: false });
  const c = resolveConfig({ env: 'cartpole-swingup', scale: 'benchmark' });
  assert.equal(c.steps * 8, 100_000); // cartpole's action repeat 8
  assert.equal(c.evalEvery * 8, 10_000);
  assert.equal(c.batchSize, 128);
  // 9,000 of 79,000 updates in SEER's cartpole script; 11,500 updates here
  assert.equal(c.freezeAt, Math.round((11_500 * 9_000) / 79_000));
  const w = resolveConfig({ env: 'walker-walk', scale: 'benchmark' });
  assert.equal(w.steps, 50_000); // action repeat 2
  const w4 = resolveConfig({ env: 'walker-walk', scale: 'benchmark', actionRepeat: 4 });
  assert.equal(w4.steps, 25_000);
});

test('memoryBudget is checked for every variant, also those that never read it (issue 16 §5)', () => {
  for (const variant of ['baseline', 'seer', 'constrained-images', 'constrained-seer', 'capacity-control'] as const) {
    assert.throws(
      () => resolveConfig({ env: 'minatar/breakout', variant, memoryBudget: 'banana' }),
      /config\.memoryBudget: Memory budget 'banana' is not understood/,
    );
  }
  assert.throws(() => resolveConfig({ env: 'minatar/breakout', memoryBudget: '-1GB' }), /config\.memoryBudget/);
  // a number of bytes, as `--set memoryBudget=30000000` gives, is kept as its string
  assert.equal(resolveConfig({ env: 'minatar/breakout', memoryBudget: 30_000_000 as never }).memoryBudget, '30000000');
});

test("agentOptions are checked against the agent's own options when the config is resolved", () => {
  const curl = (agentOptions: Record<string, unknown>) => (): unknown =>
    resolveConfig({ env: 'cartpole-swingup', agentOptions });
  assert.throws(
    () => resolveConfig({ env: 'minatar/breakout', agentOptions: { fooBar: 1 } }),
    /config\.agentOptions\.fooBar: not an option of rainbow; accepted options: hidden, atoms, vMin, vMax, sigma0, lr, /,
  );
  assert.throws(
    curl({ targetUpdate: 5 }),
    /agentOptions\.targetUpdate: not an option of curl; accepted options: featureDim, hidden, actorLr/,
  );
  assert.throws(curl({ cropSize: 'big' }), /agentOptions\.cropSize: got "big"; expected a finite number/);
  assert.throws(curl({ cpcEncoderDoubleStep: 1 }), /expected a boolean like true/);
  // what the runner sets from the experiment's own fields cannot be overridden behind its back
  assert.throws(curl({ encoder: 'impala' }), /agentOptions\.encoder: is set by the runner: use --encoder/);
  assert.throws(() => resolveConfig({ env: 'minatar/breakout', agentOptions: { seed: 3 } }), /use --seed/);
  const ok = resolveConfig({ env: 'cartpole-swingup', scale: 'laptop', agentOptions: { cropSize: 42, actorLr: 5e-4 } });
  assert.deepEqual(ok.agentOptions, { cropSize: 42, actorLr: 5e-4 });
});

test('agent option ranges are checked when the config resolves, before a run writes anything', () => {
  assert.throws(
    () => resolveConfig({ env: 'cartpole-swingup', scale: 'smoke', agentOptions: { hidden: -5 } }),
    /config\.agentOptions: curl config: hidden must be .*got -5/,
  );
  assert.throws(
    () => resolveConfig({ env: 'cartpole-swingup', scale: 'smoke', agentOptions: { cropSize: 120 } }),
    /cropSize must be an integer in \[1, 100\], got 120/,
  );
  assert.throws(
    () => resolveConfig({ env: 'minatar/breakout', scale: 'smoke', agentOptions: { targetUpdate: 0 } }),
    /rainbow config: targetUpdate must be a positive integer, got 0/,
  );
  // every scale's own options pass
  for (const scale of ['smoke', 'laptop', 'benchmark', 'paper'] as const) {
    resolveConfig({ env: 'cartpole-swingup', scale });
    resolveConfig({ env: 'minatar/breakout', scale });
    resolveConfig({ env: 'cartpole-swingup', scale, encoder: 'impala', imageSize: 50, agentOptions: { cropSize: 42 } });
  }
});

/**
 * The inputs a committed run was started with, from its manifest's command: `seer run` flags, or the section plan's
 * job (`section-run.ts job …` before the plan moved into `seer section-job …`), found by the run's own directory.
 */
function inputOfManifest(dir: string, command: string): Partial<ExperimentConfig> & { env: string } {
  const argv = command.split(' ');
  const job = argv.findIndex((a, i) => a === 'section-job' || (a === 'job' && argv[i - 1]?.endsWith('section-run.ts')));
  if (job >= 0) {
    const [section, scale] = argv.slice(job + 1, job + 3) as [SectionName, Scale];
    const armAndRun = path.join(path.basename(path.dirname(dir)), path.basename(dir));
    const found = sectionJobs(section, scale, '/r').find((j) => path.relative('/r', j.dir) === armAndRun);
    assert.ok(found, `${dir}: no job of ${section} at ${scale} makes it`);
    return found.snapshotEvery ? { ...found.config, snapshotEvery: found.snapshotEvery } : found.config;
  }
  const input: Record<string, unknown> = {};
  for (let i = argv.indexOf('run') + 1; i < argv.length; i++) {
    const flag = argv[i].replace(/^--/, '');
    if (!['env', 'agent', 'variant', 'scale', 'encoder', 'seed', 'set'].includes(flag)) continue;
    const value = argv[++i];
    if (flag === 'seed') input.seed = Number(value);
    else if (flag !== 'set') input[flag] = value;
    else {
      const [field, raw] = value.split(/=(.*)/s);
      const v = raw === 'true' ? true : raw === 'false' ? false : Number.isNaN(Number(raw)) ? raw : Number(raw);
      const [head, sub] = field.split('.');
      if (sub) ((input.agentOptions ??= {}) as Record<string, unknown>)[sub] = v;
      else input[head] = v;
    }
  }
  return input as Partial<ExperimentConfig> & { env: string };
}

test("every committed run's manifest: its command's inputs resolve to the config it stored (data/runs)", () => {
  const root = path.join(__dirname, '..', '..', 'data', 'runs');
  const manifests = fs
    .readdirSync(root, { recursive: true, encoding: 'utf8' })
    .filter((f) => path.basename(f) === 'manifest.json')
    .map((f) => path.join(root, f));
  assert.ok(manifests.length >= 100, `${manifests.length} manifests`);
  for (const file of manifests) {
    const m = JSON.parse(fs.readFileSync(file, 'utf8')) as { command: string; config: ExperimentConfig };
    const resolved = resolveConfig(inputOfManifest(path.dirname(file), m.command));
    // Manifests older than a field (the adaptive rule's) lack it; every field they hold must match.
    for (const field of Object.keys(m.config) as (keyof ExperimentConfig)[])
      assert.deepEqual(resolved[field], m.config[field], `${path.relative(root, file)}: ${field}`);
    assert.deepEqual(resolveConfig(m.config), resolved, 'the stored config resolves');
  }
});

test("the replay's n-step, γ, PER and reward clipping are the agent's options, set like any other", () => {
  const rainbow = (agentOptions: Record<string, unknown> = {}) =>
    replaySettingsOf(resolveConfig({ env: 'minatar/breakout', scale: 'laptop', agentOptions }));
  const r = rainbow();
  assert.deepEqual([r.nStep, r.gamma, r.rewardClip, r.prioritized?.exponent], [20, 0.99, 1, 0.5]);
  assert.equal(r.prioritized!.beta(0, 5000), 0.4);
  const changed = rainbow({ nStep: 3, discount: 0.9, rewardClip: 0, priorityExponent: 0.6 });
  assert.deepEqual([changed.nStep, changed.gamma, changed.rewardClip, changed.prioritized?.exponent], [3, 0.9, 0, 0.6]);
  const bench = replaySettingsOf(resolveConfig({ env: 'minatar/breakout', scale: 'benchmark' }));
  assert.equal(bench.prioritized, undefined, "benchmark's Rainbow samples uniformly (prioritizedReplay: false)");
  const curl = replaySettingsOf(resolveConfig({ env: 'cartpole-swingup', agentOptions: { discount: 0.95 } }));
  assert.deepEqual(curl, { nStep: 1, gamma: 0.95, rewardClip: 0 });
  assert.throws(
    () => resolveConfig({ env: 'minatar/breakout', agentOptions: { nStep: 0 } }),
    /config\.agentOptions: rainbow config: nStep must be a positive integer, got 0/,
  );
  assert.throws(
    () => resolveConfig({ env: 'cartpole-swingup', agentOptions: { nStep: 3 } }),
    /agentOptions\.nStep: not an option of curl/,
  );
});

test("agent options are each spec's fields with their defaults", () => {
  assert.deepEqual(Object.keys(AGENT_OPTIONS.curl), Object.keys(AGENT_SPECS.curl));
  assert.deepEqual(Object.keys(AGENT_OPTIONS.rainbow), Object.keys(AGENT_SPECS.rainbow));
  for (const agent of ['curl', 'rainbow'] as const)
    for (const [name, f] of Object.entries(AGENT_SPECS[agent])) assert.equal(AGENT_OPTIONS[agent][name], f.default);
});
