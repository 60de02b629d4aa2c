/**
 * Weights ↔ conductances. Conductances are fractions of g_max; g_lo = g_min/g_max.
 *
 *   differential  a pair per weight, one device at g_lo:
 *                   w ≥ 0: g⁺ = g_lo + (1 − g_lo)·w/s,  g⁻ = g_lo;   w < 0: mirrored
 *                   w = (g⁺ − g⁻)·k,  k = s/(1 − g_lo)
 *   offset        one device per weight around the mid conductance g_ref = (1 + g_lo)/2, the
 *                 reference subtracted digitally (ideal reference):
 *                   g = g_ref + (1 − g_lo)/2 · w/s,   w = (g − g_ref)·k,  k = 2s/(1 − g_lo)
 *
 * s = max|W| over the tile (`tile` granularity) or over each column of the tile (`column`), so the
 * largest weight reaches g_max. k (weight units per unit of normalised conductance difference) is
 * kept per column of each tile.
 */
import type { MappingScheme } from '../device/index.js';

export type ScaleGranularity = 'tile' | 'column';

export interface TileTargets {
  /** Targets, fractions of g_max: [g⁺ (n); g⁻ (n)] for differential, [g (n)] for offset; n = rows·cols. */
  targets: Float32Array;
  /** Weight units per unit of normalised conductance difference, one per column of the tile. */
  k: Float32Array;
}

/** Devices per weight. */
export const devicesPerWeight = (scheme: MappingScheme): number => (scheme === 'differential' ? 2 : 1);

/** The digitally subtracted reference of the offset scheme (fraction of g_max); 0 for differential. */
export function referenceConductance(scheme: MappingScheme, gLo: number): number {
  return scheme === 'offset' ? (1 + gLo) / 2 : 0;
}

/** Maps a tile's weights (row-major, nRows × nCols) to target conductances. */
export function mapTile(w: Float32Array, nRows: number, nCols: number, scheme: MappingScheme, granularity: ScaleGranularity, gLo: number): TileTargets {
  const n = nRows * nCols;
  const s = new Float64Array(nCols);
  for (let r = 0; r < nRows; r++) {
    for (let c = 0, i = r * nCols; c < nCols; c++, i++) {
      const a = Math.abs(w[i]);
      if (a > s[c]) s[c] = a;
    }
  }
  if (granularity === 'tile') {
    let m = 0;
    for (let c = 0; c < nCols; c++) if (s[c] > m) m = s[c];
    s.fill(m);
  }
  for (let c = 0; c < nCols; c++) if (!(s[c] > 0)) s[c] = 1; // an all-zero column maps to g_lo
  const span = 1 - gLo;
  const k = new Float32Array(nCols);
  const inv = new Float64Array(nCols);
  if (scheme === 'differential') {
    for (let c = 0; c < nCols; c++) {
      k[c] = s[c] / span;
      inv[c] = span / s[c];
    }
    const targets = new Float32Array(2 * n).fill(gLo);
    for (let r = 0; r < nRows; r++) {
      for (let c = 0, i = r * nCols; c < nCols; c++, i++) {
        const v = w[i] * inv[c];
        if (v >= 0) targets[i] = gLo + v;
        else targets[n + i] = gLo - v;
      }
    }
    return { targets, k };
  }
  const ref = referenceConductance('offset', gLo);
  for (let c = 0; c < nCols; c++) {
    k[c] = (2 * s[c]) / span;
    inv[c] = span / (2 * s[c]);
  }
  const targets = new Float32Array(n);
  for (let r = 0; r < nRows; r++) {
    for (let c = 0, i = r * nCols; c < nCols; c++, i++) targets[i] = ref + w[i] * inv[c];
  }
  return { targets, k };
}

/**
 * Normalised conductance difference per weight (Wn = g⁺ − g⁻, or g − g_ref) from a device state
 * laid out as in `mapTile` (`state` has 2n or n entries).
 */
export function conductanceDifference(state: Float32Array, n: number, scheme: MappingScheme, gLo: number, out: Float32Array): Float32Array {
  if (scheme === 'differential') {
    for (let i = 0; i < n; i++) out[i] = state[i] - state[n + i];
  } else {
    const ref = referenceConductance(scheme, gLo);
    for (let i = 0; i < n; i++) out[i] = state[i] - ref;
  }
  return out;
}
