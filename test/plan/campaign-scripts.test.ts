/**
 * The campaign's two scripts when the campaign root is lost (the ninth session began on a machine without it):
 * lane.sh gives a run committed as finished its records back and skips it, instead of running it again; collect.sh
 * never copies a live log over a longer committed one (a run begun again catches up with the same records), and
 * leaves out a torn last line; lanes.sh starts the lanes once and stops them with their runs checkpointed, starting
 * nothing more; remaining.ts lists what the lanes still have to run.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tmpDir } from '../tmp';

const REPO = path.join(__dirname, '..', '..');
const script = (name: string): string => path.join(REPO, 'scripts', 'campaign', name);

function bash(args: string[], env: Record<string, string>): { status: number | null; out: string } {
  const r = spawnSync('bash', args, { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, out: r.stdout + r.stderr };
}

test('lane.sh: a run committed as finished and missing from the campaign root is restored and skipped', () => {
  const run = 'compute baseline/minatar_breakout__s0';
  const committed = path.join(REPO, 'data', 'runs', 'benchmark', 'compute', 'baseline', 'minatar_breakout__s0');
  assert.ok(fs.existsSync(path.join(committed, 'DONE')), `${committed} is a finished committed run`);
  const root = tmpDir('seer-lane-');
  const list = path.join(root, 'lane.list');
  fs.writeFileSync(list, `# a finished run only\n${run}\n`);
  // lane.sh starts a run as `nice -n 10 node …`: a stand-in `nice` that does nothing keeps a wrong skip from training
  const bin = path.join(root, 'bin');
  fs.mkdirSync(bin);
  fs.writeFileSync(path.join(bin, 'nice'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
  const r = bash([script('lane.sh'), list], { SEER_CAMPAIGN_ROOT: root, PATH: `${bin}:${process.env.PATH}` });
  assert.equal(r.status, 0, r.out);
  assert.match(r.out, /restored compute baseline\/minatar_breakout__s0 from data\/runs\/benchmark/);
  assert.doesNotMatch(r.out, /try 1/, 'nothing is run');
  const dir = path.join(root, 'compute', 'baseline', 'minatar_breakout__s0');
  for (const f of ['manifest.json', 'log.jsonl', 'DONE'])
    assert.deepEqual(fs.readFileSync(path.join(dir, f)), fs.readFileSync(path.join(committed, f)), f);
});

test('collect.sh: copies whole lines, and never a shorter live log over a longer committed one', () => {
  const src = tmpDir('seer-collect-src-');
  const dst = tmpDir('seer-collect-dst-');
  const write = (root: string, run: string, log: string, manifest = '{"commit":"new"}'): void => {
    fs.mkdirSync(path.join(root, run), { recursive: true });
    fs.writeFileSync(path.join(root, run, 'manifest.json'), manifest);
    fs.writeFileSync(path.join(root, run, 'log.jsonl'), log);
  };
  write(src, 'memory/a/run__s0', '{"n":1}\n{"n":2}\n{"n":'); // a torn last line
  write(src, 'memory/b/run__s0', '{"n":1}\n'); // begun again: behind the committed copy
  write(dst, 'memory/b/run__s0', '{"n":1}\n{"n":2}\n', '{"commit":"old"}');
  const r = bash([script('collect.sh')], { SEER_CAMPAIGN_ROOT: src, SEER_COLLECT_INTO: dst });
  assert.equal(r.status, 0, r.out);
  assert.match(r.out, /collected 1 runs/);
  assert.equal(fs.readFileSync(path.join(dst, 'memory/a/run__s0/log.jsonl'), 'utf8'), '{"n":1}\n{"n":2}\n');
  assert.equal(fs.readFileSync(path.join(dst, 'memory/b/run__s0/log.jsonl'), 'utf8'), '{"n":1}\n{"n":2}\n');
  assert.equal(fs.readFileSync(path.join(dst, 'memory/b/run__s0/manifest.json'), 'utf8'), '{"commit":"old"}');
  assert.match(r.out, /kept .*memory\/b\/run__s0\/log.jsonl: it holds more than the live run so far/);
});

test('lanes.sh: start refuses a second set of lanes; stop ends the loops, then waits for the runs to stop', async () => {
  const root = tmpDir('seer-lanes-');
  const marks = path.join(root, 'marks');
  fs.mkdirSync(marks);
  const list = path.join(root, 'lane9.list');
  fs.writeFileSync(list, 'compute baseline/fake__s0\ncompute baseline/fake__s1\n');
  // A stand-in `nice` that runs a long "run" in place of `node bin/seer.js section-job …` (same arguments, so the
  // script finds it): it notes its start, and on SIGTERM notes that and exits 0 as a checkpointed run does.
  const bin = path.join(root, 'bin');
  fs.mkdirSync(bin);
  const run =
    'const fs=require("fs");fs.appendFileSync(process.env.MARKS+"/started",process.argv.slice(-1)[0]+"\\n");' +
    'process.on("SIGTERM",()=>{fs.appendFileSync(process.env.MARKS+"/termed","x\\n");process.exit(0)});' +
    'setInterval(()=>{},1000)';
  fs.writeFileSync(path.join(bin, 'nice'), `#!/bin/sh\nshift 2\nexec node -e '${run}' "$@"\n`, { mode: 0o755 });
  const env = {
    SEER_CAMPAIGN_ROOT: root,
    PATH: `${bin}:${process.env.PATH}`,
    MARKS: marks,
    SEER_STOP_WAIT: '30',
    SEER_LANES_DIRTY_OK: '1', // a developer's checkout may have changes; the refusal is tested below
  };
  const lines = (f: string): string[] =>
    fs.existsSync(path.join(marks, f)) ? fs.readFileSync(path.join(marks, f), 'utf8').trim().split('\n') : [];
  try {
    const start = bash([script('lanes.sh'), 'start', list], env);
    assert.equal(start.status, 0, start.out);
    assert.match(start.out, /started lane9/);
    for (let i = 0; i < 100 && lines('started').length === 0; i++) await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(lines('started'), [path.join(root, 'compute', 'baseline', 'fake__s0')]);
    const again = bash([script('lanes.sh'), 'start', list], env);
    assert.equal(again.status, 1, again.out);
    assert.match(again.out, /running already/);
    const stop = bash([script('lanes.sh'), 'stop'], env);
    assert.equal(stop.status, 0, stop.out);
    assert.match(stop.out, /every run of .* has stopped/);
    assert.deepEqual(lines('termed'), ['x'], 'the run got SIGTERM once');
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal(lines('started').length, 1, 'the lane started no further run');
    assert.match(bash([script('lanes.sh'), 'stop'], env).out, /no lane of .* is running/);
    const bad = bash([script('lanes.sh'), 'start', path.join(root, 'no-such.list')], env);
    assert.equal(bad.status, 2, bad.out);
    assert.match(bad.out, /no-such\.list/);
  } finally {
    spawnSync('pkill', ['-f', marks]);
    spawnSync('bash', [script('lanes.sh'), 'stop'], { env: { ...process.env, ...env, SEER_STOP_WAIT: '5' } });
  }
});

test("remaining.ts: lists each lane's unfinished runs with their estimates, skipping the finished ones", () => {
  const root = tmpDir('seer-remaining-');
  const list = path.join(root, 'lane7.list');
  fs.writeFileSync(
    list,
    '# committed as finished: skipped\ncompute baseline/minatar_breakout__s0\n' +
      'compute seer-late/cartpole-swingup__s0\nmemory capacity-control/minatar_breakout__s0\n',
  );
  const tsx = path.join(REPO, 'node_modules', '.bin', 'tsx');
  const r = spawnSync(tsx, [script('remaining.ts'), list], {
    env: { ...process.env, SEER_CAMPAIGN_ROOT: root },
    encoding: 'utf8',
    timeout: 120_000,
  });
  const out = r.stdout + r.stderr;
  assert.equal(r.status, 0, out);
  assert.match(out, /^lane7\.list: 2 runs to go, about /m);
  assert.doesNotMatch(out, /baseline\/minatar_breakout__s0/);
  // its baseline is committed as finished without a fork point: seer-late runs from update 0
  assert.match(out, /compute seer-late\/cartpole-swingup__s0 +\S+ \(from step 0\)/);
  assert.match(out, /memory capacity-control\/minatar_breakout__s0 +\S+ \(from step 0\)/);
  assert.match(out, /^all lanes: about .* core-hours\)$/m);
  fs.writeFileSync(list, 'memroy capacity-control/minatar_breakout__s0\n');
  const bad = spawnSync(tsx, [script('remaining.ts'), list], {
    env: { ...process.env, SEER_CAMPAIGN_ROOT: root },
    encoding: 'utf8',
    timeout: 120_000,
  });
  assert.notEqual(bad.status, 0);
  assert.match(bad.stderr, /'memroy' is no section \(accepted: compute, /);
});

test('lanes.sh: start refuses a checkout with uncommitted changes to tracked files', () => {
  const repo = tmpDir('seer-dirty-');
  const git = (...args: string[]): void => {
    const r = spawnSync('git', ['-C', repo, ...args], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
  };
  git('init', '-q');
  fs.writeFileSync(path.join(repo, 'a.txt'), 'one\n');
  git('add', 'a.txt');
  git('-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qm', 'a');
  fs.writeFileSync(path.join(repo, 'a.txt'), 'two\n');
  // lanes.sh asks git about the checkout it runs from; GIT_DIR/GIT_WORK_TREE point that question at the dirty one.
  // Were the refusal broken, the lane would run a stand-in `nice` that ends at once: nothing trains.
  const root = tmpDir('seer-dirty-root-');
  const bin = path.join(root, 'bin');
  fs.mkdirSync(bin);
  fs.writeFileSync(path.join(bin, 'nice'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
  const list = path.join(root, 'lane8.list');
  fs.writeFileSync(list, 'compute baseline/fake__s0\n');
  const env = {
    SEER_CAMPAIGN_ROOT: root,
    PATH: `${bin}:${process.env.PATH}`,
    GIT_DIR: path.join(repo, '.git'),
    GIT_WORK_TREE: repo,
  };
  const r = bash([script('lanes.sh'), 'start', list], env);
  assert.equal(r.status, 1, r.out);
  assert.match(r.out, /uncommitted changes to tracked files; run the lanes from a clean checkout/);
  assert.doesNotMatch(r.out, /started/);
});
