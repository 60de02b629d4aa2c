/**
 * out = y + s₁⊗μ̂ + ξ⊙(s₂⊗σ̂) over rows n and columns j, and the four reductions of its backward
 * pass — StochGRASP's local-reparameterisation term for one row group (R = 1), where s₁, s₂ [N, 1]
 * are per-token row statistics, μ̂, σ̂ [1, D] per-column parameters and ξ [N, D] fresh noise:
 *
 *   r₁ = dy·μ̂ᵀ,   r₂ = (dy⊙ξ)·σ̂ᵀ   [N, 1];    dμ̂ = s₁ᵀ·dy,   dσ̂ = s₂ᵀ·(dy⊙ξ)   [1, D].
 *
 * Composed from tf ops this is a dozen kernels and as many passes over [N, D] per Site and step; on
 * wasm both directions are one pass each of a small WebAssembly SIMD kernel (wasm-encoder.ts); with
 * rowStats and localNoiseInputGrad below they took StochGRASP's training step on the shipped model
 * from ≈ 1.25× to ≈ 1.1× LoRA r=8's (bench/train).
 * Other backends, and D % 4 ≠ 0, use the tf ops. No gradient is registered: the caller's op has a
 * hand-written one.
 */
import { tf } from './engine.js';
import {
  ADD, at, at4, bump, f32, F32_ADD, F32_DIV, F32_SQRT, f32Load, f32Store, F32X4_ADD, F32X4_MUL, F32X4_SPLAT, forLoop, get, i32, I32, laneSum, load, MUL, set, SHL,
  splatAt, store, V128,
  WasmKernels, ZERO, type WasmFunction,
} from './wasm-encoder.js';
import { onceOnWasm, registerHeapKernel } from './wasm-heap.js';

const FORWARD = 'GraspHilLocalNoise', BACKWARD = 'GraspHilLocalNoiseGrad';


function forwardFunction(): WasmFunction {
  const [Y, XI, S1, S2, MU, SG, OUT, N, D] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const [ROW, J, ROWOFF, D4, P, JB] = [9, 10, 11, 12, 13, 14];
  const [A, B] = [15, 16];
  const cols = [
    ...get(J), ...i32(2), ...SHL, ...set(JB),
    ...get(ROWOFF), ...get(JB), ...ADD, ...set(P),
    ...at(OUT, P),
    ...at(Y, P), ...load(),
    ...get(A), ...at(MU, JB), ...load(), ...F32X4_MUL, ...F32X4_ADD,
    ...at(XI, P), ...load(), ...get(B), ...F32X4_MUL, ...at(SG, JB), ...load(), ...F32X4_MUL, ...F32X4_ADD,
    ...store(),
    ...bump(J, i32(4)),
  ];
  const rows = [
    ...splatAt(S1, ROW), ...set(A),
    ...splatAt(S2, ROW), ...set(B),
    ...get(ROW), ...get(D4), ...MUL, ...set(ROWOFF),
    ...i32(0), ...set(J), ...forLoop(J, D, cols),
    ...bump(ROW, i32(1)),
  ];
  const code = [...get(D), ...i32(2), ...SHL, ...set(D4), ...i32(0), ...set(ROW), ...forLoop(ROW, N, rows)];
  return { name: 'forward', params: 9, locals: [[6, I32], [2, V128]], code };
}

