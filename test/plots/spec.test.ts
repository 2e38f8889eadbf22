import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  bars,
  figure,
  figureSize,
  gridShape,
  line,
  markers,
  singlePanel,
  validateFigure,
  type FigureSpec,
} from '../../lib/plots/spec';
import { toPlotly, valueRange, withAlpha, wrapWords } from '../../lib/plots/plotly';
import { figureLayout } from '../../lib/plots/layout';
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

test('a band is one filled polygon (upper edge forward, lower edge back), drawn before every line of its panel', () => {
  const fig = toPlotly(twoPanels());
  const panel1 = fig.data.filter((t) => t.xaxis === 'x');
  const band = panel1[0];
  assert.equal(band.fill, 'toself');
  assert.equal(band.showlegend, false);
  assert.deepEqual(band.x, [0, 1000, 2000, 3000, 3000, 2000, 1000, 0]);
  assert.deepEqual(band.y, [1, 12, 23, 34, 26, 17, 8, -1]);
  // Lines after all bands: a later series' band never covers an earlier line.
  const firstLine = panel1.findIndex((t) => t.fill === undefined);
  assert.ok(
    panel1.slice(firstLine).every((t) => t.fill === undefined),
    'no band after the first line',
  );
  const seerLine = panel1.find((t) => t.name === 'SEER' && t.fill === undefined);
  assert.deepEqual(seerLine?.y, [0, 10, 20, 30]);
  assert.equal(seerLine?.showlegend, true);
});

test('the y-axis range holds every band and error bar, so none runs off the axis', () => {
  const fig = toPlotly(twoPanels());
  const [lo, hi] = (fig.layout.yaxis as { range: number[] }).range;
  assert.ok(lo <= -1 && hi >= 34, `range ${lo}..${hi} must hold the band's -1..34`);
  assert.ok(hi - lo < 1.2 * 35, 'with only a small padding');
  // Values 5 ± 1 and 5 ± 2 span 3..7; 5 % of the span on each side.
  const [mlo, mhi] = valueRange([markers('m', [1, 2], [5, 5], { error: [1, 2] })])!;
  assert.ok(Math.abs(mlo - 2.8) < 1e-9 && Math.abs(mhi - 7.2) < 1e-9, `${mlo}..${mhi}`);
});

test('a band with a gap is split into separate polygons', () => {
  const fig = toPlotly(
    singlePanel({
      x: { title: 'x' },
      y: { title: 'y' },
      series: [line('a', [0, 1, 2, 3], [1, 1, 1, 1], { band: [1, NaN, 1, 1] })],
    }),
  );
  const bands = fig.data.filter((t) => t.fill === 'toself');
  assert.deepEqual(
    bands.map((t) => t.x),
    [
      [0, 0],
      [2, 3, 3, 2],
    ],
  );
});

test('the note saying what marks mean is printed on the figure, under the title', () => {
  const spec = { ...twoPanels(), note: 'band: ±1 sample std over 3 seeds' };
  const ann = (toPlotly(spec).layout.annotations as { text: string; y: number }[]).find((a) =>
    a.text.includes('sample std'),
  );
  assert.ok(ann, 'note annotation');
  assert.ok(ann.y > 1, 'above the panels');
});

test("a second row of panels sits below the first row's axis titles (no overlap of titles)", () => {
  const p = (t: string) => ({ title: t, x: { title: 'x' }, y: { title: 'y' }, series: [line('a', [0, 1], [0, 1])] });
  const L = figureLayout({ panels: [p('a'), p('b'), p('c'), p('d<br>two lines')] });
  const plotH = L.height - L.margin.t - L.margin.b;
  const gapPx = (L.domains[0].y[0] - L.domains[3].y[1]) * plotH;
  // Under row 1: tick labels and its axis title (~56 px); above row 2: its two-line title (~46 px).
  assert.ok(gapPx >= 56 + 46, `gap between rows ${gapPx.toFixed(0)} px`);
  const colGapPx = (L.domains[1].x[0] - L.domains[0].x[1]) * (L.width - L.margin.l - L.margin.r);
  assert.ok(colGapPx >= 80, `gap between columns ${colGapPx.toFixed(0)} px holds the next panel's y-axis title`);
});

test('event labels sit above the frame, not on the curves, and the legend goes under the panels', () => {
  const fig = toPlotly(twoPanels());
  const label = (fig.layout.annotations as { text: string; y: number; yanchor: string; yref: string }[]).find(
    (a) => a.text === 'freeze',
  )!;
  assert.equal(label.yref, 'y domain');
  assert.equal(label.y, 1);
  assert.equal(label.yanchor, 'bottom');
  const legend = fig.layout.legend as { orientation: string; y: number };
  assert.equal(legend.orientation, 'h');
  assert.ok(legend.y < 0);
});

