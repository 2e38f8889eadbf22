/**
 * Thread defaults for two lanes (issue 21): `seer section` and `seer sweep` run one process per core, each with
 * SEER_NATIVE_THREADS = cores / lanes (lib/plan/sweep.ts). This measures the choice the way it is used: two runs of
 * the same short configuration started together, once with 1 native thread each and once with 2 each (the machine
 * oversubscribed), and reports how long the pair took. Run it on an otherwise idle machine.
 *
 *   npm run bench:lanes                       # CURL (laptop, batch 32) and Rainbow (laptop) pairs
 *   npm run bench:lanes -- --only rainbow     # one agent
 *
 * Output: a table on stdout and data/bench/two-lanes.json (machine, commit, each run's wall time).
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

interface PairCase {
  name: string;
  args: string[];
}

/** Short laptop-scale runs that pass their freeze, so both phases (images, latents) are in the time. */
const CASES: PairCase[] = [
  {
    name: 'curl',
    args: ['--agent', 'curl', '--env', 'cartpole-swingup', '--scale', 'laptop', '--variant', 'seer'].concat(
      ['steps=1500', 'freezeAt=300'].flatMap((s) => ['--set', s]),
    ),
  },
  {
    name: 'rainbow',
    args: ['--agent', 'rainbow', '--env', 'minatar/breakout', '--scale', 'laptop', '--variant', 'seer'].concat(
      ['steps=3000', 'freezeAt=1000'].flatMap((s) => ['--set', s]),
    ),
  },
];

function runOnce(args: string[], out: string, threads: number): Promise<number> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/seer.js', 'run', ...args, '--out', out], {
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, SEER_QUIET: '1', SEER_NATIVE_THREADS: String(threads) },
    });
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve((performance.now() - t0) / 1000) : reject(new Error(`seer run exited ${code}`)),
    );
  });
}

async function pair(c: PairCase, threads: number, tmp: string): Promise<number[]> {
  const dirs = [0, 1].map((i) => path.join(tmp, `${c.name}-t${threads}-${i}`));
  // Seeds 0 and 1: the lanes of a sweep run different runs.
  return Promise.all(dirs.map((d, i) => runOnce([...c.args, '--seed', String(i)], d, threads)));
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const only = argv[0] === '--only' ? argv[1] : undefined;
  const accepted = CASES.map((c) => c.name);
  if (argv.length > 0 && (!only || !accepted.includes(only))) {
    console.error(`usage: bench:lanes [--only ${accepted.join('|')}]`);
    process.exitCode = 2;
    return;
  }
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'seer-lanes-'));
  const cpu = os.cpus()[0]?.model ?? 'unknown';
  console.log(`two lanes on ${os.cpus().length} logical CPUs (${cpu}); each pair: two runs started together`);
  const rows: { agent: string; threadsPerRun: number; runSeconds: number[]; pairSeconds: number }[] = [];
  try {
    for (const c of CASES.filter((x) => !only || x.name === only)) {
      for (const threads of [1, 2]) {
        const secs = await pair(c, threads, tmp);
        const row = { agent: c.name, threadsPerRun: threads, runSeconds: secs, pairSeconds: Math.max(...secs) };
        rows.push(row);
        console.log(
          `${c.name.padEnd(8)} ${threads} thread(s) per run: pair ${row.pairSeconds.toFixed(1)} s ` +
            `(runs ${secs.map((s) => s.toFixed(1)).join(' s, ')} s)`,
        );
      }
      const [one, two] = rows.slice(-2);
      console.log(
        `${c.name.padEnd(8)} 2 threads ÷ 1 thread per run: ${(two.pairSeconds / one.pairSeconds).toFixed(2)}`,
      );
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  mkdirSync('data/bench', { recursive: true });
  const out = { cpu, logicalCpus: os.cpus().length, commit, date: new Date().toISOString(), cases: CASES, rows };
  writeFileSync('data/bench/two-lanes.json', JSON.stringify(out, null, 2) + '\n');
  console.log('written: data/bench/two-lanes.json');
}

void main();
