/**
 * WebAssembly kernels for the per-tile periphery of the crossbar's `AnalogLinear` (its fused path) on
 * the wasm backend, where the JavaScript loops took about half of an analog forward pass:
 *
 *   dacCodes       c = round(x·L/a) per input vector of one row tile, a = max|x| (at least 1e-30),
 *                  and the rank-1 read-noise row factor Σ_i c_i²·u_i
 *   adcAccumulate  after the tile's matMul P = c·Wn: y + clip(round(P + √(ax·v + σ²_out)·z), ±bound)·a·k
 *                  (or with the exact read-noise variance V = c²·S per output instead of ax·v)
 *
 * They repeat the JavaScript loops' float64 arithmetic operation for operation — f64 scalars, f64x2
 * lanes, f32 ↔ f64 conversions where JavaScript reads and writes Float32Arrays, nearest-even rounding,
 * the row factor summed in the same order — so they give the same numbers (tests compare the two).
 * The per-vector scales and row factors travel as float64 pairs in a float32 tensor [N, 4].
 */
import { tf } from './engine.js';
import {
  ADD, bump, F32_ABS, F32_DEMOTE, f32Load, f32Store, F32X4_DEMOTE_ZERO, f64, F64, F64_ADD, F64_DIV, F64_FROM_I32, F64_GT, F64_LT, F64_MUL, F64_NEAREST,
  F64_PROMOTE, f64Load, f64Store, F64X2_ADD, F64X2_MUL, F64X2_NEAREST, F64X2_PMAX, F64X2_PMIN, F64X2_PROMOTE_LOW, F64X2_SPLAT, F64X2_SQRT, forLoop, get, i32,
  I32, load64Zero, MUL, SELECT, set, SHL, store64Lane0, V128, WasmKernels, type WasmFunction,
} from './wasm-encoder.js';
import { given, onceOnWasm, registerHeapKernel } from './wasm-heap.js';

const bit = (b: boolean) => (b ? 1 : 0);
const dacName = (quantise: boolean, rowFactor: boolean) => `dac${bit(quantise)}${bit(rowFactor)}`;
/** Read-noise variance: none (σ²_out alone), rank-1 (ax·v, v per column) or exact (V per element). */
type VarianceMode = 'none' | 'rank1' | 'exact';
const adcName = (noisy: boolean, variance: VarianceMode, round: boolean) => `adc${bit(noisy)}${variance}${bit(round)}`;

/** Params X, NIN, R0, N, NT, C, AA, U, L: rows r0 … r0 + NT − 1 of x [N, NIN] → C [N, NT], AA [N] × (a, ax) f64. */
function dacFunction(quantise: boolean, rowFactor: boolean): WasmFunction {
  const [X, NIN, R0, N, NT, C, AA, U, L] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const [R, I, XB, CB] = [9, 10, 11, 12];
  const [AMAX, SCALE, V, ACC, CF] = [13, 14, 15, 16, 17];
  const addr = (base: number) => [...get(base), ...get(I), ...i32(2), ...SHL, ...ADD];
  const maxLoop = [
    ...addr(XB), ...f32Load(), ...F32_ABS, ...F64_PROMOTE, ...set(V),
    ...get(V), ...get(AMAX), ...get(V), ...get(AMAX), ...F64_GT, ...SELECT, ...set(AMAX),
    ...bump(I, i32(1)),
  ];
  const codeLoop = [
    ...addr(XB), ...f32Load(), ...F64_PROMOTE, ...get(SCALE), ...F64_MUL, ...(quantise ? F64_NEAREST : []), ...set(V),
    ...addr(CB), ...get(V), ...F32_DEMOTE, ...f32Store(),
    ...(rowFactor
      ? [
        ...get(V), ...F32_DEMOTE, ...F64_PROMOTE, ...set(CF),
        ...get(ACC), ...get(CF), ...get(CF), ...F64_MUL, ...addr(U), ...f32Load(), ...F64_PROMOTE, ...F64_MUL, ...F64_ADD, ...set(ACC),
      ]
      : []),
    ...bump(I, i32(1)),
  ];
  const aa = [...get(AA), ...get(R), ...i32(4), ...SHL, ...ADD];
  const rows = [
    ...get(X), ...get(R), ...get(NIN), ...MUL, ...get(R0), ...ADD, ...i32(2), ...SHL, ...ADD, ...set(XB),
    ...get(C), ...get(R), ...get(NT), ...MUL, ...i32(2), ...SHL, ...ADD, ...set(CB),
    ...f64(0), ...set(AMAX),
    ...i32(0), ...set(I), ...forLoop(I, NT, maxLoop),
    ...f64(1e-30), ...get(AMAX), ...get(AMAX), ...f64(1e-30), ...F64_LT, ...SELECT, ...set(AMAX),
    ...aa, ...get(AMAX), ...f64Store(),
    ...get(L), ...F64_FROM_I32, ...get(AMAX), ...F64_DIV, ...set(SCALE),
    ...f64(0), ...set(ACC),
    ...i32(0), ...set(I), ...forLoop(I, NT, codeLoop),
    ...aa, ...get(ACC), ...f64Store(8),
    ...bump(R, i32(1)),
  ];
  return { name: dacName(quantise, rowFactor), params: 9, locals: [[4, I32], [5, F64]], code: [...i32(0), ...set(R), ...forLoop(R, N, rows)] };
}

