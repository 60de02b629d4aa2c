/**
 * Building models: from a ParamStore that already holds the weights (`buildModel`, used by the
 * checkpoint loader), or randomly initialised as `transformers` initialises a fresh model
 * (`createModel`): linear and embedding weights N(0, initializer_range²), GPT-2's residual
 * projections N(0, (initializer_range/√(2·n_layer))²), biases 0, LayerNorm γ 1 and β 0, and the
 * padding row of padded embeddings 0.
 */
import { Rng, tf } from '../tensor/index.js';
import type { TransformerConfig } from './config.js';
import { Decoder } from './decoder.js';
import { Encoder } from './encoder.js';
import { ParamStore } from './params.js';
import { modelSpec, type ParamSpec } from './spec.js';
import type { ModelOptions } from './transformer.js';

/** A BERT/RoBERTa Encoder or a GPT-2 Decoder. */
export type Model = Encoder | Decoder;

/** Wraps weights in the model class for the config's family; checks names and shapes. */
export function buildModel(config: TransformerConfig, params: ParamStore, options: ModelOptions = {}): Model {
  return config.family === 'encoder' ? new Encoder(config, params, options) : new Decoder(config, params, options);
}

/** A freshly initialised tensor for one parameter; draws from `rng` only for normal inits. */
export function initTensor(p: ParamSpec, rng: Rng): tf.Tensor {
  const n = p.shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(n);
  if (p.init.kind === 'ones') data.fill(1);
  else if (p.init.kind === 'normal') {
    rng.fillNormal(data, 0, p.init.std);
    if (p.zeroRow !== undefined) {
      const w = p.shape[1];
      data.fill(0, p.zeroRow * w, (p.zeroRow + 1) * w);
    }
  }
  return tf.tensor(data, p.shape, 'float32');
}

/**
 * A randomly initialised model. Each parameter draws from its own stream `rng.fork(name)`, so a
 * parameter's values do not depend on which other parameters (heads, pooler) exist.
 */
export function createModel(config: TransformerConfig, rng: Rng, options: ModelOptions = {}): Model {
  const params = new ParamStore();
  try {
    for (const p of modelSpec(config, options).params) params.set(p.name, initTensor(p, rng.fork(p.name)));
    return buildModel(config, params, options);
  } catch (e) {
    params.dispose();
    throw e;
  }
}
