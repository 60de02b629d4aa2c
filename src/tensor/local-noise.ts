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
 * On wasm each direction is one WebAssembly SIMD pass over [N, D] (wasm-encoder.ts). The forward pass
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
import { fillKeyedNormal, filledTensor, KEYED, type NoiseKey } from './random.js';
import {
  ADD, uleb, at, at4, bump, f32, F32_ADD, F32_DIV, F32_SQRT, f32Load, f32SplatConst, f32Store, F32X4_ADD, F32X4_DIV, F32X4_FROM_I32X4, F32X4_GT, F32X4_MUL, F32X4_SPLAT,
  F32X4_SQRT, F32X4_SUB, forLoop, get, i32, I32, i32SplatConst, I32X4_ADD, i32x4Const, I32X4_MUL, I32X4_SHL, I32X4_SHR_S, I32X4_SHR_U, I32X4_SPLAT, I32X4_SUB,
  laneSum, load, MUL, set, SHL, SHR_U, splatAt, store, V128, V128_AND, V128_BITSELECT, V128_OR, V128_XOR, WasmKernels, ZERO, type WasmFunction,
} from './wasm-encoder.js';
import { given, onceOnWasm, registerHeapKernel, wasmApi, type WasmMemory } from './wasm-heap.js';

/** The term a layer adds to its output: μ̂ and σ̂ [D] or [1, D]; `key` keys the noise (required with σ̂). */
export interface LocalTerm {
  mu: tf.Tensor;
  sigma: tf.Tensor | null;
  key: NoiseKey | null;
}

// ── kernels ─────────────────────────────────────────────────────────────────────────────────

/**
 * v128 locals of the in-kernel noise (`noiseStatements`): pv holds the counters of the four words of
 * the 8-column block being drawn, k1/k2 the key, z0/z1 the result (r·cos, r·sin), the rest temporaries.
 */
const NAMES = ['pv', 'k1', 'k2', 'h', 'm', 'e', 's', 's2', 'p', 'r', 'lo', 'phi', 'mask', 'sn', 'cs', 'z0', 'z1'] as const;
type NoiseLocals = Record<(typeof NAMES)[number], number>;
/** Working locals of a block, the rest shared by the two blocks drawn together. */
const OWN = ['pv', 'h', 'm', 'e', 's', 's2', 'p', 'r', 'lo', 'phi', 'mask', 'sn', 'cs', 'z0', 'z1'] as const;

/** The locals of two blocks drawn together, numbered from `first`; `count` v128 locals in all. */
function noiseLocalsPair(first: number): { a: NoiseLocals; b: NoiseLocals; count: number } {
  const a = Object.fromEntries(NAMES.map((n, i) => [n, first + i])) as unknown as NoiseLocals;
  const b = { ...a, ...Object.fromEntries(OWN.map((n, i) => [n, first + NAMES.length + i])) } as NoiseLocals;
  return { a, b, count: NAMES.length + OWN.length };
}

/** Splats the key words (i32 params) into their locals. */
const noiseSetup = (l: NoiseLocals, k1: number, k2: number) => [...get(k1), ...I32X4_SPLAT, ...set(l.k1), ...get(k2), ...I32X4_SPLAT, ...set(l.k2)];

/** pv = row·D/2 + [0, 1, 2, 3] at the start of a row (`row`, `d` are i32 locals; D % 16 = 0). */
const noiseRow = (l: NoiseLocals, row: number, d: number) => [
  ...get(row), ...get(d), ...MUL, ...i32(1), ...SHR_U, ...I32X4_SPLAT, ...i32x4Const(0, 1, 2, 3), ...I32X4_ADD, ...set(l.pv),
];

/**
 * The statements drawing the normals of one 8-column block into z0 (columns +0 … +3) and z1
 * (+4 … +7), then pv += step: `keyedWord` and `boxMuller` of random.ts, lane-wise, operation for
 * operation. Each statement ends in a local.set (marked −1 while building, to split on).
 */
