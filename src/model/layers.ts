/**
 * The small non-linear pieces of a transformer block: LayerNorm, activations, dropout.
 * All are composed of registered tfjs ops, so autograd covers them on every backend.
 */
import { dropoutMaskTensor, Rng, tf } from '../tensor/index.js';
import type { HiddenAct } from './config.js';
import type { ForwardOptions } from './types.js';

/** Training mode and the stream dropout masks are drawn from. */
export interface RunContext {
  training: boolean;
  rng: Rng | null;
}

/** Resolves forward options; training with dropout needs a seeded stream. */
export function runContext(options: ForwardOptions | undefined, what: string): RunContext {
  const training = options?.training ?? false;
  const rng = options?.rng ?? null;
  if (training && rng === null) {
    throw new Error(`${what}: training mode draws dropout masks and needs options.rng (a seeded Rng)`);
  }
  return { training, rng };
}

/**
 * Inverted dropout: zeroes each element with probability `rate` and scales the rest by 1/(1 − rate).
 * Identity unless training. The mask's seed comes from the context's Rng and the mask is
 * tf.randomUniform's (drawn in JavaScript, `dropoutMaskTensor`), so masks are the same on every backend.
 */
export function dropout(x: tf.Tensor, rate: number, ctx: RunContext): tf.Tensor {
  const mask = dropoutMask(x.shape, rate, ctx);
  return mask === null ? x : tf.mul(x, mask);
}

/** The scaled keep mask (0 or 1/(1 − rate)) `dropout` multiplies by, or null when it is the identity. */
export function dropoutMask(shape: number[], rate: number, ctx: RunContext): tf.Tensor | null {
  if (!ctx.training || rate <= 0) return null;
  return dropoutMaskTensor(shape, 1 - rate, ctx.rng!.nextUint32());
}

/**
 * LayerNorm over the last axis, as torch.nn.LayerNorm: (x − mean)/√(var + eps)·γ + β with the
 * biased variance. x [..., n]; γ, β [n].
 */
export function layerNorm(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, eps: number): tf.Tensor {
  const axis = x.rank - 1;
  const mean = tf.mean(x, axis, true);
  const centred = tf.sub(x, mean);
  const variance = tf.mean(tf.square(centred), axis, true);
  return tf.add(tf.mul(tf.mul(centred, tf.rsqrt(tf.add(variance, eps))), gamma), beta);
}

const SQRT_HALF = Math.SQRT1_2;
const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

/** Exact GELU: x·Φ(x) = ½x(1 + erf(x/√2)) (`gelu` in transformers, torch's default). */
export function geluErf(x: tf.Tensor): tf.Tensor {
  return tf.mul(tf.mul(x, 0.5), tf.add(tf.erf(tf.mul(x, SQRT_HALF)), 1));
}

/** Tanh-approximated GELU: ½x(1 + tanh(√(2/π)(x + 0.044715x³))) (`gelu_new`, GPT-2). */
export function geluTanh(x: tf.Tensor): tf.Tensor {
  const inner = tf.mul(tf.add(x, tf.mul(tf.mul(tf.square(x), x), 0.044715)), SQRT_2_OVER_PI);
  return tf.mul(tf.mul(x, 0.5), tf.add(tf.tanh(inner), 1));
}

/** The activation a config names. */
export function activation(name: HiddenAct): (x: tf.Tensor) => tf.Tensor {
  switch (name) {
    case 'gelu':
      return geluErf;
    case 'gelu_new':
    case 'gelu_pytorch_tanh':
    case 'gelu_fast':
      return geluTanh;
    case 'relu':
      return (x) => tf.relu(x);
    case 'silu':
    case 'swish':
      return (x) => tf.mul(x, tf.sigmoid(x));
    case 'tanh':
      return (x) => tf.tanh(x);
  }
}
