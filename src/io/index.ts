export {
  SafetensorsReader, readSafetensors, writeSafetensors, serializeSafetensors, writeFileAtomic, halfToFloat, floatToHalf,
  MAX_HEADER_BYTES,
} from './safetensors.js';
export type { SafetensorsDtype, TensorInfo, DecodedTensor, TensorToWrite, SafetensorsWriteOptions } from './safetensors.js';
export { loadModel, loadCheckpoint, saveModel, layoutOf, checkpointTensors, checkFinite } from './checkpoint.js';
export { checkConfigBounds, estimatedParameters, CONFIG_LIMITS } from './config-bounds.js';
export { containedPath } from './contain.js';
export type { LoadModelOptions, LoadReport, LoadResult, SaveModelOptions } from './checkpoint.js';
export {
  basePrefix, isBufferKey, tiedSource, headOfKey, headFromArchitectures, className, modernKey, defaultLayout,
} from './layout.js';
export type { CheckpointLayout } from './layout.js';
export * from './tokenizer/index.js';
export { readJsonFile, parseJsonText, lineColumn } from './json.js';
export { closestName, editDistance } from '../base/suggest.js';
export { Registry } from '../base/registry.js';
