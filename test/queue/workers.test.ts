/**
 * Runs across worker processes (README "Scaling out"): a smoke sweep with SEER forks enqueued with `seer sweep
 * --queue`, taken by two `seer worker` processes, one SIGKILLed mid-run; the other resumes its job, and every
 * run's log equals the same run made here without a queue. Also: a Redis restart mid-sweep loses no job.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Queue } from 'bullmq';
import { runExperiment } from '../../lib/run/train';
import { readLog } from '../../lib/run/log';
import { isDone } from '../../lib/run/done';
import { KEY_PREFIX, QUEUE_NAME, parseQueueUrl } from '../../lib/queue/connection';
import { TestRedis } from './redis-server';
import { comparable, FAST_QUEUE_ENV, seer, waitFor, type SeerProcess } from './helpers';
import { tmpDir } from '../tmp';

const tmp = tmpDir('seer-queue-workers-');
const started: SeerProcess[] = [];
const servers: TestRedis[] = [];
after(async () => {
  for (const p of started) if (p.proc.exitCode === null) p.proc.kill('SIGKILL');
  for (const s of servers) await s.stop();
});

const SWEEP = ['--envs', 'minatar/breakout', '--variants', 'baseline,seer', '--scale', 'smoke', '--set', 'steps=100'];

/** The same runs made here, in this process, without a queue (seer runs from scratch: a fork logs the same). */
async function localRuns(seeds: number[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  for (const seed of seeds) {
    for (const variant of ['baseline', 'seer'] as const) {
      const name = `minatar_breakout__${variant}__s${seed}`;
      const dir = path.join(tmp, 'local', name);
      await runExperiment({ env: 'minatar/breakout', variant, scale: 'smoke', steps: 100, seed }, { out: dir });
      out.set(name, comparable(dir));
    }
  }
  return out;
}

async function counts(url: string): Promise<Record<string, number>> {
  const q = new Queue(QUEUE_NAME, { connection: parseQueueUrl(url).connection, prefix: KEY_PREFIX });
  try {
    return await q.getJobCounts();
  } finally {
    await q.close();
  }
}

test('two workers, one SIGKILLed mid-run: the other resumes its job, and every log equals the local run', async () => {
  const redis = await TestRedis.start();
  servers.push(redis);
  const root = path.join(tmp, 'root-kill');
  const env = { SEER_RUN_ROOT: root, ...FAST_QUEUE_ENV };
  const sweepDir = path.join(root, 'sweep');
  const enqueue = seer(['sweep', ...SWEEP, '--seeds', '0,1', '--out', sweepDir, '--queue', redis.url], env);
  assert.equal(await enqueue.exited, 0, enqueue.err());
  assert.match(enqueue.err(), /4 runs → .*: 4 added, 0 already queued/);
  const c0 = await counts(redis.url);
  assert.equal(c0['waiting-children'], 2, 'each seer run waits for its baseline (a flow parent)');

  const a = seer(['worker', '--queue', redis.url], env);
  const b = seer(['worker', '--queue', redis.url], env);
  started.push(a, b);
  // Kill worker A once the run it took has logged an episode end (a checkpoint exists) and is not finished.
  const victim = await waitFor('worker A to be mid-run', () => {
    const m = /start (sweep\/\S+)/.exec(a.err());
    if (!m) return undefined;
    const dir = path.join(root, m[1]);
    const log = readLog(path.join(dir, 'log.jsonl'));
    return log.some((r) => r.type === 'episode') && !isDone(dir) ? dir : undefined;
  });
  a.proc.kill('SIGKILL');
  await a.exited;
  assert.ok(!isDone(victim), 'killed before its run finished');

  await waitFor('every run to finish', async () => (await counts(redis.url)).completed === 4 || undefined);
  const c = await counts(redis.url);
  assert.equal(c.failed, 0, b.err());
  assert.match(b.err(), new RegExp(`start ${path.relative(root, victim)} `), 'worker B took the killed job');
  const resumed = readLog(path.join(victim, 'log.jsonl')).filter((r) => r.type === 'resume');
  assert.equal(resumed.length, 1, 'it continued from the checkpoint the killed worker left');
  assert.ok(!fs.existsSync(path.join(victim, 'LOCK')), 'no lock left behind');

  const local = await localRuns([0, 1]);
  for (const [name, records] of local) {
    const dir = path.join(sweepDir, name);
    assert.ok(isDone(dir), `${name} finished`);
    assert.deepEqual(comparable(dir), records, `${name}: same log as the local run`);
  }
  const forked = JSON.parse(
    fs.readFileSync(path.join(sweepDir, 'minatar_breakout__seer__s0', 'manifest.json'), 'utf8'),
  );
  assert.ok(forked.forkedFrom, 'the seer run started from its baseline’s fork point');

  // Enqueuing the same sweep again adds nothing; the finished runs are not redone.
  const again = seer(['sweep', ...SWEEP, '--seeds', '0,1', '--out', sweepDir, '--queue', redis.url], env);
  assert.equal(await again.exited, 0, again.err());
  assert.match(again.err(), /4 runs → .*: 0 added, 4 already queued or finished/);
  b.proc.kill('SIGTERM');
  await b.exited;
});

test('a Redis restart mid-sweep loses no job', async () => {
  const redis = await TestRedis.start();
  servers.push(redis);
  const root = path.join(tmp, 'root-restart');
  const env = { SEER_RUN_ROOT: root, ...FAST_QUEUE_ENV };
  const sweepDir = path.join(root, 'sweep');
  const enqueue = seer(['sweep', ...SWEEP, '--seeds', '2', '--out', sweepDir, '--queue', redis.url], env);
  assert.equal(await enqueue.exited, 0, enqueue.err());
  const w = seer(['worker', '--queue', redis.url], env);
  started.push(w);
  await waitFor('the first run to start', () => /start sweep\//.test(w.err()));
  await redis.down();
  await redis.up(); // same port and data directory: the append-only file is read back
  await waitFor('both runs to finish', async () => (await counts(redis.url)).completed === 2 || undefined);
  const c = await counts(redis.url);
  assert.equal(c.failed, 0, w.err());
  for (const v of ['baseline', 'seer']) assert.ok(isDone(path.join(sweepDir, `minatar_breakout__${v}__s2`)), v);
  w.proc.kill('SIGTERM');
  await w.exited;
});
