/**
 * Runs notebooks headless and checks what they produced — used by `npm run demo`, `npm run notebooks`
 * and test/notebooks.
 *
 *   executeNotebook('notebooks/00-quickstart.ipynb', {scale: 'smoke'}) → build/notebooks/00-quickstart.ipynb
 *   exportHtml(executed) → …/00-quickstart.html;  checkHtmlInBrowser(html) → figures drawn, console errors
 *
 * Execution is `jupyter nbconvert --to notebook --execute` with the project's tslab kernel (registered
 * under build/jupyter by scripts/setup.sh, found through JUPYTER_PATH). tslab reports a failed cell — a
 * type error or an exception — only as text on stderr plus an error status without a message, so a failed
 * run is re-run with --allow-errors to recover that text for the error message, and a successful run is
 * still scanned for error outputs and tslab diagnostics.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { basename, delimiter, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { withBrowser } from '../plots/browser';
import { REPO_ROOT } from '../util/paths';
import type { Scale } from '../run/scale';

/** Where setup registers the kernel (`<prefix>/share/jupyter/kernels/tslab`). */
export const KERNEL_PREFIX = join(REPO_ROOT, 'build', 'jupyter');
export const KERNEL_NAME = 'tslab';
export const JUPYTER_DATA_DIR = join(KERNEL_PREFIX, 'share', 'jupyter');
export const EXECUTED_DIR = join(REPO_ROOT, 'build', 'notebooks');

/** Environment for jupyter commands: the project's kernel first on JUPYTER_PATH, no debugger noise. */
export function jupyterEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const path = [JUPYTER_DATA_DIR, process.env.JUPYTER_PATH].filter(Boolean).join(delimiter);
  return { ...process.env, JUPYTER_PATH: path, PYDEVD_DISABLE_FILE_VALIDATION: '1', ...extra };
}

/** True when `jupyter nbconvert` runs and the project kernel is registered; otherwise says what is missing. */
export async function notebookToolsStatus(): Promise<{ ok: true } | { ok: false; missing: string }> {
  const nb = await run('jupyter', ['nbconvert', '--version'], { env: jupyterEnv(), timeoutMs: 60_000 }).catch(
    (e: Error) => ({ code: -1, stdout: '', stderr: e.message }),
  );
  if (nb.code !== 0) return { ok: false, missing: 'jupyter nbconvert (Debian package jupyter-nbconvert)' };
  if (!existsSync(join(JUPYTER_DATA_DIR, 'kernels', KERNEL_NAME, 'kernel.json'))) {
    return { ok: false, missing: `the project tslab kernel (${join(JUPYTER_DATA_DIR, 'kernels', KERNEL_NAME)})` };
  }
  return { ok: true };
}

interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

