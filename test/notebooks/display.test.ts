import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as aq from 'arquero';
import { setupNotebook, showFigure, showTable, kernelDisplay, useRuns } from '../../lib/notebook/display';
import { closeBrowser } from '../../lib/plots/browser';
import { line, singlePanel } from '../../lib/plots/spec';
import { chromiumSkipReason } from '../plots/chromium';
import { tmpDir } from '../tmp';

const dir = tmpDir('seer-display-');
process.env.SEER_FIGURES_DIR = join(dir, 'figures');
process.env.SEER_TABLES_DIR = join(dir, 'tables');
after(async () => {
  await closeBrowser();
  rmSync(dir, { recursive: true, force: true });
});

test('figures and tables need setupNotebook first, and names must be file-safe', async () => {
  const fig = singlePanel({ x: { title: 'x' }, y: { title: 'y' }, series: [line('a', [0, 1], [0, 1])] });
  await assert.rejects(showFigure(fig, 'early'), /call `await setupNotebook\(name\)` in the first cell/);
  await assert.rejects(setupNotebook('../escape'), /notebook name '..\/escape' must be letters, digits/);
});

test(
  'outside a kernel, setupNotebook/showTable/showFigure write files and display nothing',
  { timeout: 120_000 },
  async (t) => {
    assert.equal(kernelDisplay(), undefined);
    const nb = await setupNotebook('display-test');
    assert.equal(nb.figuresDir, join(dir, 'figures', 'display-test'));
    assert.equal(nb.scale, process.env.SEER_SCALE || 'laptop');

    showTable(
      aq.from([
        { encoder: 'sac-ae', mflops: 88.4567 },
        { encoder: 'rainbow', mflops: 2.6 },
      ]),
      'flops',
      { maxdigits: 1 },
    );
    assert.equal(
      readFileSync(join(nb.tablesDir, 'flops.csv'), 'utf8').trim(),
      'encoder,mflops\nsac-ae,88.4567\nrainbow,2.6',
    );
    assert.match(readFileSync(join(nb.tablesDir, 'flops.md'), 'utf8'), /\|sac-ae\|88\.5\|/);
    assert.throws(() => showTable(aq.from([{ a: 1 }]), 'bad name'), /table name 'bad name'/);
    // Beside the tables: how to re-make them, and the runs they come from.
    useRuns([join(dir, 'runs', 'b'), join(dir, 'runs', 'a'), join(dir, 'runs', 'b')]);
    showTable(aq.from([{ a: 1 }]), 'again');
    const manifest = join(nb.tablesDir, 'manifest.json');
    type Manifest = Record<string, unknown> & { provenance: Record<string, unknown> };
    const m = JSON.parse(readFileSync(manifest, 'utf8')) as Manifest;
    assert.equal(m.notebook, 'notebooks/display-test.ipynb');
    assert.equal(m.command, `npm run notebooks -- notebooks/display-test.ipynb --scale ${nb.scale}`);
    assert.deepEqual(m.runs, [join(dir, 'runs', 'a'), join(dir, 'runs', 'b')]);
    assert.deepEqual(Object.keys(m.files as object), ['again.csv', 'again.md', 'flops.csv', 'flops.md']);
    assert.match(String(m.provenance.commit), /^([0-9a-f]{40}|unknown)$/);
    assert.equal(m.provenance.backend, nb.backend);

    // Executing again on the same data leaves the manifest alone (issue 16 §6): its provenance is the last change's.
    const old = { ...m, provenance: { ...m.provenance, commit: 'an-older-commit', writtenAt: '2026-01-01T00:00:00Z' } };
    writeFileSync(manifest, JSON.stringify(old, null, 1));
    showTable(aq.from([{ a: 1 }]), 'again');
    assert.equal(JSON.parse(readFileSync(manifest, 'utf8')).provenance.commit, 'an-older-commit');
    showTable(aq.from([{ a: 2 }]), 'again'); // what it describes changed: rewritten with this run's provenance
    assert.notEqual(JSON.parse(readFileSync(manifest, 'utf8')).provenance.commit, 'an-older-commit');

    const skip = chromiumSkipReason();
    if (skip) return t.skip(skip);
    await showFigure(
      singlePanel({ x: { title: 'x' }, y: { title: 'y' }, series: [line('a', [0, 1], [0, 1])] }),
      'curve',
    );
    assert.ok(existsSync(join(nb.figuresDir, 'curve.svg')));
    assert.ok(existsSync(join(nb.figuresDir, 'curve.png')));
  },
);
