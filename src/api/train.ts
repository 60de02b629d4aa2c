/**
 * `grasp-hil/train` — training (AdamW, warm-up + decay, clipping, noise-aware and hardware-aware
 * losses) and evaluation (metrics, evaluation loops, weight-noise evaluation).
 */
export { train, sigmaReport, TrainingDivergedError } from '../train/index.js';
export type { TrainOptions, TrainResult, TrainSetup, EvalRecord } from '../train/index.js';
export type { ProgressMode, StepInfo, HwaOptions, InputRangeOptions } from '../train/index.js';
export { INPUT_RANGES_FILE, loadInputRanges, saveInputRanges } from '../train/index.js';
export { evaluate, evaluateDetailed, predict, computeMetrics, METRIC_NAMES } from '../eval/index.js';
export type { MetricName, PredictOptions } from '../eval/index.js';
export { evaluateWithNoise, perturbWeights } from '../eval/index.js';
export type { NoiseOptions, NoiseResult } from '../eval/index.js';
