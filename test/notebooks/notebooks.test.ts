/**
 * Executes every notebook in notebooks/ headless at smoke scale (jupyter nbconvert --execute with the
 * project's tslab kernel), fails on any cell error, then opens each executed notebook's HTML export in
 * headless Chromium and checks every figure drew and the console stayed clean. A deliberately broken
 * notebook checks that failures are caught and explained.
 * Skips only when Jupyter or Chromium is missing and this user cannot install them; otherwise a missing
 * tool or kernel is a failure telling you to run `npm run setup`.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import {
  checkHtmlInBrowser,
  executeNotebook,
  exportHtml,
  notebookToolsStatus,
  type ExecutedNotebook,
} from '../../lib/notebook/run';
import { REPO_ROOT } from '../../lib/util/paths';
import { closeBrowser } from '../../lib/plots/browser';
import { canInstallDebianPackages, chromiumSkipReason } from '../plots/chromium';
import { tmpDir } from '../tmp';

const NOTEBOOK_DIR = join(REPO_ROOT, 'notebooks');
const notebooks = readdirSync(NOTEBOOK_DIR)
  .filter((f) => f.endsWith('.ipynb'))
  .sort();
const work = tmpDir('seer-notebooks-');
// Outputs go to a temporary folder so tests never rewrite data/figures or data/tables.
const env = { SEER_FIGURES_DIR: join(work, 'figures'), SEER_TABLES_DIR: join(work, 'tables') };
const CELL_TIMEOUT_S = 300;

let jupyterSkip: string | undefined;
before(async () => {
  const status = await notebookToolsStatus();
  if (status.ok) return;
  if (status.missing.startsWith('jupyter') && !canInstallDebianPackages()) {
    jupyterSkip = `${status.missing} is missing and this user cannot install Debian packages: notebook tests skipped`;
    return;
  }
  throw new Error(`missing ${status.missing}: run \`npm run setup\``);
});
after(async () => {
  await closeBrowser();
  rmSync(work, { recursive: true, force: true });
});

test('notebooks/ holds at least the quickstart', () => {
  assert.ok(notebooks.includes('00-quickstart.ipynb'), `notebooks found: ${notebooks.join(', ')}`);
});

for (const file of notebooks) {
  describe(file, () => {
    let executed: ExecutedNotebook | undefined;
    test(
      'executes headless at smoke scale without cell errors',
      { timeout: (CELL_TIMEOUT_S + 60) * 1000 },
      async (t) => {
        if (jupyterSkip) return t.skip(jupyterSkip);
        executed = await executeNotebook(join(NOTEBOOK_DIR, file), {
          scale: 'smoke',
          cellTimeoutS: CELL_TIMEOUT_S,
          outDir: work,
          env,
        });
        t.diagnostic(`${file}: ${executed.seconds.toFixed(1)} s`);
      },
    );
    test('its HTML export draws every figure in Chromium with a clean console', { timeout: 180_000 }, async (t) => {
      if (jupyterSkip) return t.skip(jupyterSkip);
      const noBrowser = chromiumSkipReason();
      if (noBrowser) return t.skip(noBrowser);
      assert.ok(executed, 'the notebook did not execute');
      const html = await exportHtml(executed.ipynb);
      const check = await checkHtmlInBrowser(html);
      assert.deepEqual(check.errors, [], 'console and page errors');
      assert.equal(check.rendered, check.figures, `${check.rendered} of ${check.figures} figures drawn`);
      assert.ok(
        check.images >= check.figures,
        `every figure needs a static image: ${check.images} images, ${check.figures} figures`,
      );
      if (file === '00-quickstart.ipynb') assert.ok(check.figures >= 1, 'the quickstart shows a figure');
      // plotly.js travels inside the notebook exactly once, however many figures follow.
      const cells = (
        JSON.parse(readFileSync(executed.ipynb, 'utf8')) as {
          cells: { outputs?: { data?: Record<string, string | string[]> }[] }[];
        }
      ).cells;
      const bundles = cells
        .flatMap((c) => c.outputs ?? [])
        .filter((o) => [o.data?.['text/html'] ?? ''].flat().join('').includes('* plotly.js v')).length;
      if (check.figures > 0) assert.equal(bundles, 1, `plotly.js embedded ${bundles} times`);
      else assert.ok(bundles <= 1, `plotly.js embedded ${bundles} times`);
    });
  });
}

test('a cell with a type error fails the run and the error names it', { timeout: 240_000 }, async (t) => {
  if (jupyterSkip) return t.skip(jupyterSkip);
  const nb = join(work, 'broken.ipynb');
  const cell = (src: string) => ({
    cell_type: 'code',
    execution_count: null,
    metadata: {},
    outputs: [],
    source: [src],
  });
  const meta = { kernelspec: { display_name: 'TypeScript', language: 'typescript', name: 'tslab' } };
  writeFileSync(
    nb,
    JSON.stringify({
      cells: [cell('const ok: number = 1;'), cell("const n: number = 'not a number';")],
      metadata: meta,
      nbformat: 4,
      nbformat_minor: 4,
    }),
  );
  await assert.rejects(
    executeNotebook(nb, { scale: 'smoke', cellTimeoutS: 120, outDir: join(work, 'broken-out') }),
    (err: Error) => {
      assert.match(err.message, new RegExp(`notebook .*${basename(nb)} failed`));
      assert.match(err.message, /const n: number = 'not a number'/);
      assert.match(err.message, /Type 'string' is not assignable to type 'number'/);
      return true;
    },
  );
});
