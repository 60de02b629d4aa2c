/**
 * Global drift compensation through the chip-driver protocol, for chips that do not compensate
 * themselves (aihwkit's GlobalDriftCompensation, done by the host): right after programming, each
 * tile is read with one-hot inputs (the identity [rows, rows] as one MVM batch) and Σ|outputs| is kept
 * as its reference; at time t the same read gives the tile's factor
 *
 *   α_tile = reference / max(readout(t), 1e-4)      (dimensionless; floor as crossbar/compensation.ts)
 *
 * and the host multiplies that tile's partial outputs by α (matrix.ts mvmMatrixSync). One-hot inputs
 * pass a DAC exactly, so the read measures the conductances through the chip's own read path (read
 * noise, ADC). Costs one MVM call per Site (every tile of the Site in one request) per read.
 * Streams: none of its own; the reads draw the chip's read noise like any MVM.
 */
import { READOUT_FLOOR } from '../crossbar/index.js';
import type { Matrix } from './driver.js';
import type { MatrixOnChip } from './matrix.js';
import type { SyncChip } from './sync.js';

/** Σ|y| of each tile of `m` (grid order) for one-hot inputs, read now. */
export function tileReadouts(chip: SyncChip, m: MatrixOnChip): Float64Array {
  const maxBatch = chip.capabilitiesSync().maxBatch;
  const sums = new Float64Array(m.tiles.length);
  // identity rows in chunks of maxBatch: chunk k holds rows k·maxBatch … of every tile
  const longest = Math.max(...m.tiles.map(({ tile }) => tile.r1 - tile.r0));
  for (let start = 0; start < longest; start += maxBatch) {
    const parts = m.tiles.map(({ slot, tile }, i) => ({ i, slot, n: tile.r1 - tile.r0 })).filter((p) => p.n > start);
    const calls = parts.map(({ slot, n }) => {
      const rows = Math.min(maxBatch, n - start);
      const data = new Float32Array(rows * n);
      for (let r = 0; r < rows; r++) data[r * n + start + r] = 1;
      return { tile: slot, inputs: { rows, cols: n, data } satisfies Matrix };
    });
    chip.mvmSync(calls).forEach((y, k) => {
      let s = 0;
      for (let j = 0; j < y.data.length; j++) s += Math.abs(y.data[j]);
      sums[parts[k].i] += s;
    });
  }
  return sums;
}

/** α per tile: reference / readout now. */
export function compensationFactors(reference: Float64Array, now: Float64Array): Float64Array {
  return reference.map((ref, i) => ref / Math.max(now[i], READOUT_FLOOR));
}
