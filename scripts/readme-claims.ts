/**
 * Writes the benchmark campaign's per-claim table (lib/notebook/benchmark-claims.ts) into the README, between its
 * markers, from the finished runs in data/runs/benchmark. Run it after `scripts/campaign/collect.sh`; with --check
 * it only says whether the README is up to date (exit 1 when not), as test/notebook/benchmark-claims.test.ts does.
 *
 *   npm run readme:claims            # rewrite the block
 *   npm run readme:claims -- --check
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { claimsBlock, withClaimsBlock } from '../lib/notebook/benchmark-claims';
import { REPO_ROOT } from '../lib/util/paths';

const args = process.argv.slice(2);
const unknown = args.filter((a) => a !== '--check');
if (unknown.length) {
  console.error(`readme-claims: unknown argument(s) ${unknown.join(' ')}. Accepted: --check`);
  process.exit(2);
}
const file = path.join(REPO_ROOT, 'README.md');
const readme = fs.readFileSync(file, 'utf8');
const updated = withClaimsBlock(readme, claimsBlock());
if (args.includes('--check')) {
  const fresh = updated === readme;
  console.log(fresh ? 'README claims: up to date' : 'README claims: stale (run npm run readme:claims)');
  process.exit(fresh ? 0 : 1);
}
if (updated === readme) console.log('README claims: already up to date');
else {
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, updated);
  fs.renameSync(tmp, file);
  console.log('README claims: rewritten from data/runs/benchmark');
}
