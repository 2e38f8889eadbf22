/**
 * Runs notebooks headless, exports each to HTML and checks the HTML in Chromium.
 *
 *   tsx scripts/run-notebooks.ts [notebooks/NN-name.ipynb ...] [--scale smoke|laptop|benchmark|paper] [--no-browser]
 *   tsx scripts/run-notebooks.ts --publish [notebooks/NN-name.ipynb ...]     (npm run notebooks -- --publish)
 *
 * No notebook arguments = every notebook in notebooks/. Executed copies and their HTML go to
 * build/notebooks/; figures and tables to data/figures/<notebook>/ and data/tables/<notebook>/ (laptop scale; other
 * scales to data/figures/<scale>/<notebook>/ and data/tables/<scale>/<notebook>/).
 * --publish executes at laptop scale on the committed data/ (no training: SEER_MISSING=load) and writes each
 * notebook's outputs and the digest of its inputs back into notebooks/ (lib/notebook/publish.ts); it prints the
 * bytes the outputs add.
 * Exits non-zero if a notebook fails, a figure does not draw, or the page logs an error.
 */
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { closeBrowser } from '../lib/plots/browser';
import { checkHtmlInBrowser, executeNotebook, exportHtml, notebookToolsStatus } from '../lib/notebook/run';
import { EXECUTED_DIR } from '../lib/notebook/run';
import type { ExecutedNotebook } from '../lib/notebook/run';
import { INPUTS_RECORD_ENV, outputRoot } from '../lib/notebook/display';
import { dataFolderOf, notebookInputs, sectionFolders, type NotebookInputs } from '../lib/notebook/inputs';
import { changedWhileExecuting, notebookJson, publishedNotebook, PUBLISH_SCALE } from '../lib/notebook/publish';
import { withoutOutputs } from '../lib/notebook/publish';
import type { Notebook } from '../lib/notebook/publish';
import { writeFileAtomic } from '../lib/util/atomic';
import { REPO_ROOT } from '../lib/util/paths';
import { parseScale, notebookScale, type Scale } from '../lib/run/scale';

/** Figure and table files the notebook (re)wrote during this run. */
function writtenSince(stem: string, since: number, scale: Scale): string[] {
  const out: string[] = [];
  for (const kind of ['figures', 'tables']) {
    const dir = join(outputRoot(kind as 'figures' | 'tables', scale), stem);
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir).sort()) {
      if (statSync(join(dir, f)).mtimeMs >= since) out.push(relative(REPO_ROOT, join(dir, f)));
    }
  }
  return out;
}

function usage(msg: string): never {
  console.error(
    `${msg}\nusage: tsx scripts/run-notebooks.ts [notebook.ipynb ...] [--scale smoke|laptop|benchmark|paper] [--no-browser]\n` +
      '       tsx scripts/run-notebooks.ts --publish [notebook.ipynb ...] [--no-browser]',
  );
  process.exit(2);
}

interface Published {
  bytes: number;
  added: number;
}

const kb = (n: number): string => `${(n / 1024).toFixed(1)} KB`;

/** Environment of a publishing run: committed runs only, figures and tables into data/, the runs it reads recorded. */
function publishEnv(record: string): Record<string, string> {
  return { SEER_MISSING: 'load', SEER_FIGURES_DIR: '', SEER_TABLES_DIR: '', [INPUTS_RECORD_ENV]: record };
}

/**
 * Writes the executed notebook's outputs and its inputs' digest back into notebooks/; returns the bytes the outputs
 * add to the committed file.
 */
