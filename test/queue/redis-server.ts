/**
 * A throw-away redis-server for the queue tests: a child process on a free loopback port, configured as the
 * README's recipe says (noeviction, append-only file), with its data in a temporary directory so that a restart
 * on the same port reloads it. Installed by scripts/setup.sh; a test fails with that hint when it is missing.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import { tmpDir } from '../tmp';

export function redisServerPath(): string {
  const r = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' });
  const p = r.stdout.trim();
  if (!p)
    throw new Error(
      'redis-server is not installed: run `npm run setup` (scripts/setup.sh installs the Debian package redis-server)',
    );
  return p;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

export class TestRedis {
  private proc?: ChildProcess;
  readonly dir = tmpDir('seer-redis-');

  private constructor(
    readonly port: number,
    readonly password?: string,
  ) {}

  static async start(opts: { password?: string } = {}): Promise<TestRedis> {
    const r = new TestRedis(await freePort(), opts.password);
    await r.up();
    return r;
  }

  get url(): string {
    return this.password ? `redis://:${this.password}@127.0.0.1:${this.port}` : `redis://127.0.0.1:${this.port}`;
  }

  /** Starts (or restarts) the server on the same port and data directory; resolves once it accepts connections. */
  async up(): Promise<void> {
    const args = [
      '--port',
      String(this.port),
      '--bind',
      '127.0.0.1',
      '--dir',
      this.dir,
      '--save',
      '',
      '--appendonly',
      'yes',
      '--appendfsync',
      'always',
      '--maxmemory-policy',
      'noeviction',
      ...(this.password ? ['--requirepass', this.password] : []),
    ];
    const proc = spawn(redisServerPath(), args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.proc = proc;
    let out = '';
    await new Promise<void>((resolve, reject) => {
      const onData = (b: Buffer): void => {
        out += b.toString();
        if (/Ready to accept connections/.test(out)) resolve();
      };
      proc.stdout!.on('data', onData);
      proc.on('exit', (code) => reject(new Error(`redis-server exited (${code}) before it was ready:\n${out}`)));
    });
    proc.stdout!.resume();
  }

  /** Stops the server (SIGTERM: it flushes the append-only file) and waits for it to exit. */
  async down(): Promise<void> {
    const proc = this.proc;
    if (!proc || proc.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      proc.once('exit', () => resolve());
      proc.kill('SIGTERM');
    });
  }

  async stop(): Promise<void> {
    await this.down();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
