/**
 * The committed notebooks carry their results (issue 17): `npm run notebooks -- --publish` executes each at laptop
 * scale on the committed data/ and writes its outputs back into notebooks/, with the digest of its inputs in the
 * notebook's metadata; test/notebooks/published.test.ts fails when those inputs have changed since.
 *
 *   publishedNotebook(current, executed, inputs) → the notebook to commit
 *   stalenessProblems('notebooks/01-compute.ipynb') → [] when it is up to date
 *
 * What is committed: the cells as they are in notebooks/ (never rewritten), and the executed copy's outputs, less
 * what only a kernel can use: plotly.js (a few MB) and the interactive figure divs. Every figure's static PNG stays,
 * so a code host and an untrusted Jupyter show text, tables and figures; the interactive figures are in the HTML
 * export under build/notebooks/. Absolute paths of this checkout in outputs become repository-relative, and nbconvert's
 * per-cell timing metadata is dropped.
 */
import { readFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { REPO_ROOT } from '../util/paths';
import { byCodeUnits } from '../report/outputs';
import { cellsDigest, inGitWorkTree, inputChanges, inputsDigest, notebookInputs, type NotebookInputs } from './inputs';

export const PUBLISH_SCALE = 'laptop';

export interface NbOutput {
  output_type: string;
  data?: Record<string, unknown>;
  text?: string | string[];
  [key: string]: unknown;
}
export interface NbCell {
  cell_type: string;
  source: string | string[];
  metadata?: Record<string, unknown>;
  outputs?: NbOutput[];
  execution_count?: number | null;
  [key: string]: unknown;
}
export interface Notebook {
  cells: NbCell[];
  metadata: Record<string, unknown>;
  nbformat: number;
  nbformat_minor: number;
}

/** What `metadata.seer.published` holds. */
export interface PublishedRecord {
  scale: string;
  /** The command that refreshes this notebook. */
  command: string;
  /** Digest of `inputs`. */
  digest: string;
  inputs: NotebookInputs;
}

export function publishCommand(notebook?: string): string {
  return `npm run notebooks -- --publish${notebook ? ` ${notebook}` : ''}`;
}

export function publishedRecord(nb: Notebook): PublishedRecord | undefined {
  const seer = nb.metadata?.seer as { published?: PublishedRecord } | undefined;
  return seer?.published;
}

const joined = (t: unknown): string => (Array.isArray(t) ? t.join('') : typeof t === 'string' ? t : '');

/** Outputs that only work with a kernel's scripts: the plotly.js bundle and the interactive figure divs. */
export function isKernelOnlyOutput(o: NbOutput): boolean {
  const html = joined(o.data?.['text/html']);
  return html.includes('* plotly.js v') || html.includes('class="seer-plot"');
}

/** Replaces this checkout's absolute path with repository-relative paths in a text field (string or lines). */
function relativizeText<T>(t: T, root: string): T {
  const swap = (s: string): string => s.split(`${root}/`).join('').split(root).join('.');
  if (typeof t === 'string') return swap(t) as T;
  if (Array.isArray(t)) return t.map((s) => (typeof s === 'string' ? swap(s) : s)) as T;
  return t;
}

function cleanOutput(o: NbOutput, root: string): NbOutput {
  const out: NbOutput = { ...o };
  if (out.text !== undefined) out.text = relativizeText(out.text, root);
  if (out.data) {
    out.data = Object.fromEntries(
      Object.entries(out.data).map(([mime, v]) => [mime, mime.startsWith('text/') ? relativizeText(v, root) : v]),
    );
  }
  delete out.transient;
  return out;
}

function sameCells(a: NbCell[], b: NbCell[]): string | undefined {
  if (a.length !== b.length) return `it has ${a.length} cells, the executed copy ${b.length}`;
  for (let i = 0; i < a.length; i++) {
    if (a[i].cell_type !== b[i].cell_type || joined(a[i].source) !== joined(b[i].source)) return `cell ${i} differs`;
  }
  return undefined;
}

/**
 * The notebook to commit: `current`'s cells and metadata (as they are in notebooks/ now), the executed copy's outputs
 * and execution counts without kernel-only outputs, and the published record. Refuses when the cells differ from
 * what was executed (someone edited the notebook meanwhile).
 */
export function publishedNotebook(
  current: Notebook,
  executed: Notebook,
  inputs: NotebookInputs,
  name: string,
  root = REPO_ROOT,
): Notebook {
  const differs = sameCells(current.cells, executed.cells);
  if (differs) throw new Error(`${name} changed while it was executing (${differs}): publish it again`);
  let executions = 0; // tslab reports no execution count: the cells are numbered in the order they ran
  const cells = current.cells.map((cell, i) => {
    if (cell.cell_type !== 'code') return cell;
    executions++;
    const run = executed.cells[i];
    const metadata = { ...(cell.metadata ?? {}) };
    delete metadata.execution; // nbclient's timestamps
    const outputs = (run.outputs ?? []).filter((o) => !isKernelOnlyOutput(o)).map((o) => cleanOutput(o, root));
    return { ...cell, metadata, execution_count: run.execution_count ?? executions, outputs };
  });
  const command = publishCommand(name);
  const record: PublishedRecord = { scale: PUBLISH_SCALE, command, digest: inputsDigest(inputs), inputs };
  const seer = { ...((current.metadata.seer as Record<string, unknown>) ?? {}), published: record };
  return { ...current, cells, metadata: { ...current.metadata, seer } };
}

/**
 * What changed in a notebook's inputs between the start of its execution (`before`, over every data folder it might
 * read) and the end (`after`, over those it read): outputs made while code or data changed cannot be published.
 */
export function changedWhileExecuting(before: NotebookInputs, after: NotebookInputs): string[] {
  const data = Object.fromEntries(Object.keys(after.data).map((d) => [d, before.data[d] ?? 'absent']));
  return inputChanges({ ...before, data }, after);
}

/** The same notebook without outputs, counts or published record: what it weighs without its results. */
export function withoutOutputs(nb: Notebook): Notebook {
  const cells = nb.cells.map((c) => (c.cell_type === 'code' ? { ...c, outputs: [], execution_count: null } : c));
  const { seer: _published, ...metadata } = nb.metadata;
  return { ...nb, cells, metadata };
}

/** Sorts keys at every level (as nbformat writes them). */
function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>).sort(([a], [b]) => byCodeUnits(a, b));
    return Object.fromEntries(entries.map(([k, x]) => [k, sortKeys(x)]));
  }
  return v;
}