function noiseStatements(l: NoiseLocals, step: number): number[][] {
  const set = (local: number) => [0x21, ...uleb(local), -1];
  const [f32Splat, i32Splat] = [f32SplatConst, i32SplatConst];
  const xorShr = (n: number) => [...get(l.h), ...get(l.h), ...i32(n), ...I32X4_SHR_U, ...V128_XOR];
  const horner = (coefs: readonly number[], x: number) => [
    ...f32Splat(coefs[0]), ...coefs.slice(1).flatMap((c) => [...get(x), ...F32X4_MUL, ...f32Splat(c), ...F32X4_ADD]),
    ...get(x), ...F32X4_MUL, ...f32Splat(1), ...F32X4_ADD,
  ];
  const SIGN = i32Splat(0x80000000 | 0);
  const flat = [
    // keyedWord: triple32 of c ⊕ k₁ with k₂ after the first round
    ...get(l.pv), ...get(l.k1), ...V128_XOR, ...set(l.h),
    ...xorShr(17), ...i32Splat(KEYED.m1), ...I32X4_MUL, ...set(l.h),
    ...xorShr(11), ...get(l.k2), ...V128_XOR, ...i32Splat(KEYED.m2), ...I32X4_MUL, ...set(l.h),
    ...xorShr(15), ...i32Splat(KEYED.m3), ...I32X4_MUL, ...set(l.h),
    ...xorShr(14), ...set(l.h),
    // radius: u₁ = (h >>> 12) + ½ = m·2^e (m ∈ [√½, √2)), ln u₁ − 20 ln 2 = (e − 20)·ln 2 + ln m
    ...get(l.h), ...i32(12), ...I32X4_SHR_U, ...F32X4_FROM_I32X4, ...f32Splat(0.5), ...F32X4_ADD, ...set(l.m),
    ...get(l.m), ...i32(23), ...I32X4_SHR_U, ...i32Splat(147), ...I32X4_SUB, ...set(l.e),
    ...get(l.m), ...i32Splat(0x7fffff), ...V128_AND, ...i32Splat(0x3f800000), ...V128_OR, ...set(l.m),
    ...get(l.m), ...f32Splat(KEYED.sqrt2), ...F32X4_GT, ...set(l.mask),
    ...get(l.m), ...f32Splat(0.5), ...F32X4_MUL, ...get(l.m), ...get(l.mask), ...V128_BITSELECT, ...set(l.m),
    ...get(l.e), ...get(l.mask), ...I32X4_SUB, ...set(l.e),
    ...get(l.m), ...f32Splat(1), ...F32X4_SUB, ...get(l.m), ...f32Splat(1), ...F32X4_ADD, ...F32X4_DIV, ...set(l.s),
    ...get(l.s), ...get(l.s), ...F32X4_MUL, ...set(l.s2),
    ...horner(KEYED.log, l.s2), ...set(l.p),
    ...get(l.e), ...F32X4_FROM_I32X4, ...f32Splat(KEYED.ln2), ...F32X4_MUL,
    ...get(l.s), ...get(l.s), ...F32X4_ADD, ...get(l.p), ...F32X4_MUL, ...F32X4_ADD,
    ...f32Splat(-2), ...F32X4_MUL, ...F32X4_SQRT, ...set(l.r),
    // angle: quadrant from bits 10–11, sin and cos of the quarter-turn φ = ((h & 0x3ff) + ½)·π/2048
    ...get(l.h), ...i32Splat(0xfff), ...V128_AND, ...set(l.lo),
    ...get(l.lo), ...i32Splat(0x3ff), ...V128_AND, ...F32X4_FROM_I32X4, ...f32Splat(0.5), ...F32X4_ADD, ...f32Splat(KEYED.angle), ...F32X4_MUL, ...set(l.phi),
    ...get(l.phi), ...get(l.phi), ...F32X4_MUL, ...set(l.s2),
    ...horner(KEYED.sin, l.s2), ...get(l.phi), ...F32X4_MUL, ...set(l.sn),
    ...horner(KEYED.cos, l.s2), ...set(l.cs),
    ...get(l.lo), ...i32(21), ...I32X4_SHL, ...i32(31), ...I32X4_SHR_S, ...set(l.mask),
    // z0 = r·(±(swap ? sin : cos)), negative in quadrants 1, 2; z1 = r·(±(swap ? cos : sin)), negative in 2, 3
    ...get(l.sn), ...get(l.cs), ...get(l.mask), ...V128_BITSELECT,
    ...get(l.lo), ...i32(21), ...I32X4_SHL, ...get(l.lo), ...i32(20), ...I32X4_SHL, ...V128_XOR, ...SIGN, ...V128_AND, ...V128_XOR,
    ...get(l.r), ...F32X4_MUL, ...set(l.z0),
    ...get(l.cs), ...get(l.sn), ...get(l.mask), ...V128_BITSELECT,
    ...get(l.lo), ...i32(20), ...I32X4_SHL, ...SIGN, ...V128_AND, ...V128_XOR,
    ...get(l.r), ...F32X4_MUL, ...set(l.z1),
    ...get(l.pv), ...i32Splat(step), ...I32X4_ADD, ...set(l.pv),
  ];
  const out: number[][] = [[]];
  for (const b of flat) {
    if (b === -1) out.push([]);
    else out[out.length - 1].push(b);
  }
  return out.filter((st) => st.length > 0);
}

