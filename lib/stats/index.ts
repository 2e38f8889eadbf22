/** Statistics for a few seeds per arm: descriptive summaries, the stratified bootstrap, rliable's comparisons. */
export { mean, sampleStd, interquartileMean, quantile } from './descriptive';
export { stratifiedBootstrap, percentileInterval, BOOTSTRAP_DEFAULTS, type BootstrapOptions } from './bootstrap';
export { probabilityOfImprovement } from './improvement';
export { compareScores, intervalSide, meanInterval, MIN_SEEDS_FOR_INTERVAL } from './compare';
export type { Interval, ScoreComparison, CompareOptions } from './compare';
