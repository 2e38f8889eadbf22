/**
 * What the queue costs per job, measured here (README "Scaling out"), and each section's wall time on 1, 4 and 16
 * two-core workers estimated from the committed runs' measured times (data/runs/<section>/…/DONE wallSeconds).
 *   npx tsx bench/queue.ts            prints JSON: overhead per job, and a Markdown table of the estimates
 * Overheads: enqueue (FlowProducer, per job, 100 jobs at once), one progress update (Job.updateProgress), and a
 * worker's dispatch of a job whose run is already finished (sandboxed child, validation, run-directory check), the
 * fixed cost a job pays on top of its run. Needs redis-server (scripts/setup.sh); it starts its own on a free port.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Queue, QueueEvents } from 'bullmq';
import { resolveConfig, type ExperimentConfig } from '../lib/run/config';
import { SECTION_NAMES, sectionJobs, type SectionJob } from '../lib/plan/sections';
import { readLog } from '../lib/run/log';
import { isDone } from '../lib/run/done';
import { KEY_PREFIX, QUEUE_NAME, parseQueueUrl } from '../lib/queue/connection';
import { enqueueRuns } from '../lib/queue/enqueue';
import { startWorker } from '../lib/queue/worker';
import { TestRedis } from '../test/queue/redis-server';

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function overheads(): Promise<Record<string, number>> {
  const redis = await TestRedis.start();
  const t = parseQueueUrl(redis.url);
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'seer-bench-queue-'));
  try {
    const runs = Array.from({ length: 100 }, (_, seed) => ({
      config: { env: 'minatar/breakout', scale: 'smoke' as const, seed },
      dir: path.join(root, `r${seed}`),
    }));
    const r = await enqueueRuns(t, runs, { root });
    const q = new Queue(QUEUE_NAME, { connection: t.connection, prefix: KEY_PREFIX });
    const job = (await q.getJobs(['waiting', 'prioritized'], 0, 0))[0];
    const times: number[] = [];
    for (let i = 0; i < 200; i++) {
      const t0 = process.hrtime.bigint();
      await job.updateProgress({ step: i, steps: 200, updates: i, lastReturn: 1.5, etaSeconds: 100, worker: 'bench' });
      times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    await q.obliterate({ force: true });
    // Dispatch: jobs whose runs are finished on disk (DONE) go through the whole worker path but run nothing.
    const done = Array.from({ length: 10 }, (_, seed) => ({
      config: {
        env: 'minatar/breakout',
        scale: 'smoke' as const,
        seed,
        steps: 20,
        initSteps: 4,
        freezeAt: 4,
        evalEvery: 10,
      },
      dir: path.join(root, `d${seed}`),
    }));
    for (const d of done) {
      fs.mkdirSync(d.dir, { recursive: true });
      fs.writeFileSync(path.join(d.dir, 'DONE'), '{}');
      fs.writeFileSync(path.join(d.dir, 'manifest.json'), JSON.stringify({ config: resolveConfig(d.config) }));
    }
    const events = new QueueEvents(QUEUE_NAME, { connection: t.connection, prefix: KEY_PREFIX });
    await events.waitUntilReady();
    const finished: number[] = [];
    events.on('completed', () => finished.push(Date.now()));
    const w = startWorker({ url: redis.url, target: t, root, jobs: 1 });
    const t0 = Date.now();
    await enqueueRuns(t, done, { root });
    while (finished.length < done.length) await new Promise((res) => setTimeout(res, 20));
    await w.close(true);
    await events.close();
    await q.close();
    const gaps = finished.slice(1).map((f, i) => (f - finished[i]) / 1000);
    return {
      enqueueSecondsPerJob: r.seconds / runs.length,
      progressUpdateMs: median(times),
      firstJobDispatchSeconds: (finished[0] - t0) / 1000,
      dispatchSecondsPerJob: median(gaps),
    };
  } finally {
    await redis.stop();
    fs.rmSync(root, { recursive: true, force: true });
  }
}

/** A finished run's own wall time: DONE's wallSeconds, less the baseline's time copied in by a fork. */
function ownSeconds(dir: string): number | undefined {
  if (!isDone(dir)) return undefined;
  const log = readLog(path.join(dir, 'log.jsonl'));
  const end = log[log.length - 1]?.wallSeconds;
  const fork = log.find((r) => r.type === 'fork')?.wallSeconds ?? 0;
  return end === undefined ? undefined : end - fork;
}