function run(
  cmd: string,
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs: number },
): Promise<RunResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, { env: opts.env, cwd: opts.cwd ?? REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      stderr += `\n[seer] ${cmd} killed after ${opts.timeoutMs / 1000} s`;
    }, opts.timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`could not start ${cmd}: ${err.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ code: code ?? (signal ? 128 : 1), stdout, stderr });
    });
  });
}

interface NbOutput {
  output_type: string;
  name?: string;
  text?: string | string[];
  ename?: string;
  evalue?: string;
  data?: Record<string, unknown>;
}
interface NbCell {
  cell_type: string;
  source: string | string[];
  outputs?: NbOutput[];
}

function joined(t: string | string[] | undefined): string {
  return Array.isArray(t) ? t.join('') : (t ?? '');
}

/** tslab prints compile errors as '[file ]line:col - message' and crashes as 'unexpected error:'. */
const TSLAB_FAILURE = /^(\S+\.[cm]?[jt]sx? )?\d+:\d+ - |^unexpected error:/m;

/** Problems recorded in an executed notebook's outputs: error outputs and tslab diagnostics on stderr. */
export function findOutputErrors(ipynbPath: string): string[] {
  const nb = JSON.parse(readFileSync(ipynbPath, 'utf8')) as { cells: NbCell[] };
  const problems: string[] = [];
  nb.cells.forEach((cell, i) => {
    for (const out of cell.outputs ?? []) {
      const head = joined(cell.source).split('\n')[0].slice(0, 80);
      if (out.output_type === 'error') problems.push(`cell ${i} (${head}): ${out.ename}: ${out.evalue}`);
      if (out.output_type === 'stream' && out.name === 'stderr' && TSLAB_FAILURE.test(joined(out.text))) {
        problems.push(`cell ${i} (${head}):\n${joined(out.text).trim()}`);
      }
    }
  });
  return problems;
}

/** What the cell with this source wrote to stderr (tslab's compile diagnostics or the exception's stack). */
function cellStderr(ipynbPath: string, source: string): string {
  const nb = JSON.parse(readFileSync(ipynbPath, 'utf8')) as { cells: NbCell[] };
  const cell = nb.cells.find((c) => c.cell_type === 'code' && joined(c.source).trim() === source.trim());
  const text = (cell?.outputs ?? [])
    .filter((o) => o.output_type === 'stream' && o.name === 'stderr')
    .map((o) => joined(o.text))
    .join('');
  const lines = text.trim().split('\n');
  return lines.length > 40
    ? [...lines.slice(0, 40), `… (${lines.length - 40} more lines)`].join('\n')
    : lines.join('\n');
}

export interface ExecuteOptions {
  scale?: Scale;
  /** Seconds one cell may run (default 600). */
  cellTimeoutS?: number;
  /** Where the executed copy goes (default build/notebooks). */
  outDir?: string;
  /** Extra environment for the kernel (e.g. SEER_FIGURES_DIR). */
  env?: Record<string, string>;
}

export interface ExecutedNotebook {
  source: string;
  ipynb: string;
  seconds: number;
}

/** Executes a notebook headless; throws with the failing cell and tslab's message if any cell fails. */
export async function executeNotebook(notebook: string, opts: ExecuteOptions = {}): Promise<ExecutedNotebook> {
  const source = resolve(notebook);
  if (!existsSync(source)) throw new Error(`notebook ${notebook} does not exist`);
  const outDir = resolve(opts.outDir ?? EXECUTED_DIR);
  mkdirSync(outDir, { recursive: true });
  const stem = basename(source, '.ipynb');
  const ipynb = join(outDir, `${stem}.ipynb`);
  const cellTimeoutS = opts.cellTimeoutS ?? 600;
  const env = jupyterEnv({ ...(opts.scale ? { SEER_SCALE: opts.scale } : {}), ...(opts.env ?? {}) });
  const args = (allowErrors: boolean): string[] => [
    'nbconvert',
    '--to',
    'notebook',
    '--execute',
    ...(allowErrors ? ['--allow-errors'] : []),
    `--ExecutePreprocessor.kernel_name=${KERNEL_NAME}`,
    `--ExecutePreprocessor.timeout=${cellTimeoutS}`,
    '--output-dir',
    outDir,
    '--output',
    stem,
    source,
  ];
  // Generous whole-run bound: nbconvert enforces the per-cell timeout itself.
  const timeoutMs = (cellTimeoutS * 4 + 120) * 1000;
  const t0 = Date.now();
  const res = await run('jupyter', args(false), { env, timeoutMs });
  const seconds = (Date.now() - t0) / 1000;
  if (res.code !== 0) {
    const failed = /An error occurred while executing the following cell:\n-+\n([\s\S]*?)\n-+\n/.exec(res.stderr);
    let detail = res.stderr.trim().split('\n').slice(-25).join('\n');
    if (failed) {
      // Re-run keeping going past errors, only to recover what tslab printed for the failing cell.
      const again = await run('jupyter', args(true), { env, timeoutMs });
      const printed = again.code === 0 && existsSync(ipynb) ? cellStderr(ipynb, failed[1]) : '';
      detail = `failing cell:\n${failed[1].trim()}\n\nits stderr:\n${printed || detail}`;
    }
    throw new Error(
      `notebook ${notebook} failed at scale ${opts.scale ?? process.env.SEER_SCALE ?? 'default'}:\n${detail}`,
    );
  }
  const problems = findOutputErrors(ipynb);
  if (problems.length) throw new Error(`notebook ${notebook} ran but recorded errors:\n${problems.join('\n\n')}`);
  return { source, ipynb, seconds };
}

/**
 * Exports an executed notebook to standalone HTML. nbconvert's page loads require.js and MathJax from
 * Debian paths that are usually absent (a console error in every browser); figures need neither, so
 * require.js is replaced by an empty script and MathJax is used only if installed.
 */
export async function exportHtml(ipynb: string): Promise<string> {
  const mathjax = '/usr/share/javascript/mathjax/MathJax.js';
  const empty = 'data:text/javascript,';
  const res = await run(
    'jupyter',
    [
      'nbconvert',
      '--to',
      'html',
      `--HTMLExporter.require_js_url=${empty}`,
      `--HTMLExporter.mathjax_url=${existsSync(mathjax) ? pathToFileURL(mathjax).href + '?config=TeX-AMS_CHTML-full,Safe' : empty}`,
      ipynb,
    ],
    { env: jupyterEnv(), timeoutMs: 120_000 },
  );
  if (res.code !== 0)
    throw new Error(`HTML export of ${ipynb} failed:\n${res.stderr.trim().split('\n').slice(-15).join('\n')}`);
  return ipynb.replace(/\.ipynb$/, '.html');
}

export interface BrowserCheck {
  /** Interactive figures on the page (`.seer-plot` divs). */
  figures: number;
  /** Of those, how many plotly drew (an `svg.main-svg` inside). */
  rendered: number;
  /** Static PNG images on the page. */
  images: number;
  /** Console errors, page errors and failed requests. */
  errors: string[];
}

/** Opens an HTML export in headless Chromium and reports what rendered and what went wrong. */
export async function checkHtmlInBrowser(html: string, opts: { timeoutMs?: number } = {}): Promise<BrowserCheck> {
  const timeoutMs = opts.timeoutMs ?? 60_000;
  return withBrowser(async (browser) => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(`console: ${m.text()}`);
    });
    page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
    page.on('requestfailed', (r) =>
      errors.push(`request failed: ${r.url().slice(0, 120)} (${r.failure()?.errorText})`),
    );
    try {
      await page.goto(pathToFileURL(resolve(html)).href, { waitUntil: 'load', timeout: timeoutMs });
      // Wait until every figure has drawn (or the time is up; the counts below then tell what did not).
      // Page-side code is a string: tslab compiles lib/ without the DOM typings.
      const plots = `Array.from(document.querySelectorAll('.seer-plot'))`;
      await page
        .waitForFunction(`${plots}.every((d) => d.querySelector('svg.main-svg'))`, undefined, {
          timeout: timeoutMs,
          polling: 100,
        })
        .catch(() => undefined);
      const counts = (await page.evaluate(`({
        figures: ${plots}.length,
        rendered: ${plots}.filter((d) => d.querySelector('svg.main-svg')).length,
        images: document.querySelectorAll('img[src^="data:image/png"]').length,
      })`)) as { figures: number; rendered: number; images: number };
      return { ...counts, errors };
    } finally {
      await page.close();
    }
  });
}
