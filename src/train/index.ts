/** Training: fine-tuning loop, masked-LM pre-training, AdamW, schedules, losses, progress. */
export { train, sigmaReport, TrainingDivergedError } from './trainer.js';
export type { TrainOptions, TrainResult, TrainSetup, EvalRecord } from './trainer.js';
export { AdamW } from './optim.js';
export type { AdamWOptions, OptimParam } from './optim.js';
export { linearWarmupDecay, warmupSteps } from './schedule.js';
export { crossEntropy, meanSquaredError, taskLoss } from './losses.js';
export { createProgress, formatDuration } from './progress.js';
export type { Progress, ProgressMode, StepInfo } from './progress.js';
export { pretrainMlm, makeBlocks, maskBlocks, evaluateMlm } from './mlm.js';
export type { MlmOptions, MlmResult, MlmEval, MlmTokenizer } from './mlm.js';
export { pretrainTinyRoberta, TINY_ROBERTA_RECIPE } from './pretrain-recipe.js';
export type { PretrainRecipe, PretrainReport } from './pretrain-recipe.js';
export { HardwareAwareTraining, resolveHwaOptions, HWA_DEFAULT_STD_DEV } from './hwa.js';
export type { HwaOptions, HwaNoiseType, HwaClipType, ResolvedHwaOptions } from './hwa.js';
export { pretrainClm, packClmBlocks, blockBatch, promptTargetBatch, clmLogits, clmLoss, evaluateClm } from './clm.js';
export type { ClmBatch, ClmEval, ClmOptions, ClmResult, ClmTokenizer } from './clm.js';
export { pretrainTinyGpt2, TINY_GPT2_RECIPE } from './pretrain-gpt2.js';
export type { ClmPretrainReport } from './pretrain-gpt2.js';
