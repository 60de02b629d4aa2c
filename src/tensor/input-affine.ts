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
import {
  at, bump, F32X4_ADD, F32X4_MUL, forLoop, get, i32, I32, load, set, SHL, store, V128, WasmKernels, ZERO, type WasmFunction,
} from './wasm-encoder.js';
import { onceOnWasm, registerHeapKernel } from './wasm-heap.js';

const FORWARD = 'GraspHilInputAffine', BACKWARD = 'GraspHilInputAffineGrad';

function forwardFunction(): WasmFunction {
  const [X, A, C, OUT, N, D] = [0, 1, 2, 3, 4, 5];
  const [ROW, J, P, JB] = [6, 7, 8, 9];
  const cols = [
    ...get(J), ...i32(2), ...SHL, ...set(JB),
    ...at(OUT, P), ...at(X, P), ...load(), ...at(A, JB), ...load(), ...F32X4_MUL, ...at(C, JB), ...load(), ...F32X4_ADD, ...store(),
    ...bump(P, i32(16)),
    ...bump(J, i32(4)),
  ];
  const rows = [...i32(0), ...set(J), ...forLoop(J, D, cols), ...bump(ROW, i32(1))];
  return { name: 'forward', params: 6, locals: [[4, I32]], code: [...i32(0), ...set(P), ...i32(0), ...set(ROW), ...forLoop(ROW, N, rows)] };
}

function backwardFunction(): WasmFunction {
  const [DH, X, A, DX, DA, DC, N, D] = [0, 1, 2, 3, 4, 5, 6, 7];
  const [ROW, J, P, JB] = [8, 9, 10, 11];
  const [G] = [12];
  const zero = [
    ...get(J), ...i32(2), ...SHL, ...set(JB),
    ...at(DA, JB), ...ZERO, ...store(), ...at(DC, JB), ...ZERO, ...store(),
    ...bump(J, i32(4)),
  ];
  const cols = [
    ...get(J), ...i32(2), ...SHL, ...set(JB),
    ...at(DH, P), ...load(), ...set(G),
    ...at(DX, P), ...get(G), ...at(A, JB), ...load(), ...F32X4_MUL, ...store(),
    ...at(DA, JB), ...at(DA, JB), ...load(), ...get(G), ...at(X, P), ...load(), ...F32X4_MUL, ...F32X4_ADD, ...store(),
    ...at(DC, JB), ...at(DC, JB), ...load(), ...get(G), ...F32X4_ADD, ...store(),
    ...bump(P, i32(16)),
    ...bump(J, i32(4)),
  ];
  const rows = [...i32(0), ...set(J), ...forLoop(J, D, cols), ...bump(ROW, i32(1))];
  const code = [...i32(0), ...set(J), ...forLoop(J, D, zero), ...i32(0), ...set(P), ...i32(0), ...set(ROW), ...forLoop(ROW, N, rows)];
  return { name: 'backward', params: 8, locals: [[4, I32], [1, V128]], code };
}

const kernels = new WasmKernels(() => [forwardFunction(), backwardFunction()]);
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
