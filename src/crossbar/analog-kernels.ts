/**
 * WebAssembly kernels for the per-tile periphery of the crossbar's `AnalogLinear` (its fused path) on
 * the wasm backend, where the JavaScript loops took about half of an analog forward pass:
 *
 *   dacCodes       c = round(x·L/a) per input vector of one row tile, a = max|x| (at least 1e-30) or
 *                  a fixed (calibrated) range with c clipped to ±L, and the rank-1 read-noise row
 *                  factor Σ_i c_i²·u_i
 *   adcAccumulate  after the tile's matMul P = c·Wn: y + clip(round(P + √(ax·v + σ²_out)·z), ±bound)·a·k
 *                  (or with the exact read-noise variance V = c²·S per output instead of ax·v)
 *
 * Both count what they clip (DAC inputs beyond a fixed range, ADC outputs beyond the bound) inside
 * the kernel and return the count with their tensors, so clip rates cost no extra pass. A wasm
 * function's return value reaches the caller through `lastClipped`: `runKernel` runs the heap
 * kernel synchronously, so it holds that call's count when `runKernel` returns.
 *
 * They repeat the JavaScript loops' float64 arithmetic operation for operation — f64 scalars, f64x2
 * lanes, f32 ↔ f64 conversions where JavaScript reads and writes Float32Arrays, nearest-even rounding,
 * the row factor summed in the same order — so they give the same numbers (tests compare the two).
 * The per-vector scales and row factors travel as float64 pairs in a float32 tensor [N, 4]. Their
 * source is WAT, one function per variant: tensor/wat/analog.wat.ts (assembled with the other modules by
 * scripts/write-kernels.ts); the wasm plumbing (heap kernels, module instances) is tensor/'s.
 */
import { given, onceOnWasm, registerHeapKernel, tf, WasmKernels } from '../tensor/index.js';

const bit = (b: boolean) => (b ? 1 : 0);
const dacName = (quantise: boolean, rowFactor: boolean, fixed: boolean) => `dac${bit(quantise)}${bit(rowFactor)}${bit(fixed)}`;
/** Read-noise variance: none (σ²_out alone), rank-1 (ax·v, v per column) or exact (V per element). */
type VarianceMode = 'none' | 'rank1' | 'exact';
const adcName = (noisy: boolean, variance: VarianceMode, round: boolean) => `adc${bit(noisy)}${variance}${bit(round)}`;

/** The kernels' WAT source, all variants: tensor/wat/analog.wat.ts. */
const kernels = new WasmKernels('analog');

const DAC = 'GraspHilDacCodes', ADC = 'GraspHilAdcAccumulate';

/** The clip count the last DAC or ADC kernel returned. */
let lastClipped = 0;

const register = onceOnWasm(() => {
  registerHeapKernel(DAC, ['x', 'u'], ([[n]], attrs) => [[n, attrs.n as number], [n, 4]], (b, off, [[n, nIn], u], attrs) => {
    const [x, uo, c, aa] = off;
    const range = attrs.range as number;
    lastClipped = kernels.forBackend(b)[dacName(!!attrs.quantise, given(u), range > 0)](x, nIn, attrs.r0 as number, n, attrs.n as number, c, aa, uo, attrs.levels as number, range) ?? 0;
  });
  registerHeapKernel(ADC, ['p', 'z', 'scales', 'v', 'k', 'y'], ([p]) => [p], (b, off, [[n, d], z, , v], attrs) => {
    const [p, zo, aa, vo, k, y0, y1] = off;
    const bound = attrs.bound as number;
    const variance: VarianceMode = !given(v) ? 'none' : attrs.exact ? 'exact' : 'rank1';
    lastClipped = kernels.forBackend(b)[adcName(given(z), variance, !!attrs.round)](p, zo, aa, vo, k, y0, y1, n, d, attrs.sigmaOut2 as number, bound, -bound) ?? 0;
  });
}, () => kernels.available());

/** Whether the kernels run for a tile with `outFeatures` outputs: the wasm backend with WebAssembly SIMD, an even width. */
export function analogKernelsFor(outFeatures: number): boolean {
  return tf.getBackend() === 'wasm' && outFeatures % 2 === 0 && register();
}

/**
 * DAC codes of input rows r0 … r0 + n − 1 of x [N, in] with `levels` L (round when `quantise`): codes
 * [N, n] and scales [N, 4] = (a, Σ_i c_i²·u_i) as float64 pairs (the second 0 without u [n] or [n, 1]).
 * a is the abs-max of each input vector, or `range` (> 0) for a fixed or calibrated range, whose
 * codes are clipped to ±L; `clipped` counts those clipped inputs (0 for abs-max).
 */
export function dacCodes(
  x: tf.Tensor2D, r0: number, n: number, levels: number, quantise: boolean, u: tf.Tensor | null, range: 'abs-max' | number = 'abs-max',
): { codes: tf.Tensor2D; scales: tf.Tensor2D; clipped: number } {
  if (range !== 'abs-max' && !(range > 0)) throw new Error(`dacCodes: a fixed DAC range must be a positive number, got ${range}`);
  lastClipped = 0;
  const [codes, scales] = tf.engine().runKernel(DAC, { x, ...(u ? { u } : {}) }, { r0, n, levels, quantise, range: range === 'abs-max' ? 0 : range }) as tf.Tensor2D[];
  return { codes, scales, clipped: lastClipped };
}

/**
 * y + clip(round(P + √(ax·v + σ²_out)·z), ±bound)·a·k for P, z, y [N, D], the scales of `dacCodes`,
 * k [1, D] and v [1, D] (rank-1 read noise) — or, with `exact`, y + clip(round(P + √(V + σ²_out)·z), ±bound)·a·k
 * with v = V [N, D] — no noise term without z, σ²_out alone without v, no rounding unless `round`.
 * `clipped` counts the outputs beyond ±bound (before clipping).
 */
export function adcAccumulate(
  p: tf.Tensor2D, z: tf.Tensor2D | null, scales: tf.Tensor2D, v: tf.Tensor | null, k: tf.Tensor, y: tf.Tensor2D,
  o: { round: boolean; sigmaOut2: number; bound: number; exact?: boolean },
): { y: tf.Tensor2D; clipped: number } {
  const inputs: tf.NamedTensorMap = { p, scales, k, y, ...(z ? { z } : {}), ...(v ? { v } : {}) };
  lastClipped = 0;
  const out = tf.engine().runKernel(ADC, inputs, { round: o.round, sigmaOut2: o.sigmaOut2, bound: o.bound, exact: !!o.exact }) as tf.Tensor2D;
  return { y: out, clipped: lastClipped };
}
