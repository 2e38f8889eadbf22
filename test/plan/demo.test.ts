/**
 * The README's main job, end to end at smoke scale: baselines, then SEER runs forked from them, then the report
 * (figure and table). The laptop-scale job is the same code with the DEMO overrides. Every SEER run forks
 * whatever the clock; one whose baseline has no fork point runs from update 0 instead of failing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DEMO, runDemo } from '../../lib/plan/demo';
import { isDone } from '../../lib/run/done';
import { forkPointDir } from '../../lib/run/fork';
import { readLog } from '../../lib/run/log';
import { tmpDir } from '../tmp';

test(
  'the main job runs baselines, forks SEER from them, and writes a figure and a table',
  { timeout: 300_000 },
  async () => {
    const out = tmpDir('seer-demo-');
    // No clock checkpoint in any run (as on a machine faster than checkpointSeconds); Breakout's episodes vary in
    // length, and in seed 1 the one that crosses T_f is longer than those before it.
    const overrides = ['--scale', 'smoke', '--set', 'checkpointSeconds=86400'];
    const written = await runDemo(out, { jobs: 2, overrides });
    for (const seed of DEMO.seeds) {
      for (const variant of ['baseline', 'seer'])
        assert.ok(isDone(path.join(out, 'runs', `${variant}__s${seed}`)), `${variant} seed ${seed}`);
      const seer = path.join(out, 'runs', `seer__s${seed}`);
      const m = JSON.parse(fs.readFileSync(path.join(seer, 'manifest.json'), 'utf8')) as {
        forkedFrom?: { dir: string };
      };
      assert.equal(m.forkedFrom?.dir, path.join('..', `baseline__s${seed}`));
      assert.equal(readLog(path.join(seer, 'log.jsonl')).filter((r) => r.type === 'fork').length, 1);
    }
    const names = written.map((f) => path.basename(f));
    assert.ok(names.some((n) => n.endsWith('.svg')) && names.some((n) => n.endsWith('.md')), names.join(', '));
    for (const f of written) assert.ok(fs.statSync(f).size > 0, f);

    // Baselines left without a fork point and a SEER run that failed on it (what older code did): running the demo
    // again repairs it, the SEER runs running from update 0 and the demo saying so.
    for (const seed of DEMO.seeds) {
      fs.rmSync(forkPointDir(path.join(out, 'runs', `baseline__s${seed}`)), { recursive: true });
      const seer = path.join(out, 'runs', `seer__s${seed}`);
      fs.rmSync(seer, { recursive: true });
      fs.mkdirSync(seer);
      fs.writeFileSync(path.join(seer, 'stdout.log'), 'cannot fork from ../baseline: it has no fork point yet\n');
    }
    const said: string[] = [];
    const write = console.error;
    console.error = (...a: unknown[]) => void said.push(a.join(' '));
    try {
      await runDemo(out, { jobs: 2, overrides });
    } finally {
      console.error = write;
    }
    for (const seed of DEMO.seeds) {
      const seer = path.join(out, 'runs', `seer__s${seed}`);
      assert.ok(isDone(seer));
      assert.equal(readLog(path.join(seer, 'log.jsonl')).filter((r) => r.type === 'fork-fallback').length, 1);
      assert.ok(
        said.some((l) => l.includes(`done seer__s${seed}`) && l.includes('ran from update 0')),
        said.join('\n'),
      );
    }
  },
);
