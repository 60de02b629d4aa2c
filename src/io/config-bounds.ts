/**
 * Sane bounds on a config's sizes, checked before anything is allocated, so `num_hidden_layers: 1e9`
 * fails in microseconds with the field named instead of running out of memory. The bounds are far
 * above every model grasp-hil can run (roberta-large: 24 layers, hidden 1024; gpt2-xl: 48 layers,
 * hidden 1600); the parameter estimate counts embeddings and blocks as the spec will.
 *
 *   estimate = vocab·h + positions·h + types·h + layers·(4·h² + 2·h·ff)
 */
import type { TransformerConfig } from '../model/index.js';

export const CONFIG_LIMITS = {
  numLayers: 1024,
  hiddenSize: 65_536,
  numHeads: 1024,
  intermediateSize: 1 << 20,
  vocabSize: 1 << 24,
  maxPositions: 1 << 20,
  typeVocabSize: 1 << 16,
  /** 10¹¹ parameters: 400 GB in float32. */
  parameters: 1e11,
} as const;

const FIELDS: Record<Exclude<keyof typeof CONFIG_LIMITS, 'parameters'>, { encoder: string; decoder: string }> = {
  numLayers: { encoder: 'num_hidden_layers', decoder: 'n_layer' },
  hiddenSize: { encoder: 'hidden_size', decoder: 'n_embd' },
  numHeads: { encoder: 'num_attention_heads', decoder: 'n_head' },
  intermediateSize: { encoder: 'intermediate_size', decoder: 'n_inner' },
  vocabSize: { encoder: 'vocab_size', decoder: 'vocab_size' },
  maxPositions: { encoder: 'max_position_embeddings', decoder: 'n_positions' },
  typeVocabSize: { encoder: 'type_vocab_size', decoder: 'type_vocab_size' },
};

/** Estimated parameter count from the config's sizes (see the file comment). */
export function estimatedParameters(c: TransformerConfig): number {
  const h = c.hiddenSize;
  return c.vocabSize * h + c.maxPositions * h + c.typeVocabSize * h + c.numLayers * (4 * h * h + 2 * h * c.intermediateSize);
}

/** Throws naming the file and the field when a size is beyond CONFIG_LIMITS. */
export function checkConfigBounds(c: TransformerConfig): void {
  for (const [key, f] of Object.entries(FIELDS) as [keyof typeof FIELDS, (typeof FIELDS)[keyof typeof FIELDS]][]) {
    const v = c[key];
    const limit = CONFIG_LIMITS[key];
    if (v > limit) {
      throw new Error(`${c.source}: field '${f[c.family]}' is ${v}, beyond the limit of ${limit}; the config is corrupt or not a model grasp-hil can run`);
    }
  }
  const n = estimatedParameters(c);
  if (n > CONFIG_LIMITS.parameters) {
    throw new Error(`${c.source}: the sizes describe about ${n.toExponential(2)} parameters, beyond the limit of ${CONFIG_LIMITS.parameters.toExponential(0)}; check ${FIELDS.numLayers[c.family]}, ${FIELDS.hiddenSize[c.family]} and ${FIELDS.vocabSize[c.family]}`);
  }
}
