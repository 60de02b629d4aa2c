/**
 * StochGRASP's local-reparameterisation term for one row group (R = 1), on rows n and columns j:
 *
 *   out = y + b + s₁⊗μ̂ + ξ⊙(s₂⊗σ̂),   s₁ = Σ_i x_i, s₂ = √(Σ_i x_i² + 1e-20) per row of the input x,
 *
 * μ̂, σ̂ [D] per-column parameters, b an optional bias and ξ [N, D] element n·D + j of a keyed
 * counter-based stream of normals (random.ts, `fillKeyedNormal`: a keyed integer hash, then
 * Box–Muller). Without σ̂ (evaluation, grasp-weight) the noise part is absent. Backward, for an
 * upstream gradient dy and g = dy⊙ξ:
 *
 *   r₁ = dy·μ̂ᵀ,  r₂ = g·σ̂ᵀ  [N, 1];   dμ̂ = s₁ᵀ·dy,  dσ̂ = s₂ᵀ·g  [D];   dx = r₁ + x⊙(r₂/s₂).
 *
 * On wasm each direction is one WebAssembly SIMD pass over [N, D] (WAT source: wat/local-noise.wat.ts). The forward pass
 * draws ξ itself — the hash and the Box–Muller transform four lanes at a time, the same float32
 * operations as the JavaScript reference — and writes it out for the backward pass (redrawing it
 * there cost more than storing it; drawing it into a tensor first, as before, cost a separate pass).
 * The bias joins the forward pass and the frozen layer's own input gradient the input-gradient pass
 * (linear.ts folds the term into the layer's op). Other backends, and widths the kernels do not take
 * (D % 16 ≠ 0 with noise, D % 4 ≠ 0 without), compose tf ops with ξ from `keyedNormalTensor`: the same
 * numbers.
 */
import { customOp } from './custom.js';
import { tf } from './engine.js';
import { fillKeyedNormal, filledTensor, type NoiseKey } from './random.js';
import { given, onceOnWasm, registerHeapKernel, wasmApi, type WasmMemory } from './wasm-heap.js';
import { WasmKernels } from './wasm-kernels.js';

/** The term a layer adds to its output: μ̂ and σ̂ [D] or [1, D]; `key` keys the noise (required with σ̂). */
export interface LocalTerm {
  mu: tf.Tensor;
  sigma: tf.Tensor | null;
  key: NoiseKey | null;
}

// ── kernels ─────────────────────────────────────────────────────────────────────────────────

/** The kernels' WAT source, all variants (forward/backward/inputGrad × mean/noise, rowStats, fill): wat/local-noise.wat.ts. */
const kernels = new WasmKernels('localNoise');
const variant = (base: string, noisy: boolean, extra = false) => `${base}_${noisy ? 'noise' : 'mean'}${extra ? '_plus' : ''}`;

const TERM = 'GraspHilLocalTerm', TERM_GRAD = 'GraspHilLocalTermGrad', ROW_STATS = 'GraspHilRowStats', INPUT_GRAD = 'GraspHilLocalTermInputGrad';

const register = onceOnWasm(() => {
  const fns = (backend: unknown) => kernels.forBackend(backend);
  registerHeapKernel(TERM, ['y', 'bias', 's1', 's2', 'mu', 'sigma'], ([[n, d], , , , , sigma]) => (given(sigma) ? [[n, d], [n, d]] : [[n, d]]), (b, off, shapes, attrs) => {
    const [[n, d], bias, , , , sigma] = shapes;
    const [y, bs, s1, s2, mu, sg, out, xi = 0] = off;
    fns(b)[variant('forward', given(sigma), given(bias))](y, bs, s1, s2, mu, sg, out, xi, n, d, attrs.k1 as number, attrs.k2 as number);
  });
  registerHeapKernel(
    TERM_GRAD, ['dy', 'xi', 's1', 's2', 'mu', 'sigma'],
    ([[n], , , , mu, sigma]) => (given(sigma) ? [mu, sigma, [n, 1], [n, 1]] : [mu, [n, 1]]),
    (b, off, shapes) => {
      const [[n, d], , , , , sigma] = shapes;
      const [dy, xi, s1, s2, mu, sg, ...outs] = off;
      const [dMu, dSigma, r1, r2] = given(sigma) ? outs : [outs[0], 0, outs[1], 0];
      fns(b)[variant('backward', given(sigma))](dy, xi, s1, s2, mu, sg, dMu, dSigma, r1, r2, n, d);
    },
  );
  registerHeapKernel(ROW_STATS, ['x'], ([[n]]) => [[n, 1], [n, 1]], (b, off, [[n, d]]) => fns(b).rowStats(...off, n, d));
  registerHeapKernel(INPUT_GRAD, ['x', 'dh', 'r1', 'r2', 's2'], ([[n, d]]) => [[n, d]], (b, off, shapes) => {
    const [[n, d], dh, , r2] = shapes;
    fns(b)[variant('inputGrad', given(r2), given(dh))](...off, n, d);
  });
}, () => kernels.available());