test('ticks can be fixed to given values and labels (a sweep over three budgets)', () => {
  const fig = toPlotly(
    singlePanel({
      x: { title: 'MB', log: true, tickValues: [3.5, 7], tickLabels: ['3.5 MB', '7 MB'] },
      y: { title: 'r' },
      series: [markers('a', [3.5, 7], [1, 2], { connect: true })],
    }),
  );
  const x = fig.layout.xaxis as { tickvals: number[]; ticktext: string[]; tickmode: string };
  assert.deepEqual([x.tickmode, x.tickvals, x.ticktext], ['array', [3.5, 7], ['3.5 MB', '7 MB']]);
  assert.equal(fig.data[0].mode, 'lines+markers');
  assert.throws(
    () => validateFigure(singlePanel({ x: { title: 'x', tickLabels: ['a'] }, y: { title: 'y' }, series: [] })),
    /tickLabels; it needs as many tickValues/,
  );
});

test('an image panel labels its rows and columns and carries a colour bar', () => {
  const fig = toPlotly(
    singlePanel({
      x: { title: '' },
      y: { title: 'snapshot' },
      series: [],
      image: {
        src: 'data:image/png;base64,AAAA',
        width: 30,
        height: 20,
        rowLabels: ['u0', 'u1'],
        columnLabels: ['a', 'b', 'c'],
        colorScale: {
          stops: [
            [0, '#000'],
            [1, '#fff'],
          ],
          title: 'attention',
        },
      },
    }),
  );
  assert.equal((fig.layout.images as unknown[]).length, 1);
  assert.deepEqual((fig.layout.yaxis as { ticktext: string[]; tickvals: number[] }).ticktext, ['u0', 'u1']);
  assert.deepEqual((fig.layout.yaxis as { tickvals: number[] }).tickvals, [5, 15]);
  assert.deepEqual((fig.layout.xaxis as { ticktext: string[] }).ticktext, ['a', 'b', 'c']);
  const bar = fig.data.find((t) => t.type === 'heatmap') as {
    showscale: boolean;
    colorbar: { title: { text: string } };
  };
  assert.equal(bar.showscale, true);
  assert.equal(bar.colorbar.title.text, 'attention');
  assert.throws(
    () =>
      validateFigure(
        singlePanel({
          x: { title: '' },
          y: { title: '' },
          series: [],
          image: { src: 'x.png', width: 1, height: 1, rowLabels: ['a'], columnLabels: ['b'] },
        }),
      ),
    /data:image/,
  );
});

