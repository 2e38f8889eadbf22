/**
 * HTML for interactive figures that work offline: plotly.js is inlined from node_modules (never a CDN),
 * once per page/notebook (`plotlyBundleHtml`), and each figure is a div plus a small script that draws into
 * it (`figureHtml`).
 */
import { readFileSync } from 'node:fs';
import { toPlotly, type PlotlyFigure } from './plotly';
import { figureSize, type FigureSpec } from './spec';

/** The minified plotly.js bundle shipped by the `plotly.js-dist-min` package (the full dist as a fallback). */
export function plotlyScriptPath(): string {
  for (const id of ['plotly.js-dist-min/plotly.min.js', 'plotly.js-dist/plotly.js']) {
    try {
      return require.resolve(id);
    } catch {
      // try the next one
    }
  }
  throw new Error('plotly.js is not installed: run `npm install` (needs plotly.js-dist-min)');
}

/** Makes text safe inside an inline <script>: no '</script>' or '<!--' can end or confuse it. */
export function scriptSafe(js: string): string {
  return js.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
}

let bundle: string | undefined;

/** `<script>` holding the whole plotly.js bundle (a few MB): emit once per notebook or page. */
export function plotlyBundleHtml(): string {
  bundle ??= `<script type="text/javascript">${scriptSafe(readFileSync(plotlyScriptPath(), 'utf8'))}</script>`;
  return bundle;
}

let counter = 0;

export interface FigureHtmlOptions {
  id?: string;
  /**
   * The static image, shown inside the figure's box until plotly draws there: a page without scripts (an untrusted
   * notebook, a code host) shows the image, a page with them shows the interactive figure — one figure either way.
   */
  fallbackPng?: Uint8Array;
}

/**
 * A div plus a script that draws `fig` into it with the page's window.Plotly. The script finds its div as
 * its previous sibling (JupyterLab may run output scripts before the output is attached, so ids are not
 * reliable) and waits until the div is in the document. Without plotly loaded it says so in the div.
 *
 * Responsive: the box takes the page's width up to the figure's own and plotly redraws on resize, so a figure made
 * for 1,320 px fits a 1,280 px page (the legend sits under the panels and is never cut off).
 *
 * One figure each: a notebook shows every figure as this output and then its static PNG (the copy that code hosts
 * and untrusted notebooks show). Once plotly has drawn, the script hides that PNG output when it directly follows
 * (JupyterLab and nbconvert's HTML wrap each output in .jp-OutputArea-child, the classic page in .output_area).
 */
export function figureHtml(spec: FigureSpec | PlotlyFigure, opts: FigureHtmlOptions = {}): string {
  const fig = 'panels' in spec ? toPlotly(spec) : spec;
  const { width, height } =
    'panels' in spec
      ? figureSize(spec)
      : { width: Number(fig.layout.width ?? 700), height: Number(fig.layout.height ?? 450) };
  const responsive: PlotlyFigure = {
    data: fig.data,
    layout: { ...fig.layout, width: undefined, height, autosize: true },
    config: { ...fig.config, responsive: true },
  };
  const id = opts.id ?? `seer-plot-${process.pid}-${Date.now().toString(36)}-${counter++}`;
  // JSON inside a script: escape '<' so a label containing '</script>' cannot end it.
  const json = JSON.stringify(responsive).replace(/</g, '\\u003c');
  const script = `(function () {
  var s = document.currentScript, el = s && s.previousElementSibling, tries = 0;
  function draw() {
    if (!el) return;
    if (!window.Plotly) { if (!el.querySelector('img')) el.textContent = 'Interactive figure unavailable: plotly.js was not loaded on this page (run the notebook\\'s first cell).'; return; }
    if (!el.isConnected && tries++ < 100) { setTimeout(draw, 50); return; }
    var f = ${json};
    el.textContent = '';
    window.Plotly.newPlot(el, f.data, f.layout, f.config).then(function () { hideStaticCopy(0); });
  }
  // The PNG output may not be in the page yet (still being parsed, or not yet appended by the notebook): retry a while.
  function hideStaticCopy(n) {
    var box = el.closest('.jp-OutputArea-child, .output_area'), next = box && box.nextElementSibling;
    if (next && next.querySelector('img[src^="data:image/png"]') && !next.querySelector('.seer-plot')) next.style.display = 'none';
    else if (box && !next && n < 50) setTimeout(function () { hideStaticCopy(n + 1); }, 100);
  }
  draw();
})();`;
  const img = opts.fallbackPng
    ? `<img alt="figure" style="width:100%;height:auto" src="data:image/png;base64,${Buffer.from(opts.fallbackPng).toString('base64')}">`
    : '';
  const box = `width:100%;max-width:${width}px;min-height:${opts.fallbackPng ? 0 : height}px`;
  return `<div id="${id}" class="seer-plot" style="${box}">${img}</div><script type="text/javascript">${script}</script>`;
}