/** The SIMD kernels take 4 columns at a time, and 16 (two blocks of the noise stream) with noise. */
const fast = (d: number, noisy: boolean) => tf.getBackend() === 'wasm' && d % (noisy ? 16 : 4) === 0 && register();

/**
 * A tensor holding elements 0 … size − 1 of the keyed stream (random.ts, `fillKeyedNormal`) in
 * row-major order. Whole pairs of blocks (16) come from the SIMD kernel (≈ 2 ns per normal here, against
 * ≈ 20 ns for the JavaScript reference, which fills the tail): on wasm straight into the tensor's heap
 * memory, on other backends into a WebAssembly memory of its own, then copied. The same numbers.
 */
export function keyedNormalTensor(shape: number[], key: NoiseKey): tf.Tensor {
  return filledTensor(shape, (out, wasmBackend) => {
    const whole = kernels.available() ? Math.floor(out.length / 16) * 16 : 0;
    if (whole > 0 && wasmBackend) {
      kernels.forBackend(wasmBackend).fill(out.byteOffset, whole / 16, key[0], key[1]);
    } else if (whole > 0) {
      const memory = offHeap(whole * 4);
      kernels.forMemory(memory).fill(0, whole / 16, key[0], key[1]);
      out.set(new Float32Array(memory.buffer, 0, whole));
    }
    fillKeyedNormal(key, out, whole);
  });
}

const PAGE = 65536;
let scratch: (WasmMemory & { grow(pages: number): number }) | null = null;
/** A WebAssembly memory of at least `bytes` for off-heap fills (grows, never shrinks). */
function offHeap(bytes: number) {
  const pages = Math.ceil(bytes / PAGE);
  if (!scratch) scratch = new wasmApi.Memory({ initial: pages });
  else if (scratch.buffer.byteLength < bytes) scratch.grow(pages - scratch.buffer.byteLength / PAGE);
  return scratch;
}

function checkKey(term: LocalTerm): NoiseKey {
  if (!term.key) throw new Error('localTerm: a noise key is required with σ̂');
  return term.key;
}

// ── the three passes ────────────────────────────────────────────────────────────────────────

/**
 * y [+ b] + s₁⊗μ̂ [+ ξ⊙(s₂⊗σ̂)]: y [N, D]; b, μ̂, σ̂ [D] or [1, D]; s₁, s₂ [N, 1]. Returns the value and
 * the noise ξ [N, D] it drew (null without σ̂), which the backward pass takes.
 */
export function localTerm(y: tf.Tensor2D, bias: tf.Tensor | null, s1: tf.Tensor2D, s2: tf.Tensor2D, term: LocalTerm): { value: tf.Tensor2D; xi: tf.Tensor2D | null } {
  const [n, d] = y.shape;
  const { mu, sigma } = term;
  const key = sigma ? checkKey(term) : null;
  if (fast(d, !!sigma)) {
    const inputs: tf.NamedTensorMap = { y, s1, s2, mu, ...(bias ? { bias } : {}), ...(sigma ? { sigma } : {}) };
    const outs = tf.engine().runKernel(TERM, inputs, { k1: key?.[0] ?? 0, k2: key?.[1] ?? 0 }) as tf.Tensor2D | tf.Tensor2D[];
    return Array.isArray(outs) ? { value: outs[0], xi: outs[1] } : { value: outs, xi: null };
  }
  const mean = tf.add(bias ? tf.add(y, bias) : y, tf.mul(s1, mu)) as tf.Tensor2D;
  if (!sigma) return { value: mean, xi: null };
  const xi = keyedNormalTensor([n, d], key!) as tf.Tensor2D;
  return { value: tf.add(mean, tf.mul(xi, tf.mul(s2, sigma))), xi };
}

/**
 * The backward reductions of `localTerm` for dy [N, D], given the ξ it drew (null without σ̂): dμ̂, dσ̂
 * (shaped like μ̂, σ̂), r₁, r₂ [N, 1].
 */
