/** Result rows, their append-only store and histograms: what runs write and reports read. */
export type { ResultRow, RowKind, Histogram, SweepValue, ClipRates } from './row.js';
export { compensationOfRow, scalesLabel, sweepValueLabel } from './row.js';
export { ResultStore } from './store.js';
export type { OpenedStore } from './store.js';
export { histogram, parameterHistograms } from './histogram.js';
export { experimentStats, chanceLevel, verdictOf, baselineOf, withBaseline, conditionOf, entryOf, bootstrapRuns, bootstrapDelta, matchBySeeds, runMetric } from './stats.js';
export type { Verdict, StatsOptions, Condition, MethodEstimate, Comparison, ExperimentStats, RunMetric, RunData } from './stats.js';
export { mcnemarExact, percentileInterval, resampleIndices, binomialCdfHalf } from './bootstrap.js';
export type { McNemar } from './bootstrap.js';
