/**
 * What the campaign's lanes still have to run, and how long that takes: each lane file's unfinished runs in order,
 * with the estimate `seer section --status` gives (lib/plan/section-status.ts: a started run's own speed so far,
 * else finished runs' measured speeds; a fork from its source's fork point, or from update 0 when the source finished
 * without one), each lane's total and the totals per section. Finished runs are those with DONE under the campaign
 * root or committed in data/runs/benchmark (lane.sh restores and skips those).
 *
 *   SEER_CAMPAIGN_ROOT=/work/campaign npx tsx scripts/campaign/remaining.ts [lane files…]
 *
 * Default lane files: scripts/campaign/lanes/*.list. Estimates assume what the finished runs met (three lanes on
 * two cores for most CURL runs): a lane of its own core may go faster.
 */
import * as os from 'os';
import * as path from 'path';
import { isDone } from '../../lib/run/done';
import { laneFiles, readLaneFile } from './lane-file';
import { formatSeconds } from '../../lib/run/progress';
import { defaultSamples, jobSeconds, startStep } from '../../lib/plan/section-status';
import { SECTION_NAMES, sectionJobs, type SectionJob, type SectionName } from '../../lib/plan/sections';

const REPO = path.join(__dirname, '..', '..');
const root = path.resolve(process.env.SEER_CAMPAIGN_ROOT ?? path.join(os.homedir(), 'seer-campaign'));
const lanes = laneFiles(process.argv.slice(2));

const plans = new Map<string, SectionJob[]>();
function jobOf(section: string, run: string, lane: string): SectionJob {
  if (!(SECTION_NAMES as readonly string[]).includes(section))
    throw new Error(`${lane}: '${section}' is no section (accepted: ${SECTION_NAMES.join(', ')})`);
  const name = section as SectionName;
  if (!plans.has(name)) plans.set(name, sectionJobs(name, 'benchmark', path.join(root, name)));
  const dir = path.join(root, section, run);
  const job = plans.get(name)!.find((j) => j.dir === dir);
  if (!job) throw new Error(`${lane}: no run ${run} in the benchmark plan of ${section}`);
  return job;
}

const samples = defaultSamples(root);
// Finished: DONE under the root, or committed as finished (lane.sh restores it, without checkpoints or fork point).
const finished = (dir: string): boolean =>
  isDone(dir) || isDone(path.join(REPO, 'data', 'runs', 'benchmark', path.relative(root, dir)));
const bySection = new Map<string, { runs: number; seconds: number; unknown: number }>();
let all = 0;
for (const lane of lanes) {
  const lines = readLaneFile(lane);
  let total = 0;
  let unknown = 0;
  const out: string[] = [];
  for (const { section, run } of lines) {
    const job = jobOf(section, run, path.basename(lane));
    if (finished(job.dir)) continue;
    const seconds = jobSeconds(job, samples, finished);
    const from = startStep(job, finished);
    const how = from > 0 ? `from step ${from}` : 'from step 0';
    out.push(
      `  ${`${section} ${run}`.padEnd(58)} ${seconds === undefined ? 'unknown' : formatSeconds(seconds)} (${how})`,
    );
    const s = bySection.get(section) ?? { runs: 0, seconds: 0, unknown: 0 };
    s.runs += 1;
    if (seconds === undefined) {
      unknown += 1;
      s.unknown += 1;
    } else {
      total += seconds;
      s.seconds += seconds;
    }
    bySection.set(section, s);
  }
  all += total;
  const plus = unknown ? ` + ${unknown} of unknown time` : '';
  console.log(`${path.basename(lane)}: ${out.length} runs to go, about ${formatSeconds(total)}${plus}`);
  for (const l of out) console.log(l);
}
console.log(`\nper section (core time):`);
for (const [section, s] of bySection) {
  const plus = s.unknown ? ` + ${s.unknown} of unknown time` : '';
  console.log(`  ${section.padEnd(12)} ${String(s.runs).padStart(3)} runs  about ${formatSeconds(s.seconds)}${plus}`);
}
console.log(`all lanes: about ${formatSeconds(all)} of core time (${(all / 3600).toFixed(1)} core-hours)`);
