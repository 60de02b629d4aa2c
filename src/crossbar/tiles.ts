/**
 * Tiling a weight matrix W [in, out] (row-major) onto crossbar tiles of `rows × cols` devices
 * (per polarity). Row tiles split the input dimension — their partial sums are added digitally —
 * and column tiles split the output dimension. The last tile in each direction may be partial.
 */

export interface TileShape {
  /** Inputs (word lines) per tile. */
  rows: number;
  /** Outputs (bit lines) per tile. */
  cols: number;
}

export interface Tile {
  index: number;
  /** Row-tile and column-tile position. */
  tr: number;
  tc: number;
  /** Input range [r0, r1) and output range [c0, c1) of W this tile holds. */
  r0: number;
  r1: number;
  c0: number;
  c1: number;
}

export class TileGrid {
  readonly rowTiles: number;
  readonly colTiles: number;

  constructor(readonly inFeatures: number, readonly outFeatures: number, readonly shape: TileShape) {
    checkTileShape(shape, 'tile');
    if (!(inFeatures >= 1 && outFeatures >= 1)) throw new Error(`cannot tile a ${inFeatures}×${outFeatures} matrix`);
    this.rowTiles = Math.ceil(inFeatures / shape.rows);
    this.colTiles = Math.ceil(outFeatures / shape.cols);
  }

  get count(): number {
    return this.rowTiles * this.colTiles;
  }

  tile(tr: number, tc: number): Tile {
    const { rows, cols } = this.shape;
    return {
      index: tr * this.colTiles + tc,
      tr,
      tc,
      r0: tr * rows,
      r1: Math.min((tr + 1) * rows, this.inFeatures),
      c0: tc * cols,
      c1: Math.min((tc + 1) * cols, this.outFeatures),
    };
  }

  *tiles(): Generator<Tile> {
    for (let tr = 0; tr < this.rowTiles; tr++) for (let tc = 0; tc < this.colTiles; tc++) yield this.tile(tr, tc);
  }
}

/** Throws unless rows and cols are integers ≥ 1. */
export function checkTileShape(shape: TileShape, where: string): void {
  for (const k of ['rows', 'cols'] as const) {
    const v = shape[k];
    if (!Number.isInteger(v) || v < 1) throw new Error(`${where}.${k} must be an integer ≥ 1 (a tile is at least 1×1), got ${v}`);
  }
}

export const tileSize = (t: Tile): number => (t.r1 - t.r0) * (t.c1 - t.c0);

/** Copies tile `t` of `src` (row-major, `width` columns) into `dst` (row-major, tile-local). */
export function gatherTile(src: Float32Array, width: number, t: Tile, dst: Float32Array): Float32Array {
  const w = t.c1 - t.c0;
  for (let r = t.r0, k = 0; r < t.r1; r++, k += w) dst.set(src.subarray(r * width + t.c0, r * width + t.c1), k);
  return dst;
}

/** Writes tile-local `src` back into tile `t` of `dst` (row-major, `width` columns). */
export function scatterTile(src: Float32Array, dst: Float32Array, width: number, t: Tile): void {
  const w = t.c1 - t.c0;
  for (let r = t.r0, k = 0; r < t.r1; r++, k += w) dst.set(src.subarray(k, k + w), r * width + t.c0);
}
