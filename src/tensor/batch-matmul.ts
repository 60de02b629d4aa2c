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
 * dimension it loads two vectors of B and splats one element of each of the four A rows. It is
 * generated as WebAssembly bytecode (wasm-encoder.ts; no toolchain needed), imports the backend's memory and
 * reads tensors at their heap offsets; the output is allocated by the backend, so the engine tracks
 * it like any kernel's. Shapes it does not tile (M % 4 ≠ 0 or N % 8 ≠ 0) are zero-padded; other
 * backends and a runtime without WebAssembly SIMD use tf.matMul. `node --import tsx bench/linear.ts`
 * compares both.
 *
 * No gradient is registered: it is meant for ops with hand-written gradients (attention.ts).
 */
import { tf } from './engine.js';
import {
  ADD, bump, F32X4_ADD, F32X4_MUL, forLoop, get, i32, I32, load, loadSplat, MUL, set, SHL, store, V128, WasmKernels, ZERO, type WasmFunction,
} from './wasm-encoder.js';
import { onceOnWasm, registerHeapKernel } from './wasm-heap.js';

const KERNEL = 'GraspHilBatchMatMul';

function bmmFunction(): WasmFunction {
  // Parameters: a, b, c (byte offsets), batch, m, k, n.
  const [A, B, C, BATCH, M, K, N] = [0, 1, 2, 3, 4, 5, 6];
  // i32 locals 7…18, v128 locals 19…29.
  const [BI, I, J, P, PA0, PA1, PA2, PA3, PB, K4, N4, T] = [7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18];
  const ACC = [19, 20, 21, 22, 23, 24, 25, 26];
  const [B0, B1, AV] = [27, 28, 29];
  const PA = [PA0, PA1, PA2, PA3];

  const inner = [
    ...get(PB), ...load(0), ...set(B0),
    ...get(PB), ...load(16), ...set(B1),
    ...PA.flatMap((pa, r) => [
      ...get(pa), ...loadSplat(), ...set(AV),
      ...get(ACC[2 * r]), ...get(AV), ...get(B0), ...F32X4_MUL, ...F32X4_ADD, ...set(ACC[2 * r]),
      ...get(ACC[2 * r + 1]), ...get(AV), ...get(B1), ...F32X4_MUL, ...F32X4_ADD, ...set(ACC[2 * r + 1]),
      ...bump(pa, i32(4)),
    ]),
    ...bump(PB, get(N4)),
    ...bump(P, i32(1)),
  ];
  const tile = [
    ...ACC.flatMap((acc) => [...ZERO, ...set(acc)]),
    // pa_r = a + (i + r)·k·4, pb = b + j·4
    ...get(A), ...get(I), ...get(K4), ...MUL, ...ADD, ...set(PA0),
    ...get(PA0), ...get(K4), ...ADD, ...set(PA1),
    ...get(PA1), ...get(K4), ...ADD, ...set(PA2),
    ...get(PA2), ...get(K4), ...ADD, ...set(PA3),
    ...get(B), ...get(J), ...i32(2), ...SHL, ...ADD, ...set(PB),
    ...i32(0), ...set(P),
    ...forLoop(P, K, inner),
    // t = c + i·n·4 + j·4; four rows of two vectors
    ...get(C), ...get(I), ...get(N4), ...MUL, ...ADD, ...get(J), ...i32(2), ...SHL, ...ADD, ...set(T),
    ...[0, 1, 2, 3].flatMap((r) => [
      ...(r > 0 ? bump(T, get(N4)) : []),
      ...get(T), ...get(ACC[2 * r]), ...store(0),
      ...get(T), ...get(ACC[2 * r + 1]), ...store(16),
    ]),
    ...bump(J, i32(8)),
  ];
  const rows = [...i32(0), ...set(J), ...forLoop(J, N, tile), ...bump(I, i32(4))];
  const batches = [
    ...i32(0), ...set(I), ...forLoop(I, M, rows),
    ...bump(A, [...get(M), ...get(K4), ...MUL]),
    ...bump(B, [...get(K), ...get(N4), ...MUL]),
    ...bump(C, [...get(M), ...get(N4), ...MUL]),
    ...bump(BI, i32(1)),
  ];
  const code = [
    ...get(K), ...i32(2), ...SHL, ...set(K4),
    ...get(N), ...i32(2), ...SHL, ...set(N4),
    ...i32(0), ...set(BI),
    ...forLoop(BI, BATCH, batches),
  ];
  return { name: 'bmm', params: 7, locals: [[12, I32], [11, V128]], code };
}

const kernels = new WasmKernels(() => [bmmFunction()]);

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
