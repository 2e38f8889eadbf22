/**
 * The benchmark campaign's lane files (scripts/campaign/lanes/*.list, run by scripts/campaign/lane.sh) against the
 * plans they carry out: priorities 1-4 (data/runs/benchmark/plan.md) are the benchmark-scale compute, memory,
 * resolution and IMPALA sections (transfer, priority 5, is out of reach: about 200 core-hours), so every run of
 * theirs must sit in exactly one lane, under the folder the plan gives it, and a SEER run
 * listed in its source's lane must come after it (a lane runs its list in order, so the fork finds the source's fork
 * point). One in another lane may start first: with no fork point yet it runs from update 0 (lib/run/fork.ts), the
 * same logs at a higher cost, which is how the ninth session's constrained SEER runs landed within a session.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { sectionJobs, type SectionName } from '../../lib/plan/sections';
import { LANES_DIR, laneFiles, readLaneFile } from '../../scripts/campaign/lane-file';

const ROOT = '/campaign';
const CAMPAIGN_SECTIONS: SectionName[] = ['compute', 'memory', 'resolution', 'impala'];

/** Each lane's runs, as lane.sh reads them (scripts/campaign/lane-file.ts), as "<section>/<arm>/<run>". */
function readLanes(): Map<string, string[]> {
  return new Map(
    laneFiles().map((f) => [path.basename(f), readLaneFile(f).map(({ section, run }) => `${section}/${run}`)]),
  );
}

/** The campaign's runs (priorities 1-4), each as its folder under the campaign root, with its fork source. */
function campaignRuns(): Map<string, string | undefined> {
  const runs = new Map<string, string | undefined>();
  const rel = (dir: string): string => path.relative(ROOT, dir);
  for (const name of CAMPAIGN_SECTIONS) {
    for (const job of sectionJobs(name, 'benchmark', path.join(ROOT, name))) {
      runs.set(rel(job.dir), job.forkFrom && rel(job.forkFrom));
    }
  }
  return runs;
}

test('campaign lanes: every compute, memory, resolution and IMPALA run of the benchmark plan is in exactly one lane', () => {
  const lanes = readLanes();
  assert.ok(lanes.size >= 2, `expected lane files in ${LANES_DIR}`);
  const laneOf = new Map<string, string>();
  for (const [lane, runs] of lanes) {
    for (const run of runs) {
      assert.ok(!laneOf.has(run), `${run} is listed twice (${laneOf.get(run)} and ${lane})`);
      laneOf.set(run, lane);
    }
  }
  const planned = campaignRuns();
  const missing = [...planned.keys()].filter((r) => !laneOf.has(r));
  assert.deepEqual(missing, [], 'planned runs that no lane runs');
  const unplanned = [...laneOf.keys()].filter((r) => !planned.has(r));
  assert.deepEqual(unplanned, [], 'lane runs that the benchmark plans do not hold (a wrong folder name?)');
});

test('campaign lanes: a SEER run in the lane of its fork source comes after the source', () => {
  const lanes = readLanes();
  let sameLane = 0;
  for (const [run, source] of campaignRuns()) {
    if (!source) continue;
    const [lane, runs] = [...lanes].find(([, rs]) => rs.includes(run))!;
    const at = runs.indexOf(source);
    if (at < 0) continue; // another lane's source: a fork once it has passed T_f, else a run from update 0
    sameLane += 1;
    assert.ok(at < runs.indexOf(run), `${lane}: ${run} comes before its fork source ${source}`);
  }
  assert.ok(sameLane > 0, 'no SEER run shares a lane with its fork source: none of them would fork');
});
