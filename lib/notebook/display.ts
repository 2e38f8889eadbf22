/**
 * What notebooks call to set themselves up and to show results, inside a tslab kernel or from a script.
 *
 *   const nb = await setupNotebook('00-quickstart');   // backend, scale, plotly.js embedded once
 *   await showFigure(spec, 'encoder-flops');          // interactive plot + static PNG, saved as SVG and PNG
 *   showTable(table, 'encoders');                     // markdown table, saved as CSV and Markdown
 *
 * Every figure leaves a static image: notebooks opened untrusted or on a code host run no scripts, so
 * the interactive output is followed by a PNG output, and both image files land in data/figures/<notebook>/ at
 * laptop scale, the committed one, and in data/figures/<scale>/<notebook>/ at benchmark or paper scale, so one scale
 * never overwrites another's (SEER_FIGURES_DIR overrides; tables likewise in data/tables/, SEER_TABLES_DIR overrides);
 * a section notebook's smoke-scale outputs go to a temporary folder (`keepSmokeOutOfData`).
 * Outside a kernel (scripts, tests) the same calls only write the files and print their paths.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import type { ColumnTable } from 'arquero';
import * as tf from '@tensorflow/tfjs';
import { initBackend, type BackendName } from '../backend/select';
import { chromiumPath } from '../plots/browser';
import { figureHtml, plotlyBundleHtml } from '../plots/html';
import { renderFigure, saveFigure } from '../plots/render';
import type { FigureSpec } from '../plots/spec';
import { REPO_ROOT } from '../util/paths';
import { notebookScale, type Scale } from '../run/scale';
import { machine, provenance } from '../run/manifest';
import { writeOutputManifest } from '../report/outputs';
import { writeFileAtomic } from '../util/atomic';
import { tableMarkdown } from '../util/table-markdown';

/** The command that re-makes a notebook's figures and tables at this scale (laptop: the committed ones). */
export function notebookCommand(name: string, scale: Scale): string {
  const notebook = `notebooks/${name}.ipynb`;
  if (scale === 'laptop') return `npm run notebooks -- --publish ${notebook}`;
  return `npm run notebooks -- ${notebook} --scale ${scale}`;
}

/**
 * Every folder of figures or tables says how it was made: notebook, the command that re-executes it, scale, the run
 * directories its numbers come from (each with its own manifest) and a digest of each file; backend, commit and
 * machine as provenance. Rewritten only when what it describes changes (lib/report/outputs.ts), so executing a
 * notebook again on the same data leaves the tree clean.
 */
function recordProvenance(dir: string, ctx: NotebookContext): void {
  const description = {
    notebook: `notebooks/${ctx.name}.ipynb`,
    command: notebookCommand(ctx.name, ctx.scale),
    scale: ctx.scale,
    runs: ctx.sources.map(shortPath).sort(),
  };
  // provenance().command would be the kernel's launcher: the description's command is the one that re-makes it.
  writeOutputManifest(dir, description, () => {
    const { commit, dirty } = provenance();
    return { commit, dirty, backend: ctx.backend, machine: machine(), writtenAt: new Date().toISOString() };
  });
}

/**
 * When set (by `npm run notebooks -- --publish`), the file where the kernel records which runs the notebook read:
 * the data part of a published notebook's inputs (lib/notebook/inputs.ts).
 */
export const INPUTS_RECORD_ENV = 'SEER_NOTEBOOK_INPUTS';

function recordInputs(ctx: NotebookContext): void {
  const file = process.env[INPUTS_RECORD_ENV];
  if (!file) return;
  const runs = ctx.sources.map(shortPath).sort();
  writeFileAtomic(file, JSON.stringify({ notebook: ctx.name, scale: ctx.scale, runs }));
}

interface KernelDisplay {
  html(s: string): void;
  markdown(s: string): void;
  png(b: Uint8Array): void;
}

/** tslab's display when running inside a tslab kernel (tslab sets globalThis.__tslab__), else undefined. */
export function kernelDisplay(): KernelDisplay | undefined {
  if (!(globalThis as { __tslab__?: unknown }).__tslab__) return undefined;
  return (require('tslab') as { display: KernelDisplay }).display;
}

/** Markdown in a notebook (plain text elsewhere): for conclusions computed from the runs. Empty text shows nothing. */
export function say(markdown: string): void {
  if (!markdown) return;
  const d = kernelDisplay();
  if (d) d.markdown(markdown);
  else console.log(markdown);
}

export interface NotebookContext {
  name: string;
  scale: Scale;
  backend: BackendName;
  figuresDir: string;
  tablesDir: string;
  /** Run directories the notebook's results come from (`useRuns`), listed in the figures' and tables' manifests. */
  sources: string[];
}

let current: NotebookContext | undefined;

/** Records the run directories this notebook's figures and tables are computed from, for their manifests. */
export function useRuns(dirs: string[]): void {
  const ctx = context();
  ctx.sources = [...new Set([...ctx.sources, ...dirs])];
  recordInputs(ctx);
}
// Kept on globalThis so a reloaded copy of this module (tslab recompiles edited files) still knows.
const EMBEDDED = Symbol.for('seer.plotlyEmbedded');

function embedPlotly(display: KernelDisplay): void {
  display.html(plotlyBundleHtml());
  (globalThis as Record<symbol, unknown>)[EMBEDDED] = true;
}

/** Validates a figure/table/notebook name used in file paths. */
function checkName(kind: string, name: string): void {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) {
    throw new Error(`${kind} name '${name}' must be letters, digits, '.', '_' or '-' (it becomes a file name)`);
  }
}

