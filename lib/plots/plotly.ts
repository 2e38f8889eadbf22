/**
 * Figure spec → plotly.js figure JSON ({data, layout, config}). Pure: no DOM, no browser; the inline
 * notebook output (html.ts) and the static renderer (render.ts) both draw what this returns.
 *
 * Panels get explicit axis domains from layout.ts (so panel titles and event labels sit above them), a line's band
 * becomes one filled polygon drawn before every line of its panel (lines stay on top and keep their colour), the
 * y-axis range takes in every band and error bar (none runs off the axis), events become dotted vertical lines
 * labelled above the frame (one row per event), and a series name keeps one colour and one legend entry across
 * panels. The legend sits under the panels, across the figure's width.
 */
import { type FigureSpec, type Panel, type PanelImage, type Series, validateFigure } from './spec';
import { FONT_PX, figureLayout, wrapWords } from './layout';

export { wrapWords };

export interface PlotlyFigure {
  data: Record<string, unknown>[];
  layout: Record<string, unknown>;
  config: Record<string, unknown>;
}

/** Okabe–Ito: distinguishable with common colour-vision deficiencies. */
export const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#D55E00', '#CC79A7', '#56B4E9', '#F0E442', '#000000'];

/** '#rrggbb' → 'rgba(r,g,b,alpha)'; other colour strings are returned unchanged. */
export function withAlpha(color: string, alpha: number): string {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(color);
  if (!m) return color;
  return `rgba(${parseInt(m[1], 16)},${parseInt(m[2], 16)},${parseInt(m[3], 16)},${alpha})`;
}

/** NaN → null: plotly draws a gap at null (JSON would turn NaN into null anyway). */
function gaps(values: readonly number[]): (number | null)[] {
  return Array.from(values, (v) => (Number.isNaN(v) ? null : v));
}

function axisSuffix(i: number): string {
  return i === 0 ? '' : String(i + 1);
}

function axisLayout(axis: Panel['x'], domain: [number, number], anchor: string): Record<string, unknown> {
  const out: Record<string, unknown> = {
    title: { text: axis.title },
    domain,
    anchor,
    automargin: true,
    zeroline: false,
    showline: true,
    linecolor: '#444',
    ticks: 'outside',
  };
  if (axis.log) out.type = 'log';
  if (axis.siPrefixes) out.exponentformat = 'SI extended';
  if (axis.range) out.range = axis.log ? axis.range.map((v) => Math.log10(v)) : [...axis.range];
  if (axis.tickValues) {
    out.tickmode = 'array';
    out.tickvals = [...axis.tickValues];
    if (axis.tickLabels) out.ticktext = [...axis.tickLabels];
  }
  return out;
}

/** The y-range [lo, hi] that holds every value, band and error bar of a panel (5 % padding); undefined if none. */
export function valueRange(series: readonly Series[]): [number, number] | undefined {
  let lo = Infinity;
  let hi = -Infinity;
  const take = (v: number): void => {
    if (Number.isFinite(v)) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
  };
  for (const s of series) {
    const spread = s.kind === 'line' ? s.band : s.error;
    s.y.forEach((v, i) => {
      const d = spread && Number.isFinite(spread[i]) ? spread[i] : 0;
      take(v - d);
      take(v + d);
    });
    if (s.kind === 'bar') take(0);
  }
  if (!(hi >= lo)) return undefined;
  const pad = hi > lo ? 0.05 * (hi - lo) : Math.max(1, Math.abs(hi)) * 0.05;
  return [lo - pad, hi + pad];
}

/** Runs of consecutive indices where x, y and band are all numbers (a NaN splits the band). */
function finiteRuns(s: { x: readonly number[]; y: readonly number[] }, band: readonly number[]): number[][] {
  const runs: number[][] = [];
  let cur: number[] = [];
  for (let i = 0; i < s.y.length; i++) {
    if (Number.isFinite(s.y[i]) && Number.isFinite(band[i])) cur.push(i);
    else if (cur.length) {
      runs.push(cur);
      cur = [];
    }
  }
  if (cur.length) runs.push(cur);
  return runs;
}

/** A line's ± band as filled polygons (one per run without gaps): upper edge forward, lower edge back. */
function bandTraces(s: Series, xa: string, ya: string, color: string): Record<string, unknown>[] {
  if (s.kind !== 'line' || !s.band) return [];
  const band = s.band;
  return finiteRuns(s, band).map((idx) => {
    const back = [...idx].reverse();
    return {
      type: 'scatter',
      mode: 'lines',
      name: s.name,
      legendgroup: s.name,
      xaxis: xa,
      yaxis: ya,
      x: [...idx.map((i) => s.x[i]), ...back.map((i) => s.x[i])],
      y: [...idx.map((i) => s.y[i] + band[i]), ...back.map((i) => s.y[i] - band[i])],
      fill: 'toself',
      fillcolor: withAlpha(color, 0.16),
      line: { width: 0, color },
      hoverinfo: 'skip',
      showlegend: false,
    };
  });
}

