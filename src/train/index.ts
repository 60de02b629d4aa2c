/** Training: fine-tuning loop, masked-LM pre-training, AdamW, schedules, losses, progress. */
export { train, TrainingDivergedError } from './trainer.js';
export type { TrainOptions, TrainResult, TrainSetup, EvalRecord } from './trainer.js';
export { AdamW } from './optim.js';
export type { AdamWOptions, OptimParam } from './optim.js';
export { linearWarmupDecay, warmupSteps } from './schedule.js';
export { crossEntropy, meanSquaredError, taskLoss } from './losses.js';
export { createProgress, formatDuration } from './progress.js';
export type { Progress, ProgressMode, StepInfo } from './progress.js';
export { pretrain, packBlocks, maskBatch } from './pretrain.js';
export type { PretrainOptions, PretrainResult, MlmTokenizer } from './pretrain.js';
