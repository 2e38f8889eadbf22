/**
 * Publishing a notebook (lib/notebook/publish.ts) and its staleness check (lib/notebook/inputs.ts), on a small
 * repository made here: which outputs are kept, and which changes make a published notebook stale (and which not).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { codeInputs, dataFolderOf, notebookInputs, sectionFolders } from '../../lib/notebook/inputs';
import { notebookJson, publishCommand, publishedNotebook, stalenessProblems } from '../../lib/notebook/publish';
import { changedWhileExecuting, withoutOutputs } from '../../lib/notebook/publish';
import type { Notebook } from '../../lib/notebook/publish';
import { tmpDir } from '../tmp';

const root = tmpDir('seer-publish-');
const NB = 'notebooks/10-demo.ipynb';
const put = (rel: string, text: string): void => {
  mkdirSync(dirname(join(root, rel)), { recursive: true });
  writeFileSync(join(root, rel), text);
};
const read = (rel: string): string => readFileSync(join(root, rel), 'utf8');

const codeCell = (source: string[]) => ({
  cell_type: 'code',
  execution_count: null,
  metadata: {},
  outputs: [],
  source,
});
const source: Notebook = {
  cells: [
    { cell_type: 'markdown', metadata: {}, source: ['# Demo\n', 'text'] },
    codeCell([
      "import { show } from './lib/notebook/show';\n",
      "import { agent } from './lib/agents/direct';\n",
      'show(agent);',
    ]),
    codeCell(['show(2);']),
  ],
  metadata: { kernelspec: { name: 'tslab' } },
  nbformat: 4,
  nbformat_minor: 4,
};

/** What nbconvert writes after executing `source` at laptop scale here (tslab gives no execution counts). */
function executedCopy(nb: Notebook): Notebook {
  const cells = nb.cells.map((c, i) => {
    if (c.cell_type !== 'code') return c;
    const outputs =
      i === 1
        ? [
            { output_type: 'display_data', data: { 'text/html': '<script>/** * plotly.js v4 */</script>' } },
            { output_type: 'stream', name: 'stdout', text: [`3 runs loaded from ${root}/data/runs/sec (0 s)\n`] },
            { output_type: 'display_data', data: { 'text/html': '<div class="seer-plot"></div><script/>' } },
            { output_type: 'display_data', data: { 'image/png': 'iVBORw0KGgo=' }, metadata: {} },
            { output_type: 'display_data', data: { 'text/markdown': '|a|\n|-|\n|1|' }, metadata: {} },
          ]
        : [];
    const metadata = { execution: { 'iopub.status.busy': '2026-12-06T10:00:00Z' } };
    return { ...c, execution_count: null, metadata, outputs };
  });
  return { ...nb, cells };
}

function publishNow(): Notebook {
  const current = JSON.parse(read(NB)) as Notebook;
  const inputs = notebookInputs(NB, [dataFolderOf('data/runs/sec/arm/r__s0', root)], root);
  const published = publishedNotebook(current, executedCopy(current), inputs, NB, root);
  put(NB, notebookJson(published));
  return published;
}

/** Runs `change`, returns the staleness problems, then puts every file back. */
function problemsAfter(change: () => void, files: string[]): string[] {
  const saved = files.map((f) => {
    try {
      return read(f);
    } catch {
      return undefined;
    }
  });
  change();
  try {
    return stalenessProblems(NB, root);
  } finally {
    files.forEach((f, i) => (saved[i] === undefined ? rmSync(join(root, f), { force: true }) : put(f, saved[i]!)));
  }
}

before(() => {
  const dependencies = { arquero: '8.0.1', 'plotly.js-dist-min': '4.1.1', redis: '1' };
  put('package.json', JSON.stringify({ dependencies }));
  put('.gitignore', 'data/runs/**/checkpoints/\n');
  const show = ["import { plot } from '../plots/plot';", "import { train } from '../run/train';", 'export {};'];
  put('lib/notebook/show.ts', show.join('\n') + '\n');
  put('lib/plots/plot.ts', "import type { Agent } from '../agents/types';\nexport function plot(x: unknown) {}\n");
  put('lib/run/train.ts', "import { Agent } from '../agents/types';\nexport const train = 1;\n");
  put('lib/agents/types.ts', 'export type Agent = number;\n');
  put('lib/agents/direct.ts', "import { helper } from './helper';\nexport const agent = helper;\n");
  put('lib/agents/helper.ts', 'export const helper = 1;\n');
  put('data/runs/sec/arm/r__s0/log.jsonl', '{"t":"eval","r":1}\n');
  put('data/runs/sec/arm/r__s0/manifest.json', '{}');
  put('data/runs/sec/arm/r__s0/checkpoints/c.bin', 'x');
  put('data/runs/other/arm/r__s0/log.jsonl', '{}\n');
  put(NB, notebookJson(source));
  execFileSync('git', ['init', '-q'], { cwd: root });
});
after(() => rmSync(root, { recursive: true, force: true }));

