/**
 * Enqueuing: the same runs twice add nothing; a changed configuration is a new job; a SEER run waits for its
 * baseline as its flow parent; a run needed by several keeps a flow parent only once and the others list it in
 * `needs`. And a job with bad data, put on the queue by hand, is failed at once with the validation error.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Queue } from 'bullmq';
import { resolveConfig } from '../../lib/run/config';
import { KEY_PREFIX, QUEUE_NAME, parseQueueUrl } from '../../lib/queue/connection';
import { enqueueRuns, planJobs, type QueueRun } from '../../lib/queue/enqueue';
import { ensureRootId } from '../../lib/queue/run-root';
import { startWorker } from '../../lib/queue/worker';
import { TestRedis } from './redis-server';
import { waitFor } from './helpers';
import { tmpDir } from '../tmp';

const root = tmpDir('seer-queue-enqueue-');
const redis = TestRedis.start();
after(async () => (await redis).stop());

const game = { env: 'minatar/breakout', scale: 'smoke' } as const;
const sweep = (seeds: number[], extra = {}): QueueRun[] =>
  seeds.flatMap((seed) => [
    { config: { ...game, ...extra, seed, variant: 'baseline' as const }, dir: path.join(root, `b${seed}`) },
    {
      config: { ...game, ...extra, seed, variant: 'seer' as const },
      dir: path.join(root, `s${seed}`),
      forkFrom: path.join(root, `b${seed}`),
    },
  ]);

test('enqueue twice: each run once; a changed config is a different job; forks wait for their baselines', async () => {
  const t = parseQueueUrl((await redis).url);
  const first = await enqueueRuns(t, sweep([0, 1]), { root });
  assert.equal(first.added.length, 4);
  const second = await enqueueRuns(t, sweep([0, 1]), { root });
  assert.deepEqual([second.added.length, second.existing.length], [0, 4]);
  const changed = await enqueueRuns(t, [sweep([0], { batchSize: 4 })[0]], { root });
  assert.deepEqual(changed.added, ['b0'], 'batchSize changed: a new job');
  const q = new Queue(QUEUE_NAME, { connection: t.connection, prefix: KEY_PREFIX });
  try {
    const c = await q.getJobCounts();
    assert.equal(c.waiting + c.prioritized + c['waiting-children'], 5);
    assert.equal(c['waiting-children'], 2, 'the seer runs wait for their baselines');
    const parent = (await q.getJobs(['waiting-children'])).find((j) => j.name === 's0')!;
    const deps = await parent.getDependencies();
    assert.equal(Object.keys(deps.unprocessed ?? {}).length, 1);
  } finally {
    await q.close();
  }
});

test('a run needed by several runs is the flow child of the first; the others wait for it through `needs`', () => {
  const id = ensureRootId(root);
  const budget = { ...game, seed: 0, memoryBudget: '0.007GB' };
  const src = path.join(root, 'ci');
  const plan = planJobs(
    [
      { config: { ...budget, variant: 'constrained-images' }, dir: src },
      { config: { ...budget, variant: 'constrained-seer' }, dir: path.join(root, 'cs'), forkFrom: src },
      {
        config: { ...budget, variant: 'constrained-seer', latentDtype: 'int8' },
        dir: path.join(root, 'cs8'),
        forkFrom: src,
      },
    ],
    root,
    id,
  );
  assert.equal(plan[0].parent, plan[1]);
  assert.deepEqual(plan[2].children, []);
  assert.deepEqual(plan[2].data.needs, [{ dir: 'ci', id: plan[0].id }]);
  assert.deepEqual(plan[1].data.config, resolveConfig({ ...budget, variant: 'constrained-seer' }));
});

test('a job with an unknown field or a shell metacharacter is rejected, failed with the validation error', async () => {
  const r = await redis;
  const t = parseQueueUrl(r.url);
  const own = tmpDir('seer-queue-bad-');
  const rootId = ensureRootId(own);
  const good = {
    kind: 'run',
    config: resolveConfig({ ...game, variant: 'baseline' }),
    dir: 'bad/x',
    needs: [],
    rootId,
  };
  const q = new Queue(QUEUE_NAME, { connection: t.connection, prefix: KEY_PREFIX });
  await q.obliterate({ force: true });
  const opts = { attempts: 3, backoff: { type: 'fixed', delay: 100 } };
  await q.add('unknown', { ...good, command: 'rm -rf ~' }, { ...opts, jobId: 'bad-unknown' });
  await q.add(
    'metachar',
    { ...good, config: { ...good.config, memoryBudget: '0.07GB;reboot' } },
    { ...opts, jobId: 'bad-metachar' },
  );
  const w = startWorker({ url: r.url, target: t, root: own, jobs: 1 });
  try {
    await waitFor('both jobs to fail', async () => (await q.getJobCounts()).failed === 2 || undefined);
    const unknown = (await q.getJob('bad-unknown'))!;
    const metachar = (await q.getJob('bad-metachar'))!;
    assert.match(unknown.failedReason, /rejected: job\.command: unknown field/);
    assert.match(metachar.failedReason, /rejected: job\.config\.memoryBudget: "0\.07GB;reboot" holds ";"/);
    assert.deepEqual([unknown.attemptsMade, metachar.attemptsMade], [1, 1], 'not retried');
    assert.ok(!fs.existsSync(path.join(own, 'bad')), 'nothing was written');
  } finally {
    await w.close(true);
    await q.close();
  }
});
