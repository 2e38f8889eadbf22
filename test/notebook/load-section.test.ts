/**
 * What a section notebook does with missing runs (SEER_MISSING) and where its smoke-scale outputs go: values passed
 * in, not written into process.env.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { missingMode, MISSING_MODES } from '../../lib/notebook/load-section';
import { outputDirs, outputRoot } from '../../lib/notebook/display';

test('SEER_MISSING: unset or empty loads what data/ holds; load and run are accepted; anything else names them', () => {
  assert.deepEqual(MISSING_MODES, ['load', 'run']);
  assert.equal(missingMode({}), 'load');
  assert.equal(missingMode({ SEER_MISSING: ' ' }), 'load');
  assert.equal(missingMode({ SEER_MISSING: 'Run' }), 'run');
  assert.throws(
    () => missingMode({ SEER_MISSING: 'train' }),
    /SEER_MISSING='train' is not accepted. Accepted values: load, run/,
  );
});

test("a section notebook's smoke outputs go to a temporary folder, without touching process.env", () => {
  const before = [process.env.SEER_FIGURES_DIR, process.env.SEER_TABLES_DIR];
  const smoke = outputDirs('01-compute', 'smoke', { keepSmokeOutOfData: true }, {});
  assert.deepEqual(smoke, {
    figuresDir: join(tmpdir(), 'seer-smoke-outputs', 'figures', '01-compute'),
    tablesDir: join(tmpdir(), 'seer-smoke-outputs', 'tables', '01-compute'),
  });
  assert.deepEqual([process.env.SEER_FIGURES_DIR, process.env.SEER_TABLES_DIR], before);
  // Other scales, and notebooks that do not ask, keep the data/ layout; SEER_FIGURES_DIR / SEER_TABLES_DIR win.
  const laptop = outputDirs('01-compute', 'laptop', { keepSmokeOutOfData: true }, {});
  assert.equal(laptop.figuresDir, join(outputRoot('figures', 'laptop'), '01-compute'));
  assert.equal(
    outputDirs('00-quickstart', 'smoke', {}, {}).tablesDir,
    join(outputRoot('tables', 'smoke'), '00-quickstart'),
  );
  const env = { SEER_FIGURES_DIR: '/tmp/f', SEER_TABLES_DIR: '/tmp/t' };
  assert.deepEqual(outputDirs('02-memory', 'smoke', { keepSmokeOutOfData: true }, env), {
    figuresDir: '/tmp/f/02-memory',
    tablesDir: '/tmp/t/02-memory',
  });
});
