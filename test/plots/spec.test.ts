import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bars, figure, figureSize, gridShape, line, markers, singlePanel, validateFigure, type FigureSpec } from '../../lib/plots/spec';
import { toPlotly, withAlpha, wrapWords } from '../../lib/plots/plotly';
import { figureHtml } from '../../lib/plots/html';

const steps = [0, 1000, 2000, 3000];

function twoPanels(): FigureSpec {
  return figure({
    title: 'returns',
    panels: [
      {
        title: 'walker-walk',
        x: { title: 'environment steps' },
        y: { title: 'return' },
        series: [line('SEER', steps, [0, 10, 20, 30], { band: [1, 2, 3, 4] }), line('CURL', steps, [0, 8, NaN, 25])],
        events: [{ x: 2000, label: 'freeze' }],
      },
      {
        title: 'cheetah-run',
        x: { title: 'GFLOPs', log: true, range: [1, 1000] },
        y: { title: 'return' },
        series: [markers('SEER', [1, 10, 100, 1000], [1, 2, 3, 4], { error: [0.1, 0.2, 0.3, 0.4] })],
      },
    ],
  });
}

test('a line with a band becomes upper and lower edge traces filled between, then the mean line', () => {
  const fig = toPlotly(twoPanels());
  const seer = fig.data.filter((t) => t.legendgroup === 'SEER' && t.xaxis === 'x');
  assert.equal(seer.length, 3);
  assert.deepEqual(seer[0].y, [1, 12, 23, 34]);
  assert.deepEqual(seer[1].y, [-1, 8, 17, 26]);
  assert.equal(seer[1].fill, 'tonexty');
  assert.equal(seer[0].showlegend, false);
  assert.equal(seer[1].showlegend, false);
  assert.deepEqual(seer[2].y, [0, 10, 20, 30]);
  assert.equal(seer[2].showlegend, true);
});

test('NaN values become null (a gap), not a plotted zero', () => {
  const fig = toPlotly(twoPanels());
  const curl = fig.data.find((t) => t.name === 'CURL');
  assert.deepEqual(curl?.y, [0, 8, null, 25]);
});

test('panels get their own axes and domains; a series name keeps one colour and one legend entry', () => {
  const fig = toPlotly(twoPanels());
  const x1 = fig.layout.xaxis as { domain: number[] };
  const x2 = fig.layout.xaxis2 as { domain: number[]; type: string; range: number[] };
  assert.ok(x1.domain[1] < x2.domain[0], 'panels side by side without overlap');
  assert.equal(x2.type, 'log');
  assert.deepEqual(x2.range, [0, 3]); // log axes take log10 ranges
  const seerTraces = fig.data.filter((t) => t.legendgroup === 'SEER');
  const colors = new Set(seerTraces.map((t) => (t.line as { color?: string } | undefined)?.color ?? (t.marker as { color: string }).color));
  assert.equal(colors.size, 1);
  assert.equal(seerTraces.filter((t) => t.showlegend).length, 1);
  const m = fig.data.find((t) => t.xaxis === 'x2');
  assert.deepEqual((m?.error_y as { array: number[] }).array, [0.1, 0.2, 0.3, 0.4]);
});

test('events are dotted vertical lines on their panel with a label', () => {
  const fig = toPlotly(twoPanels());
  const shapes = fig.layout.shapes as Record<string, unknown>[];
  assert.equal(shapes.length, 1);
  assert.equal(shapes[0].xref, 'x');
  assert.equal(shapes[0].yref, 'y domain');
  assert.equal(shapes[0].x0, 2000);
  const labels = (fig.layout.annotations as { text: string }[]).map((a) => a.text);
  assert.ok(labels.includes('freeze'));
  assert.ok(labels.includes('<b>walker-walk</b>'));
});

test('labels of several events on one panel take one row each, in x order', () => {
  const axes = { x: { title: 'x' }, y: { title: 'y' } };
  const fig = toPlotly({ panels: [{ ...axes, series: [line('a', [1, 2], [1, 2])], events: [{ x: 9, label: 'late' }, { x: 1, label: 'early' }] }] });
  const rows = (fig.layout.annotations as { text: string; yshift: number }[]).filter((a) => a.text === 'early' || a.text === 'late');
  assert.deepEqual(rows.map((a) => a.text), ['early', 'late']);
  assert.ok(rows[1].yshift <= rows[0].yshift - 12, 'the second label sits a text row below the first');
});