function seriesTrace(s: Series, xa: string, ya: string, color: string, showLegend: boolean): Record<string, unknown> {
  const common = { name: s.name, xaxis: xa, yaxis: ya, legendgroup: s.name };
  if (s.kind === 'bar') {
    const bar: Record<string, unknown> = {
      ...common,
      type: 'bar',
      x: [...s.x],
      y: gaps(s.y),
      marker: { color },
      showlegend: showLegend,
    };
    if (s.error) bar.error_y = { type: 'data', array: gaps(s.error), visible: true };
    return bar;
  }
  if (s.kind === 'markers') {
    const m: Record<string, unknown> = {
      ...common,
      type: 'scatter',
      mode: s.connect ? 'lines+markers' : 'markers',
      x: [...s.x],
      y: gaps(s.y),
      marker: { color, size: 8 },
      showlegend: showLegend,
    };
    if (s.connect) m.line = { color, width: 1.5 };
    if (s.error) m.error_y = { type: 'data', array: gaps(s.error), visible: true, color, thickness: 1.5, width: 6 };
    if (s.labels) {
      m.text = [...s.labels];
      m.hovertemplate = '%{text}<br>(%{x}, %{y})<extra>' + s.name + '</extra>';
    }
    return m;
  }
  return {
    ...common,
    type: 'scatter',
    // Short series also mark their points, so two-point smoke runs still read as measurements.
    mode: s.x.length <= 30 ? 'lines+markers' : 'lines',
    x: [...s.x],
    y: gaps(s.y),
    line: { color, width: 2, dash: s.dash ?? 'solid' },
    marker: { color, size: 6 },
    showlegend: showLegend,
  };
}

/** Axes, picture and colour bar of an image panel: tiles labelled by row and column, square pixels. */
function imagePanel(
  img: PanelImage,
  xa: string,
  ya: string,
  xDomain: [number, number],
  yDomain: [number, number],
  plot: { w: number; h: number },
) {
  const rows = img.rowLabels.length;
  const cols = img.columnLabels.length;
  const centre = (n: number, size: number) => Array.from({ length: n }, (_, i) => ((i + 0.5) * size) / n);
  const image = {
    source: img.src,
    xref: xa,
    yref: ya,
    x: 0,
    y: 0,
    sizex: img.width,
    sizey: img.height,
    xanchor: 'left',
    yanchor: 'top',
    sizing: 'stretch',
    layer: 'below',
  };
  const axes = {
    x: {
      range: [0, img.width],
      tickmode: 'array',
      tickvals: centre(cols, img.width),
      ticktext: [...img.columnLabels],
      side: 'top',
      constrain: 'domain',
      constraintoward: 'left',
    },
    y: {
      range: [img.height, 0],
      tickmode: 'array',
      tickvals: centre(rows, img.height),
      ticktext: [...img.rowLabels],
      scaleanchor: xa,
      constrain: 'domain',
      constraintoward: 'top',
    },
  };
  const traces: Record<string, unknown>[] = [];
  // The image keeps square pixels (scaleanchor) and shrinks its domain to fit: the colour bar goes right of the picture.
  const panelW = (xDomain[1] - xDomain[0]) * plot.w;
  const panelH = (yDomain[1] - yDomain[0]) * plot.h;
  const shown = Math.min(panelW, (panelH * img.width) / img.height);
  const colorbarX = xDomain[0] + (shown + 24) / plot.w;
  if (img.colorScale) {
    const c = img.colorScale;
    traces.push({
      type: 'heatmap',
      xaxis: xa,
      yaxis: ya,
      x: [-2, -1],
      y: [-2, -1],
      z: [
        [0, 1],
        [1, 0],
      ],
      zmin: 0,
      zmax: 1,
      colorscale: c.stops.map(([f, col]) => [f, col]),
      opacity: 0,
      hoverinfo: 'skip',
      showscale: true,
      colorbar: {
        title: { text: c.title, side: 'right' },
        x: colorbarX,
        xanchor: 'left',
        y: (yDomain[0] + yDomain[1]) / 2,
        yanchor: 'middle',
        len: 0.8 * (yDomain[1] - yDomain[0]),
        thickness: 14,
        tickmode: 'array',
        tickvals: [0, 1],
        ticktext: [c.lowLabel ?? '0', c.highLabel ?? '1'],
      },
    });
  }
  return { image, axes, traces };
}