export function localTermGrad(dy: tf.Tensor2D, xi: tf.Tensor2D | null, s1: tf.Tensor2D, s2: tf.Tensor2D, mu: tf.Tensor, sigma: tf.Tensor | null): {
  dMu: tf.Tensor; dSigma: tf.Tensor | null; r1: tf.Tensor2D; r2: tf.Tensor2D | null;
} {
  if (!sigma !== !xi) throw new Error('localTermGrad: σ̂ and ξ go together');
  if (fast(dy.shape[1], false)) {
    const inputs: tf.NamedTensorMap = { dy, s1, s2, mu, ...(sigma ? { sigma, xi: xi! } : {}) };
    const outs = tf.engine().runKernel(TERM_GRAD, inputs, {}) as tf.Tensor[];
    return sigma ? { dMu: outs[0], dSigma: outs[1], r1: outs[2] as tf.Tensor2D, r2: outs[3] as tf.Tensor2D } : { dMu: outs[0], dSigma: null, r1: outs[1] as tf.Tensor2D, r2: null };
  }
  const colSum = (m: tf.Tensor, like: tf.Tensor) => tf.reshape(tf.sum(m, 0), like.shape);
  const rowSum = (m: tf.Tensor) => tf.sum(m, 1, true) as tf.Tensor2D;
  const dMu = colSum(tf.mul(dy, s1), mu), r1 = rowSum(tf.mul(dy, mu));
  if (!sigma) return { dMu, dSigma: null, r1, r2: null };
  const g = tf.mul(dy, xi!);
  return { dMu, dSigma: colSum(tf.mul(g, s2), sigma), r1, r2: rowSum(tf.mul(g, sigma)) };
}

/** Per-row s₁ = Σ_j x_j and s₂ = √(Σ_j x_j² + 1e-20) of x [N, D] → [N, 1] each. */
export function rowStats(x: tf.Tensor2D): { s1: tf.Tensor2D; s2: tf.Tensor2D } {
  if (fast(x.shape[1], false)) {
    const [s1, s2] = tf.engine().runKernel(ROW_STATS, { x }, {}) as tf.Tensor2D[];
    return { s1, s2 };
  }
  return { s1: tf.sum(x, 1, true) as tf.Tensor2D, s2: tf.sqrt(tf.add(tf.sum(tf.square(x), 1, true), 1e-20)) as tf.Tensor2D };
}

/**
 * dx = [dh +] r₁ [+ x⊙(r₂/s₂)] for x [N, D]: the gradient reaching x through `rowStats`, plus the
 * layer's own input gradient dh when the term is folded into it.
 */
export function localTermInputGrad(x: tf.Tensor2D, dh: tf.Tensor2D | null, r1: tf.Tensor2D, r2: tf.Tensor2D | null, s2: tf.Tensor2D): tf.Tensor2D {
  const [n, d] = x.shape;
  if (fast(d, false)) return tf.engine().runKernel(INPUT_GRAD, { x, r1, s2, ...(dh ? { dh } : {}), ...(r2 ? { r2 } : {}) }, {}) as tf.Tensor2D;
  let dx: tf.Tensor = r2 ? tf.add(r1, tf.mul(x, tf.div(r2, s2))) : tf.mul(r1, tf.ones([1, d]));
  if (dh) dx = tf.add(dh, dx);
  return tf.reshape(dx, [n, d]);
}

/**
 * y + the term of input x, as its own op (when it cannot join a frozen layer's op): y [..., D_out],
 * x [..., D_in] with the same leading dimensions. Gradients flow to y, x, μ̂ and σ̂.
 */
export function addLocalTerm(y: tf.Tensor, x: tf.Tensor, term: LocalTerm): tf.Tensor {
  const dout = y.shape[y.rank - 1], din = x.shape[x.rank - 1];
  const flat = (t: tf.Tensor, d: number) => (t.rank === 2 ? t : tf.reshape(t, [-1, d])) as tf.Tensor2D;
  const { key } = term;
  const op = customOp((inputs, save) => {
    const [ys, xs, mu, sigma = null] = inputs as tf.Tensor2D[];
    const { s1, s2 } = rowStats(xs);
    const { value, xi } = localTerm(ys, null, s1, s2, { mu, sigma, key });
    save([xs, s1, s2, mu, ...(sigma ? [sigma, xi!] : [])]);
    return {
      value,
      gradFunc: (dy, [sx, ss1, ss2, smu, ssigma = null, sxi = null]) => {
        const g = localTermGrad(dy as tf.Tensor2D, sxi as tf.Tensor2D | null, ss1 as tf.Tensor2D, ss2 as tf.Tensor2D, smu, ssigma);
        const dx = localTermInputGrad(sx as tf.Tensor2D, null, g.r1, g.r2, ss2 as tf.Tensor2D);
        return [dy, dx, g.dMu, ...(g.dSigma ? [g.dSigma] : [])];
      },
    };
  });
  const out = op(flat(y, dout), flat(x, din), term.mu, ...(term.sigma ? [term.sigma] : []));
  return y.rank === 2 ? out : tf.reshape(out, y.shape);
}
