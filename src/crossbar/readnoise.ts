/**
 * Per-MVM read noise. Each read of device (i, j) adds an independent N(0, σ_ij²), σ from the
 * profile's `readNoise.perMvm` law at the device's conductance at t. For one input vector x̃ the
 * column output Σ_i x̃_i (Wn_ij + ε_ij) therefore carries noise with variance Σ_i x̃_i² S_ij,
 * S = σ(g⁺)² + σ(g⁻)² (both devices of a pair are read) — exactly, in distribution, what sampling
 * every device would give. The variance is either computed exactly (a second matmul, x̃²·S) or from
 * the best rank-1 approximation S ≈ u·vᵀ per tile (power iteration), which costs O(N·(in + out)).
 *
 * Units: fractions of g_max (S in g_max²).
 */
import type { DeviceModel } from '../device/index.js';

/** S = σ(a)² + σ(b)² per weight into `out`; b may be null (offset scheme: one device). False when the device has no per-MVM noise. */
export function readVariance(device: DeviceModel, a: Float32Array, b: Float32Array | null, n: number, out: Float32Array): boolean {
  const s = new Float32Array(n);
  if (!device.readSigma(a.subarray(0, n), s)) return false;
  for (let i = 0; i < n; i++) out[i] = s[i] * s[i];
  if (b) {
    device.readSigma(b.subarray(0, n), s);
    for (let i = 0; i < n; i++) out[i] += s[i] * s[i];
  }
  return true;
}

/**
 * Best rank-1 approximation S ≈ u·vᵀ of a non-negative nRows × nCols matrix (row-major), by power
 * iteration started from the column means (two iterations: on read-noise matrices the residual stops
 * changing after the first). Returns u (nRows) and v (nCols), both non-negative.
 */
export function rankOne(S: Float32Array, nRows: number, nCols: number, iterations = 2): { u: Float32Array; v: Float32Array } {
  const u = new Float64Array(nRows);
  const v = new Float64Array(nCols);
  for (let r = 0; r < nRows; r++) for (let c = 0, i = r * nCols; c < nCols; c++, i++) v[c] += S[i] / nRows;
  u.fill(1);
  for (let it = 0; it < iterations; it++) {
    // u = S v / |v|²
    let vv = 0;
    for (let c = 0; c < nCols; c++) vv += v[c] * v[c];
    if (!(vv > 0)) break;
    for (let r = 0; r < nRows; r++) {
      let acc = 0;
      for (let c = 0, i = r * nCols; c < nCols; c++, i++) acc += S[i] * v[c];
      u[r] = acc / vv;
    }
    // v = Sᵀ u / |u|²
    let uu = 0;
    for (let r = 0; r < nRows; r++) uu += u[r] * u[r];
    if (!(uu > 0)) break;
    v.fill(0);
    for (let r = 0; r < nRows; r++) {
      const ur = u[r] / uu;
      for (let c = 0, i = r * nCols; c < nCols; c++, i++) v[c] += S[i] * ur;
    }
  }
  return { u: Float32Array.from(u), v: Float32Array.from(v) };
}