test('grid shape and size follow the panel count', () => {
  const p = { x: { title: 'x' }, y: { title: 'y' }, series: [line('a', [1], [1])] };
  assert.deepEqual(gridShape({ panels: [p] }), [1, 1]);
  assert.deepEqual(gridShape({ panels: [p, p, p, p] }), [2, 3]);
  assert.deepEqual(gridShape({ panels: [p, p, p, p], columns: 2 }), [2, 2]);
  assert.deepEqual(figureSize({ panels: [p], width: 300, height: 200 }), { width: 300, height: 200 });
});

test('bar series accept category labels', () => {
  const fig = toPlotly(singlePanel({ x: { title: 'encoder' }, y: { title: 'MFLOPs' }, series: [bars('fwd', ['a', 'b'], [1, 2])] }));
  assert.equal(fig.data[0].type, 'bar');
  assert.deepEqual(fig.data[0].x, ['a', 'b']);
});

test('malformed specs fail with a message naming the panel, series and field', () => {
  const axes = { x: { title: 'x' }, y: { title: 'y' } };
  assert.throws(() => validateFigure({ panels: [] }), /non-empty array of panels/);
  assert.throws(
    () => validateFigure({ panels: [{ ...axes, title: 'P', series: [line('s', [1, 2], [1])] }] }),
    /panel 0 \('P'\) series 0 \('s'\): 'y' has 1 values but x has 2/,
  );
  assert.throws(() => validateFigure({ panels: [{ ...axes, series: [line('s', [1], [Infinity])] }] }), /'y'\[0\] is Infinity/);
  assert.throws(() => validateFigure({ panels: [{ ...axes, series: [line('s', [NaN], [1])] }] }), /'x'\[0\] is NaN/);
  assert.throws(() => validateFigure({ panels: [{ ...axes, series: [line('s', [1, 2], [1, 2], { band: [1] })] }] }), /'band' has 1 values/);
  const bad = { kind: 'area', name: 's', x: [1], y: [1] } as unknown as ReturnType<typeof line>;
  assert.throws(() => validateFigure({ panels: [{ ...axes, series: [bad] }] }), /kind 'area' is not a series kind. Accepted values: line, markers, bar/);
  assert.throws(() => validateFigure({ panels: [{ x: { title: 'x' }, series: [] } as never] }), /both axes need a title/);
  assert.throws(() => validateFigure({ panels: [{ ...axes, x: { title: 'x', range: [2, 1] }, series: [] }] }), /range must be \[min, max\]/);
  assert.throws(() => validateFigure({ panels: [{ ...axes, series: [], events: [{ x: NaN, label: 'f' }] }] }), /event 0: needs a finite x/);
  assert.throws(() => validateFigure({ panels: [{ ...axes, series: [] }], columns: 0 }), /columns=0/);
});

test('withAlpha turns hex colours into rgba', () => {
  assert.equal(withAlpha('#0072B2', 0.2), 'rgba(0,114,178,0.2)');
  assert.equal(withAlpha('red', 0.2), 'red');
});

test('figure HTML cannot be closed early by a label containing </script>', () => {
  const html = figureHtml(singlePanel({ x: { title: '</script><b>x' }, y: { title: 'y' }, series: [line('a', [1], [1])] }), { id: 'f1' });
  assert.equal(html.match(/<\/script>/g)?.length, 1, 'only the real closing tag');
  assert.ok(html.startsWith('<div id="f1" class="seer-plot"'));
  assert.ok(html.includes('\\u003c/script>'));
});

test('a figure title longer than the figure is wide wraps at word boundaries, with room made above the panels', () => {
  assert.deepEqual(wrapWords('a bb ccc dddd', 6), ['a bb', 'ccc', 'dddd']);
  assert.deepEqual(wrapWords('unbreakable-word x', 4), ['unbreakable-word', 'x']);
  const panel = { x: { title: 'x' }, y: { title: 'y' }, series: [line('s', [0, 1], [0, 1])] };
  const short = toPlotly(figure({ title: 'Figure 6', panels: [panel] })).layout;
  const long = toPlotly(figure({ title: 'Figure 6 · CURL with the IMPALA encoder, with and without SEER, at laptop scale', panels: [panel] })).layout;
  assert.equal((short.title as { text: string }).text, 'Figure 6');
  const lines = (long.title as { text: string }).text.split('<br>');
  assert.ok(lines.length === 2 && lines.every((l) => l.length * 11 <= 560 - 40), lines.join(' | '));
  assert.equal((long.margin as { t: number }).t, (short.margin as { t: number }).t + 26);
});
