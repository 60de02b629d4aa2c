/**
 * The error one Site's MVM sees on a programmed chip, in weight units, split into a systematic and a
 * random part. What σ_target is made of (sigma-target.ts).
 *
 *   1. static   D = W_eff − W, W_eff = Wn·k·α the compensated weights at t (state.effectiveWeights
 *               without read noise): programming, device-to-device variation, faults, conductance
 *               levels, drift, accumulated read noise, compensation.
 *   2. split    D's mean as a function of the target weight, m(W): W is cut into equal-width bins
 *               over [min W, max W] (one per 256 weights, 8 to 128) and m is a straight-line fit of
 *               D against W within each bin (drift residual, offsets, the compensation's scale
 *               error — what follows W). Random static part: the spread of D − m(W), unbiased
 *               (Σ(D − m)²/(n − p), p fitted coefficients). Systematic part: the RMS of m(W) over
 *               the Site's weights less the fit's own noise, √((Σ m² − p·s²)/n). With pure noise
 *               the systematic estimate fluctuates by about s·(2p)^¼/√n (≈ 0.06·s for 4096 weights).
 *   3. per MVM  N probe inputs x ~ N(0, 1)^{D_in} (probe stream) through the Site's AnalogLinear
 *               (DAC, tiles, per-MVM read noise, IR drop, output noise, ADC): e = y − b − x·W_eff.
 *               An iid weight error of std σ_w gives output variance ‖x‖²·σ_w², so the per-MVM
 *               part in weight units is σ_mvm² = Σ_n Σ_j e_nj² / (D_out·Σ_n ‖x_n‖²) — a weight-
 *               equivalent figure: it changes with every input, so it counts as random.
 *   4. random   σ_random = √(random static² + σ_mvm²); total = √(random² + systematic²).
 *
 * All in weight units (the units of W); `relative` figures divide by the Site's weight std.
 * Streams: the chip's (program, time, read) and the probe stream given by the caller.
 */
import type { SiteWeights } from '../model/index.js';
import { Rng, tf } from '../tensor/index.js';
import type { ChipState } from './state.js';

/** One Site's error at t, weight units. */
export interface SiteError {
  /** σ_random: the spread around the systematic part, static and per-MVM together. */
  random: number;
  /** RMS of the mean error as a function of the target weight. */
  systematic: number;
  /** √(random² + systematic²). */
  total: number;
  /** The random part of the static error D = W_eff − W alone. */
  staticRandom: number;
  /** The per-MVM part (DAC/ADC, read and output noise, IR drop), weight-equivalent. */
  mvm: number;
  /** Standard deviation of the Site's weights (the unit of the relative figures). */
  weightStd: number;
}

export const ERROR_BINS = 128;

/** Standard-normal probe inputs [n, din] from `rng`. */
export function probeInputs(n: number, din: number, rng: Rng): Float32Array {
  return rng.fillNormal(new Float32Array(n * din));
}

/** Population standard deviation of an array (float64 accumulation). */
export function stdOf(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  const mean = s / a.length;
  let v = 0;
  for (let i = 0; i < a.length; i++) v += (a[i] - mean) ** 2;
  return Math.sqrt(v / a.length);
}

/** Bins for n weights: one per 256 weights, from 8 to 128. */
export function binsFor(n: number): number {
  return Math.min(ERROR_BINS, Math.max(8, Math.floor(n / 256)));
}

/**
 * Systematic part (RMS of m(W), a straight-line fit of D = read − w within each of `bins`
 * equal-width bins of w) and random part (spread of D − m(W)) of the static error.
 */
export function splitStatic(w: ArrayLike<number>, read: ArrayLike<number>, bins = binsFor(w.length)): { systematic: number; random: number } {
  const n = w.length;
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < n; i++) {
    lo = Math.min(lo, w[i]);
    hi = Math.max(hi, w[i]);
  }
  const width = (hi - lo) / bins;
  const binOf = (x: number) => (width > 0 ? Math.min(bins - 1, Math.floor((x - lo) / width)) : 0);
  // per bin: count, mean of w, mean of D, then slope β = cov(w, D)/var(w)
  const count = new Float64Array(bins), mw = new Float64Array(bins), md = new Float64Array(bins);
  for (let i = 0; i < n; i++) {
    const b = binOf(w[i]);
    count[b]++;
    mw[b] += w[i];
    md[b] += read[i] - w[i];
  }
  for (let b = 0; b < bins; b++) {
    if (count[b] > 0) {
      mw[b] /= count[b];
      md[b] /= count[b];
    }
  }
  const sww = new Float64Array(bins), swd = new Float64Array(bins);
  for (let i = 0; i < n; i++) {
    const b = binOf(w[i]);
    const dw = w[i] - mw[b];
    sww[b] += dw * dw;
    swd[b] += dw * (read[i] - w[i] - md[b]);
  }
  const slope = new Float64Array(bins);
  let params = 0;
  for (let b = 0; b < bins; b++) {
    if (count[b] === 0) continue;
    params += 1;
    if (count[b] > 2 && sww[b] > 0) {
      slope[b] = swd[b] / sww[b];
      params += 1;
    }
  }
  const m = (i: number, b: number) => md[b] + slope[b] * (w[i] - mw[b]);
  let r2 = 0, m2 = 0;
  for (let i = 0; i < n; i++) {
    const b = binOf(w[i]);
    const fit = m(i, b);
    r2 += (read[i] - w[i] - fit) ** 2;
    m2 += fit * fit;
  }
  const s2 = n > params ? r2 / (n - params) : 0;
  // The fitted values carry the noise of `params` estimated coefficients: Σ fit² ≈ Σ m² + params·s².
  return { systematic: Math.sqrt(Math.max(0, (m2 - params * s2) / n)), random: Math.sqrt(s2) };
}

/**
 * σ_mvm² = Σ e² / (D_out·Σ‖x‖²) of the Site's AnalogLinear on `probes` [n, D_in], e = y − b − x·W_eff.
 */
function mvmError(state: ChipState, name: string, eff: SiteWeights, probes: Float32Array): number {
  const { inFeatures: din, outFeatures: dout } = eff;
  const n = probes.length / din;
  // The error tensor leaves the tidy and is read after it: tidy walks a returned typed array element by element.
  const diff = tf.tidy(() => {
    const x = tf.tensor2d(probes, [n, din]);
    let ideal: tf.Tensor = tf.matMul(x, tf.tensor2d(eff.weight, [din, dout]));
    if (eff.bias) ideal = tf.add(ideal, tf.tensor1d(eff.bias));
    return tf.sub(state.analog(name).forward(x), ideal);
  });
  const e = diff.dataSync() as Float32Array;
  diff.dispose();
  let se = 0, sx = 0;
  for (let i = 0; i < e.length; i++) se += e[i] * e[i];
  for (let i = 0; i < probes.length; i++) sx += probes[i] * probes[i];
  return se / (dout * sx);
}

/** The error of Site `name` of `state` against its target weights `w`, with per-MVM probes. */
export function siteError(state: ChipState, name: string, w: SiteWeights, probes: Float32Array): SiteError {
  const eff = state.effectiveWeights(name, { readNoise: false });
  const { systematic, random: staticRandom } = splitStatic(w.weight, eff.weight);
  const mvm = Math.sqrt(mvmError(state, name, eff, probes));
  const random = Math.hypot(staticRandom, mvm);
  return { random, systematic, total: Math.hypot(random, systematic), staticRandom, mvm, weightStd: stdOf(w.weight) };
}