/** data/figures or data/tables: the laptop scale's (committed) outputs at the top, other scales' in a folder each. */
export function outputRoot(kind: 'figures' | 'tables', scale: Scale): string {
  return scale === 'laptop' ? join(REPO_ROOT, 'data', kind) : join(REPO_ROOT, 'data', kind, scale);
}

export interface SetupOptions {
  /**
   * At smoke scale, figures and tables go to a temporary folder, not data/: a section notebook's smoke runs are a
   * code-path check, whose numbers must never overwrite results. SEER_FIGURES_DIR / SEER_TABLES_DIR still win.
   */
  keepSmokeOutOfData?: boolean;
}

/** Where a notebook's figures and tables go: SEER_FIGURES_DIR / SEER_TABLES_DIR, else by scale (`outputRoot`). */
export function outputDirs(
  name: string,
  scale: Scale,
  opts: SetupOptions = {},
  env: NodeJS.ProcessEnv = process.env,
): { figuresDir: string; tablesDir: string } {
  const smokeRoot = opts.keepSmokeOutOfData && scale === 'smoke' ? join(tmpdir(), 'seer-smoke-outputs') : undefined;
  const root = (kind: 'figures' | 'tables'): string => (smokeRoot ? join(smokeRoot, kind) : outputRoot(kind, scale));
  return {
    figuresDir: resolve(env.SEER_FIGURES_DIR || root('figures'), name),
    tablesDir: resolve(env.SEER_TABLES_DIR || root('tables'), name),
  };
}

/**
 * First cell of every notebook: picks the tensor backend and the scale, embeds plotly.js (once, here, so
 * "run all" keeps it at the top) and prints one line saying what this run is.
 */
export async function setupNotebook(name: string, opts: SetupOptions = {}): Promise<NotebookContext> {
  checkName('notebook', name);
  const backend = await initBackend();
  const scale = notebookScale();
  current = { name, scale, backend, ...outputDirs(name, scale, opts), sources: [] };
  recordInputs(current);
  const display = kernelDisplay();
  if (display) embedPlotly(display);
  console.log(
    `notebook ${name} · scale ${scale} · backend ${backend} · tfjs ${tf.version.tfjs} · node ${process.version}`,
  );
  return current;
}

function context(): NotebookContext {
  if (!current) throw new Error('call `await setupNotebook(name)` in the first cell before showing figures or tables');
  return current;
}

function shortPath(p: string): string {
  const rel = relative(REPO_ROOT, p);
  return rel.startsWith('..') ? p : rel;
}

/**
 * Shows a figure: the interactive plotly output (inside a kernel), then its static PNG; writes
 * `<figuresDir>/<name>.svg` and `.png` (it prints their paths; returns nothing so tslab echoes nothing).
 */
export async function showFigure(spec: FigureSpec, name: string, opts: OutputOptions = {}): Promise<void> {
  checkName('figure', name);
  const ctx = context();
  const dir = opts.measured ? measuredDir(ctx, 'figures') : ctx.figuresDir;
  const display = kernelDisplay();
  if (display) {
    if (!(globalThis as Record<symbol, unknown>)[EMBEDDED]) embedPlotly(display);
    display.html(figureHtml(spec));
  }
  if (!chromiumPath()) {
    // Degrade rather than fail: the interactive figure is still there; setup installs Chromium.
    console.warn(`figure '${name}': no static image written (Chromium is not installed; run \`npm run setup\`)`);
    return;
  }
  const { svg, png } = await saveFigure(spec, join(dir, name));
  if (!opts.measured) recordProvenance(dir, ctx);
  // The copy shown in the notebook is drawn at 1× (the file beside the SVG is 2×): it is what every published
  // notebook commits, at about half the bytes (README, Notebooks).
  if (display) display.png(await renderFigure(spec, { format: 'png', scale: 1 }));
  console.log(`figure saved: ${shortPath(svg)}, ${shortPath(png)}`);
}

export interface OutputOptions {
  /**
   * A measurement of this machine and moment (e.g. a timing): its files go to build/measurements/<kind>/<notebook>/,
   * not into data/, so re-running a notebook leaves the committed data unchanged (issue 16 §6).
   */
  measured?: boolean;
}

/** Where measured outputs of the current notebook go: build/, never committed. */
function measuredDir(ctx: NotebookContext, kind: 'figures' | 'tables'): string {
  return join(REPO_ROOT, 'build', 'measurements', kind, ctx.name);
}

export interface TableOptions extends OutputOptions {
  /** Most fractional digits shown for numbers (default 3). */
  maxdigits?: number;
  /** Rows shown (all rows are written to the files; default 50). */
  limit?: number;
}

/** Shows an arquero table as Markdown; writes `<tablesDir>/<name>.csv` and `.md` (and prints their paths). */
export function showTable(table: ColumnTable, name: string, opts: TableOptions = {}): void {
  checkName('table', name);
  const ctx = context();
  const dir = opts.measured ? measuredDir(ctx, 'tables') : ctx.tablesDir;
  mkdirSync(dir, { recursive: true });
  const maxdigits = opts.maxdigits ?? 3;
  const csv = join(dir, `${name}.csv`);
  const md = join(dir, `${name}.md`);
  writeFileSync(csv, table.toCSV());
  writeFileSync(md, tableMarkdown(table, { maxdigits }));
  if (!opts.measured) recordProvenance(dir, ctx);
  const shown = tableMarkdown(table, { maxdigits, limit: opts.limit ?? 50 });
  const display = kernelDisplay();
  if (display) display.markdown(shown);
  else console.log(shown);
  console.log(`table saved: ${shortPath(csv)}, ${shortPath(md)}`);
}
