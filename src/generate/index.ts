/** Text generation for GPT-2 decoders: greedy decoding and beam search with a key/value cache. */
export { generate, Generator } from './generate.js';
export { OutputProjection } from './projection.js';
export type { GenerationResult } from './generate.js';
export { resolveOptions, padPrompts } from './options.js';
export type { EarlyStopping, GenerationOptions, ResolvedOptions } from './options.js';
export { stepSource } from './step-source.js';
export type { StepSource } from './step-source.js';
