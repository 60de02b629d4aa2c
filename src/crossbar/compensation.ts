/**
 * Global drift compensation (aihwkit's GlobalDriftCompensation and its exact-reference and
 * per-column variants). Right after programming, each tile is read with one-hot inputs (one MVM
 * per row) and the mean |output| is kept as the reference; at t the same read is repeated and the
 * tile's digital output scale is multiplied by α = reference / readout(t) (readouts floored at 1e-4
 * as in aihwkit). Per-column variants keep one α per column.
 *
 *   global / column             reference read through the noisy periphery (read noise, ADC)
 *   global-exact / column-exact reference read exactly (programmed conductances, ideal periphery)
 *
 * The read at t always goes through the noisy periphery. With one-hot inputs the DAC is exact and
 * each output is one conductance difference, so the readout is computed elementwise here rather than
 * as 2·rows MVMs (same numbers, far cheaper). Reference noise comes from the programming stream,
 * the read at t from the time stream — never from the read seed.
 */
import { fillStandardNormal } from '../device/index.js';
import type { Rng } from '../tensor/index.js';
import { levelsOf, perMvmIrDrop, type CompensationMode, type Periphery } from './periphery.js';

export const READOUT_FLOOR = 1e-4;

/**
 * Per-column Σ_rows |readout| of a tile (nRows × nCols, row-major `wn`, variance `s2` or null) as one-hot
 * MVMs see it: noisy = read noise, output noise, IR drop and ADC applied; otherwise exact.
 */
export function columnReadout(wn: Float32Array, s2: Float32Array | null, nRows: number, nCols: number, periphery: Periphery | null, rng: Rng | null, gRatio: number): Float64Array {
  const sums = new Float64Array(nCols);
  const n = nRows * nCols;
  if (!periphery || !rng) {
    for (let i = 0; i < n; i++) sums[i % nCols] += Math.abs(wn[i]);
    return sums;
  }
  const { adc } = periphery;
  const irDrop = perMvmIrDrop(periphery) ? periphery.irDrop : null; // static models are already in wn
  const noisy = (s2 !== null && periphery.readNoise.enabled) || adc.noise > 0;
  const z = noisy ? fillStandardNormal(rng, new Float32Array(n)) : null;
  const L = adc.bits !== null ? levelsOf(adc.bits) : 0;
  const bound = adc.bound ?? Infinity;
  const q = adc.bits !== null ? L / (adc.bound as number) : 0;
  const s2on = s2 !== null && periphery.readNoise.enabled;
  for (let r = 0; r < nRows; r++) {
    // aihwkit IR drop with a one-hot input at row r: a = n/gRatio·|w|, x' = 1 − (1 − r/n)²
    const pos = irDrop ? 1 - (1 - r / nRows) ** 2 : 0;
    for (let c = 0, i = r * nCols; c < nCols; c++, i++) {
      let y = wn[i];
      if (irDrop) {
        const a = (nRows / gRatio) * Math.abs(y);
        y -= irDrop.scale * a * (a * (0.05 * a - 0.2) + 0.5) * y * pos;
      }
      if (z) y += Math.sqrt((s2on ? (s2 as Float32Array)[i] : 0) + adc.noise * adc.noise) * z[i];
      if (adc.bits !== null) {
        let k = Math.round(y * q);
        k = k > L ? L : k < -L ? -L : k;
        y = k / q;
      } else if (y > bound) y = bound;
      else if (y < -bound) y = -bound;
      sums[c] += Math.abs(y);
    }
  }
  return sums;
}

/** A compensation setting as configs write it: a mode name, or the aliases true (= global) and false (= none). */
export function compensationMode(c: CompensationMode | boolean): CompensationMode {
  return c === true ? 'global' : c === false ? 'none' : c;
}

/** Whether the mode uses the exact reference. */
export const exactReference = (m: CompensationMode): boolean => m === 'global-exact' || m === 'column-exact';

/**
 * α per column of a tile from reference and at-t column sums (Σ over the tile's rows of |readout|).
 * Global modes pool all columns of the tile.
 */
export function compensationFactors(mode: CompensationMode, reference: Float64Array, atT: Float64Array, nRows: number): Float32Array {
  const nCols = reference.length;
  const alpha = new Float32Array(nCols).fill(1);
  if (mode === 'none') return alpha;
  if (mode === 'global' || mode === 'global-exact') {
    let ref = 0;
    let now = 0;
    for (let c = 0; c < nCols; c++) {
      ref += reference[c];
      now += atT[c];
    }
    const n = nRows * nCols;
    alpha.fill(Math.max(ref / n, READOUT_FLOOR) / Math.max(now / n, READOUT_FLOOR));
    return alpha;
  }
  for (let c = 0; c < nCols; c++) alpha[c] = Math.max(reference[c] / nRows, READOUT_FLOOR) / Math.max(atT[c] / nRows, READOUT_FLOOR);
  return alpha;
}
