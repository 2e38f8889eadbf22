/**
 * What a published notebook's outputs are computed from, as digests: the staleness check of the committed notebooks.
 *
 *   notebookInputs('notebooks/01-compute.ipynb', ['data/runs/compute']) → {cells, data, code, packages}
 *   inputsDigest(inputs) → one digest;  inputChanges(recorded, current) → what differs, in words
 *
 * The inputs are
 * - cells: the notebook's cells, type and source (not outputs, execution counts or metadata);
 * - data: every file under the data folders it read (`data/runs/<section>` of each run it used), by path and
 *   content, without git-ignored files (checkpoints);
 * - code: the modules its cells import and, recursively, theirs; presentation code's imports into the code that only
 *   makes runs (agents, environments, replay, backends, training, configs) are not followed, since a notebook at
 *   laptop scale only reads runs. A module a cell imports itself is always followed;
 * - packages: the pinned versions of the packages that draw and tabulate (package.json).
 * No timestamps, machine, backend or absolute paths, and text is read with '\r\n' as '\n': the same tree gives the
 * same digests on any machine.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { canonicalJson, digest } from '../report/outputs';
import { REPO_ROOT } from '../util/paths';

export interface NotebookInputs {
  cells: string;
  /** Data folder (repository-relative) → '<n> files <digest>'. */
  data: Record<string, string>;
  /** Module (repository-relative) → digest. */
  code: Record<string, string>;
  /** Package → version as pinned in package.json. */
  packages: Record<string, string>;
}

interface NbCell {
  cell_type: string;
  source: string | string[];
}

/** Modules under these paths only make runs; presentation code's imports into them are not followed. */
export const RUN_MAKING_CODE = [
  'lib/agents/',
  'lib/augment/',
  'lib/backend/',
  'lib/envs/',
  'lib/flops/',
  'lib/nets/',
  'lib/queue/',
  'lib/replay/',
  'lib/seer/',
  'lib/run/checkpoint.ts',
  'lib/run/config.ts',
  'lib/plan/demo.ts',
  'lib/run/fork.ts',
  'lib/run/lock.ts',
  'lib/run/progress.ts',
  'lib/plan/sweep.ts',
  'lib/run/train.ts',
  'lib/util/validate.ts',
];

/** Packages whose versions change what the figures and tables look like. */
export const PRESENTATION_PACKAGES = ['arquero', 'plotly.js-dist-min'];

const text = (s: string | string[]): string => (Array.isArray(s) ? s.join('') : s).replace(/\r\n/g, '\n');

/** Text files are digested with '\r\n' read as '\n' (a Windows checkout); binary ones (with a NUL byte) as they are. */
function fileDigest(file: string): string {
  const buf = readFileSync(file);
  return digest(buf.includes(0) ? buf : buf.toString('utf8').replace(/\r\n/g, '\n'));
}

export function readNotebook(file: string): { cells: NbCell[]; metadata?: Record<string, unknown> } {
  return JSON.parse(readFileSync(file, 'utf8')) as { cells: NbCell[]; metadata?: Record<string, unknown> };
}

export function cellsDigest(cells: NbCell[]): string {
  return digest(canonicalJson(cells.map((c) => [c.cell_type, text(c.source)])));
}

/** Relative module specifiers in TypeScript text: import/export … from, import(), require(). */
export function relativeSpecifiers(ts: string): string[] {
  const re = /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|^\s*import\s+)['"](\.{1,2}\/[^'"]+)['"]/gm;
  return [...ts.matchAll(re)].map((m) => m[1]);
}

function resolveModule(fromDir: string, spec: string): string | undefined {
  const base = resolve(fromDir, spec);
  for (const f of [base, `${base}.ts`, `${base}.tsx`, join(base, 'index.ts'), `${base}.js`, `${base}.cjs`]) {
    if (existsSync(f) && statSync(f).isFile()) return f;
  }
  return undefined;
}

const posix = (p: string): string => p.split('\\').join('/');

/** The modules a notebook's outputs depend on (see the header), repository-relative and sorted. */
export function codeInputs(cells: NbCell[], root = REPO_ROOT): string[] {
  const isRunMaking = (f: string): boolean => RUN_MAKING_CODE.some((p) => posix(relative(root, f)).startsWith(p));
  const seen = new Set<string>();
  const todo: string[] = [];
  const add = (fromDir: string, spec: string, fromRunMaking: boolean | 'cell'): void => {
    const f = resolveModule(fromDir, spec);
    if (!f || seen.has(f)) return;
    if (fromRunMaking === false && isRunMaking(f)) return;
    seen.add(f);
    todo.push(f);
  };
  // The kernel's working directory is the repository root: cells import './lib/…'.
  for (const c of cells) {
    if (c.cell_type === 'code') for (const s of relativeSpecifiers(text(c.source))) add(root, s, 'cell');
  }
  while (todo.length) {
    const f = todo.pop()!;
    if (!/\.[cm]?[jt]sx?$/.test(f)) continue;
    for (const s of relativeSpecifiers(readFileSync(f, 'utf8'))) add(dirname(f), s, isRunMaking(f));
  }
  return [...seen].map((f) => posix(relative(root, f))).sort();
}

