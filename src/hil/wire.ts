/**
 * The wire: loads proto/grasp_hil/chip/v1/chip.proto (service `grasp_hil.chip.v1.Chip`) and converts
 * between its messages and the driver types. Matrices travel as float32 little-endian row-major bytes
 * (a view or one copy to decode, none to encode), not as repeated floats. MVM calls that share one
 * input matrix send it once to a server that advertises `shared_inputs` (callsToMsg, callInputsFromMsg).
 */
import { fileURLToPath } from 'node:url';
import { endianness } from 'node:os';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import type { ChipCapabilities, ClockKind, Matrix, MvmCall, TargetUnits } from './driver.js';
import { HilError } from './errors.js';

export const PROTO_FILE = fileURLToPath(new URL('../../proto/grasp_hil/chip/v1/chip.proto', import.meta.url));
export const SERVICE_NAME = 'grasp_hil.chip.v1.Chip';

if (endianness() !== 'LE') throw new Error('grasp-hil chip wire: this host is big-endian; float32 matrices are sent as little-endian views');

let cached: grpc.ServiceClientConstructor | null = null;

/** The Chip service's client constructor (its `.service` is the server's service definition). */
export function chipService(): grpc.ServiceClientConstructor {
  if (cached) return cached;
  const def = protoLoader.loadSync(PROTO_FILE, { keepCase: true, longs: Number, enums: String, defaults: true });
  const pkg = grpc.loadPackageDefinition(def) as unknown as { grasp_hil: { chip: { v1: { Chip: grpc.ServiceClientConstructor } } } };
  cached = pkg.grasp_hil.chip.v1.Chip;
  return cached;
}

export interface MatrixMsg {
  rows: number;
  cols: number;
  data: Buffer;
}

export function toMsg(m: Matrix): MatrixMsg {
  return { rows: m.rows, cols: m.cols, data: Buffer.from(m.data.buffer, m.data.byteOffset, m.data.byteLength) };
}

/** A matrix from the wire; a byte count that is not a whole number of float32 values is INVALID_ARGUMENT. */
export function fromMsg(m: MatrixMsg | null | undefined, where: string): Matrix {
  if (!m) throw new HilError('INVALID_ARGUMENT', `${where}: matrix missing; send rows, cols and data (float32 little-endian bytes)`);
  const bytes = m.data ?? Buffer.alloc(0);
  if (bytes.length % 4 !== 0) throw new HilError('INVALID_ARGUMENT', `${where}: ${bytes.length} data bytes is not a whole number of float32 values`);
  // A view when the bytes sit 4-aligned in their buffer; a copy otherwise.
  if (bytes.byteOffset % 4 === 0) return { rows: m.rows, cols: m.cols, data: new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4) };
  const data = new Float32Array(bytes.length / 4);
  new Uint8Array(data.buffer).set(bytes);
  return { rows: m.rows, cols: m.cols, data };
}

export interface TileMvmMsg {
  tile: number;
  inputs: MatrixMsg | null;
  /** 1 + index of the earlier call whose inputs this call takes; 0: `inputs` given. */
  inputs_of?: number;
}

/**
 * An MVM request's calls on the wire. With `share` (the server's Capabilities.shared_inputs) a call
 * whose `inputs` is the same object as an earlier call's sends `inputs_of` instead of the bytes again.
 */
export function callsToMsg(calls: readonly MvmCall[], share: boolean): TileMvmMsg[] {
  const first = new Map<Matrix, number>();
  return calls.map((c, i) => {
    const j = share ? first.get(c.inputs) : undefined;
    if (j !== undefined) return { tile: c.tile, inputs: null, inputs_of: j + 1 };
    first.set(c.inputs, i);
    return { tile: c.tile, inputs: toMsg(c.inputs) };
  });
}

/**
 * The inputs of call i of a request: its own matrix, or (inputs_of = k > 0) the inputs of call k − 1,
 * which must come before it; `decoded` holds the earlier calls' inputs. `shared`: taken from an earlier
 * call (already checked there).
 */
export function callInputsFromMsg(c: TileMvmMsg, i: number, decoded: readonly Matrix[], where: string): { inputs: Matrix; shared: boolean } {
  const of = c.inputs_of ?? 0;
  if (of === 0) return { inputs: fromMsg(c.inputs, `${where}.inputs`), shared: false };
  if (c.inputs) throw new HilError('INVALID_ARGUMENT', `${where}: give either inputs or inputs_of, not both`);
  if (of > i) throw new HilError('INVALID_ARGUMENT', `${where}: inputs_of = ${of} must name an earlier call of the request (1 … ${i})`);
  return { inputs: decoded[of - 1], shared: true };
}

const UNITS: Record<TargetUnits, string> = { weight: 'UNITS_WEIGHT', conductance: 'UNITS_CONDUCTANCE_US' };
const CLOCKS: Record<ClockKind, string> = { simulated: 'CLOCK_SIMULATED', wall: 'CLOCK_WALL' };

export function unitsToMsg(u: TargetUnits): string {
  return UNITS[u];
}

export function unitsFromMsg(u: string): TargetUnits {
  const found = (Object.keys(UNITS) as TargetUnits[]).find((k) => UNITS[k] === u);
  if (!found) throw new HilError('INVALID_ARGUMENT', `units '${u}' unknown; expected one of ${Object.values(UNITS).join(', ')}`);
  return found;
}

export interface CapabilitiesMsg {
  protocol_version: number;
  driver: string;
  profile: string;
  tile_rows: number;
  tile_cols: number;
  tiles: number;
  dac_bits: number;
  adc_bits: number;
  max_batch: number;
  max_message_bytes: number;
  deterministic: boolean;
  drifts: boolean;
  clock: string;
  target_units: string[];
  shared_inputs: boolean;
}

export function capsToMsg(c: ChipCapabilities): CapabilitiesMsg {
  return {
    protocol_version: c.protocolVersion,
    driver: c.driver,
    profile: c.profile,
    tile_rows: c.tile.rows,
    tile_cols: c.tile.cols,
    tiles: c.tiles,
    dac_bits: c.dacBits ?? 0,
    adc_bits: c.adcBits ?? 0,
    max_batch: c.maxBatch,
    max_message_bytes: c.maxMessageBytes,
    deterministic: c.deterministic,
    drifts: c.drifts,
    clock: CLOCKS[c.clock],
    target_units: c.targetUnits.map(unitsToMsg),
    shared_inputs: c.sharedInputs === true,
  };
}

export function capsFromMsg(m: CapabilitiesMsg): ChipCapabilities {
  const clock = (Object.keys(CLOCKS) as ClockKind[]).find((k) => CLOCKS[k] === m.clock);
  return {
    protocolVersion: m.protocol_version,
    driver: m.driver,
    profile: m.profile,
    tile: { rows: m.tile_rows, cols: m.tile_cols },
    tiles: m.tiles,
    dacBits: m.dac_bits || null,
    adcBits: m.adc_bits || null,
    maxBatch: m.max_batch,
    maxMessageBytes: m.max_message_bytes,
    deterministic: m.deterministic,
    drifts: m.drifts,
    clock: clock ?? (m.clock as ClockKind),
    targetUnits: (m.target_units ?? []).map((u) => (u === 'UNITS_WEIGHT' ? 'weight' : u === 'UNITS_CONDUCTANCE_US' ? 'conductance' : (u as TargetUnits))),
    sharedInputs: m.shared_inputs === true,
  };
}
