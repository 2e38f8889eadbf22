/**
 * What a section notebook does with its section's runs: load what data/ holds, and with runs missing either list
 * them (the default) or make them first (SEER_MISSING=run). At smoke scale the runs are always made now, into a
 * temporary folder. The scheduling itself is lib/plan/section-run.ts.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { Scale } from '../run/scale';
import type { RunResult } from '../report/results';
import { isDone } from '../run/done';
import { runSection } from '../plan/section-run';
import {
  loadSection,
  sectionComplete,
  sectionDir,
  sectionStatus,
  type SectionJob,
  type SectionName,
} from '../plan/sections';

export interface LoadedSection {
  /** Finished runs only, each with its arm (RunResult.arm); pre-training runs included. */
  runs: RunResult[];
  root: string;
  /** 'data': loaded from disk (complete, or partial when `missing` is not empty); 'fresh': run now, into `root`. */
  source: 'data' | 'fresh';
  seconds: number;
  /** Jobs of the plan with no finished run (laptop/paper scale with SEER_MISSING=load); `runs` holds only finished ones. */
  missing: SectionJob[];
}

/** What a notebook does with a section's unfinished runs at laptop/paper scale. */
export const MISSING_MODES = ['load', 'run'] as const;
export type MissingMode = (typeof MISSING_MODES)[number];

/** SEER_MISSING: 'load' (default: show what data/ holds and list the rest) or 'run' (make the missing runs now). */
export function missingMode(env: NodeJS.ProcessEnv = process.env): MissingMode {
  const v = (env.SEER_MISSING ?? '').trim().toLowerCase();
  if (v === '') return 'load';
  if ((MISSING_MODES as readonly string[]).includes(v)) return v as MissingMode;
  throw new Error(`SEER_MISSING='${env.SEER_MISSING}' is not accepted. Accepted values: ${MISSING_MODES.join(', ')}`);
}

/**
 * What a notebook calls: the section's runs at this scale. Laptop/paper: data/runs/[<scale>/]<section>. By default
 * what is there is loaded and the rest listed (`missing`): a laptop-scale CURL run takes one to several hours here,
 * too long to start by surprise from a notebook cell. With `missing: 'run'` (SEER_MISSING=run) the missing runs are
 * made there first (two processes). Smoke: always run now, in this process, into a fresh temporary folder — never
 * into data/.
 */
export async function loadOrRunSection(
  name: SectionName,
  scale: Scale,
  opts: { missing?: MissingMode } = {},
): Promise<LoadedSection> {
  const t0 = Date.now();
  // Unfinished runs (one still training, or killed) stay out: their last evaluation is not the run's end.
  const done = (root: string, source: LoadedSection['source']): LoadedSection => ({
    runs: loadSection(root, { name, scale }).filter((r) => isDone(r.dir)),
    root,
    source,
    seconds: (Date.now() - t0) / 1000,
    missing: scale === 'smoke' ? [] : sectionStatus(name, scale, root).missing,
  });
  if (scale === 'smoke') {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), `seer-${name}-`));
    // Smoke runs are for this process only (tests, a first look): their directory goes when it exits.
    process.once('exit', () => fs.rmSync(root, { recursive: true, force: true }));
    await runSection(name, scale, { root, jobs: 0 });
    return done(root, 'fresh');
  }
  const root = sectionDir(name, scale);
  const mode = opts.missing ?? missingMode();
  if (mode === 'load' || sectionComplete(name, scale, root)) return done(root, 'data');
  const failed = await runSection(name, scale, {
    root,
    jobs: 2,
    onEvent: (e) => console.log(`[section] ${e.status} ${path.relative(root, e.job.dir)}`),
  });
  if (failed.length) throw new Error(`runs failed: ${failed.map((f) => f.dir).join(', ')} (see stdout.log in each)`);
  return done(root, 'fresh');
}