test('code inputs: what the cells import and what that imports, not followed into the code that makes runs', () => {
  assert.deepEqual(codeInputs(source.cells, root), [
    'lib/agents/direct.ts', // imported by a cell itself: followed
    'lib/agents/helper.ts',
    'lib/notebook/show.ts',
    'lib/plots/plot.ts',
  ]);
  assert.equal(dataFolderOf('data/runs/sec/arm/r__s0', root), 'data/runs/sec');
  assert.equal(dataFolderOf('data/runs/benchmark/sec/arm/r__s0', root), 'data/runs/benchmark/sec');
  assert.throws(() => dataFolderOf(join(tmpdir(), 'smoke-run'), root), /outside the repository: a published notebook/);
});

test('a published notebook keeps its cells, static images, text and tables, and drops what needs a kernel', () => {
  const before = read(NB);
  const nb = publishNow();
  assert.deepEqual(
    nb.cells.map((c) => c.source),
    source.cells.map((c) => c.source),
    'cells untouched',
  );
  const outs = nb.cells[1].outputs!;
  assert.deepEqual(
    outs.map((o) => Object.keys(o.data ?? { stream: 1 })[0]),
    ['stream', 'image/png', 'text/markdown'],
  );
  assert.deepEqual(outs[0].text, ['3 runs loaded from data/runs/sec (0 s)\n'], 'paths relative to the repository');
  assert.deepEqual(nb.cells[1].metadata, {}, "nbclient's timestamps dropped");
  assert.deepEqual([nb.cells[1].execution_count, nb.cells[2].execution_count], [1, 2], 'numbered as they ran');
  type Rec = { command: string; scale: string; inputs: { data: object } };
  const rec = (nb.metadata.seer as { published: Rec }).published;
  assert.equal(rec.command, `npm run notebooks -- --publish ${NB}`);
  assert.equal(rec.scale, 'laptop');
  assert.deepEqual(Object.keys(rec.inputs.data), ['data/runs/sec']);
  assert.ok(!JSON.stringify(rec).includes(root), 'no absolute paths');
  assert.deepEqual(stalenessProblems(NB, root), []);
  // Publishing the same thing twice gives the same bytes (no time, machine or path in it).
  const once = read(NB);
  publishNow();
  assert.equal(read(NB), once);
  // Without outputs it is the source notebook again.
  assert.equal(notebookJson(withoutOutputs(JSON.parse(once) as Notebook)), before);
});

test('a notebook edited while it executed is not overwritten', () => {
  const current = JSON.parse(read(NB)) as Notebook;
  const executed = executedCopy(current);
  current.cells[2].source = ['show(3);'];
  const inputs = notebookInputs(NB, [], root);
  assert.throws(
    () => publishedNotebook(current, executed, inputs, NB, root),
    /10-demo\.ipynb changed while it was executing \(cell 2 differs\): publish it again/,
  );
});

