/**
 * StochGRASP's per-sequence noise term (sampling 'sequence'): sequence b of the batch sees its own
 * weight sample, shared by all its tokens,
 *
 *   n_b = x_b · (σ̂ ⊙ ε_b),   x_b [T, D_in], σ̂ [D_in, D_out] (or [1, D_out], broadcast over rows),
 *                             ε_b [D_in, D_out] ~ N(0, 1), a constant of the op.
 *
 * One op with a hand-written gradient whose products all go through `batchMatMul` (the wasm SIMD
 * kernel; tf.matMul with a batch dimension runs a generic scalar loop ≈ 10× slower), with M_b = σ̂ ⊙ ε_b:
 *   dx_b = dn_b · M_bᵀ,   dσ̂ = Σ_b (x_bᵀ · dn_b) ⊙ ε_b   (summed over rows too when σ̂ is [1, D_out]).
 * ε has no gradient. The caller draws ε (keyed stream) and expands σ̂ from the groups, so the
 * gradient reaches ln σ through the expansion's own autograd.
 */
import { batchMatMul, customOp, tf } from '../tensor/index.js';

const swapLast = (t: tf.Tensor) => tf.transpose(t, [0, 2, 1]);

/** Σ over sequences of x_b · (σ̂ ⊙ ε_b): x [B, T, D_in], σ̂ [D_in | 1, D_out], ε [B, D_in, D_out] → [B, T, D_out]. */
export function sequenceNoise(x: tf.Tensor3D, sigmaHat: tf.Tensor2D, eps: tf.Tensor3D): tf.Tensor3D {
  const [b, , din] = x.shape;
  const dout = sigmaHat.shape[1];
  if (eps.shape[0] !== b || eps.shape[1] !== din || eps.shape[2] !== dout || (sigmaHat.shape[0] !== din && sigmaHat.shape[0] !== 1)) {
    throw new Error(`sequenceNoise: x [${x.shape}], σ̂ [${sigmaHat.shape}] and ε [${eps.shape}] do not fit`);
  }
  return customOp((inputs, save) => {
    const [x0, s0] = inputs;
    const m = tf.mul(s0, eps);
    save([x0, m, eps]);
    return {
      value: batchMatMul(x0, m),
      gradFunc: (dy, [xs, ms, e]) => {
        const dx = batchMatMul(dy, swapLast(ms));
        const g = tf.sum(tf.mul(batchMatMul(swapLast(xs), dy), e), 0);
        return [dx, s0.shape[0] === 1 && din !== 1 ? tf.sum(g, 0, true) : g];
      },
    };
  })(x, sigmaHat) as tf.Tensor3D;
}