/** Params P, Z, AA, V, K, Y0, Y1, N, D (i32), S2OUT, BOUND, NBOUND (f64): Y1 = Y0 + the tile's part, two columns at a time. */
function adcFunction(noisy: boolean, variance: VarianceMode, round: boolean): WasmFunction {
  const [P, Z, AA, V, K, Y0, Y1, N, D, S2OUT, BOUND, NBOUND] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
  const [R, J, OFF, JOFF] = [12, 13, 14, 15];
  const [AR, AX, PV, BND, NBND, S2V] = [16, 17, 18, 19, 20, 21];
  const two = (base: number, offset: number) => [...get(base), ...get(offset), ...ADD, ...load64Zero(), ...F64X2_PROMOTE_LOW];
  const body = [
    ...two(P, OFF), ...set(PV),
    ...(noisy
      ? [
        ...get(PV),
        ...(variance === 'rank1' ? [...get(AX), ...two(V, JOFF), ...F64X2_MUL, ...get(S2V), ...F64X2_ADD]
          : variance === 'exact' ? [...two(V, OFF), ...get(S2V), ...F64X2_ADD]
          : get(S2V)),
        ...F64X2_SQRT, ...two(Z, OFF), ...F64X2_MUL, ...F64X2_ADD, ...set(PV),
      ]
      : []),
    ...(round ? [...get(PV), ...F64X2_NEAREST, ...set(PV)] : []),
    ...get(PV), ...get(BND), ...F64X2_PMIN, ...get(NBND), ...F64X2_PMAX, ...set(PV),
    ...get(Y1), ...get(OFF), ...ADD,
    ...two(Y0, OFF), ...get(PV), ...get(AR), ...F64X2_MUL, ...two(K, JOFF), ...F64X2_MUL, ...F64X2_ADD,
    ...F32X4_DEMOTE_ZERO, ...store64Lane0(),
    ...bump(OFF, i32(8)), ...bump(JOFF, i32(8)), ...bump(J, i32(2)),
  ];
  const aa = [...get(AA), ...get(R), ...i32(4), ...SHL, ...ADD];
  const rows = [
    ...aa, ...f64Load(), ...F64X2_SPLAT, ...set(AR),
    ...aa, ...f64Load(8), ...F64X2_SPLAT, ...set(AX),
    ...i32(0), ...set(J), ...i32(0), ...set(JOFF), ...forLoop(J, D, body),
    ...bump(R, i32(1)),
  ];
  const code = [
    ...get(BOUND), ...F64X2_SPLAT, ...set(BND), ...get(NBOUND), ...F64X2_SPLAT, ...set(NBND), ...get(S2OUT), ...F64X2_SPLAT, ...set(S2V),
    ...i32(0), ...set(OFF), ...i32(0), ...set(R), ...forLoop(R, N, rows),
  ];
  return {
    name: adcName(noisy, variance, round), params: 12, paramTypes: [...new Array(9).fill(I32), F64, F64, F64], locals: [[4, I32], [6, V128]], code,
  };
}

