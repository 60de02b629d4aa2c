/**
 * The chip-driver contract: what experiments need from an analog chip, as one interface that the
 * in-process simulator (simulator.ts), the gRPC client (client.ts) and any lab's host implement.
 *
 *   capabilities()          tile shape, number of tile slots, profile, DAC/ADC bits, limits, determinism, clock
 *   programTile(tile, W)    write targets [rows, cols] (weight units) → report: pulses, verify error
 *   readTile(tile)          one read of the tile's weights now, weight units [rows, cols]
 *   mvm(calls)              per call: inputs [batch, rows] → outputs [batch, cols] = analog(x·W), no bias;
 *                           calls holding the same `inputs` object send it once to a server with sharedInputs
 *   time() / advance(s)     seconds since reset; a simulator advances it, hardware follows the wall clock
 *   reset(seed)             forget every tile, time 0, reseed the random streams
 *
 * Matrices are Float32Array, row-major. Tile ids are integers in [0, capabilities.tiles). Errors are
 * HilError with a gRPC code name (errors.ts). Determinism: a driver with `deterministic: true` returns
 * the same numbers for the same reset seed and the same sequence of calls.
 */
export type TargetUnits = 'weight' | 'conductance';
export type ClockKind = 'simulated' | 'wall';

export const PROTOCOL_VERSION = 1;

export interface ChipCapabilities {
  protocolVersion: number;
  /** Implementation name, e.g. 'grasp-hil-simulator'. */
  driver: string;
  /** Device profile or device id. */
  profile: string;
  tile: { rows: number; cols: number };
  /** Tile ids are 0 … tiles − 1. */
  tiles: number;
  /** Input (DAC) and output (ADC) bits; null = no quantisation. */
  dacBits: number | null;
  adcBits: number | null;
  /** Most rows in one MVM input. */
  maxBatch: number;
  /** Largest message the server accepts (bytes). */
  maxMessageBytes: number;
  deterministic: boolean;
  drifts: boolean;
  clock: ClockKind;
  targetUnits: TargetUnits[];
  /** The server takes an MVM call that reuses an earlier call's inputs without resending them (absent: false). */
  sharedInputs?: boolean;
}

/** A row-major float32 matrix. */
export interface Matrix {
  rows: number;
  cols: number;
  data: Float32Array;
}

export interface ProgramReport {
  tile: number;
  rows: number;
  cols: number;
  /** Write pulses spent. */
  pulses: number;
  /** RMS and max |read-back − target| right after programming (no read noise), in target units. */
  verifyRmse: number;
  verifyMaxAbs: number;
  /** Chip time at programming (s). */
  time: number;
}

export interface TileReadout {
  tile: number;
  values: Matrix;
  /** Chip time of the read (s). */
  time: number;
}

export interface MvmCall {
  tile: number;
  /** [batch, rows of the programmed tile]. */
  inputs: Matrix;
}

export interface ChipDriver {
  capabilities(): Promise<ChipCapabilities>;
  programTile(tile: number, targets: Matrix, units?: TargetUnits): Promise<ProgramReport>;
  readTile(tile: number): Promise<TileReadout>;
  /** One output [batch, cols] per call, in order. */
  mvm(calls: MvmCall[]): Promise<Matrix[]>;
  time(): Promise<number>;
  /** Moves time forward by `seconds` (finite, ≥ 0); returns the new time. */
  advance(seconds: number): Promise<number>;
  reset(seed?: number): Promise<void>;
  close(): Promise<void>;
}
