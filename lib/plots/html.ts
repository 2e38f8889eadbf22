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

/**
 * A div plus a script that draws `fig` into it with the page's window.Plotly. The script finds its div as
 * its previous sibling (JupyterLab may run output scripts before the output is attached, so ids are not
 * reliable) and waits until the div is in the document. Without plotly loaded it says so in the div.
 */
export function figureHtml(spec: FigureSpec | PlotlyFigure, opts: { id?: string } = {}): string {
  const fig = 'panels' in spec ? toPlotly(spec) : spec;
  const { width, height } = 'panels' in spec ? figureSize(spec) : { width: Number(fig.layout.width ?? 700), height: Number(fig.layout.height ?? 450) };
  const id = opts.id ?? `seer-plot-${process.pid}-${Date.now().toString(36)}-${counter++}`;
  // JSON inside a script: escape '<' so a label containing '</script>' cannot end it.
  const json = JSON.stringify(fig).replace(/</g, '\\u003c');
  const script = `(function () {
  var s = document.currentScript, el = s && s.previousElementSibling, tries = 0;
  function draw() {
    if (!el) return;
    if (!window.Plotly) { el.textContent = 'Interactive figure unavailable: plotly.js was not loaded on this page (run the notebook\\'s first cell); the static image follows.'; return; }
    if (!el.isConnected && tries++ < 100) { setTimeout(draw, 50); return; }
    var f = ${json};
    window.Plotly.newPlot(el, f.data, f.layout, f.config);
  }
  draw();
})();`;
  return `<div id="${id}" class="seer-plot" style="width:${width}px;height:${height}px"></div><script type="text/javascript">${script}</script>`;
}