test('what makes a published notebook stale names the input', () => {
  publishNow();
  const edit = (rel: string, f: (s: string) => string) => () => put(rel, f(read(rel)));
  const nbSource = (f: (nb: Notebook) => void) => () => {
    const nb = JSON.parse(read(NB)) as Notebook;
    f(nb);
    put(NB, notebookJson(nb));
  };
  const cellEdit = nbSource((nb) => (nb.cells[0].source = ['# Demo, edited']));
  assert.deepEqual(problemsAfter(cellEdit, [NB]), ['its cells (sources) changed']);
  const log = 'data/runs/sec/arm/r__s0/log.jsonl';
  const data = problemsAfter(
    edit(log, (s) => s + '{"t":"eval","r":2}\n'),
    [log],
  );
  assert.equal(data.length, 1);
  assert.match(data[0], /^data data\/runs\/sec changed \(2 files \w+ → 2 files \w+\)$/);
  const newRun = 'data/runs/sec/arm/r__s1/log.jsonl';
  const added = problemsAfter(() => put(newRun, '{}\n'), [newRun]);
  assert.match(added[0], /^data data\/runs\/sec changed \(2 files \w+ → 3 files \w+\)$/);
  const code = problemsAfter(
    edit('lib/plots/plot.ts', (s) => s + '// v2\n'),
    ['lib/plots/plot.ts'],
  );
  assert.deepEqual(
    code.map((p) => p.split(' (')[0]),
    ['code lib/plots/plot.ts changed'],
  );
  const direct = problemsAfter(
    edit('lib/agents/helper.ts', (s) => s + '// v2\n'),
    ['lib/agents/helper.ts'],
  );
  assert.deepEqual(
    direct.map((p) => p.split(' (')[0]),
    ['code lib/agents/helper.ts changed'],
  );
  assert.deepEqual(
    problemsAfter(
      edit('package.json', (s) => s.replace('"4.1.1"', '"4.2.0"')),
      ['package.json'],
    ),
    ['package plotly.js-dist-min changed (4.1.1 → 4.2.0)'],
  );
  assert.deepEqual(
    problemsAfter(
      nbSource((nb) => (nb.cells[2].outputs = [])),
      [NB],
    ),
    [],
    'outputs are not inputs',
  );
  assert.deepEqual(
    problemsAfter(
      nbSource((nb) => (nb.cells[2].execution_count = null)),
      [NB],
    ),
    ['code cell 2 has not been executed'],
  );
  const plotly = { output_type: 'display_data', data: { 'text/html': '/** * plotly.js v4 */' }, metadata: {} };
  assert.deepEqual(
    problemsAfter(
      nbSource((nb) => nb.cells[2].outputs!.push(plotly)),
      [NB],
    ),
    ['code cell 2 holds plotly.js or an interactive figure'],
  );
});

test('what does not make it stale: run-making code, ignored files, other sections, line endings', () => {
  publishNow();
  const none = (change: () => void, files: string[]) => assert.deepEqual(problemsAfter(change, files), []);
  none(() => put('lib/run/train.ts', 'export const train = 2;\n'), ['lib/run/train.ts']);
  none(() => put('lib/agents/types.ts', 'export type Agent = string;\n'), ['lib/agents/types.ts']);
  none(() => put('data/runs/sec/arm/r__s0/checkpoints/c2.bin', 'y'), ['data/runs/sec/arm/r__s0/checkpoints/c2.bin']);
  none(() => put('data/runs/other/arm/r__s0/log.jsonl', '{"new":1}\n'), ['data/runs/other/arm/r__s0/log.jsonl']);
  none(() => put('lib/plots/plot.ts', read('lib/plots/plot.ts').replace(/\n/g, '\r\n')), ['lib/plots/plot.ts']);
  none(() => put('package.json', read('package.json').replace('"redis":"1"', '"redis":"2"')), ['package.json']);
});

test('a notebook never published says so, and the fix is one command', () => {
  put('notebooks/11-new.ipynb', notebookJson(source));
  assert.deepEqual(stalenessProblems('notebooks/11-new.ipynb', root), [
    'it has no published outputs (metadata.seer.published is missing)',
  ]);
  assert.equal(publishCommand('notebooks/11-new.ipynb'), 'npm run notebooks -- --publish notebooks/11-new.ipynb');
  assert.equal(publishCommand(), 'npm run notebooks -- --publish');
});

test('outputs made while code or data changed are not published', () => {
  put('data/runs/benchmark/sec/arm/r__s0/log.jsonl', '{}\n');
  const before = notebookInputs(NB, sectionFolders(root), root);
  assert.deepEqual(Object.keys(before.data), ['data/runs/benchmark/sec', 'data/runs/other', 'data/runs/sec']);
  rmSync(join(root, 'data/runs/benchmark'), { recursive: true });
  put('data/runs/other/arm/r__s0/log.jsonl', '{"changed":1}\n'); // a section it did not read: fine
  assert.deepEqual(changedWhileExecuting(before, notebookInputs(NB, ['data/runs/sec'], root)), []);
  const plot = read('lib/plots/plot.ts');
  put('lib/plots/plot.ts', plot + '// edited by someone meanwhile\n');
  try {
    const changed = changedWhileExecuting(before, notebookInputs(NB, ['data/runs/sec'], root));
    assert.deepEqual(
      changed.map((c) => c.split(' (')[0]),
      ['code lib/plots/plot.ts changed'],
    );
  } finally {
    put('lib/plots/plot.ts', plot);
  }
});
