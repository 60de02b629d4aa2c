/**
 * A weight matrix on any ChipDriver: W [in, out] split into the chip's tiles (crossbar TileGrid),
 * each programmed on its own tile slot; an MVM sends every tile's slice of x in one request and sums
 * the row tiles' partial outputs digitally, then adds the bias:
 *
 *   y[:, c0:c1] = Σ_row tiles  chip.mvm(tile, x[:, r0:r1])  + b[c0:c1]
 *
 * This is the AnalogLinear-shaped path for a remote chip (partial sums in float64, returned as
 * float32). Tile slots are taken from `firstTile` on, in the grid's order. The *Sync twins do the same
 * on a SyncChip (sync.ts), for Site hooks inside a forward pass, with optional per-tile drift
 * compensation factors (drift-compensation.ts); `mvmMatricesSync` sends several matrices that read
 * the same x (shared-inputs.ts) in one request.
 */
import { gatherTile, TileGrid, type Tile } from '../crossbar/index.js';
import type { SiteWeights } from '../model/index.js';
import type { ChipCapabilities, ChipDriver, Matrix, MvmCall, ProgramReport } from './driver.js';
import { HilError } from './errors.js';
import type { SyncChip } from './sync.js';

export interface MatrixOnChip {
  inFeatures: number;
  outFeatures: number;
  bias: Float32Array | null;
  /** Tile slot and the part of W it holds, in grid order. */
  tiles: { slot: number; tile: Tile }[];
  reports: ProgramReport[];
}

function gridOf(caps: ChipCapabilities, w: SiteWeights, firstTile: number): TileGrid {
  const grid = new TileGrid(w.inFeatures, w.outFeatures, caps.tile);
  if (firstTile + grid.count > caps.tiles) {
    throw new HilError('RESOURCE_EXHAUSTED', `programMatrix: a ${w.inFeatures}×${w.outFeatures} matrix needs ${grid.count} tiles of ${caps.tile.rows}×${caps.tile.cols} from slot ${firstTile}, but the chip has ${caps.tiles} slots`);
  }
  return grid;
}

/** Each tile's slot and targets, in grid order. */
function* tileTargets(grid: TileGrid, w: SiteWeights, firstTile: number): Generator<{ slot: number; tile: Tile; targets: Matrix }> {
  for (const tile of grid.tiles()) {
    const rows = tile.r1 - tile.r0, cols = tile.c1 - tile.c0;
    yield { slot: firstTile + tile.index, tile, targets: { rows, cols, data: gatherTile(w.weight, w.outFeatures, tile, new Float32Array(rows * cols)) } };
  }
}

/** Programs W (and keeps the bias) on tile slots firstTile, firstTile + 1, …. */
export async function programMatrix(chip: ChipDriver, w: SiteWeights, firstTile = 0): Promise<MatrixOnChip> {
  const grid = gridOf(await chip.capabilities(), w, firstTile);
  const m: MatrixOnChip = { inFeatures: w.inFeatures, outFeatures: w.outFeatures, bias: w.bias, tiles: [], reports: [] };
  for (const { slot, tile, targets } of tileTargets(grid, w, firstTile)) {
    m.reports.push(await chip.programTile(slot, targets));
    m.tiles.push({ slot, tile });
  }
  return m;
}

/** programMatrix on a blocking chip. */
export function programMatrixSync(chip: SyncChip, w: SiteWeights, firstTile = 0): MatrixOnChip {
  const grid = gridOf(chip.capabilitiesSync(), w, firstTile);
  const m: MatrixOnChip = { inFeatures: w.inFeatures, outFeatures: w.outFeatures, bias: w.bias, tiles: [], reports: [] };
  for (const { slot, tile, targets } of tileTargets(grid, w, firstTile)) {
    m.reports.push(chip.programTileSync(slot, targets));
    m.tiles.push({ slot, tile });
  }
  return m;
}

/**
 * One MVM call per tile: x's rows r0…r1 of that tile (fresh buffers, safe to transfer). Tiles with the
 * same rows r0…r1 (a matrix's column tiles; matrices sharing x) get the same input object, which a
 * driver may send once; `slices` keeps them across matrices.
 */
function tileCalls(m: MatrixOnChip, x: Matrix, slices = new Map<string, Matrix>()): MvmCall[] {
  if (x.cols !== m.inFeatures || x.data.length !== x.rows * x.cols) {
    throw new HilError('INVALID_ARGUMENT', `mvmMatrix: inputs are ${x.rows}×${x.cols} (${x.data.length} values); expected [batch, ${m.inFeatures}]`);
  }
  const batch = x.rows;
  return m.tiles.map(({ slot, tile }) => {
    const key = `${tile.r0}:${tile.r1}`;
    let inputs = slices.get(key);
    if (!inputs) {
      const n = tile.r1 - tile.r0;
      const data = new Float32Array(batch * n);
      for (let b = 0; b < batch; b++) data.set(x.data.subarray(b * x.cols + tile.r0, b * x.cols + tile.r1), b * n);
      inputs = { rows: batch, cols: n, data };
      slices.set(key, inputs);
    }
    return { tile: slot, inputs };
  });
}

/** y = Σ_row tiles α_tile · out_tile (float64) + b; α null = 1. */
function sumTiles(m: MatrixOnChip, batch: number, outs: Matrix[], alpha: Float64Array | null): Matrix {
  const acc = new Float64Array(batch * m.outFeatures);
  m.tiles.forEach(({ tile }, i) => {
    const n = tile.c1 - tile.c0;
    const o = outs[i].data;
    const a = alpha ? alpha[i] : 1;
    for (let b = 0; b < batch; b++) for (let c = 0; c < n; c++) acc[b * m.outFeatures + tile.c0 + c] += a * o[b * n + c];
  });
  const y = new Float32Array(batch * m.outFeatures);
  for (let b = 0; b < batch; b++) {
    for (let c = 0; c < m.outFeatures; c++) y[b * m.outFeatures + c] = acc[b * m.outFeatures + c] + (m.bias ? m.bias[c] : 0);
  }
  return { rows: batch, cols: m.outFeatures, data: y };
}

/** y [batch, out] = analog(x·W) + b for x [batch, in], one MVM request for all tiles. */
export async function mvmMatrix(chip: ChipDriver, m: MatrixOnChip, x: Matrix): Promise<Matrix> {
  return sumTiles(m, x.rows, await chip.mvm(tileCalls(m, x)), null);
}

/** mvmMatrix on a blocking chip, each tile's output scaled by its drift-compensation factor α (null: none). */
export function mvmMatrixSync(chip: SyncChip, m: MatrixOnChip, x: Matrix, alpha: Float64Array | null = null): Matrix {
  return mvmMatricesSync(chip, [m], x, [alpha])[0];
}

/**
 * Several matrices on the same input x, every tile of every matrix in one MVM request (in the order
 * given, each matrix's tiles in grid order): y_k = analog(x·W_k) + b_k, each tile scaled by alphas[k].
 */
export function mvmMatricesSync(chip: SyncChip, ms: readonly MatrixOnChip[], x: Matrix, alphas: readonly (Float64Array | null)[]): Matrix[] {
  const slices = new Map<string, Matrix>();
  const outs = chip.mvmSync(ms.flatMap((m) => tileCalls(m, x, slices)));
  let next = 0;
  return ms.map((m, k) => {
    const mine = outs.slice(next, next + m.tiles.length);
    next += m.tiles.length;
    return sumTiles(m, x.rows, mine, alphas[k]);
  });
}