const agentOf = (c: ExperimentConfig): string => `${c.agent}/${c.variant}/${c.imageSize}/${c.encoder}`;
/** Samples processed by a run's updates: the paper/laptop ratio scales a measured laptop time to the paper. */
const work = (c: ExperimentConfig): number => (c.steps - c.initSteps) * c.batchSize + c.steps;

/** List scheduling on `slots` cores, longest ready job first; a job starts once what it needs has finished. */
function makespan(jobs: { dir: string; seconds: number; needs: string[] }[], slots: number, perJob: number): number {
  const finish = new Map<string, number>();
  const free = Array(slots).fill(0);
  const left = [...jobs];
  while (left.length) {
    free.sort((a, b) => a - b);
    const now = free[0];
    const ready = left.filter((j) =>
      j.needs.every((d) => (finish.get(d) ?? (jobs.some((x) => x.dir === d) ? Infinity : 0)) <= now),
    );
    if (!ready.length) {
      const next = Math.min(...[...finish.values()].filter((f) => f > now));
      free[0] = Number.isFinite(next) ? next : now;
      continue;
    }
    const job = ready.sort((a, b) => b.seconds - a.seconds)[0];
    left.splice(left.indexOf(job), 1);
    free[0] = now + job.seconds + perJob;
    finish.set(job.dir, free[0]);
  }
  return Math.max(...free, ...finish.values());
}

function estimates(perJobQueueSeconds: (runSeconds: number) => number): string[] {
  const measured = new Map<string, number[]>();
  const byDir = new Map<string, number>();
  for (const name of SECTION_NAMES) {
    for (const j of sectionJobs(name, 'laptop')) {
      const s = ownSeconds(j.dir);
      if (s === undefined) continue;
      byDir.set(`${name}/${j.arm}/${j.env}`, s);
      const key = agentOf(resolveConfig(j.config)) + (j.forkFrom ? '/fork' : '');
      measured.set(key, [...(measured.get(key) ?? []), s]);
    }
  }
  const lines = [
    '| section | scale | runs | run-hours | 1 worker | 4 workers | 16 workers |',
    '|---|---|---:|---:|---:|---:|---:|',
  ];
  const h = (s: number): string =>
    s / 3600 >= 100 ? `${Math.round(s / 3600).toLocaleString('en')} h` : `${(s / 3600).toFixed(1)} h`;
  for (const scale of ['laptop', 'paper'] as const) {
    for (const name of SECTION_NAMES) {
      const jobs = sectionJobs(name, scale).map((j: SectionJob) => {
        const cfg = resolveConfig(j.config);
        const laptop = resolveConfig({ ...j.config, scale: 'laptop' });
        const same = byDir.get(`${name}/${j.arm}/${j.env}`);
        const cls = measured.get(agentOf(laptop) + (j.forkFrom ? '/fork' : '')) ?? measured.get(agentOf(laptop)) ?? [];
        const base = same ?? (cls.length ? cls.reduce((a, b) => a + b, 0) / cls.length : NaN);
        const seconds = base * (scale === 'paper' ? work(cfg) / work(laptop) : 1);
        return { dir: j.dir, seconds, needs: [j.forkFrom, j.pretrainedFrom].filter((d): d is string => !!d) };
      });
      if (jobs.some((j) => !Number.isFinite(j.seconds))) continue;
      const total = jobs.reduce((a, j) => a + j.seconds, 0);
      const perJob = perJobQueueSeconds(total / jobs.length);
      const cells = [1, 4, 16].map((w) => h(makespan(jobs, 2 * w, perJob)));
      lines.push(`| ${name} | ${scale} | ${jobs.length} | ${(total / 3600).toFixed(1)} | ${cells.join(' | ')} |`);
    }
  }
  return lines;
}

(async () => {
  const o = await overheads();
  // Per job: its enqueue, its dispatch, and a progress update every 10 s of its run.
  const perJob = (runSeconds: number): number =>
    o.enqueueSecondsPerJob + o.dispatchSecondsPerJob + (runSeconds / 10) * (o.progressUpdateMs / 1000);
  console.log(
    JSON.stringify({ machine: `${os.cpus()[0]?.model} × ${os.cpus().length}`, load: os.loadavg()[0], ...o }, null, 1),
  );
  console.log(estimates(perJob).join('\n'));
})();
