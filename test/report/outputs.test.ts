import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { defaultReportDir, folderDigests, writeOutputManifest } from '../../lib/report/outputs';
import { REPO_ROOT } from '../../lib/util/paths';
import { chromiumSkipReason } from '../plots/chromium';
import { tmpDir } from '../tmp';

const dir = tmpDir('seer-outputs-');
after(() => rmSync(dir, { recursive: true, force: true }));

let calls = 0;
const provenance = (): Record<string, unknown> => {
  calls++;
  return { commit: `c${calls}`, machine: { cpu: 'x' }, writtenAt: `t${calls}` };
};

test('a manifest is rewritten only when what it describes changes; provenance is that of the last change', () => {
  const out = join(dir, 'figs');
  mkdirSync(join(out, 'sub'), { recursive: true });
  writeFileSync(join(out, 'a.svg'), '<svg/>');
  writeFileSync(join(out, 'sub', 'b.csv'), 'x\n1\n');
  writeFileSync(join(out, 'a.svg.tmp-123'), 'half-written'); // an atomic write in progress is not content
  const file = join(out, 'manifest.json');
  assert.equal(writeOutputManifest(out, { notebook: 'n', runs: ['r1'] }, provenance), true);
  const first = readFileSync(file, 'utf8');
  const m = JSON.parse(first) as { files: Record<string, string>; provenance: { commit: string }; notebook: string };
  assert.deepEqual(Object.keys(m.files), ['a.svg', 'sub/b.csv']);
  assert.equal(m.provenance.commit, 'c1');
  assert.equal(m.notebook, 'n');

  // Same files, same description, another commit and time: the manifest stays byte for byte.
  assert.equal(writeOutputManifest(out, { runs: ['r1'], notebook: 'n' }, provenance), false);
  assert.equal(readFileSync(file, 'utf8'), first);

  // A file changes: rewritten, with the new provenance.
  writeFileSync(join(out, 'a.svg'), '<svg></svg>');
  assert.equal(writeOutputManifest(out, { notebook: 'n', runs: ['r1'] }, provenance), true);
  const second = JSON.parse(readFileSync(file, 'utf8')) as typeof m;
  assert.notEqual(second.files['a.svg'], m.files['a.svg']);
  assert.equal(second.provenance.commit, `c${calls}`);

  // The description changes, the files do not (a notebook's first table is shown before it names its runs):
  // rewritten with the files' provenance, so the re-run's last write gives back the same bytes.
  const current = readFileSync(file, 'utf8');
  assert.equal(writeOutputManifest(out, { notebook: 'n', runs: [] }, provenance), true);
  assert.equal((JSON.parse(readFileSync(file, 'utf8')) as typeof m).provenance.commit, second.provenance.commit);
  assert.equal(writeOutputManifest(out, { notebook: 'n', runs: ['r1'] }, provenance), true);
  assert.equal(readFileSync(file, 'utf8'), current);
  assert.throws(() => writeOutputManifest(out, { files: 1 }, provenance), /may not use the keys 'files' or/);
});

test('folderDigests ignores the manifest itself and dot files', () => {
  const out = join(dir, 'digests');
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'manifest.json'), '{}');
  writeFileSync(join(out, '.DS_Store'), '');
  writeFileSync(join(out, 't.md'), '|a|');
  assert.deepEqual(Object.keys(folderDigests(out)), ['t.md']);
});

test('`seer report` without --out writes under build/reports/<runs name>', { timeout: 180_000 }, async (t) => {
  assert.equal(defaultReportDir(['data/runs/compute', 'data/runs/x']), join('build', 'reports', 'compute'));
  const skip = chromiumSkipReason();
  if (skip) return t.skip(skip);
  const cwd = join(dir, 'cwd');
  mkdirSync(cwd, { recursive: true });
  const runs = join(REPO_ROOT, 'data', 'runs', 'demo');
  const seer = join(REPO_ROOT, 'bin', 'seer.js');
  const env = { ...process.env, SEER_QUIET: '1' };
  await promisify(execFile)(process.execPath, [seer, 'report', '--runs', runs], { cwd, env });
  assert.ok(existsSync(join(cwd, 'build', 'reports', 'demo', 'summary.md')), 'summary.md under build/reports/demo');
  assert.ok(existsSync(join(cwd, 'build', 'reports', 'demo', 'manifest.json')));
  assert.equal(existsSync(join(cwd, 'data')), false, 'nothing written under data/');
});
