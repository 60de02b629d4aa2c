/**
 * `grasp-hil/peft` — parameter-efficient fine-tuning: the method registry (GRASP, StochGRASP,
 * weight-GRASP, LoRA, BitFit, (IA)³, RED, full, top-k), attach/merge, adapters saved and loaded in
 * Hugging Face PEFT's layout, merged checkpoints, parameter counts.
 */
export { attachMethod, getMethod, listMethods, registerMethod, isNoiseAware } from '../peft/index.js';
export type {
  Adapter, AdapterMode, MethodDefinition, MergedWeights, NamedTensors, NoiseAwareAdapter, SigmaSummary, TrainableVariable,
} from '../peft/index.js';
export type {
  GraspOptions, StochGraspOptions, WeightGraspOptions, LoraOptions, Ia3Options, RedOptions, TopKOptions,
} from '../peft/index.js';
export { applyMerged, cloneMerged } from '../peft/index.js';
export { saveAdapter, loadAdapter, mergeAdapterIntoCheckpoint, ADAPTER_CONFIG, ADAPTER_WEIGHTS } from '../peft/index.js';
export type { SaveAdapterOptions, LoadAdapterOptions, LoadedAdapter, AdapterConfigFile, MergeResult } from '../peft/index.js';
export { countParameters, modelShape } from '../peft/index.js';
export type { ParameterReport } from '../peft/index.js';
