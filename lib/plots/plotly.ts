/**
 * Figure spec → plotly.js figure JSON ({data, layout, config}). Pure: no DOM, no browser; the inline
 * notebook output (html.ts) and the static renderer (render.ts) both draw what this returns.
 *
 * Panels get explicit axis domains (so panel titles can sit above them), a line's band becomes two
 * invisible traces filled between (upper, then lower with fill 'tonexty'), events become dotted vertical
 * lines with a label inside the top of the panel (one row per event), and a series name keeps one colour and one legend entry across panels.
 */
import { type FigureSpec, type Panel, type Series, figureSize, gridShape, validateFigure } from './spec';

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
  if (axis.range) out.range = axis.log ? axis.range.map((v) => Math.log10(v)) : [...axis.range];
  return out;
}

function seriesTraces(s: Series, xa: string, ya: string, color: string, showLegend: boolean): Record<string, unknown>[] {
  const common = { name: s.name, xaxis: xa, yaxis: ya, legendgroup: s.name };
  if (s.kind === 'bar') {
    const bar: Record<string, unknown> = { ...common, type: 'bar', x: [...s.x], y: gaps(s.y), marker: { color }, showlegend: showLegend };
    if (s.error) bar.error_y = { type: 'data', array: gaps(s.error), visible: true };
    return [bar];
  }
  if (s.kind === 'markers') {
    const m: Record<string, unknown> = {
      ...common,
      type: 'scatter',
      mode: 'markers',
      x: [...s.x],
      y: gaps(s.y),
      marker: { color, size: 8 },
      showlegend: showLegend,
    };
    if (s.error) m.error_y = { type: 'data', array: gaps(s.error), visible: true, color };
    if (s.labels) {
      m.text = [...s.labels];
      m.hovertemplate = '%{text}<br>(%{x}, %{y})<extra>' + s.name + '</extra>';
    }
    return [m];
  }
  const traces: Record<string, unknown>[] = [];
  if (s.band) {
    const band = s.band;
    const upper = s.y.map((v, i) => v + band[i]);
    const lower = s.y.map((v, i) => v - band[i]);
    const edge = { ...common, type: 'scatter', mode: 'lines', x: [...s.x], line: { width: 0, color }, hoverinfo: 'skip', showlegend: false };
    traces.push({ ...edge, y: gaps(upper) });
    traces.push({ ...edge, y: gaps(lower), fill: 'tonexty', fillcolor: withAlpha(color, 0.2) });
  }
  traces.push({
    ...common,
    type: 'scatter',
    // Short series also mark their points, so two-point smoke runs still read as measurements.
    mode: s.x.length <= 30 ? 'lines+markers' : 'lines',
    x: [...s.x],
    y: gaps(s.y),
    line: { color, width: 2, dash: s.dash ?? 'solid' },
    marker: { color, size: 6 },
    showlegend: showLegend,
  });
  return traces;
}

/** Converts a (validated) figure spec into plotly's JSON. */
export function toPlotly(spec: FigureSpec): PlotlyFigure {
  validateFigure(spec);
  const [rows, cols] = gridShape(spec);
  const { width, height } = figureSize(spec);
  const hGap = cols > 1 ? 0.08 : 0;
  const vGap = rows > 1 ? 0.14 : 0;
  const cellW = (1 - hGap * (cols - 1)) / cols;
  const cellH = (1 - vGap * (rows - 1)) / rows;

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
  // The figure title in lines that fit its width (plotly neither wraps nor shrinks it: a long title on a
  // one-panel figure is cut off at both sides). ~11 px per character at its 18 px font.
  const title = spec.title ? wrapWords(spec.title, Math.floor((width - 40) / 11)) : [];

  const data: Record<string, unknown>[] = [];
  const layout: Record<string, unknown> = {
    width,
    height,
    font: { family: 'DejaVu Sans, Liberation Sans, Arial, sans-serif', size: 13, color: '#222' },
    paper_bgcolor: '#ffffff',
    plot_bgcolor: '#ffffff',
    margin: { l: 70, r: 20, t: (spec.title ? 60 + 26 * (title.length - 1) : 20) + (spec.panels.some((p) => p.title) ? 40 : 20), b: 60 },
    legend: { x: 1.02, y: 1, xanchor: 'left', yanchor: 'top' },
    hovermode: 'closest',
  };
  if (spec.title) layout.title = { text: title.join('<br>'), x: 0.5, xanchor: 'center', y: 1, yref: 'container', yanchor: 'top', pad: { t: 16 } };
  const shapes: Record<string, unknown>[] = [];
  const annotations: Record<string, unknown>[] = [];

  spec.panels.forEach((panel, i) => {
    const row = Math.floor(i / cols);
    const col = i % cols;
    const x0 = col * (cellW + hGap);
    const yTop = 1 - row * (cellH + vGap);
    const xDomain: [number, number] = [x0, x0 + cellW];
    const yDomain: [number, number] = [yTop - cellH, yTop];
    const sx = axisSuffix(i);
    const xa = `x${sx}`;
    const ya = `y${sx}`;
    layout[`xaxis${sx}`] = axisLayout(panel.x, xDomain, ya);
    layout[`yaxis${sx}`] = axisLayout(panel.y, yDomain, xa);
    if (panel.series.some((s) => s.kind === 'bar')) (layout[`xaxis${sx}`] as Record<string, unknown>).type ??= '-';
    for (const s of panel.series) {
      const show = !inLegend.has(s.name);
      inLegend.add(s.name);
      data.push(...seriesTraces(s, xa, ya, colorOf(s), show));
    }
    // Labels sit inside the panel, right of their line, one row per event in x order: two freezes close
    // together (seer and seer@half) would otherwise print over each other.
    const events = [...(panel.events ?? [])].sort((a, b) => a.x - b.x);
    events.forEach((e, row) => {
      const color = e.color ?? '#555';
      shapes.push({ type: 'line', xref: xa, yref: `${ya} domain`, x0: e.x, x1: e.x, y0: 0, y1: 1, line: { color, width: 1.5, dash: 'dot' } });
      annotations.push({
        xref: xa, yref: `${ya} domain`, x: e.x, y: 1, xanchor: 'left', yanchor: 'top', xshift: 3, yshift: -2 - 15 * row,
        text: e.label, showarrow: false, bgcolor: 'rgba(255,255,255,0.75)', font: { size: 11, color },
      });
    });
    if (panel.title) {
      annotations.push({
        xref: 'paper',
        yref: 'paper',
        x: (xDomain[0] + xDomain[1]) / 2,
        y: yDomain[1],
        yshift: 18,
        text: `<b>${panel.title}</b>`,
        showarrow: false,
        xanchor: 'center',
        yanchor: 'bottom',
      });
    }
  });
  if (shapes.length) layout.shapes = shapes;
  if (annotations.length) layout.annotations = annotations;
  return { data, layout, config: { displaylogo: false, responsive: false } };
}

/** Words of `text` in lines of at most `maxChars` characters (a longer word gets a line of its own). */
export function wrapWords(text: string, maxChars: number): string[] {
  const lines: string[] = [];
  for (const word of text.split(/\s+/).filter(Boolean)) {
    const last = lines.length ? lines[lines.length - 1] : undefined;
    if (last !== undefined && last.length + 1 + word.length <= maxChars) lines[lines.length - 1] = `${last} ${word}`;
    else lines.push(word);
  }
  return lines;
}
