/**
 * Stuck-at faults: each device independently stuck at g_min with probability p_low or at g_max with
 * probability p_high, drawn from the chip seed. Sampled by geometric skipping (the gap to the next
 * faulty device is ⌊ln U / ln(1 − p)⌋), so the cost is proportional to the number of faults, not
 * of devices. A stuck device keeps its value at every time (no drift) but is read with read noise.
 */
import type { Rng } from '../tensor/index.js';

export interface Faults {
  /** Indices of stuck devices, increasing. */
  index: Int32Array;
  /** 1 where stuck at g_max, 0 where stuck at g_min. */
  high: Uint8Array;
}

export const NO_FAULTS: Faults = { index: new Int32Array(0), high: new Uint8Array(0) };

export function drawFaults(n: number, pLow: number, pHigh: number, rng: Rng): Faults {
  const p = pLow + pHigh;
  if (!(p > 0)) return NO_FAULTS;
  const index: number[] = [];
  const high: number[] = [];
  if (p >= 1) {
    for (let i = 0; i < n; i++) {
      index.push(i);
      high.push(rng.uniform() * p < pHigh ? 1 : 0);
    }
  } else {
    const lnq = Math.log1p(-p);
    let i = -1;
    for (;;) {
      const u = 1 - rng.uniform(); // (0, 1]
      i += 1 + Math.floor(Math.log(u) / lnq);
      if (i >= n || !Number.isFinite(i)) break;
      index.push(i);
      high.push(rng.uniform() * p < pHigh ? 1 : 0);
    }
  }
  return { index: Int32Array.from(index), high: Uint8Array.from(high) };
}

/** Writes the stuck values (fractions of g_max) into `g`. */
export function applyFaults(g: Float32Array, faults: Faults, gLo: number): void {
  const { index, high } = faults;
  for (let k = 0; k < index.length; k++) g[index[k]] = high[k] ? 1 : gLo;
}
