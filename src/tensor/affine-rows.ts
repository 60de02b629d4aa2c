/**
 * y = x·a + c over the rows of x [N, D], with a and c [1, D] — GRASP's per-Site input transform —
 * as one op with a hand-written gradient:
 *
 *   dx = dy·a,   da = Σ_rows dy·x,   dc = Σ_rows dy.
 *
 * The arithmetic is `inputAffine` / `inputAffineGrad` (one SIMD pass each way on wasm), the same that
 * `linear` uses when the transform joins a frozen layer; this op is for when it cannot (an inner hook,
 * a trainable weight). A fused one-pass JS kernel over the wasm heap was tried and measured slower
 * than tf's SIMD kernels: 3.4 ms against 0.9 ms forward.
 */
import { customOp } from './custom.js';
import { tf } from './engine.js';
import { inputAffine, inputAffineGrad } from './input-affine.js';

const op = customOp((inputs, save) => {
  const [x, a, c] = inputs;
  const x2 = tf.reshape(x, [-1, x.shape[x.rank - 1]]) as tf.Tensor2D;
  save([x2, a]);
  return {
    value: tf.reshape(inputAffine(x2, a, c), x.shape),
    gradFunc: (dy, [sx, sa]) => {
      const g = inputAffineGrad(tf.reshape(dy, [-1, sx.shape[sx.rank - 1]]) as tf.Tensor2D, sx as tf.Tensor2D, sa);
      return [tf.reshape(g.dx, dy.shape), g.da, g.dc];
    },
  };
});

/**
 * x [..., D] · a [1, D] + c [1, D] (over every row of x, any rank ≥ 2) with gradients for x, a and
 * c; a and c must be [1, D] (checked).
 */
export function affineRows<T extends tf.Tensor>(x: T, a: tf.Tensor2D, c: tf.Tensor2D): T {
  const d = x.shape[x.rank - 1];
  if (x.rank < 2 || a.shape[0] !== 1 || a.shape[1] !== d || c.shape[0] !== 1 || c.shape[1] !== d) {
    throw new Error(`affineRows: a and c must be [1, ${d}] for x [${x.shape.join(', ')}]; got [${a.shape.join(', ')}] and [${c.shape.join(', ')}]`);
  }
  return op(x, a, c) as T;
}