function backwardFunction(): WasmFunction {
  const [DY, XI, S1, S2, MU, SG, DMU, DSG, R1, R2, N, D] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
  const [ROW, J, ROWOFF, D4, P, JB] = [12, 13, 14, 15, 16, 17];
  const [A, B, ACC1, ACC2, DV, G] = [18, 19, 20, 21, 22, 23];
  const zero = [
    ...get(J), ...i32(2), ...SHL, ...set(JB),
    ...at(DMU, JB), ...ZERO, ...store(),
    ...at(DSG, JB), ...ZERO, ...store(),
    ...bump(J, i32(4)),
  ];
  const cols = [
    ...get(J), ...i32(2), ...SHL, ...set(JB),
    ...get(ROWOFF), ...get(JB), ...ADD, ...set(P),
    ...at(DY, P), ...load(), ...set(DV),
    ...get(DV), ...at(XI, P), ...load(), ...F32X4_MUL, ...set(G),
    ...get(ACC1), ...get(DV), ...at(MU, JB), ...load(), ...F32X4_MUL, ...F32X4_ADD, ...set(ACC1),
    ...get(ACC2), ...get(G), ...at(SG, JB), ...load(), ...F32X4_MUL, ...F32X4_ADD, ...set(ACC2),
    ...at(DMU, JB), ...at(DMU, JB), ...load(), ...get(DV), ...get(A), ...F32X4_MUL, ...F32X4_ADD, ...store(),
    ...at(DSG, JB), ...at(DSG, JB), ...load(), ...get(G), ...get(B), ...F32X4_MUL, ...F32X4_ADD, ...store(),
    ...bump(J, i32(4)),
  ];
  const rows = [
    ...splatAt(S1, ROW), ...set(A),
    ...splatAt(S2, ROW), ...set(B),
    ...ZERO, ...set(ACC1), ...ZERO, ...set(ACC2),
    ...get(ROW), ...get(D4), ...MUL, ...set(ROWOFF),
    ...i32(0), ...set(J), ...forLoop(J, D, cols),
    ...at4(R1, ROW), ...laneSum(ACC1), ...f32Store(),
    ...at4(R2, ROW), ...laneSum(ACC2), ...f32Store(),
    ...bump(ROW, i32(1)),
  ];
  const code = [
    ...get(D), ...i32(2), ...SHL, ...set(D4),
    ...i32(0), ...set(J), ...forLoop(J, D, zero),
    ...i32(0), ...set(ROW), ...forLoop(ROW, N, rows),
  ];
  return { name: 'backward', params: 12, locals: [[6, I32], [6, V128]], code };
}

/** s₁ = Σ_j x_j and s₂ = √(Σ_j x_j² + 1e-20) per row of x [N, D]. */
function rowStatsFunction(): WasmFunction {
  const [X, S1, S2, N, D] = [0, 1, 2, 3, 4];
  const [ROW, J, P] = [5, 6, 7];
  const [ACC1, ACC2, V] = [8, 9, 10];
  const cols = [
    ...at(X, P), ...load(), ...set(V),
    ...get(ACC1), ...get(V), ...F32X4_ADD, ...set(ACC1),
    ...get(ACC2), ...get(V), ...get(V), ...F32X4_MUL, ...F32X4_ADD, ...set(ACC2),
    ...bump(P, i32(16)),
    ...bump(J, i32(4)),
  ];
  const rows = [
    ...ZERO, ...set(ACC1), ...ZERO, ...set(ACC2),
    ...i32(0), ...set(J), ...forLoop(J, D, cols),
    ...at4(S1, ROW), ...laneSum(ACC1), ...f32Store(),
    ...at4(S2, ROW), ...laneSum(ACC2), ...f32(1e-20), ...F32_ADD, ...F32_SQRT, ...f32Store(),
    ...bump(ROW, i32(1)),
  ];
  return { name: 'rowStats', params: 5, locals: [[3, I32], [3, V128]], code: [...i32(0), ...set(P), ...i32(0), ...set(ROW), ...forLoop(ROW, N, rows)] };
}

/** dx = r₁ + x⊙(r₂/s₂) per row: the input gradient of the term through s₁ and s₂. */
function inputGradFunction(): WasmFunction {
  const [X, R1, R2, S2, DX, N, D] = [0, 1, 2, 3, 4, 5, 6];
  const [ROW, J, P] = [7, 8, 9];
  const [A, C] = [10, 11];
  const cols = [
    ...at(DX, P), ...get(A), ...at(X, P), ...load(), ...get(C), ...F32X4_MUL, ...F32X4_ADD, ...store(),
    ...bump(P, i32(16)),
    ...bump(J, i32(4)),
  ];
  const rows = [
    ...splatAt(R1, ROW), ...set(A),
    ...at4(R2, ROW), ...f32Load(), ...at4(S2, ROW), ...f32Load(), ...F32_DIV, ...F32X4_SPLAT, ...set(C),
    ...i32(0), ...set(J), ...forLoop(J, D, cols),
    ...bump(ROW, i32(1)),
  ];
  return { name: 'inputGrad', params: 7, locals: [[3, I32], [2, V128]], code: [...i32(0), ...set(P), ...i32(0), ...set(ROW), ...forLoop(ROW, N, rows)] };
}

