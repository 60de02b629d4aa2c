/** Metrics and evaluation loops. */
export { accuracy, f1, macroF1, mcc, pearson, spearman, averageRanks, computeMetrics, METRIC_NAMES } from './metrics.js';
export type { MetricName } from './metrics.js';
export { predict, evaluate, evaluateDetailed } from './evaluate.js';
export type { PredictOptions } from './evaluate.js';
export { perturbWeights, perturbMerged, noiseStream, evaluateNoiseDraw, evaluateWithNoise, weightStdOf } from './noise.js';
export type { NoiseOptions, NoiseResult, NoiseDraw } from './noise.js';
export * from './nlg/index.js';
