/**
 * Runs notebooks headless, exports each to HTML and checks the HTML in Chromium.
 *
 *   tsx scripts/run-notebooks.ts [notebooks/NN-name.ipynb ...] [--scale smoke|laptop|paper] [--no-browser]
 *
 * No notebook arguments = every notebook in notebooks/. Executed copies and their HTML go to
 * build/notebooks/; figures and tables to data/figures/<notebook>/ and data/tables/<notebook>/.
 * Exits non-zero if a notebook fails, a figure does not draw, or the page logs an error.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { closeBrowser } from '../lib/plots/browser';
import { checkHtmlInBrowser, executeNotebook, exportHtml, notebookToolsStatus } from '../lib/notebook/run';
import { REPO_ROOT } from '../lib/util/paths';
import { parseScale, notebookScale, type Scale } from '../lib/experiments/scale';

/** Figure and table files the notebook (re)wrote during this run. */
function writtenSince(stem: string, since: number): string[] {
  const out: string[] = [];
  for (const kind of ['figures', 'tables']) {
    const dir = join(REPO_ROOT, 'data', kind, stem);
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir).sort()) {
      if (statSync(join(dir, f)).mtimeMs >= since) out.push(relative(REPO_ROOT, join(dir, f)));
    }
  }
  return out;
}

function usage(msg: string): never {
  console.error(`${msg}\nusage: tsx scripts/run-notebooks.ts [notebook.ipynb ...] [--scale smoke|laptop|paper] [--no-browser]`);
  process.exit(2);
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const notebooks: string[] = [];
  let scale: Scale = notebookScale();
  let browser = true;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--scale') scale = parseScale(args[++i] ?? usage('--scale needs a value'));
    else if (a.startsWith('--scale=')) scale = parseScale(a.slice('--scale='.length));
    else if (a === '--no-browser') browser = false;
    else if (a.startsWith('--')) usage(`unknown option ${a}`);
    else notebooks.push(a);
  }
  if (notebooks.length === 0) {
    const dir = join(REPO_ROOT, 'notebooks');
    notebooks.push(...readdirSync(dir).filter((f) => f.endsWith('.ipynb')).sort().map((f) => join(dir, f)));
  }
  const tools = await notebookToolsStatus();
  if (!tools.ok) {
    console.error(`[notebooks] missing ${tools.missing}: run \`npm run setup\` first`);
    return 1;
  }
  let failures = 0;
  for (const nb of notebooks) {
    const name = relative(REPO_ROOT, nb) || nb;
    try {
      console.log(`[notebooks] ${name}: executing at scale ${scale} …`);
      const started = Date.now();
      const done = await executeNotebook(nb, { scale });
      const html = await exportHtml(done.ipynb);
      let summary = `${done.seconds.toFixed(0)} s → ${relative(REPO_ROOT, done.ipynb)}, ${relative(REPO_ROOT, html)}`;
      if (browser) {
        const check = await checkHtmlInBrowser(html);
        summary += `; figures drawn in Chromium ${check.rendered}/${check.figures}, static images ${check.images}`;
        const bad = check.rendered < check.figures || check.images < check.figures || check.errors.length > 0;
        if (bad) {
          failures++;
          console.error(`[notebooks] ${name}: ${summary}\n  page errors:\n  ${check.errors.join('\n  ') || '(none)'}`);
          continue;
        }
      }
      console.log(`[notebooks] ${name}: ok (${summary})`);
      for (const f of writtenSince(basename(nb, '.ipynb'), started)) console.log(`[notebooks]   wrote ${f}`);
    } catch (err) {
      failures++;
      console.error(`[notebooks] ${name}: FAILED\n${(err as Error).message}`);
    }
  }
  await closeBrowser();
  console.log(`[notebooks] ${notebooks.length - failures}/${notebooks.length} notebooks ok`);
  return failures ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: Error) => {
    console.error(err.message);
    process.exit(1);
  },
);
