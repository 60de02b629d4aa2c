/**
 * Batched matrix product C[b] = A[b]·B[b] for the wasm backend, as a small WebAssembly SIMD kernel
 * that works in place on the backend's own heap.
 *
 * Why: tfjs-backend-wasm hands a matMul to XNNPACK only when there is no batch dimension; every
 * batched product (attention's Q·Kᵀ and P·V, [batch, heads, seq, ·]) runs through one generic
 * scalar loop at 1.2–2.7 GFLOP/s, against ≈ 25–30 GFLOP/s for a plain matMul — on the shipped model the
 * attention products took half of a training step. Splitting into per-head 2-D matMuls does not
 * help (the slices copy, and every fresh right operand builds and frees an XNNPACK operator).
 *
 * The kernel: 4 rows × 8 columns of C per tile, eight f32x4 accumulators; per step of the inner
 * dimension it loads two vectors of B and splats one element of each of the four A rows. Its source
 * is WAT (wat/batch-matmul.wat.ts, assembled by wabt into wasm-modules.generated.ts); it imports the backend's memory and
 * reads tensors at their heap offsets; the output is allocated by the backend, so the engine tracks
 * it like any kernel's. Shapes it does not tile (M % 4 ≠ 0 or N % 8 ≠ 0) are zero-padded; other
 * backends and a runtime without WebAssembly SIMD use tf.matMul. `node --import tsx bench/linear.ts`
 * compares both.
 *
 * No gradient is registered: it is meant for ops with hand-written gradients (attention.ts).
 */
import { tf } from './engine.js';
import { WasmKernels } from './wasm-kernels.js';
import { onceOnWasm, registerHeapKernel } from './wasm-heap.js';

const KERNEL = 'GraspHilBatchMatMul';

const kernels = new WasmKernels('batchMatMul');

const register = onceOnWasm(() =>
  registerHeapKernel(KERNEL, ['a', 'b'], ([[batch, m], [, , n]]) => [[batch, m, n]], (backend, off, [[batch, m, k], [, , n]]) =>
    kernels.forBackend(backend).bmm(...off, batch, m, k, n)), () => kernels.available());

/**
 * a [..., M, K] · b [..., K, N] with equal leading dimensions (no broadcasting, no transposes).
 * Runs the SIMD kernel on wasm (zero-padding M to a multiple of 4 and N of 8), tf.matMul elsewhere.
 * No gradient.
 */
export function batchMatMul(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  const r = a.rank;
  if (r < 3 || b.rank !== r || a.shape.slice(0, -2).some((d, i) => d !== b.shape[i]) || a.shape[r - 1] !== b.shape[r - 2]) {
    throw new Error(`batchMatMul: shapes [${a.shape}] and [${b.shape}] do not multiply batch by batch`);
  }
  const [m, k, n] = [a.shape[r - 2], a.shape[r - 1], b.shape[r - 1]];
  const fast = tf.getBackend() === 'wasm' && a.dtype === 'float32' && b.dtype === 'float32' && register();
  if (!fast) return tf.matMul(a as tf.Tensor3D, b as tf.Tensor3D);
  const batch = a.size / (m * k);
  // Rows to a multiple of 4 and columns to a multiple of 8 by zero padding (two small copies and a
  // slice, against tf's generic loop: attention over a 61-token batch would otherwise fall back).
  const [m4, n8] = [Math.ceil(m / 4) * 4, Math.ceil(n / 8) * 8];
  let a3 = tf.reshape(a, [batch, m, k]), b3 = tf.reshape(b, [batch, k, n]);
  if (m4 !== m) a3 = tf.pad(a3, [[0, 0], [0, m4 - m], [0, 0]]);
  if (n8 !== n) b3 = tf.pad(b3, [[0, 0], [0, 0], [0, n8 - n]]);
  let out = tf.engine().runKernel(KERNEL, { a: a3, b: b3 }, {}) as tf.Tensor;
  if (m4 !== m || n8 !== n) out = tf.slice(out, [0, 0, 0], [batch, m, n]);
  return tf.reshape(out, [...a.shape.slice(0, -2), m, n]);
}