/** Two blocks' statements interleaved (independent chains side by side for the out-of-order core). */
function noisePairs(a: NoiseLocals, b: NoiseLocals): number[] {
  const sa = noiseStatements(a, 8), sb = noiseStatements(b, 8);
  return sa.flatMap((st, i) => [...st, ...sb[i]]);
}

const variant = (base: string, noisy: boolean, extra = false) => `${base}_${noisy ? 'noise' : 'mean'}${extra ? '_plus' : ''}`;

/**
 * The column loop of a kernel: `body(z)` handles the four columns at local `j` (byte offset `jb`,
 * flat byte offset `p` = rowoff + jb); with noise, 16 columns at a time: two blocks' draws,
 * interleaved (two independent dependency chains: ≈ 20 % faster than one block at a time), then
 * z0, z1 of the first block and z0, z1 of the second to the four groups of four columns.
 */
function columnLoop(j: number, jb: number, p: number, rowoff: number, d: number, l: { a: NoiseLocals; b: NoiseLocals } | null, body: (z: number | null) => number[]): number[] {
  const four = (z: number | null) => [
    ...get(j), ...i32(2), ...SHL, ...set(jb),
    ...get(rowoff), ...get(jb), ...ADD, ...set(p),
    ...body(z),
    ...bump(j, i32(4)),
  ];
  const step = l ? [...noisePairs(l.a, l.b), ...four(l.a.z0), ...four(l.a.z1), ...four(l.b.z0), ...four(l.b.z1)] : four(null);
  return [...i32(0), ...set(j), ...forLoop(j, d, step)];
}

/** out = y [+ b] + s₁⊗μ̂ [+ ξ⊙(s₂⊗σ̂)], with ξ also written to XI. Params: Y, B, S1, S2, MU, SG, OUT, XI, N, D, K1, K2. */
function forwardFunction(noisy: boolean, biased: boolean): WasmFunction {
  const [Y, B, S1, S2, MU, SG, OUT, XI, N, D, K1, K2] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
  const [ROW, J, ROWOFF, D4, P, JB] = [12, 13, 14, 15, 16, 17];
  const [A, BB] = [18, 19];
  const l = noisy ? noiseLocalsPair(20) : null;
  const body = (z: number | null) => [
    ...(z !== null ? [...at(XI, P), ...get(z), ...store()] : []),
    ...at(OUT, P),
    ...at(Y, P), ...load(),
    ...(biased ? [...at(B, JB), ...load(), ...F32X4_ADD] : []),
    ...get(A), ...at(MU, JB), ...load(), ...F32X4_MUL, ...F32X4_ADD,
    ...(z !== null ? [...get(z), ...get(BB), ...F32X4_MUL, ...at(SG, JB), ...load(), ...F32X4_MUL, ...F32X4_ADD] : []),
    ...store(),
  ];
  const rows = [
    ...splatAt(S1, ROW), ...set(A),
    ...(l ? [...splatAt(S2, ROW), ...set(BB), ...noiseRow(l.a, ROW, D), ...get(l.a.pv), ...i32SplatConst(4), ...I32X4_ADD, ...set(l.b.pv)] : []),
    ...get(ROW), ...get(D4), ...MUL, ...set(ROWOFF),
    ...columnLoop(J, JB, P, ROWOFF, D, l, body),
    ...bump(ROW, i32(1)),
  ];
  const code = [...(l ? noiseSetup(l.a, K1, K2) : []), ...get(D), ...i32(2), ...SHL, ...set(D4), ...i32(0), ...set(ROW), ...forLoop(ROW, N, rows)];
  return { name: variant('forward', noisy, biased), params: 12, locals: [[6, I32], [2 + (l ? l.count : 0), V128]], code };
}

