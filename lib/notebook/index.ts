/** Helpers notebooks import: setup (backend, scale, plotly), figures and tables that leave files behind. */
export {
  setupNotebook,
  showFigure,
  showTable,
  kernelDisplay,
  say,
  useRuns,
  type NotebookContext,
  type SetupOptions,
  type TableOptions,
} from './display';
export { SCALES, DEFAULT_SCALE, parseScale, notebookScale, byScale, type Scale } from '../run/scale';
export { REPO_ROOT } from '../util/paths';