test('the HTML figure is responsive (fits a 1,280 px page) and can hold its static image until plotly draws', () => {
  const spec = figure({
    panels: [1, 2, 3].map((i) => ({
      title: `p${i}`,
      x: { title: 'x' },
      y: { title: 'y' },
      series: [line('a', [0, 1], [0, 1])],
    })),
  });
  const html = figureHtml(spec, { id: 'f', fallbackPng: new Uint8Array([1, 2, 3]) });
  assert.match(html, /style="width:100%;max-width:1320px/);
  assert.match(html, /<img alt="figure" style="width:100%;height:auto" src="data:image\/png;base64,AQID">/);
  assert.match(html, /"responsive":true/);
  assert.match(html, /"autosize":true/);
  assert.doesNotMatch(html, /"width":1320/);
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
  const colors = new Set(
    seerTraces.map((t) => (t.line as { color?: string } | undefined)?.color ?? (t.marker as { color: string }).color),
  );
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
  const fig = toPlotly({
    panels: [
      {
        ...axes,
        series: [line('a', [1, 2], [1, 2])],
        events: [
          { x: 9, label: 'late' },
          { x: 1, label: 'early' },
        ],
      },
    ],
  });
  const rows = (fig.layout.annotations as { text: string; yshift: number }[]).filter(
    (a) => a.text === 'early' || a.text === 'late',
  );
  assert.deepEqual(
    rows.map((a) => a.text),
    ['early', 'late'],
  );
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
  const fig = toPlotly(
    singlePanel({ x: { title: 'encoder' }, y: { title: 'MFLOPs' }, series: [bars('fwd', ['a', 'b'], [1, 2])] }),
  );
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
  assert.throws(
    () => validateFigure({ panels: [{ ...axes, series: [line('s', [1], [Infinity])] }] }),
    /'y'\[0\] is Infinity/,
  );
  assert.throws(() => validateFigure({ panels: [{ ...axes, series: [line('s', [NaN], [1])] }] }), /'x'\[0\] is NaN/);
  assert.throws(
    () => validateFigure({ panels: [{ ...axes, series: [line('s', [1, 2], [1, 2], { band: [1] })] }] }),
    /'band' has 1 values/,
  );
  const bad = { kind: 'area', name: 's', x: [1], y: [1] } as unknown as ReturnType<typeof line>;
  assert.throws(
    () => validateFigure({ panels: [{ ...axes, series: [bad] }] }),
    /kind 'area' is not a series kind. Accepted values: line, markers, bar/,
  );
  assert.throws(
    () => validateFigure({ panels: [{ x: { title: 'x' }, series: [] } as never] }),
    /both axes need a title/,
  );
  assert.throws(
    () => validateFigure({ panels: [{ ...axes, x: { title: 'x', range: [2, 1] }, series: [] }] }),
    /range must be \[min, max\]/,
  );
  assert.throws(
    () => validateFigure({ panels: [{ ...axes, series: [], events: [{ x: NaN, label: 'f' }] }] }),
    /event 0: needs a finite x/,
  );
  assert.throws(() => validateFigure({ panels: [{ ...axes, series: [] }], columns: 0 }), /columns=0/);
});

test('withAlpha turns hex colours into rgba', () => {
  assert.equal(withAlpha('#0072B2', 0.2), 'rgba(0,114,178,0.2)');
  assert.equal(withAlpha('red', 0.2), 'red');
});

test('figure HTML cannot be closed early by a label containing </script>', () => {
  const html = figureHtml(
    singlePanel({ x: { title: '</script><b>x' }, y: { title: 'y' }, series: [line('a', [1], [1])] }),
    { id: 'f1' },
  );
  assert.equal(html.match(/<\/script>/g)?.length, 1, 'only the real closing tag');
  assert.ok(html.startsWith('<div id="f1" class="seer-plot"'));
  assert.ok(html.includes('\\u003c/script>'));
});

test('a figure title longer than the figure is wide wraps at word boundaries, with room made above the panels', () => {
  assert.deepEqual(wrapWords('a bb ccc dddd', 6), ['a bb', 'ccc', 'dddd']);
  assert.deepEqual(wrapWords('unbreakable-word x', 4), ['unbreakable-word', 'x']);
  const panel = { x: { title: 'x' }, y: { title: 'y' }, series: [line('s', [0, 1], [0, 1])] };
  const short = toPlotly(figure({ title: 'Figure 6', panels: [panel] })).layout;
  const long = toPlotly(
    figure({
      title: 'Figure 6 · CURL with the IMPALA encoder, with and without SEER, at laptop scale',
      panels: [panel],
    }),
  ).layout;
  assert.equal((short.title as { text: string }).text, 'Figure 6');
  const lines = (long.title as { text: string }).text.split('<br>');
  assert.ok(lines.length === 2 && lines.every((l) => l.length * 11 <= 560 - 40), lines.join(' | '));
  assert.equal((long.margin as { t: number }).t, (short.margin as { t: number }).t + 24);
});

test("a long panel title wraps to its panel's width, so side-by-side titles do not run into each other", () => {
  const long = 'minatar/breakout<br>(constrained-images: 4 seeds, constrained-seer: 4 seeds, unbounded: 5 seeds)';
  const p = (t: string) => ({ title: t, x: { title: 'x' }, y: { title: 'y' }, series: [line('a', [0, 1], [0, 1])] });
  const L = figureLayout({ panels: [p(long), p('b'), p('c')] });
  const plotW = L.width - L.margin.l - L.margin.r;
  const cellPx = (L.domains[0].x[1] - L.domains[0].x[0]) * plotW;
  const gapPx = (L.domains[1].x[0] - L.domains[0].x[1]) * plotW;
  assert.equal(L.panelTitles[0][0], 'minatar/breakout', 'its own <br> breaks are kept');
  assert.ok(L.panelTitles[0].length >= 3, L.panelTitles[0].join(' | '));
  for (const line of L.panelTitles[0])
    assert.ok(line.length * 8.2 <= cellPx + gapPx, `"${line}" is wider than its panel`);
  const short = figureLayout({ panels: [p('minatar/breakout'), p('b'), p('c')] });
  assert.ok(L.margin.t >= short.margin.t + 2 * 18, 'room is made above the panels for the extra lines');
  const annotation = (
    toPlotly(figure({ panels: [p(long), p('b'), p('c')] })).layout.annotations as { text: string }[]
  )[0];
  assert.equal(annotation.text.split('<br>').length, L.panelTitles[0].length);
});

test('an axis asked for SI prefixes labels its ticks 500T, 1P (FLOPs), where plotly would write ×10^15', () => {
  const panel = (siPrefixes?: boolean) => ({
    x: { title: 'training FLOPs', siPrefixes },
    y: { title: 'return' },
    series: [line('s', [0, 1.3e15], [0, 1])],
  });
  const xaxis = (siPrefixes?: boolean) =>
    toPlotly(figure({ panels: [panel(siPrefixes)] })).layout.xaxis as Record<string, unknown>;
  assert.equal(xaxis(true).exponentformat, 'SI extended');
  assert.equal(xaxis().exponentformat, undefined, 'other axes keep plotly default');
});