/** Converts a (validated) figure spec into plotly's JSON. */
export function toPlotly(spec: FigureSpec): PlotlyFigure {
  validateFigure(spec);
  const L = figureLayout(spec);

  const colors = new Map<string, string>();
  const colorOf = (s: Series): string => {
    if (s.color) return s.color;
    let c = colors.get(s.name);
    if (!c) {
      c = PALETTE[colors.size % PALETTE.length];
      colors.set(s.name, c);
    }
    return c;
  };
  const inLegend = new Set<string>();

  const data: Record<string, unknown>[] = [];
  const layout: Record<string, unknown> = {
    width: L.width,
    height: L.height,
    font: { family: 'DejaVu Sans, Liberation Sans, Arial, sans-serif', size: FONT_PX, color: '#222' },
    paper_bgcolor: '#ffffff',
    plot_bgcolor: '#ffffff',
    margin: L.margin,
    showlegend: L.legend.rows > 0,
    legend: { orientation: 'h', x: 0, xanchor: 'left', y: L.legend.y, yanchor: 'top', traceorder: 'normal' },
    hovermode: 'closest',
  };
  // The title in lines that fit its width (plotly neither wraps nor shrinks it), the note in smaller grey type under it.
  if (L.titleLines.length) {
    // plotly places a title of several lines by its first line whatever the anchor (top-anchored, the first line was
    // pushed above the figure): the first line's bottom 36 px from the top, the others under it.
    const bottom = 1 - 36 / L.height;
    layout.title = {
      text: L.titleLines.join('<br>'),
      x: 0.5,
      xanchor: 'center',
      y: bottom,
      yref: 'container',
      yanchor: 'bottom',
    };
  }
  const shapes: Record<string, unknown>[] = [];
  const annotations: Record<string, unknown>[] = [];
  const images: Record<string, unknown>[] = [];
  if (L.noteLines.length) {
    annotations.push({
      xref: 'paper',
      yref: 'paper',
      x: 0.5,
      xanchor: 'center',
      y: L.noteY,
      yanchor: 'top',
      text: L.noteLines.join('<br>'),
      showarrow: false,
      font: { size: 12, color: '#555' },
    });
  }

  spec.panels.forEach((panel, i) => {
    const { x: xDomain, y: yDomain } = L.domains[i];
    const sx = axisSuffix(i);
    const xa = `x${sx}`;
    const ya = `y${sx}`;
    const xAxis = axisLayout(panel.x, xDomain, ya);
    const yAxis = axisLayout(panel.y, yDomain, xa);
    if (!panel.y.range && !panel.y.log && !panel.image) {
      const r = valueRange(panel.series);
      if (r) yAxis.range = r;
    }
    if (panel.series.some((s) => s.kind === 'bar')) xAxis.type ??= '-';
    if (panel.image) {
      const plot = { w: L.width - L.margin.l - L.margin.r, h: L.height - L.margin.t - L.margin.b };
      const img = imagePanel(panel.image, xa, ya, xDomain, yDomain, plot);
      images.push(img.image);
      Object.assign(xAxis, img.axes.x, { showgrid: false, showline: false, ticks: '' });
      Object.assign(yAxis, img.axes.y, { showgrid: false, showline: false, ticks: '' });
      data.push(...img.traces);
    }
    layout[`xaxis${sx}`] = xAxis;
    layout[`yaxis${sx}`] = yAxis;
    // Every band of the panel first, then the lines: a later band never covers an earlier line.
    for (const s of panel.series) data.push(...bandTraces(s, xa, ya, colorOf(s)));
    for (const s of panel.series) {
      const show = !inLegend.has(s.name);
      inLegend.add(s.name);
      data.push(seriesTrace(s, xa, ya, colorOf(s), show));
    }
    // Event labels sit above the frame, one row per event in x order (two freezes close together would otherwise
    // print over each other, and a label inside the frame sits on the curves). Right of their line in the left half
    // of the data, left of it in the right half.
    const events = [...(panel.events ?? [])].sort((a, b) => a.x - b.x);
    const xs = panel.series.flatMap((s) =>
      (s.x as readonly (string | number)[]).filter((v): v is number => typeof v === 'number'),
    );
    const mid = xs.length ? (Math.min(...xs) + Math.max(...xs)) / 2 : 0;
    events.forEach((e, row) => {
      const color = e.color ?? '#555';
      shapes.push({
        type: 'line',
        xref: xa,
        yref: `${ya} domain`,
        x0: e.x,
        x1: e.x,
        y0: 0,
        y1: 1,
        line: { color, width: 1.5, dash: 'dot' },
      });
      annotations.push({
        xref: xa,
        yref: `${ya} domain`,
        x: e.x,
        y: 1,
        xanchor: e.x > mid && xs.length ? 'right' : 'left',
        yanchor: 'bottom',
        xshift: e.x > mid && xs.length ? -3 : 3,
        yshift: 1 + 15 * (events.length - 1 - row),
        text: e.label,
        showarrow: false,
        font: { size: 11, color },
      });
    });
    if (panel.title) {
      annotations.push({
        xref: 'paper',
        yref: 'paper',
        x: (xDomain[0] + xDomain[1]) / 2,
        y: yDomain[1],
        yshift: 6 + 15 * events.length + (panel.image ? 22 : 0),
        text: L.panelTitles[i].map((t) => `<b>${t}</b>`).join('<br>'),
        showarrow: false,
        xanchor: 'center',
        yanchor: 'bottom',
      });
    }
  });
  if (shapes.length) layout.shapes = shapes;
  if (annotations.length) layout.annotations = annotations;
  if (images.length) layout.images = images;
  // Fixed trace ids: plotly names each trace's SVG group after a random uid otherwise (issue 16 §6).
  data.forEach((t, i) => (t.uid = `t${i}`));
  return { data, layout, config: { displaylogo: false, responsive: false } };
}
