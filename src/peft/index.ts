/**
 * Parameter-efficient fine-tuning: the method registry and every method. Importing this module
 * registers GRASP, StochGRASP, grasp-weight, LoRA, BitFit, (IA)³, RED, full and top-k.
 */
export { registerMethod, getMethod, listMethods, isNoiseAware } from './adapter.js';
export { attachMethod } from './attach.js';
export type {
  Adapter,
  AdapterMode,
  CountResult,
  MergedWeights,
  MethodDefinition,
  ModelShape,
  NamedTensors,
  NoiseAwareAdapter,
  PeftFieldReader,
  PeftSaveLayout,
  PeftSite,
  PlainTensor,
  SigmaSummary,
  SiteCount,
  SiteShape,
  TrainableVariable,
} from './adapter.js';
export { makeGrouping, expandArray, indicatorData, GroupExpander, checkGroupCount } from './grouping.js';
export type { Grouping } from './grouping.js';
export { selectorItems } from './sites.js';
export type { SiteLike } from './sites.js';
export { ParamTuning, headParamNames, baseParamNames, isHeadParam, defaultDecay, paramState, loadParams } from './param-tuning.js';
export { grasp, groupingRng } from './grasp.js';
export type { GraspOptions, GraspVariant } from './grasp.js';
export { stochgrasp, graspWeight } from './stochgrasp.js';
export type { StochGraspOptions, WeightGraspOptions, PenaltyReduction, Sampling } from './stochgrasp.js';
export { lora } from './lora.js';
export type { LoraOptions } from './lora.js';
export { ia3 } from './ia3.js';
export type { Ia3Options } from './ia3.js';
export { red } from './red.js';
export type { RedOptions } from './red.js';
export { bitfit } from './bitfit.js';
export { full, topK, blockOf } from './full.js';
export type { TopKOptions } from './full.js';
export { applyMerged, cloneMerged } from './merge.js';
export { saveAdapter, loadAdapter, ADAPTER_CONFIG, ADAPTER_WEIGHTS } from './save.js';
export type { SaveAdapterOptions, LoadAdapterOptions, LoadedAdapter, AdapterConfigFile } from './save.js';
export { parseAdapterConfig, didYouMean, ADAPTER_FORMAT } from './adapter-config.js';
export type { GraspHilBlock } from './adapter-config.js';
export { baseWeightsHash } from './base-hash.js';
export { mergeAdapterIntoCheckpoint, TOKENIZER_FILES } from './export.js';
export type { MergeResult } from './export.js';
export { PEFT_KEY_PREFIX, TASK_TYPES, taskTypeOf, targetSuffixes, matchesTargets, patternValue } from './peft-layout.js';
export type { TaskType } from './peft-layout.js';
export { modelShape, countParameters } from './count.js';
export { TokenAdapter, TOKENS_OPTION, embeddingParam, parseTokensOption, splitTokensOption, tokensKey, tokensParamCount } from './trainable-tokens.js';
export type { TokensOption, TokensFromTargets } from './trainable-tokens.js';
export type { ParameterReport, ShapeOptions } from './count.js';
