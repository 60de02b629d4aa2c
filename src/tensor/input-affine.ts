/**
 * GRASP's per-Site input transform h = x⊙a + c over rows of x [N, D] (a, c [D]) and its backward
 * pass, each as one pass of a WebAssembly SIMD kernel on wasm:
 *
 *   forward   h = x⊙a + c
 *   backward  dx = dh⊙a,  da = Σ_rows dh⊙x,  dc = Σ_rows dh        (dh = dy·Wᵀ, given)
 *
 * Composed from tf ops the backward is two multiplies and two chunked row sums (ten kernels, four
 * passes over [N, D]) per Site and step; with 24–72 adapted Sites that kernel count is what kept
 * GRASP's step behind LoRA's. Other backends, and D % 4 ≠ 0, use the tf ops.
 */
import { tf } from './engine.js';
import { sumRows } from './sum-rows.js';
import { WasmKernels } from './wasm-kernels.js';
import { onceOnWasm, registerHeapKernel } from './wasm-heap.js';

const FORWARD = 'GraspHilInputAffine', BACKWARD = 'GraspHilInputAffineGrad';

/** The two kernels' WAT source: wat/input-affine.wat.ts. */
const kernels = new WasmKernels('inputAffine');
const register = onceOnWasm(() => {
  const fns = (backend: unknown) => kernels.forBackend(backend);
  registerHeapKernel(FORWARD, ['x', 'a', 'c'], ([[n, d]]) => [[n, d]], (b, off, [[n, d]]) => fns(b).forward(...off, n, d));
  registerHeapKernel(BACKWARD, ['dh', 'x', 'a'], ([[n, d]]) => [[n, d], [1, d], [1, d]], (b, off, [[n, d]]) => fns(b).backward(...off, n, d));
}, () => kernels.available());

const fast = (x: tf.Tensor2D) => tf.getBackend() === 'wasm' && x.shape[1] % 4 === 0 && x.dtype === 'float32' && register();

/** x⊙a + c for x [N, D] and a, c of D values ([D] or [1, D]). */
export function inputAffine(x: tf.Tensor2D, a: tf.Tensor, c: tf.Tensor): tf.Tensor2D {
  if (fast(x)) return tf.engine().runKernel(FORWARD, { x, a, c }, {}) as tf.Tensor2D;
  return tf.add(tf.mul(x, a), c) as tf.Tensor2D;
}

/** dx = dh⊙a, da = Σ_rows dh⊙x, dc = Σ_rows dh ([1, D] each). */
export function inputAffineGrad(dh: tf.Tensor2D, x: tf.Tensor2D, a: tf.Tensor): { dx: tf.Tensor2D; da: tf.Tensor2D; dc: tf.Tensor2D } {
  if (fast(dh)) {
    const [dx, da, dc] = tf.engine().runKernel(BACKWARD, { dh, x, a }, {}) as tf.Tensor2D[];
    return { dx, da, dc };
  }
  return { dx: tf.mul(dh, a) as tf.Tensor2D, da: sumRows(tf.mul(dh, x)), dc: sumRows(dh) };
}
