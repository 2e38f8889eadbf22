/** Job ids from the run's full configuration, and the validation a worker applies to every job's data. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveConfig } from '../../lib/run/config';
import { canonicalJson, jobIdOf, validateJobData, type RunJobData } from '../../lib/queue/job-spec';

const config = resolveConfig({ env: 'minatar/breakout', variant: 'seer', scale: 'smoke', seed: 1 });
const job: RunJobData = {
  kind: 'run',
  config,
  dir: 'sweep/minatar_breakout__seer__s1',
  needs: [],
  rootId: 'ab'.repeat(16),
};

test('the same run gives the same id, whatever order or completeness its config was written in', () => {
  const partial = {
    kind: 'run' as const,
    dir: job.dir,
    config: { seed: 1, scale: 'smoke', variant: 'seer', env: 'minatar/breakout' } as never,
  };
  const reordered = Object.fromEntries(Object.entries(config).reverse()) as typeof config;
  assert.equal(jobIdOf(partial), jobIdOf(job));
  assert.equal(jobIdOf({ ...job, config: reordered }), jobIdOf(job));
  assert.match(jobIdOf(job), /^run-[0-9a-f]{24}$/);
  assert.equal(canonicalJson({ b: 1, a: { d: [2, 3], c: 'x' } }), '{"a":{"c":"x","d":[2,3]},"b":1}');
});

test('a changed config, directory or kind is a different job', () => {
  const id = jobIdOf(job);
  assert.notEqual(jobIdOf({ ...job, config: { ...config, seed: 2 } }), id);
  assert.notEqual(jobIdOf({ ...job, config: { ...config, batchSize: config.batchSize + 1 } }), id);
  assert.notEqual(jobIdOf({ ...job, config: { ...config, agentOptions: { ...config.agentOptions, hidden: 64 } } }), id);
  assert.notEqual(jobIdOf({ ...job, dir: 'other/run' }), id);
  assert.notEqual(jobIdOf({ ...job, kind: 'snapshots', snapshotEvery: 5 }), id);
});

test('valid job data passes, with its config resolved by the same validator as seer run', () => {
  const v = validateJobData(
    JSON.parse(
      JSON.stringify({
        ...job,
        forkFrom: 'sweep/minatar_breakout__baseline__s1',
        needs: [{ dir: 'sweep/b', id: 'run-1' }],
      }),
    ),
  );
  assert.deepEqual(v.config, config);
  assert.equal(v.forkFrom, 'sweep/minatar_breakout__baseline__s1');
});

test('unknown fields are rejected, in the job and in its config', () => {
  assert.throws(
    () => validateJobData({ ...job, command: 'seer run' }),
    /job\.command: unknown field; accepted fields: kind, config/,
  );
  assert.throws(
    () => validateJobData({ ...job, config: { ...config, shell: 'bash' } }),
    /config\.shell: unknown field/,
  );
});

test('a shell metacharacter in any value is rejected, naming the field and the character', () => {
  assert.throws(
    () => validateJobData({ ...job, config: { ...config, memoryBudget: '0.03GB; rm -rf ~' } }),
    /job\.config\.memoryBudget: .* holds ";"/,
  );
  assert.throws(() => validateJobData({ ...job, dir: 'runs/$(reboot)' }), /job\.dir: .* holds "\$"/);
  assert.throws(
    () => validateJobData({ ...job, config: { ...config, agentOptions: { note: 'a`b`' } } }),
    /job\.config\.agentOptions\.note: .* holds "`"/,
  );
  assert.throws(() => validateJobData({ ...job, config: { ...config, env: 'minatar/breakout|sh' } }), /holds "\|"/);
});

test('run directories stay inside the run root', () => {
  assert.throws(
    () => validateJobData({ ...job, dir: '../outside' }),
    /job\.dir: '\.\.\/outside' must be a relative path inside the run root/,
  );
  assert.throws(() => validateJobData({ ...job, dir: '/etc' }), /job\.dir: .* must be a relative path/);
  assert.throws(() => validateJobData({ ...job, kind: 'transfer' }), /job\.pretrainedFrom: a transfer job needs/);
  assert.throws(
    () => validateJobData({ ...job, kind: 'shell' }),
    /job\.kind: got "shell"; accepted values: run, transfer, snapshots/,
  );
});
