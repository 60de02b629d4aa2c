/**
 * Weight slicing: N device pairs per weight with significance factors (CrossSim's weight bit
 * slicing; aihwkit's multi-device unit cell W = F·(G⁺ − G⁻) + (g⁺ − g⁻)).
 *
 *   per output column j of a Site: Δ_j = max_i |W_ij| / (F^N − 1)      (weight units per count)
 *   w_int = round(|W_ij| / Δ_j) ∈ [0, F^N − 1], digits d_k = ⌊w_int / F^k⌋ mod F, k = 0 (least) … N−1
 *   slice k:  W_k = sign(W_ij)·d_k·Δ_j  (weight units),  significance s_k = F^k
 *   W_quantised = Σ_k s_k·W_k
 *
 * Each slice is programmed on its own columns (its own tiles, mapping and per-column scale, so each
 * slice uses the device's whole conductance range for digits 0…F−1) and read through its own ADC;
 * outputs are combined digitally by shift-and-add, y = Σ_k s_k·y_k (SlicedLinear). With F = 2^b this
 * is b-bit slicing of an N·b-bit weight. Programming error σ (weight units per slice) thus reaches the
 * weight as Var = Σ_k s_k²·σ_k² (test/crossbar/slicing.test.ts). No random streams.
 */

export interface WeightSlicing {
  /** Device pairs (slices) per weight, N ≥ 1 (1 = no slicing). */
  slices: number;
  /** Significance base F ≥ 2: slice k carries F^k (F = 2^b: b-bit slices). */
  base: number;
}

export interface SlicedWeights {
  /** The slices W_k [in, out] in weight units, k = 0 (least significant) … N−1. */
  slices: Float32Array[];
  /** Significance s_k = F^k. */
  significance: number[];
}

/** Checks a slicing option; throws naming the field. */
export function checkSlicing(s: WeightSlicing, where: string): WeightSlicing {
  if (!(Number.isInteger(s.slices) && s.slices >= 1 && s.slices <= 8)) throw new Error(`${where}.slices must be an integer from 1 to 8 (device pairs per weight), got ${s.slices}`);
  if (!(Number.isInteger(s.base) && s.base >= 2 && s.base ** s.slices <= 2 ** 24)) {
    throw new Error(`${where}.base must be an integer ≥ 2 with base^slices ≤ 2^24 (float32-exact), got base ${s.base} with ${s.slices} slices`);
  }
  return s;
}

/** Splits W [in, out] into N slices of base-F digits (see the file header). */
export function sliceWeights(weight: Float32Array, inFeatures: number, outFeatures: number, s: WeightSlicing): SlicedWeights {
  const { slices: N, base: F } = s;
  const top = F ** N - 1;
  const step = new Float64Array(outFeatures);
  for (let i = 0; i < inFeatures; i++) {
    for (let j = 0, o = i * outFeatures; j < outFeatures; j++, o++) step[j] = Math.max(step[j], Math.abs(weight[o]));
  }
  for (let j = 0; j < outFeatures; j++) step[j] = step[j] > 0 ? step[j] / top : 1;
  const out = Array.from({ length: N }, () => new Float32Array(weight.length));
  for (let i = 0; i < inFeatures; i++) {
    for (let j = 0, o = i * outFeatures; j < outFeatures; j++, o++) {
      const w = weight[o];
      let q = Math.min(top, Math.round(Math.abs(w) / step[j]));
      const sign = w < 0 ? -1 : 1;
      for (let k = 0; k < N; k++) {
        const d = q % F;
        q = (q - d) / F;
        out[k][o] = sign * d * step[j];
      }
    }
  }
  return { slices: out, significance: Array.from({ length: N }, (_, k) => F ** k) };
}

/** The name of slice k of a Site on the chip. */
export const sliceName = (site: string, k: number): string => `${site}#slice${k}`;
