/**
 * A small, typed description of a figure — what the workbook plots, independent of how it is drawn.
 *
 *   figure({title, panels: [{x: {title}, y: {title}, series: [line(...)], events: [{x, label}]}]})
 *
 * A figure is one or more panels (subplots) laid out in a grid; each panel holds series (lines with an
 * optional ± band, or markers) and events (vertical markers, e.g. the step the encoder was frozen).
 * `validateFigure` rejects malformed specs with a message naming the panel, series and field, so a
 * notebook fails at the figure that is wrong rather than drawing nonsense.
 */

export interface Axis {
  title: string;
  /** Logarithmic axis. */
  log?: boolean;
  /** Fixed [min, max]; omitted = fit to data (bands and error bars included, so none runs off the axis). */
  range?: [number, number];
  /** Ticks only at these values (e.g. the budgets a sweep ran at), labelled `tickLabels` when given. */
  tickValues?: readonly number[];
  tickLabels?: readonly string[];
  /** Tick labels with SI prefixes up to P and beyond (FLOPs: "500T", "1P"; plotly's default turns to ×10¹⁵ past T). */
  siPrefixes?: boolean;
}

export interface LineSeries {
  kind: 'line';
  name: string;
  x: readonly number[];
  /** Mean (or the single value) at each x. */
  y: readonly number[];
  /** Half-width of the shaded band drawn as y ± band (e.g. the std over seeds). */
  band?: readonly number[];
  color?: string;
  dash?: 'solid' | 'dash' | 'dot';
}

export interface MarkerSeries {
  kind: 'markers';
  name: string;
  x: readonly number[];
  y: readonly number[];
  /** Error bars (± value) at each point. */
  error?: readonly number[];
  /** Hover label per point. */
  labels?: readonly string[];
  color?: string;
  /** Joins the points with a thin line (a sweep over a few settings). */
  connect?: boolean;
}

export interface BarSeries {
  kind: 'bar';
  name: string;
  /** Categories (strings) or positions. */
  x: readonly (string | number)[];
  y: readonly number[];
  error?: readonly number[];
  color?: string;
}

export type Series = LineSeries | MarkerSeries | BarSeries;

/** A vertical marker at x, e.g. `{x: 100_000, label: 'freeze'}`. */
export interface EventMarker {
  x: number;
  label: string;
  color?: string;
}

/**
 * A raster image filling a panel (e.g. Figure 8a's grid of attention overlays): rows and columns of equal tiles,
 * labelled on the axes, with a colour bar for what the colours mean.
 */
export interface PanelImage {
  /** 'data:image/png;base64,…' */
  src: string;
  /** Pixel size of the image. */
  width: number;
  height: number;
  /** One label per row of tiles (top to bottom) and per column (left to right). */
  rowLabels: readonly string[];
  columnLabels: readonly string[];
  /** The colour scale the image uses, as [fraction, colour] stops from 0 to 1, and its title. */
  colorScale?: { stops: readonly (readonly [number, string])[]; title: string; lowLabel?: string; highLabel?: string };
}

export interface Panel {
  title?: string;
  x: Axis;
  y: Axis;
  series: readonly Series[];
  events?: readonly EventMarker[];
  image?: PanelImage;
}

export interface FigureSpec {
  title?: string;
  /**
   * What the marks mean, printed under the title on the figure itself, e.g. 'line: mean over 3 seeds; band: ±1
   * sample std'. Every figure with bands or error bars says what they are.
   */
  note?: string;
  panels: readonly Panel[];
  /** Panels per row (default: all panels in one row, at most 3 per row). */
  columns?: number;
  /** Pixel size of the whole figure (defaults grow with the grid). */
  width?: number;
  height?: number;
}

export const SERIES_KINDS = ['line', 'markers', 'bar'] as const;

/** Builds a figure spec and checks it (throws on a malformed spec). */
export function figure(spec: FigureSpec): FigureSpec {
  validateFigure(spec);
  return spec;
}

/** A single-panel figure: the common case. */
export function singlePanel(panel: Panel, opts: Omit<FigureSpec, 'panels'> = {}): FigureSpec {
  return figure({ ...opts, panels: [panel] });
}

export function line(
  name: string,
  x: readonly number[],
  y: readonly number[],
  extra: Partial<LineSeries> = {},
): LineSeries {
  return { kind: 'line', name, x, y, ...extra };
}

export function markers(
  name: string,
  x: readonly number[],
  y: readonly number[],
  extra: Partial<MarkerSeries> = {},
): MarkerSeries {
  return { kind: 'markers', name, x, y, ...extra };
}

export function bars(
  name: string,
  x: readonly (string | number)[],
  y: readonly number[],
  extra: Partial<BarSeries> = {},
): BarSeries {
  return { kind: 'bar', name, x, y, ...extra };
}

// Grid shape and pixel size live with the rest of the layout (layout.ts); re-exported here, where callers look.
export { gridShape, figureSize } from './layout';

