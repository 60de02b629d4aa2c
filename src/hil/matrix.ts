/**
 * A weight matrix on any ChipDriver: W [in, out] split into the chip's tiles (crossbar TileGrid),
 * each programmed on its own tile slot; an MVM sends every tile's slice of x in one request and sums
 * the row tiles' partial outputs digitally, then adds the bias:
 *
 *   y[:, c0:c1] = Σ_row tiles  chip.mvm(tile, x[:, r0:r1])  + b[c0:c1]
 *
 * This is the AnalogLinear-shaped path for a remote chip (partial sums in float64, returned as
 * float32). Tile slots are taken from `firstTile` on, in the grid's order.
 */
import { gatherTile, TileGrid, type Tile } from '../crossbar/index.js';
import type { SiteWeights } from '../model/index.js';
import type { ChipDriver, Matrix, ProgramReport } from './driver.js';
import { HilError } from './errors.js';

export interface MatrixOnChip {
  inFeatures: number;
  outFeatures: number;
  bias: Float32Array | null;
  /** Tile slot and the part of W it holds, in grid order. */
  tiles: { slot: number; tile: Tile }[];
  reports: ProgramReport[];
}

/** Programs W (and keeps the bias) on tile slots firstTile, firstTile + 1, …. */
export async function programMatrix(chip: ChipDriver, w: SiteWeights, firstTile = 0): Promise<MatrixOnChip> {
  const caps = await chip.capabilities();
  const grid = new TileGrid(w.inFeatures, w.outFeatures, caps.tile);
  if (firstTile + grid.count > caps.tiles) {
    throw new HilError('RESOURCE_EXHAUSTED', `programMatrix: a ${w.inFeatures}×${w.outFeatures} matrix needs ${grid.count} tiles of ${caps.tile.rows}×${caps.tile.cols} from slot ${firstTile}, but the chip has ${caps.tiles} slots`);
  }
  const tiles: MatrixOnChip['tiles'] = [];
  const reports: ProgramReport[] = [];
  for (const tile of grid.tiles()) {
    const rows = tile.r1 - tile.r0, cols = tile.c1 - tile.c0;
    const slot = firstTile + tile.index;
    reports.push(await chip.programTile(slot, { rows, cols, data: gatherTile(w.weight, w.outFeatures, tile, new Float32Array(rows * cols)) }));
    tiles.push({ slot, tile });
  }
  return { inFeatures: w.inFeatures, outFeatures: w.outFeatures, bias: w.bias, tiles, reports };
}

/** y [batch, out] = analog(x·W) + b for x [batch, in], one MVM request for all tiles. */
export async function mvmMatrix(chip: ChipDriver, m: MatrixOnChip, x: Matrix): Promise<Matrix> {
  if (x.cols !== m.inFeatures || x.data.length !== x.rows * x.cols) {
    throw new HilError('INVALID_ARGUMENT', `mvmMatrix: inputs are ${x.rows}×${x.cols} (${x.data.length} values); expected [batch, ${m.inFeatures}]`);
  }
  const batch = x.rows;
  const calls = m.tiles.map(({ slot, tile }) => {
    const n = tile.r1 - tile.r0;
    const data = new Float32Array(batch * n);
    for (let b = 0; b < batch; b++) data.set(x.data.subarray(b * x.cols + tile.r0, b * x.cols + tile.r1), b * n);
    return { tile: slot, inputs: { rows: batch, cols: n, data } };
  });
  const outs = await chip.mvm(calls);
  const acc = new Float64Array(batch * m.outFeatures);
  m.tiles.forEach(({ tile }, i) => {
    const n = tile.c1 - tile.c0;
    const o = outs[i].data;
    for (let b = 0; b < batch; b++) for (let c = 0; c < n; c++) acc[b * m.outFeatures + tile.c0 + c] += o[b * n + c];
  });
  const y = new Float32Array(batch * m.outFeatures);
  for (let b = 0; b < batch; b++) {
    for (let c = 0; c < m.outFeatures; c++) y[b * m.outFeatures + c] = acc[b * m.outFeatures + c] + (m.bias ? m.bias[c] : 0);
  }
  return { rows: batch, cols: m.outFeatures, data: y };
}
