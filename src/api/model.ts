/**
 * `grasp-hil/model` — transformers from Hugging Face checkpoints (BERT, RoBERTa, GPT-2): load and save
 * checkpoints and tokenizers, build tiny models, select Sites (every linear layer, by its HF path),
 * inspect a checkpoint, generate text with a decoder.
 */
export { loadModel, loadCheckpoint, saveModel, readSafetensors, writeSafetensors } from '../io/index.js';
export type { LoadModelOptions, LoadReport, LoadResult, SaveModelOptions } from '../io/index.js';
export { loadTokenizer, TokenizerError } from '../io/index.js';
export type { Tokenizer, Encoding, EncodeOptions } from '../io/index.js';
export { createModel, buildModel, parseConfig, configToJson, tinyConfig, SUPPORTED_MODEL_TYPES } from '../model/index.js';
export { Site, Encoder, Decoder, selectSites, parseSiteSelector, siteNameSummary, SITE_PRESETS } from '../model/index.js';
export type {
  Model, Transformer, TransformerConfig, TinyConfigOptions, ModelInputs, ModelHead, HeadKind, ForwardOptions, SiteSelector, SitePreset, WeightsBySite,
} from '../model/index.js';
export { inspectModel } from '../inspect.js';
export type { InspectResult } from '../inspect.js';
export { generate, Generator } from '../generate/index.js';
export type { GenerationOptions, GenerationResult } from '../generate/index.js';
