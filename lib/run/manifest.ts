/** What every run records beside its log: how it was produced, so any figure can be traced back. */
import { execSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { backendName } from '../backend/select';
import { resolveConfig, type ExperimentConfig } from './config';

export interface Machine {
  cpu: string;
  cores: number;
  memoryGiB: number;
  platform: string;
  node: string;
}

export interface Manifest {
  command: string;
  commit: string;
  /** True when the working tree had uncommitted changes at launch. */
  dirty: boolean;
  backend: string;
  /** On the native backend: its thread count and how the threads wait (timing only, lib/backend/wait-policy.ts). */
  threads?: { count: number; waitPolicy: string };
  machine: Machine;
  seed: number;
  startedAt: string;
  config: unknown;
}

export function machine(): Machine {
  return {
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cores: os.cpus().length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    platform: `${os.platform()} ${os.release()}`,
    node: process.version,
  };
}

function git(args: string): string {
  try {
    return execSync(`git ${args}`, { stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim();
  } catch {
    return '';
  }
}

/** How this process was started, its commit and whether the tree had uncommitted changes. */
export function provenance(): { command: string; commit: string; dirty: boolean } {
  return {
    command: process.argv.map((a) => (/\s/.test(a) ? JSON.stringify(a) : a)).join(' '),
    commit: git('rev-parse HEAD') || 'unknown',
    dirty: git('status --porcelain --untracked-files=no') !== '',
  };
}

/** The native backend's threads, when it is the active backend. */
function nativeThreadInfo(backend: string): Manifest['threads'] {
  if (backend !== 'native') return undefined;
  const { nativeInfo } = require('../backend/native') as typeof import('../backend/native');
  const info = nativeInfo();
  return { count: info.threads, waitPolicy: `${info.waitPolicy.policy} (${info.waitPolicy.reason})` };
}

export function makeManifest(config: unknown, seed: number): Manifest {
  const backend = backendName();
  return {
    ...provenance(),
    backend,
    threads: nativeThreadInfo(backend),
    machine: machine(),
    seed,
    startedAt: new Date().toISOString(),
    config,
  };
}

/**
 * Settings that differ between a run directory's manifest and the configuration now asked for, as
 * "field (recorded vs now)". Both sides are resolved first, so a manifest written before a field existed compares
 * equal when the run used what is now that field's default. Agent options are compared one by one.
 */
export function configDifferences(recorded: unknown, now: ExperimentConfig): string[] {
  if (typeof recorded !== 'object' || recorded === null) return [`config (manifest.json has none)`];
  let before: Record<string, unknown>;
  let note = '';
  try {
    const resolved = resolveConfig(recorded as Partial<ExperimentConfig> & { env: string });
    before = resolved as unknown as Record<string, unknown>;
  } catch (err) {
    // A manifest this code no longer accepts: compare the fields it records, and say why defaults were not filled.
    before = recorded as Record<string, unknown>;
    note = ` (the recorded config does not validate today: ${(err as Error).message})`;
  }
  const after = now as unknown as Record<string, unknown>;
  const out: string[] = [];
  const show = (v: unknown): string => (v === undefined ? 'unset' : JSON.stringify(v));
  for (const key of [...new Set([...Object.keys(before), ...Object.keys(after)])]) {
    if (note && !(key in before)) continue;
    const a = before[key];
    const b = after[key];
    if (key === 'agentOptions' && isPlainObject(a) && isPlainObject(b)) {
      for (const k of [...new Set([...Object.keys(a), ...Object.keys(b)])]) {
        if (canonical(a[k]) !== canonical(b[k])) out.push(`agentOptions.${k} (${show(a[k])} vs ${show(b[k])})`);
      }
    } else if (canonical(a) !== canonical(b)) {
      out.push(`${key} (${show(a)} vs ${show(b)})`);
    }
  }
  if (out.length && note) out.push(note.trim().slice(1, -1));
  return out;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** JSON with object keys sorted, so that key order never counts as a difference. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (isPlainObject(v)) {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v) ?? 'undefined';
}

/** The manifest of run directory `dir`, or undefined when it has none; throws, naming the file, when unreadable. */
export function readManifest(dir: string): (Manifest & Record<string, unknown>) | undefined {
  const file = path.join(dir, 'manifest.json');
  if (!fs.existsSync(file)) return undefined;
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as Manifest & Record<string, unknown>;
  } catch (err) {
    throw new Error(`${file} cannot be read (${(err as Error).message}); it should describe the run in ${dir}`);
  }
}

/**
 * Why the run in `dir` is not the experiment `cfg` describes (every differing field named), or undefined when it
 * is, or when `dir` holds no manifest yet. Resuming or skipping such a run would mix two experiments in one.
 */
export function runConfigConflict(dir: string, cfg: ExperimentConfig): string | undefined {
  const manifest = readManifest(dir);
  if (!manifest) return undefined;
  const differ = configDifferences(manifest.config, cfg);
  if (!differ.length) return undefined;
  return (
    `${dir} holds a run with other settings (its manifest.json vs now): ${differ.join(', ')}. ` +
    'Continue it with its own settings, or choose another --out'
  );
}