function publish(source: string, done: ExecutedNotebook, record: string, before: NotebookInputs): Published {
  if (!existsSync(record)) throw new Error(`the kernel recorded no inputs (${record}): does it call setupNotebook?`);
  const used = JSON.parse(readFileSync(record, 'utf8')) as { scale: string; runs: string[] };
  if (used.scale !== PUBLISH_SCALE) throw new Error(`the notebook ran at scale ${used.scale}, not ${PUBLISH_SCALE}`);
  const name = relative(REPO_ROOT, source);
  const inputs = notebookInputs(
    name,
    used.runs.map((r) => dataFolderOf(r)),
  );
  const changed = changedWhileExecuting(before, inputs);
  if (changed.length) {
    throw new Error(`${name}: its inputs changed while it was executing (${changed.join('; ')}): publish it again`);
  }
  const current = JSON.parse(readFileSync(source, 'utf8')) as Notebook;
  const executed = JSON.parse(readFileSync(done.ipynb, 'utf8')) as Notebook;
  const text = notebookJson(publishedNotebook(current, executed, inputs, name));
  writeFileAtomic(source, text);
  const bytes = Buffer.byteLength(text);
  return { bytes, added: bytes - Buffer.byteLength(notebookJson(withoutOutputs(JSON.parse(text) as Notebook))) };
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const notebooks: string[] = [];
  let scale: Scale = notebookScale();
  let browser = true;
  let publishing = false;
  let scaleGiven = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--scale' || a.startsWith('--scale=')) {
      scale = parseScale(a === '--scale' ? (args[++i] ?? usage('--scale needs a value')) : a.slice('--scale='.length));
      scaleGiven = true;
    } else if (a === '--no-browser') browser = false;
    else if (a === '--publish') publishing = true;
    else if (a.startsWith('--')) usage(`unknown option ${a}`);
    else notebooks.push(a);
  }
  if (publishing) {
    if (scaleGiven && scale !== PUBLISH_SCALE) {
      usage(`--publish executes at ${PUBLISH_SCALE} scale (the committed outputs); drop --scale ${scale}`);
    }
    scale = PUBLISH_SCALE;
    const outside = notebooks.find((nb) => relative(join(REPO_ROOT, 'notebooks'), resolve(nb)).startsWith('..'));
    if (outside) usage(`--publish writes back into notebooks/: ${outside} is not there`);
  }
  if (notebooks.length === 0) {
    const dir = join(REPO_ROOT, 'notebooks');
    notebooks.push(
      ...readdirSync(dir)
        .filter((f) => f.endsWith('.ipynb'))
        .sort()
        .map((f) => join(dir, f)),
    );
  }
  const tools = await notebookToolsStatus();
  if (!tools.ok) {
    console.error(`[notebooks] missing ${tools.missing}: run \`npm run setup\` first`);
    return 1;
  }
  let failures = 0;
  const allStarted = Date.now();
  const sizes: string[] = [];
  for (const nb of notebooks) {
    const name = relative(REPO_ROOT, nb) || nb;
    try {
      console.log(`[notebooks] ${name}: executing at scale ${scale}${publishing ? ' to publish' : ''} …`);
      const started = Date.now();
      const record = join(EXECUTED_DIR, `${basename(nb, '.ipynb')}.inputs.json`);
      rmSync(record, { force: true });
      // Digests before executing, over every section it might read: compared with those after, in publish().
      const before = publishing ? notebookInputs(relative(REPO_ROOT, nb), sectionFolders()) : undefined;
      const done = await executeNotebook(nb, { scale, env: publishing ? publishEnv(record) : {} });
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
      for (const f of writtenSince(basename(nb, '.ipynb'), started, scale)) console.log(`[notebooks]   wrote ${f}`);
      if (publishing) {
        const { bytes, added } = publish(nb, done, record, before!);
        sizes.push(`${name}: ${kb(bytes)}, of which outputs ${kb(added)}`);
        console.log(`[notebooks]   published ${name} (${kb(bytes)}; its outputs add ${kb(added)})`);
      }
    } catch (err) {
      failures++;
      console.error(`[notebooks] ${name}: FAILED\n${(err as Error).message}`);
    }
  }
  await closeBrowser();
  const minutes = ((Date.now() - allStarted) / 60_000).toFixed(1);
  const ok = `${notebooks.length - failures}/${notebooks.length} notebooks ok${publishing ? ', published' : ''}`;
  console.log(`[notebooks] ${ok} (${minutes} min)`);
  for (const s of sizes) console.log(`[notebooks]   ${s}`);
  return failures ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: Error) => {
    console.error(err.message);
    process.exit(1);
  },
);
