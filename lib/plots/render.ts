/**
 * Static figure images (SVG or PNG) drawn by plotly.js in headless Chromium — the copy of every figure that
 * survives where scripts do not run (untrusted notebooks, code hosts, papers).
 *
 *   await renderFigure(spec, {format: 'svg'}) → Buffer
 *   await saveFigure(spec, 'data/figures/quickstart') → {svg: '…/quickstart.svg', png: '…/quickstart.png'}
 *
 * One page with plotly loaded is kept per browser and reused; renders are queued one at a time.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, extname } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { withBrowser } from './browser';
import { plotlyScriptPath } from './html';
import { toPlotly, type PlotlyFigure } from './plotly';
import { figureSize, type FigureSpec } from './spec';

export const IMAGE_FORMATS = ['svg', 'png'] as const;
export type ImageFormat = (typeof IMAGE_FORMATS)[number];

export interface RenderOptions {
  format?: ImageFormat;
  /** PNG pixel density (2 = crisp on high-DPI screens). Ignored for SVG. */
  scale?: number;
}

let cached: { browser: Browser; page: Promise<Page> } | undefined;
let queue: Promise<unknown> = Promise.resolve();

async function plotPage(b: Browser): Promise<Page> {
  if (cached && cached.browser === b) {
    const page = await cached.page;
    if (!page.isClosed()) return page;
  }
  const page = (async () => {
    const p = await b.newPage();
    await p.setContent('<!DOCTYPE html><html><head><meta charset="utf-8"></head><body></body></html>');
    await p.addScriptTag({ path: plotlyScriptPath() });
    return p;
  })();
  cached = { browser: b, page };
  page.catch(() => (cached = undefined));
  return page;
}

/** Draws plotly JSON in the browser and returns plotly's own image export as bytes. */
export async function renderPlotly(
  fig: PlotlyFigure,
  width: number,
  height: number,
  opts: RenderOptions = {},
): Promise<Buffer> {
  const format = opts.format ?? 'svg';
  if (!(IMAGE_FORMATS as readonly string[]).includes(format)) {
    throw new Error(`image format '${format}' is not supported. Accepted values: ${IMAGE_FORMATS.join(', ')}`);
  }
  const scale = opts.scale ?? (format === 'png' ? 2 : 1);
  const job = queue.then(() =>
    withBrowser(async (b) => {
      const page = await plotPage(b);
      const url = await page.evaluate(
        // Runs in the page. Written against globalThis: tslab compiles lib/ without the DOM typings.
        async ({ fig, format, width, height, scale }) => {
          const w = globalThis as any;
          const P = w.Plotly;
          const gd = w.document.createElement('div');
          w.document.body.appendChild(gd);
          try {
            await P.newPlot(gd, fig.data, { ...fig.layout, width, height }, { ...fig.config, staticPlot: true });
            return (await P.toImage(gd, { format, width, height, scale })) as string;
          } finally {
            P.purge(gd);
            gd.remove();
          }
        },
        { fig, format, width, height, scale },
      );
      return decodeDataUrl(url);
    }),
  );
  queue = job.catch(() => undefined);
  return job;
}

/**
 * plotly names its clip paths and defs after a random id per drawing (`clipb8dc0dxyplot`, `defs-b8dc0d`), so the same
 * figure drawn twice gave two different SVG files. The id is replaced by one derived from the SVG's own content:
 * equal figures give equal bytes, and two different figures inlined in one page still have distinct ids.
 */
export function stableSvgIds(svg: string): string {
  const m = /id="defs-([0-9a-z]+)"/.exec(svg);
  if (!m) return svg;
  const uid = m[1];
  // Only where plotly writes the id: in id="…", url(#…) and href="#…" references.
  const where = new RegExp(`((?:id="|url\\(#|url\\('#|url\\("#|href="#)[A-Za-z_-]*)${uid}`, 'g');
  const marked = svg.replace(where, '$1\u0000');
  const stable = `s${createHash('sha256').update(marked).digest('hex').slice(0, 8)}`;
  return marked.split('\u0000').join(stable);
}

/** Renders a figure spec to SVG or PNG bytes. SVG bytes depend only on the spec (see `stableSvgIds`). */
export async function renderFigure(spec: FigureSpec, opts: RenderOptions = {}): Promise<Buffer> {
  const { width, height } = figureSize(spec);
  const bytes = await renderPlotly(toPlotly(spec), width, height, opts);
  return (opts.format ?? 'svg') === 'svg' ? Buffer.from(stableSvgIds(bytes.toString('utf8')), 'utf8') : bytes;
}

/**
 * Writes the figure as `<base>.svg` and `<base>.png` (a trailing .svg/.png on `base` is dropped) and returns
 * the paths and the PNG bytes (what notebooks display as the static copy).
 */
export async function saveFigure(
  spec: FigureSpec,
  base: string,
): Promise<{ svg: string; png: string; pngBytes: Buffer }> {
  const stem = ['.svg', '.png'].includes(extname(base)) ? base.slice(0, -4) : base;
  mkdirSync(dirname(stem), { recursive: true });
  const svgBytes = await renderFigure(spec, { format: 'svg' });
  const pngBytes = await renderFigure(spec, { format: 'png' });
  const svg = `${stem}.svg`;
  const png = `${stem}.png`;
  writeFileSync(svg, svgBytes);
  writeFileSync(png, pngBytes);
  return { svg, png, pngBytes };
}

/** 'data:image/svg+xml,…' (URI-encoded) or 'data:image/png;base64,…' → bytes. */
export function decodeDataUrl(url: string): Buffer {
  const comma = url.indexOf(',');
  if (!url.startsWith('data:') || comma < 0) throw new Error(`not a data URL: ${url.slice(0, 40)}…`);
  const header = url.slice(5, comma);
  const body = url.slice(comma + 1);
  return header.endsWith(';base64') ? Buffer.from(body, 'base64') : Buffer.from(decodeURIComponent(body), 'utf8');
}
