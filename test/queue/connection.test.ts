/**
 * Queue URLs, the warning for Redis without a password off loopback, and the messages a first connection gives:
 * a password-protected Redis reached without (or with a wrong) password, and nothing listening.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { checkQueue, isLoopbackHost, parseQueueUrl, queueUrlFrom, targetWarnings } from '../../lib/queue/connection';
import { freePort, TestRedis } from './redis-server';

test('queue URLs: host, port, db, ACL user and password; the password never shown', () => {
  const t = parseQueueUrl('redis://seer:s3cr%40t@10.0.0.5:6380/2');
  assert.deepEqual(
    [t.connection.host, t.connection.port, t.connection.db, t.connection.username, t.connection.password],
    ['10.0.0.5', 6380, 2, 'seer', 's3cr@t'],
  );
  assert.equal(t.display, 'redis://seer:***@10.0.0.5:6380/2');
  assert.equal(parseQueueUrl('redis://localhost').connection.port, 6379);
  assert.ok(parseQueueUrl('rediss://:pw@queue.lab:6379').connection.tls);
  assert.throws(() => parseQueueUrl('http://localhost:6379'), /unsupported scheme 'http:'.*redis:\/\//);
  assert.throws(() => parseQueueUrl('localhost:6379'), /unsupported scheme|not a Redis URL/);
  assert.throws(() => queueUrlFrom('true'), /--queue needs a Redis URL/);
  assert.equal(queueUrlFrom(undefined, { SEER_QUEUE: 'redis://h:1' }), 'redis://h:1');
  assert.equal(queueUrlFrom('redis://a:2', { SEER_QUEUE: 'redis://h:1' }), 'redis://a:2');
  assert.equal(queueUrlFrom(undefined, {}), undefined);
});

test('a warning for Redis without a password on a non-loopback address, none on loopback or with one', () => {
  for (const h of ['127.0.0.1', '127.1.2.3', 'localhost', '[::1]']) assert.ok(isLoopbackHost(h), h);
  assert.ok(!isLoopbackHost('10.0.0.5'));
  assert.match(
    targetWarnings(parseQueueUrl('redis://10.0.0.5:6379')).join(),
    /not on a loopback address and the URL carries no password/,
  );
  assert.deepEqual(targetWarnings(parseQueueUrl('redis://127.0.0.1:6379')), []);
  assert.deepEqual(targetWarnings(parseQueueUrl('redis://:pw@10.0.0.5:6379')), []);
});

const redis = TestRedis.start({ password: 'correct-horse-battery' });
after(async () => (await redis).stop());

test('password-protected Redis: none or a wrong one fails with a clear message; the right one connects', async () => {
  const r = await redis;
  await assert.rejects(
    checkQueue(parseQueueUrl(`redis://127.0.0.1:${r.port}`)),
    /requires a password and the queue URL has none: use redis:\/\/:PASSWORD@127\.0\.0\.1:\d+/,
  );
  await assert.rejects(
    checkQueue(parseQueueUrl(`redis://:wrong@127.0.0.1:${r.port}`)),
    /refused the user or password in the queue URL/,
  );
  const ok = await checkQueue(parseQueueUrl(r.url));
  assert.deepEqual(ok.warnings, [], 'the test server runs noeviction with an append-only file');
  assert.match(ok.version, /^\d+\.\d+/);
});

test('nothing listening: connection refused, said as such', async () => {
  const port = await freePort();
  await assert.rejects(
    checkQueue(parseQueueUrl(`redis://127.0.0.1:${port}`)),
    /cannot reach Redis at redis:\/\/127\.0\.0\.1:\d+\/?: connection refused/,
  );
});
