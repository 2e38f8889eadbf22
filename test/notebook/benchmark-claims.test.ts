import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import {
  benchmarkClaims,
  claimsBlock,
  claimsMarkdown,
  CLAIMS_BEGIN,
  CLAIMS_END,
  envLabel,
  withClaimsBlock,
} from '../../lib/notebook/benchmark-claims';
import { benchmarkRuns } from '../../lib/notebook/benchmark-progress';
import { sectionJobs, type SectionName } from '../../lib/plan/sections';
import { REPO_ROOT } from '../../lib/util/paths';
import { tmpDir } from '../tmp';
import { writeBenchRun } from './bench-run';

/** A finished run: evaluations with the given returns at the given training FLOPs (no acting FLOPs). */
const writeRun = (dir: string, config: object, returns: number[], flops: number[]): void =>
  writeBenchRun(dir, config, returns, { flops, updates: (i) => i * 5000 });

test('benchmark claims: each claim from the finished runs, with intervals, ratio and a verdict from 3 seeds', () => {
  const root = (name: SectionName) => tmpDir(`bench-claims-${name}-`);
  const [computeRoot, memoryRoot] = [root('compute'), root('memory')];
  const jobs = (name: SectionName, dir: string, env: string, arm: string) =>
    sectionJobs(name, 'benchmark', dir).filter((j) => j.env === env && j.arm === arm);
  const breakout = 'minatar/breakout';
  // Baselines spend 2 FLOPs, SEER 1: at SEER's budget the baselines score their middle evaluation.
  jobs('compute', computeRoot, breakout, 'baseline')
    .slice(0, 3)
    .forEach((j, i) => writeRun(j.dir, j.config, [0.5, 3 + i / 10, 5], [0, 1, 2]));
  jobs('compute', computeRoot, breakout, 'seer')
    .slice(0, 3)
    .forEach((j, i) => writeRun(j.dir, j.config, [0.5, 4 + i / 5], [0, 1]));
  const cart = jobs('compute', computeRoot, 'cartpole-swingup', 'baseline')[0];
  writeRun(cart.dir, cart.config, [40, 450], [0, 10]);
  const late = jobs('compute', computeRoot, 'cartpole-swingup', 'seer-late')[0];
  writeRun(late.dir, late.config, [40, 430], [0, 6]);
  jobs('memory', memoryRoot, breakout, 'constrained-images')
    .slice(0, 2)
    .forEach((j, i) => writeRun(j.dir, j.config, [0.5, 5 + i], [0, 1]));
  jobs('memory', memoryRoot, breakout, 'constrained-seer')
    .slice(0, 2)
    .forEach((j, i) => writeRun(j.dir, j.config, [0.5, 4 + i], [0, 1]));

  const rows = benchmarkClaims({
    compute: benchmarkRuns('compute', computeRoot),
    memory: benchmarkRuns('memory', memoryRoot),
    resolution: [],
    impala: [],
    transfer: [],
  });
  const row = (prefix: string) => rows.find((r) => r.claim.startsWith(prefix))!;
  const rainbow = row('Learning parity: Rainbow');
  assert.match(
    rainbow.workbook,
    /^Breakout, 3 seeds: 0\.50 ± 0\.00 → 5\.00 ± 0\.00 \(gain 4\.50, 95% CI \[4\.50, 4\.50\]\)$/,
  );
  assert.equal(rainbow.verdict, '**learns**');
  assert.match(rainbow.paper, /Breakout ≈ 9, Space Invaders ≈ 33/);
  const curl = row('Learning parity: CURL');
  assert.equal(curl.workbook, 'cartpole-swingup, 1 seed: 40.0 → 450.0');
  assert.equal(curl.verdict, 'within the published mean ± std (1 seed; a verdict needs 3)');

  const left = row('Fig. 3');
  assert.match(left.paper, /^Atari at 45T FLOPs: SEER \/ Rainbow 1\.\d\d–1\.\d\d over 8 games$/);
  assert.match(
    left.workbook,
    /^Breakout, 3 seeds, at 50\.0% of the baseline's training FLOPs: SEER 4\.20 ± 0\.20 vs baseline 3\.10 ± 0\.10 \(difference 1\.10, 95% CI \[0\.\d\d, 1\.\d\d\]; ratio 1\.35; P\(SEER > baseline\) 1\.00\)$/,
  );
  assert.equal(left.verdict, '**holds**');
  assert.equal(row('Fig. 2').verdict, 'not yet', 'no SEER run on cartpole finished');
  // §5.2: SEER's final 4.0–4.4 against the baselines' 5: the final return is not kept.
  const end = row('§5.2');
  assert.match(
    end.workbook,
    /^Breakout, 3 seeds, at 10K env steps: SEER 4\.20 ± 0\.20 vs baseline 5\.00 ± 0\.00 \(difference −0\.80, 95% CI \[−1\.\d\d, −0\.\d\d\]; ratio 0\.84;/,
  );
  assert.equal(end.verdict, '**does not hold**');
  const later = row('§5.2 with a later freeze');
  assert.equal(
    later.workbook,
    'cartpole-swingup, 1 seed, at 5K env steps: SEER 430.0 vs baseline 450.0 (difference −20.0; ratio 0.96)',
  );
  assert.equal(later.verdict, 'inconclusive (1 seed; a verdict needs 3)');

  const right = row('Fig. 4');
  assert.match(right.workbook, /^Breakout, 2 seeds: SEER 4\.50 ± 0\.71 vs images 5\.50 ± 0\.71 \(difference −1\.00/);
  assert.equal(right.verdict, 'inconclusive (2 seeds; a verdict needs 3)');
  assert.equal(row('Fig. 5').workbook, 'no environment with both arms finished yet');
  assert.match(row('Fig. 6').workbook, /^not started at this scale \(\d+ runs planned\)$/);
});

test('the claims table is Markdown with | escaped; the README block is replaced between its markers only', () => {
  assert.equal(envLabel('minatar/space_invaders'), 'Space Invaders');
  assert.equal(envLabel('cartpole-swingup'), 'cartpole-swingup');
  const md = claimsMarkdown([{ claim: 'a | b', paper: 'p', workbook: 'w', verdict: 'v' }]);
  assert.equal(md.split('\n')[2], '| a \\| b | p | w | v |');
  const readme = `top\n${CLAIMS_BEGIN}\nold\n${CLAIMS_END}\nbottom\n`;
  assert.equal(
    withClaimsBlock(readme, `${CLAIMS_BEGIN}\nnew\n${CLAIMS_END}`),
    `top\n${CLAIMS_BEGIN}\nnew\n${CLAIMS_END}\nbottom\n`,
  );
  assert.throws(() => withClaimsBlock('no markers', 'x'), /benchmark claims need the markers/);
});

test("the README's benchmark claims are what the committed runs give (npm run readme:claims after a collect)", () => {
  const readme = fs.readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
  const fresh = withClaimsBlock(readme, claimsBlock());
  const block = (t: string) => t.slice(t.indexOf(CLAIMS_BEGIN), t.indexOf(CLAIMS_END));
  assert.equal(block(readme), block(fresh), 'README.md is stale: run npm run readme:claims');
});