/** True when `root` is inside a git work tree (the data listing needs git to leave out ignored files). */
export function inGitWorkTree(root = REPO_ROOT): boolean {
  try {
    const stdio: ['ignore', 'pipe', 'ignore'] = ['ignore', 'pipe', 'ignore'];
    const out = execFileSync('git', ['rev-parse', '--is-inside-work-tree'], { cwd: root, stdio });
    return out.toString().trim() === 'true';
  } catch {
    return false;
  }
}

/** Files under a folder that git tracks or would track (git-ignored ones, such as checkpoints, left out). */
export function dataFiles(dir: string, root = REPO_ROOT): string[] {
  let out: Buffer;
  try {
    out = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard', '--', dir], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
      maxBuffer: 64 * 2 ** 20,
    });
  } catch (err) {
    const why = (err as Error).message.split('\n')[0];
    throw new Error(`listing the files of ${dir} needs git and a git checkout (${why})`);
  }
  // --cached lists files deleted from the working tree too: only what is there counts.
  const files = out
    .toString('utf8')
    .split('\0')
    .filter((f) => f && existsSync(join(root, f)));
  return [...new Set(files)].sort();
}

function dataFolderDigest(dir: string, root: string): string {
  const files = dataFiles(dir, root);
  return `${files.length} files ${digest(files.map((f) => `${f}\0${fileDigest(join(root, f))}`).join('\n'))}`;
}

/**
 * The data folder a run directory stands for: its section (`data/runs/<section>`, at benchmark scale
 * `data/runs/benchmark/<section>`), so that a run added to the section makes the notebook stale too, and the
 * campaign's plan beside the benchmark sections does not; any other folder inside the repository stands for itself.
 */
export function dataFolderOf(runDir: string, root = REPO_ROOT): string {
  const rel = posix(relative(root, resolve(root, runDir)));
  if (rel.startsWith('..') || rel === '' || /^[A-Za-z]:/.test(rel)) {
    throw new Error(`run ${runDir} is outside the repository: a published notebook reads committed runs from data/`);
  }
  const m = /^data\/runs\/benchmark\/[^/]+/.exec(rel) ?? /^data\/runs\/[^/]+/.exec(rel);
  return m ? m[0] : rel;
}

function packageVersions(root: string): Record<string, string> {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
  return Object.fromEntries(PRESENTATION_PACKAGES.map((p) => [p, pkg.dependencies?.[p] ?? 'absent']));
}

/**
 * Every section folder under data/runs (repository-relative), the benchmark scale's (`data/runs/benchmark/<name>`)
 * included: what a notebook may read before it says which (`dataFolderOf` maps a run to one of them). The benchmark
 * folder itself holds sections and the campaign's plan, not runs, so it is not one: listing it would digest every
 * benchmark log twice.
 */
export function sectionFolders(root = REPO_ROOT): string[] {
  const benchmark = 'data/runs/benchmark';
  const folders = (rel: string): string[] => {
    const dir = join(root, rel);
    if (!existsSync(dir)) return [];
    return readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => `${rel}/${e.name}`);
  };
  return [...folders('data/runs').filter((f) => f !== benchmark), ...folders(benchmark)].sort();
}

/** The inputs of a notebook that read the given data folders (repository-relative). */
export function notebookInputs(notebook: string, dataFolders: string[], root = REPO_ROOT): NotebookInputs {
  const { cells } = readNotebook(resolve(root, notebook));
  const code = codeInputs(cells, root);
  return {
    cells: cellsDigest(cells),
    data: Object.fromEntries([...new Set(dataFolders)].sort().map((d) => [d, dataFolderDigest(d, root)])),
    code: Object.fromEntries(code.map((f) => [f, fileDigest(join(root, f))])),
    packages: packageVersions(root),
  };
}

export function inputsDigest(inputs: NotebookInputs): string {
  return digest(canonicalJson(inputs));
}

/** What differs between two input records, one line each (empty when they are the same). */
export function inputChanges(recorded: NotebookInputs, current: NotebookInputs): string[] {
  const out: string[] = [];
  if (recorded.cells !== current.cells) out.push('its cells (sources) changed');
  const compare = (kind: string, a: Record<string, string> = {}, b: Record<string, string> = {}): void => {
    for (const k of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
      if (!(k in b)) out.push(`${kind} ${k}: no longer an input`);
      else if (!(k in a)) out.push(`${kind} ${k}: a new input`);
      else if (a[k] !== b[k]) out.push(`${kind} ${k} changed (${a[k]} → ${b[k]})`);
    }
  };
  compare('data', recorded.data, current.data);
  compare('code', recorded.code, current.code);
  compare('package', recorded.packages, current.packages);
  return out;
}