/** Notebook JSON the way Jupyter writes it: keys sorted, one-space indent, a final newline. */
export function notebookJson(nb: Notebook): string {
  return JSON.stringify(sortKeys(nb), null, 1) + '\n';
}

/**
 * Why a committed notebook is not what `--publish` would make from the current tree: never published, a code cell
 * not executed, kernel-only outputs committed, another scale, or inputs that changed (each named). Empty when fine.
 */
export function stalenessProblems(notebook: string, root = REPO_ROOT): string[] {
  const file = resolve(root, notebook);
  const nb = JSON.parse(readFileSync(file, 'utf8')) as Notebook;
  const rec = publishedRecord(nb);
  if (!rec) return ['it has no published outputs (metadata.seer.published is missing)'];
  const problems: string[] = [];
  if (rec.scale !== PUBLISH_SCALE) problems.push(`it was published at scale ${rec.scale}, not ${PUBLISH_SCALE}`);
  nb.cells.forEach((c, i) => {
    if (c.cell_type !== 'code') return;
    if (c.execution_count == null) problems.push(`code cell ${i} has not been executed`);
    if ((c.outputs ?? []).some(isKernelOnlyOutput)) {
      problems.push(`code cell ${i} holds plotly.js or an interactive figure`);
    }
  });
  if (cellsDigest(nb.cells) !== rec.inputs.cells) problems.push('its cells (sources) changed');
  const current = notebookInputs(relative(root, file), Object.keys(rec.inputs.data), root);
  if (inputsDigest(current) !== rec.digest) {
    problems.push(...inputChanges(rec.inputs, current).filter((p) => !p.startsWith('its cells')));
  }
  if (inputsDigest(rec.inputs) !== rec.digest) problems.push('its published record was edited (digest mismatch)');
  return problems;
}

export { inGitWorkTree };