const kernels = new WasmKernels(() => [forwardFunction(), backwardFunction(), rowStatsFunction(), inputGradFunction()]);
const ROW_STATS = 'GraspHilRowStats', INPUT_GRAD = 'GraspHilLocalNoiseInputGrad';
const register = onceOnWasm(() => {
  const fns = (backend: unknown) => kernels.forBackend(backend);
  const TERMS = ['xi', 's1', 's2', 'mu', 'sigma'];
  registerHeapKernel(FORWARD, ['y', ...TERMS], ([[n, d]]) => [[n, d]], (b, off, [[n, d]]) => fns(b).forward(...off, n, d));
  registerHeapKernel(BACKWARD, ['dy', ...TERMS], ([[n, d]]) => [[1, d], [1, d], [n, 1], [n, 1]], (b, off, [[n, d]]) => fns(b).backward(...off, n, d));
  registerHeapKernel(ROW_STATS, ['x'], ([[n]]) => [[n, 1], [n, 1]], (b, off, [[n, d]]) => fns(b).rowStats(...off, n, d));
  registerHeapKernel(INPUT_GRAD, ['x', 'r1', 'r2', 's2'], ([[n, d]]) => [[n, d]], (b, off, [[n, d]]) => fns(b).inputGrad(...off, n, d));
}, () => kernels.available());

const fast = (d: number) => tf.getBackend() === 'wasm' && d % 4 === 0 && register();

/** y + s₁⊗μ̂ + ξ⊙(s₂⊗σ̂): y, ξ [N, D]; s₁, s₂ [N, 1]; μ̂, σ̂ [1, D]. */
export function localNoise(y: tf.Tensor2D, xi: tf.Tensor2D, s1: tf.Tensor2D, s2: tf.Tensor2D, mu: tf.Tensor2D, sigma: tf.Tensor2D): tf.Tensor2D {
  if (fast(y.shape[1])) return tf.engine().runKernel(FORWARD, { y, xi, s1, s2, mu, sigma }, {}) as tf.Tensor2D;
  return tf.add(tf.add(y, tf.mul(s1, mu)), tf.mul(xi, tf.mul(s2, sigma)));
}

/** The backward reductions of `localNoise` for an upstream gradient dy [N, D]. */
export function localNoiseGrad(dy: tf.Tensor2D, xi: tf.Tensor2D, s1: tf.Tensor2D, s2: tf.Tensor2D, mu: tf.Tensor2D, sigma: tf.Tensor2D): {
  dMu: tf.Tensor2D; dSigma: tf.Tensor2D; r1: tf.Tensor2D; r2: tf.Tensor2D;
} {
  if (fast(dy.shape[1])) {
    const [dMu, dSigma, r1, r2] = tf.engine().runKernel(BACKWARD, { dy, xi, s1, s2, mu, sigma }, {}) as tf.Tensor2D[];
    return { dMu, dSigma, r1, r2 };
  }
  const g = tf.mul(dy, xi);
  const colSum = (m: tf.Tensor) => tf.sum(m, 0, true) as tf.Tensor2D;
  return {
    dMu: colSum(tf.mul(dy, s1)), dSigma: colSum(tf.mul(g, s2)),
    r1: tf.sum(tf.mul(dy, mu), 1, true) as tf.Tensor2D, r2: tf.sum(tf.mul(g, sigma), 1, true) as tf.Tensor2D,
  };
}

/** Per-row s₁ = Σ_j x_j and s₂ = √(Σ_j x_j² + 1e-20) of x [N, D] → [N, 1] each. */
export function rowStats(x: tf.Tensor2D): { s1: tf.Tensor2D; s2: tf.Tensor2D } {
  if (fast(x.shape[1])) {
    const [s1, s2] = tf.engine().runKernel(ROW_STATS, { x }, {}) as tf.Tensor2D[];
    return { s1, s2 };
  }
  return { s1: tf.sum(x, 1, true) as tf.Tensor2D, s2: tf.sqrt(tf.add(tf.sum(tf.square(x), 1, true), 1e-20)) as tf.Tensor2D };
}

/** dx = r₁ + x⊙(r₂/s₂): the gradient reaching x [N, D] through `rowStats` from r₁ = ∂/∂s₁, r₂ = ∂/∂s₂·… (see localNoiseGrad). */
export function localNoiseInputGrad(x: tf.Tensor2D, r1: tf.Tensor2D, r2: tf.Tensor2D, s2: tf.Tensor2D): tf.Tensor2D {
  if (fast(x.shape[1])) return tf.engine().runKernel(INPUT_GRAD, { x, r1, r2, s2 }, {}) as tf.Tensor2D;
  return tf.add(r1, tf.mul(x, tf.div(r2, s2)));
}
