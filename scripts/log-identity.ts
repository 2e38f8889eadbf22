/**
 * Behaviour-unchanged check for refactors (issue 20): records a fixed set of runs with the current code, and later
 * compares the same set run by changed code, log line by log line. Only `wallSeconds` (a timing) is left out of the
 * comparison; every loss, return, FLOP count, byte count and step counter must be equal. A `train` record may gain
 * statistics the old code did not write (listed in the report).
 *
 *   npx tsx scripts/log-identity.ts record  <dir>          # before the change (e.g. in a worktree of the old commit)
 *   npx tsx scripts/log-identity.ts compare <old> <new>    # after it: exit 0 when every log is identical
 *   npx tsx scripts/log-identity.ts list                   # the set
 *
 * The set: every SEER variant at smoke scale for each agent, the other encoders, fp16/int8 latents, adaptive
 * freezing, the SEER-code settings of the benchmark scale, a fork from a baseline, and one short laptop-scale SEER
 * run per agent that passes its freeze (its steps and T_f cut so that it takes minutes).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';

interface Case {
  name: string;
  args: string[];
  /** Name of an earlier case whose run directory is passed as --fork-from. */
  forkFrom?: string;
}

const VARIANTS = ['baseline', 'seer', 'constrained-images', 'constrained-seer', 'capacity-control'];
const AGENTS = [
  {
    agent: 'curl',
    env: 'cartpole-swingup',
    seerSettings: ['agentOptions.optimizers=seer', 'agentOptions.targetCopyAtFreeze=critic'],
  },
  { agent: 'rainbow', env: 'minatar/breakout', seerSettings: ['agentOptions.prioritizedReplay=false'] },
];

function set(...fields: string[]): string[] {
  return fields.flatMap((f) => ['--set', f]);
}

export function cases(): Case[] {
  const out: Case[] = [];
  for (const { agent, env, seerSettings } of AGENTS) {
    const base = ['--agent', agent, '--env', env, '--scale', 'smoke'];
    for (const v of VARIANTS) out.push({ name: `${agent}-smoke-${v}`, args: [...base, '--variant', v] });
    out.push({ name: `${agent}-smoke-seer-impala`, args: [...base, '--variant', 'seer', '--encoder', 'impala'] });
    out.push({ name: `${agent}-smoke-seer-fp16`, args: [...base, '--variant', 'seer', ...set('latentDtype=float16')] });
    out.push({
      name: `${agent}-smoke-seer-int8`,
      args: [...base, '--variant', 'constrained-seer', ...set('latentDtype=int8')],
    });
    if (agent === 'rainbow') {
      const adaptive = set('freezeRule=adaptive', 'adaptiveTau=0.5', 'snapshotEvery=5');
      out.push({ name: `${agent}-smoke-adaptive`, args: [...base, '--variant', 'seer', ...adaptive] });
    }
    out.push({ name: `${agent}-smoke-seer-code`, args: [...base, '--variant', 'seer', ...set(...seerSettings)] });
    out.push({
      name: `${agent}-smoke-fork`,
      args: [...base, '--variant', 'seer'],
      forkFrom: `${agent}-smoke-baseline`,
    });
  }
  out.push({
    name: 'curl-laptop-seer',
    args: [
      '--agent',
      'curl',
      '--env',
      'cartpole-swingup',
      '--scale',
      'laptop',
      '--variant',
      'seer',
      ...set('steps=1500', 'freezeAt=300'),
    ],
  });
  out.push({
    name: 'rainbow-laptop-seer',
    args: [
      '--agent',
      'rainbow',
      '--env',
      'minatar/breakout',
      '--scale',
      'laptop',
      '--variant',
      'seer',
      ...set('steps=2200', 'freezeAt=800'),
    ],
  });
  return out;
}

function record(dir: string): void {
  const root = resolve(dir);
  for (const c of cases()) {
    const out = join(root, c.name);
    if (existsSync(join(out, 'DONE'))) continue;
    rmSync(out, { recursive: true, force: true }); // a run that failed part-way starts again
    const fork = c.forkFrom ? ['--fork-from', join(root, c.forkFrom)] : [];
    const t0 = Date.now();
    const r = spawnSync(process.execPath, ['bin/seer.js', 'run', ...c.args, ...fork, '--out', out], {
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, SEER_QUIET: '1' },
    });
    if (r.status !== 0) throw new Error(`${c.name}: seer run exited ${r.status}`);
    console.log(`${c.name}: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  }
}

/** A log's records without their timings. */
function records(file: string): string[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => {
      const { wallSeconds: _t, ...rest } = JSON.parse(l) as Record<string, unknown>;
      return JSON.stringify(rest);
    });
}

/**
 * Whether a new record says what the old one did. A `train` record may gain statistics the old code did not log
 * (each listed in `gained`); every field the old record had must be equal.
 */
function sameRecord(old: string, now: string | undefined, gained: Set<string>): boolean {
  if (now === undefined) return false;
  if (old === now) return true;
  const [a, b] = [JSON.parse(old) as Record<string, unknown>, JSON.parse(now) as Record<string, unknown>];
  if (a.type !== 'train' || b.type !== 'train') return false;
  if (!Object.entries(a).every(([k, v]) => JSON.stringify(b[k]) === JSON.stringify(v))) return false;
  for (const k of Object.keys(b)) if (!(k in a)) gained.add(k);
  return true;
}

function compare(oldDir: string, newDir: string): number {
  let failures = 0;
  for (const c of cases()) {
    const a = join(oldDir, c.name, 'log.jsonl');
    const b = join(newDir, c.name, 'log.jsonl');
    if (!existsSync(a) || !existsSync(b)) {
      console.log(`${c.name}: MISSING (${existsSync(a) ? b : a})`);
      failures++;
      continue;
    }
    const [ra, rb] = [records(a), records(b)];
    const gained = new Set<string>();
    const i = ra.findIndex((line, k) => !sameRecord(line, rb[k], gained));
    if (i < 0 && ra.length === rb.length) {
      const extra = gained.size > 0 ? `; train records gained ${[...gained].join(', ')}` : '';
      console.log(`${c.name}: identical (${ra.length} records${extra})`);
      continue;
    }
    failures++;
    const at = i < 0 ? Math.min(ra.length, rb.length) : i;
    console.log(`${c.name}: DIFFERENT at record ${at + 1}\n  old: ${ra[at] ?? '(none)'}\n  new: ${rb[at] ?? '(none)'}`);
  }
  const extra = existsSync(newDir) ? readdirSync(newDir).filter((d) => !cases().some((c) => c.name === d)) : [];
  if (extra.length > 0) console.log(`not in the set (ignored): ${extra.join(', ')}`);
  console.log(failures === 0 ? 'all logs identical' : `${failures} of ${cases().length} differ`);
  return failures === 0 ? 0 : 1;
}

const [cmd, a, b] = process.argv.slice(2);
if (cmd === 'record' && a) record(a);
else if (cmd === 'compare' && a && b) process.exitCode = compare(a, b);
else if (cmd === 'list') for (const c of cases()) console.log(`${c.name}: ${c.args.join(' ')}`);
else {
  console.error('usage: log-identity.ts record <dir> | compare <old dir> <new dir> | list');
  process.exitCode = 2;
}
