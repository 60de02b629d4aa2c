/**
 * Multi-head scaled dot-product attention, shared by the encoder and the decoder.
 *
 *   scores = (Q·Kᵀ)·scale + bias        Q, K, V [batch, heads, seq, headDim]
 *   probs  = dropout(softmax(scores))   bias broadcast from [batch, 1, 1|seq, seq]
 *   out    = probs·V
 *
 * Every product is a plain batched matMul after an explicit transpose, through `batchMatMul`: wasm
 * runs tf's batched matMul (batch > 1) through one generic loop at 1–2 GFLOP/s, and the SIMD kernel
 * of batch-matmul.ts is 3–10× faster on these shapes. Splitting into per-head 2-D matMuls does not
 * pay: wasm's slices copy, and each fresh right operand builds an XNNPACK operator.
 *
 * Masks follow `transformers`' eager attention: a masked key gets float32's most negative finite
 * value (torch.finfo(float32).min) added, not −∞, so a row whose keys are all masked becomes a
 * uniform average instead of NaN.
 */
import { batchMatMul, customOp, tf } from '../tensor/index.js';
import { dropoutMask, type RunContext } from './layers.js';

/** torch.finfo(torch.float32).min. */
export const FLOAT32_MIN = -3.4028234663852886e38;

function swapLast(x: tf.Tensor): tf.Tensor {
  const perm = x.shape.map((_, i) => i);
  const n = perm.length;
  [perm[n - 2], perm[n - 1]] = [perm[n - 1], perm[n - 2]];
  return tf.transpose(x, perm);
}

/** [batch, seq, heads·headDim] → [batch, heads, seq, headDim]. */
export function splitHeads(x: tf.Tensor, numHeads: number): tf.Tensor4D {
  const [b, l, h] = x.shape;
  return tf.transpose(tf.reshape(x, [b, l, numHeads, h / numHeads]), [0, 2, 1, 3]);
}

/** [batch, heads, seq, headDim] → [batch, seq, heads·headDim]. */
export function mergeHeads(x: tf.Tensor): tf.Tensor3D {
  const [b, n, l, d] = x.shape;
  return tf.reshape(tf.transpose(x, [0, 2, 1, 3]), [b, l, n * d]);
}

/** Additive key-padding bias [batch, 1, 1, seq] from a 0/1 attention mask [batch, seq]. */
export function paddingBias(mask: tf.Tensor2D): tf.Tensor4D {
  const [b, l] = mask.shape;
  const m = mask.dtype === 'float32' ? mask : tf.cast(mask, 'float32');
  return tf.reshape(tf.mul(tf.sub(1, m), FLOAT32_MIN), [b, 1, 1, l]);
}

/**
 * Additive causal bias [1, 1, seq, past + seq] for `seq` queries that follow `past` cached keys:
 * query i (absolute position past + i) sees keys 0..past + i; later keys get FLOAT32_MIN.
 * With past 0 this is the square mask: 0 on and below the diagonal, FLOAT32_MIN above.
 */
export function causalBias(seq: number, past = 0): tf.Tensor4D {
  const keys = past + seq;
  const data = new Float32Array(seq * keys);
  for (let i = 0; i < seq; i++) for (let j = past + i + 1; j < keys; j++) data[i * keys + j] = FLOAT32_MIN;
  return tf.tensor4d(data, [1, 1, seq, keys]);
}

/**
 * Attention over heads. q, k, v [batch, heads, seq, headDim]; bias broadcastable to
 * [batch, heads, seq, seq] or null; returns [batch, heads, seq, headDim].
 *
 * One op with a hand-written gradient whose products all go through `batchMatMul` (plain
 * batched products after explicit transposes), with P = softmax(S), P̃ = P⊙mask (dropout):
 *   dV = P̃ᵀ·dO,  dP = (dO·Vᵀ)⊙mask,  dS = P⊙(dP − Σ_keys dP⊙P)·scale,  dQ = dS·K,  dK = dSᵀ·Q.
 */
export function attend(q: tf.Tensor4D, k: tf.Tensor4D, v: tf.Tensor4D, bias: tf.Tensor | null, scale: number,
  dropoutRate: number, ctx: RunContext): tf.Tensor4D {
  const [b, h, l] = q.shape;
  const mask = dropoutMask([b, h, l, k.shape[2]], dropoutRate, ctx);
  return customOp((inputs, save) => {
    const [sq, sk, sv] = inputs;
    let scores = batchMatMul(sq, swapLast(sk));
    if (scale !== 1) scores = tf.mul(scores, scale);
    if (bias !== null) scores = tf.add(scores, bias);
    const probs = tf.softmax(scores);
    save(mask ? [sq, sk, sv, probs, mask] : [sq, sk, sv, probs]);
    return {
      value: batchMatMul(mask ? tf.mul(probs, mask) : probs, sv),
      gradFunc: (dy, [q0, k0, v0, p, m]) => {
        const dv = batchMatMul(swapLast(m ? tf.mul(p, m) : p), dy);
        let dp = batchMatMul(dy, swapLast(v0));
        if (m) dp = tf.mul(dp, m);
        let ds = tf.mul(p, tf.sub(dp, tf.sum(tf.mul(dp, p), -1, true)));
        if (scale !== 1) ds = tf.mul(ds, scale);
        return [batchMatMul(ds, k0), batchMatMul(swapLast(ds), q0), dv];
      },
    };
  })(q, k, v) as tf.Tensor4D;
}
