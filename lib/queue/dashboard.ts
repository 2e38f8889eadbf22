/**
 * `seer dashboard`: bull-board (jobs by state, progress, errors, retry buttons) on a local port. It listens on
 * 127.0.0.1 unless told otherwise; on any other address it needs a token (--token or SEER_DASHBOARD_TOKEN), given
 * once as `?token=…` (then kept in an HttpOnly cookie) or as `Authorization: Bearer …`. The dashboard can retry and
 * delete jobs, so it is never open to the network without one.
 */
import { timingSafeEqual } from 'crypto';
import type { Server } from 'http';
import express, { type NextFunction, type Request, type Response } from 'express';
import { Queue } from 'bullmq';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import { KEY_PREFIX, QUEUE_NAME, isLoopbackHost, type QueueTarget } from './connection';

export interface DashboardOptions {
  host?: string;
  port?: number;
  token?: string;
}

const COOKIE = 'seer_dashboard_token';

function sameToken(given: string | undefined, token: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Refuses a token check that cannot protect anything, and a non-loopback address without one. */
export function checkDashboardOptions(o: DashboardOptions): void {
  const host = o.host ?? '127.0.0.1';
  if (o.token !== undefined && o.token.length < 16)
    throw new Error('the dashboard token must be at least 16 characters (e.g. `openssl rand -hex 16`)');
  if (!isLoopbackHost(host) && !o.token) {
    throw new Error(
      `the dashboard would listen on ${host}, reachable from other machines, without a token: ` +
        'pass --token (or SEER_DASHBOARD_TOKEN), or keep the default 127.0.0.1 and use an SSH tunnel',
    );
  }
}

function tokenGate(token: string) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const cookie = (req.headers.cookie ?? '')
      .split(';')
      .map((c) => c.trim().split('='))
      .find(([k]) => k === COOKIE)?.[1];
    const query = typeof req.query.token === 'string' ? req.query.token : undefined;
    if (sameToken(query, token)) {
      res.setHeader('Set-Cookie', `${COOKIE}=${encodeURIComponent(token)}; HttpOnly; SameSite=Strict; Path=/`);
      next();
      return;
    }
    if (sameToken(bearer, token) || sameToken(cookie && decodeURIComponent(cookie), token)) {
      next();
      return;
    }
    res.status(401).type('text/plain').send('seer dashboard: a token is required (open the URL with ?token=…)\n');
  };
}

export async function startDashboard(
  target: QueueTarget,
  o: DashboardOptions = {},
): Promise<{ url: string; close: () => Promise<void> }> {
  checkDashboardOptions(o);
  const host = o.host ?? '127.0.0.1';
  const queue = new Queue(QUEUE_NAME, { connection: target.connection, prefix: KEY_PREFIX });
  const adapter = new ExpressAdapter();
  adapter.setBasePath('/');
  createBullBoard({ queues: [new BullMQAdapter(queue, { readOnlyMode: false })], serverAdapter: adapter });
  const app = express();
  if (o.token) app.use(tokenGate(o.token));
  app.use('/', adapter.getRouter());
  const server: Server = await new Promise((resolve, reject) => {
    const s = app.listen(o.port ?? 3000, host, () => resolve(s));
    s.on('error', reject);
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : o.port;
  const shown = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shown}:${port}/`,
    close: async () => {
      await new Promise<void>((r) => server.close(() => r()));
      await queue.close();
    },
  };
}