function checkNumbers(
  where: string,
  field: string,
  values: readonly number[],
  length: number,
  allowNaN: boolean,
): void {
  if (!Array.isArray(values) && !ArrayBuffer.isView(values))
    throw new Error(`${where}: '${field}' must be an array of numbers`);
  if (values.length !== length) {
    throw new Error(`${where}: '${field}' has ${values.length} values but x has ${length}; they must match`);
  }
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v !== 'number' || (!Number.isFinite(v) && !(allowNaN && Number.isNaN(v)))) {
      throw new Error(
        `${where}: '${field}'[${i}] is ${String(v)}; values must be finite numbers${allowNaN ? ' (NaN marks a gap)' : ''}`,
      );
    }
  }
}

/** Throws a clear error for a malformed figure spec. */
export function validateFigure(spec: FigureSpec): void {
  if (!spec || !Array.isArray(spec.panels as unknown) || spec.panels.length === 0) {
    throw new Error('figure: `panels` must be a non-empty array of panels');
  }
  if (spec.columns !== undefined && !(Number.isInteger(spec.columns) && spec.columns >= 1)) {
    throw new Error(`figure: columns=${spec.columns} must be a positive integer`);
  }
  for (const [key, v] of [
    ['width', spec.width],
    ['height', spec.height],
  ] as const) {
    if (v !== undefined && !(Number.isFinite(v) && v >= 100 && v <= 10000)) {
      throw new Error(`figure: ${key}=${v} must be a pixel size between 100 and 10000`);
    }
  }
  spec.panels.forEach((panel, p) => {
    const pw = `figure panel ${p}${panel.title ? ` ('${panel.title}')` : ''}`;
    if (!panel.x || typeof panel.x.title !== 'string' || !panel.y || typeof panel.y.title !== 'string') {
      throw new Error(`${pw}: both axes need a title ({x: {title}, y: {title}})`);
    }
    for (const axis of [panel.x, panel.y]) {
      if (
        axis.range &&
        !(axis.range.length === 2 && axis.range.every(Number.isFinite) && axis.range[0] < axis.range[1])
      ) {
        throw new Error(`${pw}: axis '${axis.title}' range must be [min, max] with min < max`);
      }
      if (axis.tickLabels && axis.tickLabels.length !== (axis.tickValues?.length ?? -1)) {
        throw new Error(
          `${pw}: axis '${axis.title}' has ${axis.tickLabels.length} tickLabels; it needs as many tickValues`,
        );
      }
    }
    if (panel.image) validateImage(pw, panel.image);
    if (!Array.isArray(panel.series as unknown)) throw new Error(`${pw}: 'series' must be an array`);
    panel.series.forEach((s: Series, i: number) => {
      const where = `${pw} series ${i}${s && s.name ? ` ('${s.name}')` : ''}`;
      if (!s || !(SERIES_KINDS as readonly string[]).includes(s.kind)) {
        throw new Error(
          `${where}: kind '${s && s.kind}' is not a series kind. Accepted values: ${SERIES_KINDS.join(', ')}`,
        );
      }
      if (typeof s.name !== 'string' || !s.name) throw new Error(`${where}: every series needs a non-empty name`);
      const n = s.x.length;
      if (s.kind === 'bar') {
        if (!Array.isArray(s.x)) throw new Error(`${where}: 'x' must be an array`);
      } else {
        checkNumbers(where, 'x', s.x, n, false);
      }
      checkNumbers(where, 'y', s.y, n, true);
      if (s.kind === 'line' && s.band) checkNumbers(where, 'band', s.band, n, true);
      if (s.kind !== 'line' && s.error) checkNumbers(where, 'error', s.error, n, true);
      if (s.kind === 'markers' && s.labels && s.labels.length !== n) {
        throw new Error(`${where}: 'labels' has ${s.labels.length} entries but x has ${n}; they must match`);
      }
    });
    (panel.events ?? []).forEach((e: EventMarker, i: number) => {
      if (!Number.isFinite(e.x) || typeof e.label !== 'string') {
        throw new Error(`${pw} event ${i}: needs a finite x and a label string`);
      }
    });
  });
}

function validateImage(pw: string, img: PanelImage): void {
  if (typeof img.src !== 'string' || !img.src.startsWith('data:image/'))
    throw new Error(`${pw}: image.src must be a data:image/… URL`);
  if (!(img.width > 0 && img.height > 0)) throw new Error(`${pw}: image width and height must be positive pixel sizes`);
  if (!img.rowLabels.length || !img.columnLabels.length)
    throw new Error(`${pw}: image needs at least one row and one column label`);
  const stops = img.colorScale?.stops;
  if (stops && !(stops.length >= 2 && stops[0][0] === 0 && stops[stops.length - 1][0] === 1)) {
    throw new Error(`${pw}: image colorScale stops must run from 0 to 1 (at least two stops)`);
  }
}
