/**
 * Request checks shared by the simulator driver and the gRPC server, so every implementation served
 * by grasp-hil rejects the same requests with the same codes and messages (errors.ts). Checks run
 * before any work: tile id range, matrix shape against the data length and the tile shape, finite
 * values, batch limit, time steps.
 */
import type { ChipCapabilities, Matrix } from './driver.js';
import { HilError } from './errors.js';

/** `tile` is an integer id in [0, caps.tiles). */
export function checkTileId(caps: ChipCapabilities, tile: unknown, where: string): number {
  if (typeof tile !== 'number' || !Number.isInteger(tile) || tile < 0 || tile >= caps.tiles) {
    throw new HilError('INVALID_ARGUMENT', `${where}: unknown tile id ${String(tile)}; tile ids are integers 0 … ${caps.tiles - 1}`);
  }
  return tile;
}

/** A matrix whose data holds rows·cols finite values. */
export function checkMatrix(m: Matrix, where: string): void {
  const { rows, cols, data } = m;
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 1 || cols < 1) {
    throw new HilError('INVALID_ARGUMENT', `${where}: shape ${rows}×${cols}; rows and cols must be integers ≥ 1`);
  }
  if (data.length !== rows * cols) {
    throw new HilError('INVALID_ARGUMENT', `${where}: ${data.length} values for shape ${rows}×${cols}; expected ${rows * cols} float32 values (${rows * cols * 4} bytes)`);
  }
  // x − x is NaN exactly when x is ±∞ or NaN: one pass of float arithmetic, then locate the first one.
  let acc = 0;
  for (let i = 0; i < data.length; i++) acc += data[i] - data[i];
  if (acc === 0) return;
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i])) {
      throw new HilError('INVALID_ARGUMENT', `${where}: value [${Math.floor(i / cols)}, ${i % cols}] is ${data[i]}; every value must be finite`);
    }
  }
}

/** Targets for one tile: a finite matrix no larger than the tile. */
export function checkTargets(caps: ChipCapabilities, targets: Matrix, where: string): void {
  checkMatrix(targets, where);
  if (targets.rows > caps.tile.rows || targets.cols > caps.tile.cols) {
    throw new HilError('INVALID_ARGUMENT', `${where}: shape ${targets.rows}×${targets.cols} does not fit a ${caps.tile.rows}×${caps.tile.cols} tile; split the matrix into tiles`);
  }
}

/** MVM inputs [batch, rows]: finite, batch ≤ maxBatch, rows = the programmed tile's rows. */
export function checkInputs(caps: ChipCapabilities, inputs: Matrix, tileRows: number, where: string): void {
  if (Number.isInteger(inputs.rows) && inputs.rows > caps.maxBatch) {
    throw new HilError('RESOURCE_EXHAUSTED', `${where}: batch of ${inputs.rows} rows is over this chip's limit of ${caps.maxBatch}; split the batch`);
  }
  checkMatrix(inputs, where);
  if (inputs.cols !== tileRows) {
    throw new HilError('INVALID_ARGUMENT', `${where}: inputs have ${inputs.cols} columns but the tile was programmed with ${tileRows} rows; inputs are [batch, rows]`);
  }
}

/** A time step: finite and ≥ 0 seconds. */
export function checkStep(seconds: unknown, where: string): number {
  if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds < 0) {
    throw new HilError('INVALID_ARGUMENT', `${where}: seconds must be a finite number ≥ 0 (time never goes backwards), got ${String(seconds)}`);
  }
  return seconds;
}

/** A reset seed: an integer in [0, 2³²). */
export function checkSeed(seed: unknown, where: string): number {
  if (typeof seed !== 'number' || !Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new HilError('INVALID_ARGUMENT', `${where}: seed must be an integer in [0, 2^32), got ${String(seed)}`);
  }
  return seed;
}