/** dμ̂, r₁ [and dσ̂, r₂ with the forward pass's ξ]. Params: DY, XI, S1, S2, MU, SG, DMU, DSG, R1, R2, N, D. */
function backwardFunction(noisy: boolean): WasmFunction {
  const [DY, XI, S1, S2, MU, SG, DMU, DSG, R1, R2, N, D] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
  const [ROW, J, ROWOFF, D4, P, JB] = [12, 13, 14, 15, 16, 17];
  const [A, BB, ACC1, ACC2, DV, G] = [18, 19, 20, 21, 22, 23];
  const zero = [
    ...get(J), ...i32(2), ...SHL, ...set(JB),
    ...at(DMU, JB), ...ZERO, ...store(),
    ...(noisy ? [...at(DSG, JB), ...ZERO, ...store()] : []),
    ...bump(J, i32(4)),
  ];
  const body = () => [
    ...at(DY, P), ...load(), ...set(DV),
    ...get(ACC1), ...get(DV), ...at(MU, JB), ...load(), ...F32X4_MUL, ...F32X4_ADD, ...set(ACC1),
    ...at(DMU, JB), ...at(DMU, JB), ...load(), ...get(DV), ...get(A), ...F32X4_MUL, ...F32X4_ADD, ...store(),
    ...(noisy
      ? [
        ...get(DV), ...at(XI, P), ...load(), ...F32X4_MUL, ...set(G),
        ...get(ACC2), ...get(G), ...at(SG, JB), ...load(), ...F32X4_MUL, ...F32X4_ADD, ...set(ACC2),
        ...at(DSG, JB), ...at(DSG, JB), ...load(), ...get(G), ...get(BB), ...F32X4_MUL, ...F32X4_ADD, ...store(),
      ]
      : []),
  ];
  const rows = [
    ...splatAt(S1, ROW), ...set(A),
    ...ZERO, ...set(ACC1),
    ...(noisy ? [...splatAt(S2, ROW), ...set(BB), ...ZERO, ...set(ACC2)] : []),
    ...get(ROW), ...get(D4), ...MUL, ...set(ROWOFF),
    ...columnLoop(J, JB, P, ROWOFF, D, null, body),
    ...at4(R1, ROW), ...laneSum(ACC1), ...f32Store(),
    ...(noisy ? [...at4(R2, ROW), ...laneSum(ACC2), ...f32Store()] : []),
    ...bump(ROW, i32(1)),
  ];
  const code = [
    ...get(D), ...i32(2), ...SHL, ...set(D4),
    ...i32(0), ...set(J), ...forLoop(J, D, zero),
    ...i32(0), ...set(ROW), ...forLoop(ROW, N, rows),
  ];
  return { name: variant('backward', noisy), params: 12, locals: [[6, I32], [6, V128]], code };
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

/** dx = [dh +] r₁ [+ x⊙(r₂/s₂)] per row. Params: X, DH, R1, R2, S2, DX, N, D. */
function inputGradFunction(noisy: boolean, withDh: boolean): WasmFunction {
  const [X, DH, R1, R2, S2, DX, N, D] = [0, 1, 2, 3, 4, 5, 6, 7];
  const [ROW, J, P] = [8, 9, 10];
  const [A, C] = [11, 12];
  const cols = [
    ...at(DX, P), ...get(A),
    ...(withDh ? [...at(DH, P), ...load(), ...F32X4_ADD] : []),
    ...(noisy ? [...at(X, P), ...load(), ...get(C), ...F32X4_MUL, ...F32X4_ADD] : []),
    ...store(),
    ...bump(P, i32(16)),
    ...bump(J, i32(4)),
  ];
  const rows = [
    ...splatAt(R1, ROW), ...set(A),
    ...(noisy ? [...at4(R2, ROW), ...f32Load(), ...at4(S2, ROW), ...f32Load(), ...F32_DIV, ...F32X4_SPLAT, ...set(C)] : []),
    ...i32(0), ...set(J), ...forLoop(J, D, cols),
    ...bump(ROW, i32(1)),
  ];
  return { name: variant('inputGrad', noisy, withDh), params: 8, locals: [[3, I32], [2, V128]], code: [...i32(0), ...set(P), ...i32(0), ...set(ROW), ...forLoop(ROW, N, rows)] };
}

/** Blocks 0 … 2·PAIRS − 1 of the stream (8 normals each), two at a time, into OUT. Params: OUT, PAIRS, K1, K2. */
function fillFunction(): WasmFunction {
  const [OUT, PAIRS, K1, K2] = [0, 1, 2, 3];
  const [I, P] = [4, 5];
  const { a, b, count } = noiseLocalsPair(6);
  const put = (z: number, offset: number) => [...get(OUT), ...get(P), ...ADD, ...get(z), ...store(offset)];
  const loop = [
    ...noisePairs(a, b),
    ...put(a.z0, 0), ...put(a.z1, 16), ...put(b.z0, 32), ...put(b.z1, 48),
    ...bump(P, i32(64)),
    ...bump(I, i32(1)),
  ];
  const code = [
    ...i32x4Const(0, 1, 2, 3), ...set(a.pv), ...i32x4Const(4, 5, 6, 7), ...set(b.pv),
    ...i32(0), ...set(P), ...i32(0), ...set(I), ...forLoop(I, PAIRS, loop),
  ];
  return { name: 'fill', params: 4, locals: [[2, I32], [count, V128]], code: [...noiseSetup(a, K1, K2), ...code] };
}

const BOTH = [false, true];
const kernels = new WasmKernels(() => [
  ...BOTH.flatMap((noisy) => BOTH.map((biased) => forwardFunction(noisy, biased))),
  ...BOTH.map((noisy) => backwardFunction(noisy)),
  ...BOTH.flatMap((noisy) => BOTH.map((withDh) => inputGradFunction(noisy, withDh))),
  rowStatsFunction(),
  fillFunction(),
]);

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
