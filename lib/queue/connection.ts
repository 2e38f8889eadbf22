/**
 * Where the queue lives: a Redis URL (`--queue redis://[user:password@]host:port[/db]`, or SEER_QUEUE), parsed
 * into BullMQ's connection options, checked before anything else talks to it (so a wrong address or a missing
 * password gives one clear message instead of BullMQ's reconnect loop), with warnings for the two settings that
 * lose jobs (an eviction policy other than noeviction, no append-only file) and for a Redis reachable without a
 * password on a non-loopback address.
 */
import IORedis from 'ioredis';
import type { RedisOptions } from 'bullmq';

/** The BullMQ queue every `seer` command uses; its keys live under the `seer` prefix. */
export const QUEUE_NAME = 'seer-runs';
export const KEY_PREFIX = 'seer';

export interface QueueTarget {
  /** ioredis/BullMQ connection options (maxRetriesPerRequest: null, as BullMQ workers require). */
  connection: RedisOptions;
  /** The URL with its password masked, for messages. */
  display: string;
  /** True when the host is a loopback address (127.0.0.0/8, ::1, localhost). */
  loopback: boolean;
  authenticated: boolean;
}

export class QueueConnectionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'QueueConnectionError';
  }
}

const ACCEPTED_URL = 'redis://[user:password@]host[:port][/db] or rediss://… (TLS)';

export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h);
}

/** `--queue` wins over SEER_QUEUE; undefined when neither is set (the local default: child processes here). */
export function queueUrlFrom(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (flag === 'true') throw new QueueConnectionError(`--queue needs a Redis URL: ${ACCEPTED_URL}`);
  const url = flag ?? env.SEER_QUEUE;
  return url && url.trim() ? url.trim() : undefined;
}

export function parseQueueUrl(url: string): QueueTarget {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new QueueConnectionError(`'${url}' is not a Redis URL; expected ${ACCEPTED_URL}`);
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') {
    throw new QueueConnectionError(`unsupported scheme '${u.protocol}' in the queue URL; expected ${ACCEPTED_URL}`);
  }
  if (!u.hostname) throw new QueueConnectionError(`the queue URL '${url}' names no host; expected ${ACCEPTED_URL}`);
  const port = u.port ? Number(u.port) : 6379;
  const dbText = u.pathname.replace(/^\//, '');
  const db = dbText === '' ? 0 : Number(dbText);
  if (!Number.isInteger(db) || db < 0)
    throw new QueueConnectionError(`the queue URL's database '${dbText}' is not an integer ≥ 0`);
  const username = u.username ? decodeURIComponent(u.username) : undefined;
  const password = u.password ? decodeURIComponent(u.password) : undefined;
  const host = u.hostname.replace(/^\[|\]$/g, '');
  const connection: RedisOptions = {
    host,
    port,
    db,
    ...(username ? { username } : {}),
    ...(password ? { password } : {}),
    ...(u.protocol === 'rediss:' ? { tls: { servername: host } } : {}),
    maxRetriesPerRequest: null,
  };
  const masked = new URL(url);
  if (masked.password) masked.password = '***';
  return {
    connection,
    display: masked.toString(),
    loopback: isLoopbackHost(host),
    authenticated: password !== undefined,
  };
}

/** Warnings about the target itself: Redis without a password on an address other machines can reach. */
export function targetWarnings(t: QueueTarget): string[] {
  if (t.authenticated || t.loopback) return [];
  return [
    `the queue ${t.display} is not on a loopback address and the URL carries no password: anyone who can reach ` +
      `that port can put jobs on the queue and read them. Set requirepass (or an ACL user) in redis.conf and put ` +
      `it in the URL: redis://:PASSWORD@host:port`,
  ];
}

/** What the server says about durability: jobs must never be evicted and must survive a restart. */
async function serverWarnings(client: IORedis, display: string): Promise<string[]> {
  const out: string[] = [];
  const get = async (key: string): Promise<string | undefined> => {
    try {
      const r = (await client.config('GET', key)) as string[];
      return r[1];
    } catch {
      return undefined; // CONFIG may be renamed or forbidden by an ACL: nothing to say then
    }
  };
  const policy = await get('maxmemory-policy');
  if (policy !== undefined && policy !== 'noeviction') {
    out.push(
      `Redis at ${display} has maxmemory-policy '${policy}': under memory pressure it may evict jobs. ` +
        `Set 'maxmemory-policy noeviction'`,
    );
  }
  const aof = await get('appendonly');
  if (aof !== undefined && aof !== 'yes') {
    out.push(
      `Redis at ${display} has appendonly '${aof}': jobs queued since its last snapshot are lost if it restarts. ` +
        `Set 'appendonly yes'`,
    );
  }
  return out;
}

/** Turns the errors of a first connection into a message that says what to fix. */
export function explainConnectionError(err: unknown, t: QueueTarget): QueueConnectionError {
  const msg = err instanceof Error ? err.message : String(err);
  const where = `Redis at ${t.display}`;
  if (/NOAUTH/i.test(msg)) {
    return new QueueConnectionError(
      `${where} requires a password and the queue URL has none: ` +
        `use redis://:PASSWORD@${t.connection.host}:${t.connection.port} ` +
        `(or redis://USER:PASSWORD@… for an ACL user)`,
    );
  }
  if (/WRONGPASS|invalid password|invalid username-password/i.test(msg)) {
    return new QueueConnectionError(`${where} refused the user or password in the queue URL (${msg.trim()})`);
  }
  if (/ECONNREFUSED/.test(msg)) {
    return new QueueConnectionError(
      `cannot reach ${where}: connection refused. Is redis-server running and bound to that address?`,
    );
  }
  if (/ENOTFOUND|EAI_AGAIN/.test(msg))
    return new QueueConnectionError(`cannot resolve the host of ${where} (${msg.trim()})`);
  if (/ETIMEDOUT|timed? ?out/i.test(msg))
    return new QueueConnectionError(`cannot reach ${where}: the connection timed out`);
  return new QueueConnectionError(`cannot use ${where}: ${msg.trim()}`);
}

/**
 * Connects once, without retries, checks that the server answers and accepts our credentials, and returns the
 * warnings (target and server) for the caller to print. Throws a QueueConnectionError naming what to fix.
 */
export async function checkQueue(t: QueueTarget, timeoutMs = 5000): Promise<{ warnings: string[]; version: string }> {
  const client = new IORedis({
    ...(t.connection as Record<string, unknown>),
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    connectTimeout: timeoutMs,
    retryStrategy: () => null,
  });
  let cause: unknown; // ioredis reports the reason as an 'error' event and rejects with 'Connection is closed.'
  client.on('error', (err) => (cause ??= err));
  try {
    await client.connect();
    await client.ping();
    const info = await client.info('server');
    const version = /redis_version:([\d.]+)/.exec(info)?.[1] ?? 'unknown';
    const major = Number(version.split('.')[0]);
    const minor = Number(version.split('.')[1]);
    if (major < 6 || (major === 6 && minor < 2)) {
      throw new QueueConnectionError(`Redis at ${t.display} is version ${version}; BullMQ needs 6.2 or newer`);
    }
    return { warnings: [...targetWarnings(t), ...(await serverWarnings(client, t.display))], version };
  } catch (err) {
    if (err instanceof QueueConnectionError) throw err;
    throw explainConnectionError(cause ?? err, t);
  } finally {
    client.disconnect();
  }
}