const BOTH = [false, true];
const kernels = new WasmKernels(() => [
  ...BOTH.flatMap((q) => BOTH.map((u) => dacFunction(q, u))),
  ...BOTH.flatMap((n) => (['none', 'rank1', 'exact'] as const).flatMap((v) => BOTH.map((r) => adcFunction(n, v, r)))),
]);

const DAC = 'GraspHilDacCodes', ADC = 'GraspHilAdcAccumulate';

const register = onceOnWasm(() => {
  registerHeapKernel(DAC, ['x', 'u'], ([[n]], attrs) => [[n, attrs.n as number], [n, 4]], (b, off, [[n, nIn], u], attrs) => {
    const [x, uo, c, aa] = off;
    kernels.forBackend(b)[dacName(!!attrs.quantise, given(u))](x, nIn, attrs.r0 as number, n, attrs.n as number, c, aa, uo, attrs.levels as number);
  });
  registerHeapKernel(ADC, ['p', 'z', 'scales', 'v', 'k', 'y'], ([p]) => [p], (b, off, [[n, d], z, , v], attrs) => {
    const [p, zo, aa, vo, k, y0, y1] = off;
    const bound = attrs.bound as number;
    const variance: VarianceMode = !given(v) ? 'none' : attrs.exact ? 'exact' : 'rank1';
    kernels.forBackend(b)[adcName(given(z), variance, !!attrs.round)](p, zo, aa, vo, k, y0, y1, n, d, attrs.sigmaOut2 as number, bound, -bound);
  });
}, () => kernels.available());

/** Whether the kernels run for a tile with `outFeatures` outputs: the wasm backend with WebAssembly SIMD, an even width. */
export function analogKernelsFor(outFeatures: number): boolean {
  return tf.getBackend() === 'wasm' && outFeatures % 2 === 0 && register();
}

/**
 * DAC codes of input rows r0 … r0 + n − 1 of x [N, in] with `levels` L (round when `quantise`): codes
 * [N, n] and scales [N, 4] = (a, Σ_i c_i²·u_i) as float64 pairs (the second 0 without u [n] or [n, 1]).
 */
export function dacCodes(x: tf.Tensor2D, r0: number, n: number, levels: number, quantise: boolean, u: tf.Tensor | null): { codes: tf.Tensor2D; scales: tf.Tensor2D } {
  const [codes, scales] = tf.engine().runKernel(DAC, { x, ...(u ? { u } : {}) }, { r0, n, levels, quantise }) as tf.Tensor2D[];
  return { codes, scales };
}

/**
 * y + clip(round(P + √(ax·v + σ²_out)·z), ±bound)·a·k for P, z, y [N, D], the scales of `dacCodes`,
 * k [1, D] and v [1, D] (rank-1 read noise) — or, with `exact`, y + clip(round(P + √(V + σ²_out)·z), ±bound)·a·k
 * with v = V [N, D] — no noise term without z, σ²_out alone without v, no rounding unless `round`.
 */
export function adcAccumulate(
  p: tf.Tensor2D, z: tf.Tensor2D | null, scales: tf.Tensor2D, v: tf.Tensor | null, k: tf.Tensor, y: tf.Tensor2D,
  o: { round: boolean; sigmaOut2: number; bound: number; exact?: boolean },
): tf.Tensor2D {
  const inputs: tf.NamedTensorMap = { p, scales, k, y, ...(z ? { z } : {}), ...(v ? { v } : {}) };
  return tf.engine().runKernel(ADC, inputs, { round: o.round, sigmaOut2: o.sigmaOut2, bound: o.bound, exact: !!o.exact }) as tf.Tensor2D;
}
