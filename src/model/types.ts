/** The contract every transformer in grasp-hil satisfies (encoder and decoder alike). */
import type { Rng, tf } from '../tensor/index.js';
import type { ParamStore } from './params.js';
import type { Site } from './site.js';

/** Token ids and masks, each [batch, seq]. */
export interface ModelInputs {
  /** int32 token ids. */
  inputIds: tf.Tensor2D;
  /** 1 for real tokens, 0 for padding (float32 or int32). Omitted: all ones. */
  attentionMask?: tf.Tensor2D;
  /** int32 segment ids (BERT/RoBERTa only). Omitted: zeros. */
  tokenTypeIds?: tf.Tensor2D;
  /**
   * int32 position ids. Omitted: as `transformers` computes them — RoBERTa
   * cumsum(ids ≠ pad)·(ids ≠ pad) + pad_token_id, BERT and GPT-2 0..seq−1.
   */
  positionIds?: tf.Tensor2D;
}

export interface ForwardOptions {
  /** Training mode enables dropout (needs `rng`). Default false (evaluation). */
  training?: boolean;
  /** Seeded stream for dropout masks. */
  rng?: Rng;
}

export type Architecture = 'roberta' | 'bert' | 'gpt2';
export type Family = 'encoder' | 'decoder';

/** A task head on top of the last hidden state. */
export type HeadKind = 'sequence-classification' | 'lm';

/**
 * A head: its linear layers are Sites with role 'head' (also listed in `Transformer.sites`).
 * `forward` maps the last hidden state [batch, seq, hidden] to logits:
 * sequence classification [batch, numLabels]; language modelling [batch, seq, vocab].
 */
export interface ModelHead {
  readonly kind: HeadKind;
  readonly sites: readonly Site[];
  /** Output width: numLabels or vocabSize. */
  readonly outFeatures: number;
  forward(hidden: tf.Tensor3D, inputs: ModelInputs, options?: ForwardOptions): tf.Tensor;
}

export interface Transformer {
  readonly architecture: Architecture;
  readonly family: Family;
  /** The parsed Hugging Face config (see config.ts). */
  readonly config: import('./config.js').TransformerConfig;
  readonly params: ParamStore;
  /** Every linear layer by Hugging Face path, in model order (heads last). */
  readonly sites: ReadonlyMap<string, Site>;
  /** The task head, when the model was built or loaded with one. */
  readonly head?: ModelHead | null;
  /** Last hidden state [batch, seq, hidden]. */
  forward(inputs: ModelInputs, options?: ForwardOptions): tf.Tensor3D;
  dispose(): void;
}

/**
 * Deployable weights of one Site as plain data (backend-free, transferable to workers):
 * W [in, out] row-major, bias [out] or null. This is what merge produces and what the crossbar
 * programs; the crossbar never sees adapters.
 */
export interface SiteWeights {
  inFeatures: number;
  outFeatures: number;
  weight: Float32Array;
  bias: Float32Array | null;
}

export type WeightsBySite = Map<string, SiteWeights>;
