/**
 * Where everything of a figure goes, in pixels: the title and the note under it, each panel's header (its title and
 * the labels of its events, above the frame, so neither sits on the curves), the axis titles below each panel, and
 * the legend under the panels (full width, so a figure fits a 1,280 px page without cutting it off).
 *
 * Gaps between panels are sized from what sits in them, so a second row's panel titles never print over the first
 * row's axis titles. Text widths are estimated from character counts (plotly measures them only in a browser).
 */
import type { FigureSpec, Panel } from './spec';

export const FONT_PX = 13;
const TITLE_LINE = 24;
const NOTE_LINE = 16;
const PANEL_TITLE_LINE = 18;
const EVENT_ROW = 15;
/** Tick labels and the axis title under a panel. */
const X_AXIS_BLOCK = 56;
/** Tick labels and the axis title left of a panel (the gap before the next panel in the row). */
const Y_AXIS_BLOCK = 88;
const LEGEND_ROW = 22;
const COLORBAR = 110;
const DEFAULT_PLOT_HEIGHT = 270;

/** Grid shape for a figure: [rows, columns]. */
export function gridShape(spec: FigureSpec): [number, number] {
  const n = spec.panels.length;
  const cols = Math.min(n, spec.columns ?? Math.min(n, 3));
  return [Math.ceil(n / cols), cols];
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

function defaultWidth(spec: FigureSpec): number {
  const cols = gridShape(spec)[1];
  return spec.width ?? Math.max(560, 440 * cols);
}

/** Legend entries: one per series name that is not drawn only as a band. */
export function legendNames(spec: FigureSpec): string[] {
  return [...new Set(spec.panels.flatMap((p) => p.series.map((s) => s.name)))];
}

/** Rows the horizontal legend takes at `width` px: entries packed left to right (~7.5 px per character). */
export function legendRows(names: readonly string[], width: number): number {
  if (names.length <= 1) return names.length === 1 ? 1 : 0;
  let rows = 1;
  let used = 0;
  for (const n of names) {
    const w = 46 + 7.5 * n.replace(/<[^>]+>/g, '').length;
    if (used > 0 && used + w > width - 40) {
      rows += 1;
      used = 0;
    }
    used += w;
  }
  return rows;
}

/**
 * A panel title's lines: its own `<br>` breaks kept, each line wrapped to `maxChars` (plotly wraps no annotation, so
 * a long title ran into its neighbour's: the benchmark Figures 4–5 listed three arms' seed counts on one line).
 */
export function panelTitleLines(title: string | undefined, maxChars: number): string[] {
  if (!title) return [];
  return title.split('<br>').flatMap((line) => wrapWords(line, maxChars));
}

function panelHeader(p: Panel | undefined, titleChars: number): number {
  if (!p) return 0;
  const titleLines = panelTitleLines(p.title, titleChars).length;
  const events = p.events?.length ?? 0;
  // An image panel labels its columns above the frame.
  return (titleLines ? 10 + PANEL_TITLE_LINE * titleLines : 4) + EVENT_ROW * events + (p.image ? 22 : 0);
}

export interface FigureLayout {
  width: number;
  height: number;
  titleLines: string[];
  noteLines: string[];
  margin: { l: number; r: number; t: number; b: number };
  /** Per panel: its x and y domains (fractions of the plot area). */
  domains: { x: [number, number]; y: [number, number] }[];
  /** Per panel: its title's lines, wrapped to the panel's width (with half the gap on each side). */
  panelTitles: string[][];
  /** Legend position in paper coordinates (under the panels) and its rows. */
  legend: { y: number; rows: number };
  /** Where the note's top goes, in paper coordinates (1 = top of the plot area). */
  noteY: number;
}

/** The pixel layout of a (valid) figure. */
export function figureLayout(spec: FigureSpec): FigureLayout {
  const [rows, cols] = gridShape(spec);
  const width = defaultWidth(spec);
  const titleLines = spec.title ? wrapWords(spec.title, Math.floor((width - 40) / 11)) : [];
  const noteLines = spec.note ? wrapWords(spec.note, Math.floor((width - 60) / 7.2)) : [];
  const names = legendNames(spec);
  const legendRowCount = legendRows(names, width);
  const hasColorbar = spec.panels.some((p) => p.image?.colorScale);
  const margin = { l: 72, r: 20 + (hasColorbar ? COLORBAR : 0), t: 0, b: 0 };
  const plotW = width - margin.l - margin.r;
  const hGap = cols > 1 ? Y_AXIS_BLOCK / plotW : 0;
  const cellW = (1 - hGap * (cols - 1)) / cols;
  // Bold 13 px type is about 8.2 px a character; a title may reach into half the gap on each side.
  const titleChars = Math.max(12, Math.floor((cellW * plotW + (cols > 1 ? 0.8 * Y_AXIS_BLOCK : 0)) / 8.2));
  const headers = Array.from({ length: rows }, (_, r) =>
    Math.max(...spec.panels.slice(r * cols, r * cols + cols).map((p) => panelHeader(p, titleChars))),
  );

  const top =
    (titleLines.length ? 14 + TITLE_LINE * titleLines.length : 8) +
    (noteLines.length ? 4 + NOTE_LINE * noteLines.length : 0) +
    headers[0];
  const bottom = X_AXIS_BLOCK + (legendRowCount ? 8 + LEGEND_ROW * legendRowCount : 0) + 6;
  const vGaps = headers.slice(1).map((h) => X_AXIS_BLOCK + h + 6);
  const gapsTotal = vGaps.reduce((a, b) => a + b, 0);
  const height = spec.height ?? top + bottom + gapsTotal + rows * DEFAULT_PLOT_HEIGHT;
  // The plot area (between the margins) holds the rows and the gaps between them.
  const plotH = Math.max(40 + gapsTotal, height - top - bottom);
  margin.t = top;
  margin.b = bottom;
  const rowH = (plotH - gapsTotal) / rows;

  const domains = spec.panels.map((_, i) => {
    const row = Math.floor(i / cols);
    const col = i % cols;
    const x0 = col * (cellW + hGap);
    const above = row * rowH + vGaps.slice(0, row).reduce((a, b) => a + b, 0);
    const yTop = 1 - above / plotH;
    const yBottom = yTop - rowH / plotH;
    return {
      x: [x0, x0 + cellW] as [number, number],
      y: [Math.max(0, yBottom), Math.min(1, yTop)] as [number, number],
    };
  });
  return {
    width,
    height,
    titleLines,
    noteLines,
    margin,
    domains,
    panelTitles: spec.panels.map((p) => panelTitleLines(p.title, titleChars)),
    legend: { y: -(X_AXIS_BLOCK + 4) / plotH, rows: legendRowCount },
    noteY: 1 + (top - (titleLines.length ? 14 + TITLE_LINE * titleLines.length : 8) - 2) / plotH,
  };
}

/** Pixel size of the figure: explicit, or grown with the grid, the title, the note and the legend. */
export function figureSize(spec: FigureSpec): { width: number; height: number } {
  const { width, height } = figureLayout(spec);
  return { width, height };
}
