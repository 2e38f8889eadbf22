/** Figures: typed specs → plotly JSON → inline offline HTML (notebooks) and static SVG/PNG (Chromium). */
export * from './spec';
export { toPlotly, PALETTE, withAlpha, type PlotlyFigure } from './plotly';
export { figureHtml, plotlyBundleHtml, plotlyScriptPath } from './html';
export { renderFigure, renderPlotly, saveFigure, IMAGE_FORMATS, type ImageFormat, type RenderOptions } from './render';
export { withBrowser, closeBrowser, chromiumPath, setBrowserIdleTimeout, CHROMIUM_ARGS } from './browser';
