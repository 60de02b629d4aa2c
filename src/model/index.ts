export { ParamStore } from './params.js';
export { Site } from './site.js';
export type { SiteHook, SiteNext, SiteRole, WeightLayout } from './site.js';
export type {
  Architecture, Family, ForwardOptions, HeadKind, ModelHead, ModelInputs, SiteWeights, Transformer, WeightsBySite,
} from './types.js';
export {
  parseConfig, configToJson, tinyConfig, headDim, maxSequenceLength, labelCount, HIDDEN_ACTS, SUPPORTED_MODEL_TYPES,
} from './config.js';
export type { TransformerConfig, HiddenAct, ProblemType, TinyConfigOptions } from './config.js';
export { modelSpec } from './spec.js';
export type { ModelSpec, ParamSpec, ParamInit, SiteSpec, SpecOptions } from './spec.js';
export { TransformerBase, checkParams } from './transformer.js';
export type { ModelOptions } from './transformer.js';
export { Encoder } from './encoder.js';
export { Decoder } from './decoder.js';
export type { CachedStepInputs } from './decoder.js';
export { KvCache } from './kv-cache.js';
export type { LayerKv } from './kv-cache.js';
export { createModel, buildModel, initTensor } from './create.js';
export type { Model } from './create.js';
export { createHead, headLogits, firstToken, pool } from './heads.js';
export type { HeadHost } from './heads.js';
export { layerNorm, geluErf, geluTanh, activation, dropout, runContext } from './layers.js';
export type { RunContext } from './layers.js';
export { attend, splitHeads, mergeHeads, paddingBias, causalBias, FLOAT32_MIN } from './attention.js';
export { checkInputs, robertaPositionIds } from './inputs.js';
export { selectSites, parseSiteSelector, siteNameSummary, SITE_PRESETS } from './select.js';
export type { SiteSelector, SitePreset } from './select.js';
