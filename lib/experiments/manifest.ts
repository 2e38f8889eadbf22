/** What every run records beside its log: how it was produced, so any figure can be traced back. */
import { execSync } from 'child_process';
import * as os from 'os';
import { backendName } from '../backend/select';

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
    return execSync(`git ${args}`, { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
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

export function makeManifest(config: unknown, seed: number): Manifest {
  return {
    ...provenance(),
    backend: backendName(),
    machine: machine(),
    seed,
    startedAt: new Date().toISOString(),
    config,
  };
}
