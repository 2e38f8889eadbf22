/** A benchmark run directory for the notebook tests: a manifest, evaluations every 5,000 steps, DONE when finished. */
import * as fs from 'fs';
import * as path from 'path';
import { resolveConfig } from '../../lib/run/config';

export interface BenchRunOptions {
  /** Write DONE (a finished run); default true. */
  done?: boolean;
  /** Cumulative FLOPs at each evaluation (none of them acting); default the evaluation's index. */
  flops?: number[];
  /** Updates at evaluation i: default i × 5,000 less a 1,600-step learning start. */
  updates?: (i: number) => number;
}

export function writeBenchRun(dir: string, config: object, returns: number[], opts: BenchRunOptions = {}): void {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify({ config: resolveConfig(config as never) }));
  const recs = returns.map((r, i) => ({
    type: 'eval',
    evalReturn: r,
    agentSteps: i * 5000,
    envSteps: i * 5000,
    updates: opts.updates ? opts.updates(i) : Math.max(0, i * 5000 - 1600),
    episode: 0,
    wallSeconds: i,
    cumulativeFlops: opts.flops ? opts.flops[i] : i,
    flops: { acting: 0 },
  }));
  fs.writeFileSync(path.join(dir, 'log.jsonl'), recs.map((r) => JSON.stringify(r) + '\n').join(''));
  if (opts.done ?? true) fs.writeFileSync(path.join(dir, 'DONE'), '{}');
}
