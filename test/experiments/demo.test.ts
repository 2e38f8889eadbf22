/**
 * The README's main job, end to end at smoke scale: baselines, then SEER runs forked from them, then the report
 * (figure and table). The laptop-scale job is the same code with the DEMO overrides.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DEMO, runDemo } from '../../lib/experiments/demo';
import { isDone } from '../../lib/experiments/sweep';

test('the main job runs baselines, forks SEER from them, and writes a figure and a table', { timeout: 300_000 }, async () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'seer-demo-'));
  const written = await runDemo(out, { jobs: 2, overrides: ['--scale', 'smoke'] });
  for (const seed of DEMO.seeds) {
    for (const variant of ['baseline', 'seer']) assert.ok(isDone(path.join(out, 'runs', `${variant}__s${seed}`)), `${variant} seed ${seed}`);
    const m = JSON.parse(fs.readFileSync(path.join(out, 'runs', `seer__s${seed}`, 'manifest.json'), 'utf8')) as { forkedFrom?: { dir: string } };
    assert.equal(m.forkedFrom?.dir, path.join('..', `baseline__s${seed}`));
  }
  const names = written.map((f) => path.basename(f));
  assert.ok(names.some((n) => n.endsWith('.svg')) && names.some((n) => n.endsWith('.md')), names.join(', '));
  for (const f of written) assert.ok(fs.statSync(f).size > 0, f);
});
