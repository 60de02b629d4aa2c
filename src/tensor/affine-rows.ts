/**
 * y = x·a + c over the rows of x [N, D], with a and c [1, D] — GRASP's per-Site input transform —
 * as one op with a hand-written gradient:
 *
 *   dx = dy·a,   da = Σ_rows dy·x,   dc = Σ_rows dy.
 *
 * The row sums are `sumRows` (chunked reductions, see sum-rows.ts). A fused one-pass JS kernel over
 * the wasm heap was tried and measured slower than these SIMD kernels: 3.4 ms against 0.9 ms forward.
 */
import { customOp } from './custom.js';
import { tf } from './engine.js';
import { sumRows } from './sum-rows.js';

const op = customOp((inputs, save) => {
  const [x, a, c] = inputs;
  save([x, a]);
  return {
    value: tf.add(tf.mul(x, a), c),
    gradFunc: (dy, [sx, sa]) => [tf.mul(dy, sa), sumRows(tf.mul(dy, sx)), sumRows(dy)],
  };
});

/**
 * x [..., D] · a [1, D] + c [1, D] (over every row of x, any rank ≥ 2, no reshape in the forward
 * pass) with gradients for x, a and c; a and c must be [1, D] (checked).
 */
export function affineRows<T extends tf.Tensor>(x: T, a: tf.Tensor2D, c: tf.Tensor2D): T {
  const d = x.shape[x.rank - 1];
  if (x.rank < 2 || a.shape[0] !== 1 || a.shape[1] !== d || c.shape[0] !== 1 || c.shape[1] !== d) {
    throw new Error(`affineRows: a and c must be [1, ${d}] for x [${x.shape.join(', ')}]; got [${a.shape.join(', ')}] and [${c.shape.join(', ')}]`);
  }
  return op(x, a, c) as T;
}
