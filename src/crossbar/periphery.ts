/**
 * The periphery around the tiles: tile size, mapping, DAC, ADC, per-MVM read noise, IR drop and
 * drift compensation, plus the energy parameters of the estimate. `resolvePeriphery` fills defaults
 * and rejects bad values with the field named; the defaults are ideal (no quantisation, no noise,
 * no IR drop) except that device read noise is on and compensation is global, as in aihwkit.
 *
 * Units of the analog MVM (as in aihwkit): inputs are scaled by the DAC range to [−1, 1]; weights
 * are normalised conductance differences in [−1, 1] (units of g_max); a tile output y = Σ x̃·Wn is
 * in units of (one full-scale input × g_max). The ADC bound and output noise are in those units.
 *
 * Quantisers: b bits give symmetric levels k/L, k ∈ [−L, L], L = 2^(b−1) − 1 (2^b − 1 levels, as
 * aihwkit's `inp_res = 1/(2^b − 2)` of the full range): DAC x̃ ↦ round(x̃·L)/L;
 * ADC y ↦ clip(round(y·L/bound), −L, L)·bound/L.
 */
import type { MappingScheme } from '../device/index.js';
import { parseQuantity } from '../device/index.js';
import type { ScaleGranularity } from './mapping.js';
import { resolveCalibration, type Calibration, type CalibrationOptions } from './calibration.js';
import { checkSlicing, type WeightSlicing } from './slicing.js';
import { checkTileShape, type TileShape } from './tiles.js';
import { DEFAULT_AREA, DEFAULT_ENERGY, type PeripheryArea, type PeripheryEnergy } from './cost-parameters.js';

export { DEFAULT_AREA, DEFAULT_ENERGY, type PeripheryArea, type PeripheryEnergy };

export type CompensationMode = 'none' | 'global' | 'global-exact' | 'column' | 'column-exact';
export const COMPENSATION_MODES: readonly CompensationMode[] = ['none', 'global', 'global-exact', 'column', 'column-exact'];

/**
 * How the per-MVM read-noise variance Σ_i x_i²·σ_ij² is computed: exactly (a second matmul of the
 * size of the MVM, ≈ 2× its cost) or from the best rank-1 approximation σ² ≈ u·vᵀ per row tile
 * (O(N·(in + out))). rank1 is the default: for dense inputs its σ is within 5 % of the exact one
 * (test/crossbar/analog-linear.test.ts); for single-device reads use 'exact'.
 */
export type ReadNoiseMode = 'exact' | 'rank1';

export interface PeripheryOptions {
  /** Devices per tile (per polarity); default 512 × 512. */
  tile?: Partial<TileShape>;
  /** Override the device's mapping scheme. */
  mapping?: MappingScheme;
  /** max|W| → g_max per tile (default) or per column. */
  scale?: ScaleGranularity;
  /**
   * DAC: bits (null = no quantisation), input range ('abs-max' per input vector and tile, or a fixed
   * number) and bit-serial input: `serial` bits per cycle (null = all bits at once); the codes'
   * magnitude bits are applied `serial` at a time, each cycle through the ADC, and shifted and added.
   */
  dac?: { bits?: number | null; range?: 'abs-max' | number; serial?: number | null } | null;
  /**
   * Calibrated DAC ranges and ADC bounds per row tile or per layer (calibration.ts), from
   * percentiles of calibration inputs; a Site must then be calibrated (ChipState.calibrate or
   * startCalibration/finishCalibration) before its first MVM. Default null (fixed ranges).
   */
  calibration?: CalibrationOptions | null;
  /** Weight slicing (slicing.ts): N device pairs per weight with significance base^k; default 1 slice. */
  slicing?: Partial<WeightSlicing> | null;
  /**
   * ADC: bits (null = none), bound (output range, null = unbounded), output noise σ, and bound
   * management ('iterative': an input vector whose outputs clip is sent again with halved inputs,
   * as aihwkit's BoundManagementType.ITERATIVE; default 'none').
   */
  adc?: { bits?: number | null; bound?: number | null; noise?: number; boundManagement?: BoundManagement } | null;
  /** Per-MVM device read noise: on/off, and how its variance is computed. Default on, 'rank1'. */
  readNoise?: boolean | { enabled?: boolean; mode?: ReadNoiseMode };
  /**
   * IR drop on the wires (ir-drop.ts): `model` 'physical' (default: static analytic drop of every
   * physical column's current, common mode included), 'exact' (nodal solve, nodal.ts) or 'aihwkit'
   * (aihwkit's per-MVM formula on the conductance difference); `scale` (0 = off) multiplies the
   * wire resistance ('aihwkit': the drop, as aihwkit's `ir_drop`); `wireResistance` Ω per column-wire
   * segment (default 0.35) or `gRatio` = G_wire/g_max directly (default 1/(R·g_max of the profile));
   * `rowWireResistance` Ω per row-wire segment, 'exact' only (default 0: ideal row drivers).
   */
  irDrop?: { model?: IrDropModel; scale?: number; gRatio?: number; wireResistance?: string | number; rowWireResistance?: string | number } | null;
  /** Drift compensation; true = 'global', false = 'none'. Default 'global'. */
  compensation?: CompensationMode | boolean;
  /** Energy and timing parameters of the estimate (energy.ts); defaults and their sources in cost-parameters.ts. */
  energy?: Partial<PeripheryEnergy>;
  /** Area parameters of the estimate (area.ts): feature size (m) and block areas (F²). */
  area?: Partial<PeripheryArea>;
  /**
   * How the per-tile periphery (DAC, noise, ADC, scaling) runs around the TF.js matmuls: as TF.js
   * ops, or as one fused JS loop per tile. 'auto' (default): fused on the cpu and wasm backends
   * (fewer passes over memory) — on wasm as WebAssembly kernels with the fused loops' float64
   * arithmetic (exactly their numbers, clip counts included) unless the per-MVM IR drop ('aihwkit')
   * is on — and TF.js ops elsewhere. Same numbers either way (up to rounding); 'fused-js' keeps the JavaScript loops.
   */
  execution?: PeripheryExecution;
}

export type PeripheryExecution = 'auto' | 'tensor-ops' | 'fused-js';

export type BoundManagement = 'none' | 'iterative';

/** How IR drop is computed (see ir-drop.ts). */
export type IrDropModel = 'physical' | 'exact' | 'aihwkit';
export const IR_DROP_MODELS: readonly IrDropModel[] = ['physical', 'exact', 'aihwkit'];

export interface Periphery {
  tile: TileShape;
  mapping: MappingScheme | null;
  scale: ScaleGranularity;
  dac: { bits: number | null; range: 'abs-max' | number; serial: number | null };
  slicing: WeightSlicing;
  calibration: Calibration | null;
  adc: { bits: number | null; bound: number | null; noise: number; boundManagement: BoundManagement };
  readNoise: { enabled: boolean; mode: ReadNoiseMode };
  /** null when off. `gRatio` null: computed from the device's g_max and `wireResistance` (Ω); row wires in Ω (0 = ideal). */
  irDrop: { model: IrDropModel; scale: number; gRatio: number | null; wireResistance: number; rowWireResistance: number } | null;
  compensation: CompensationMode;
  energy: PeripheryEnergy;
  area: PeripheryArea;
  execution: PeripheryExecution;
}

export const PERIPHERY_PRESETS: Readonly<Record<string, PeripheryOptions>> = {
  /** No quantisation, no periphery noise, no IR drop, no compensation; device read noise off. */
  ideal: { readNoise: false, compensation: 'none' },
  /**
   * aihwkit's StandardHWATrainingPreset forward settings (Rasch et al. 2023): 512-row tiles,
   * 8-bit DAC and ADC (inp_res = out_res = 1/254), out_bound 10, out_noise 0.04, ir_drop 1 with
   * aihwkit's formula and ir_drop_g_ratio = 571428.57 = 1/(0.35 Ω · 5 µS) (aihwkit
   * simulator/parameters/io.py, IOParameters.ir_drop_g_ratio), per-column weight scaling, global
   * drift compensation. (aihwkit's input range is learned; here the DAC range is the abs-max of
   * each input vector.)
   */
  'aihwkit-standard': {
    tile: { rows: 512, cols: 512 },
    scale: 'column',
    dac: { bits: 8, range: 'abs-max' },
    adc: { bits: 8, bound: 10, noise: 0.04 },
    readNoise: true,
    irDrop: { model: 'aihwkit', scale: 1, gRatio: 1 / (0.35 * 5e-6) },
    compensation: 'global',
  },
};

function bits(v: unknown, where: string): number | null {
  if (v === null || v === undefined) return null;
  if (!Number.isInteger(v) || (v as number) < 2 || (v as number) > 24) throw new Error(`${where} must be an integer from 2 to 24 (or null for no quantisation), got ${v}`);
  return v as number;
}

function positive(v: unknown, where: string, allowZero = false): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || (!allowZero && v === 0)) {
    throw new Error(`${where} must be a finite number ${allowZero ? '≥' : '>'} 0, got ${v}`);
  }
  return v;
}

/** Fills defaults and checks every field; throws naming the field. */
export function resolvePeriphery(options: PeripheryOptions | Periphery | string = {}, where = 'periphery'): Periphery {
  if (typeof options === 'string') {
    const preset = PERIPHERY_PRESETS[options];
    if (!preset) throw new Error(`${where}: unknown periphery preset '${options}'; presets: ${Object.keys(PERIPHERY_PRESETS).join(', ')}`);
    return resolvePeriphery(preset, where);
  }
  const o = options as PeripheryOptions;
  const tile: TileShape = { rows: o.tile?.rows ?? 512, cols: o.tile?.cols ?? 512 };
  checkTileShape(tile, `${where}.tile`);
  if (o.mapping !== undefined && o.mapping !== 'differential' && o.mapping !== 'offset') {
    throw new Error(`${where}.mapping must be 'differential' or 'offset', got ${o.mapping}`);
  }
  const scale = o.scale ?? 'tile';
  if (scale !== 'tile' && scale !== 'column') throw new Error(`${where}.scale must be 'tile' or 'column', got ${scale}`);
  const dacRange = o.dac?.range ?? 'abs-max';
  if (dacRange !== 'abs-max') positive(dacRange, `${where}.dac.range`);
  const dacBits = bits(o.dac?.bits, `${where}.dac.bits`);
  const serial = o.dac?.serial ?? null;
  if (serial !== null) {
    if (dacBits === null) throw new Error(`${where}.dac.serial needs dac.bits (the codes to send bit-serially); set dac.bits or serial null`);
    if (!(Number.isInteger(serial) && serial >= 1 && serial <= dacBits - 1)) throw new Error(`${where}.dac.serial must be an integer from 1 to dac.bits − 1 = ${dacBits - 1} (magnitude bits per cycle), got ${serial}`);
  }
  const dac = { bits: dacBits, range: dacRange, serial };
  const slicing = checkSlicing({ slices: o.slicing?.slices ?? 1, base: o.slicing?.base ?? 2 }, `${where}.slicing`);
  const adcBits = bits(o.adc?.bits, `${where}.adc.bits`);
  let bound: number | null = o.adc?.bound ?? null;
  if (bound !== null) positive(bound, `${where}.adc.bound`);
  if (adcBits !== null && bound === null) bound = 12; // aihwkit's default out_bound
  const boundManagement = o.adc?.boundManagement ?? 'none';
  if (boundManagement !== 'none' && boundManagement !== 'iterative') throw new Error(`${where}.adc.boundManagement must be 'none' or 'iterative', got ${boundManagement}`);
  if (boundManagement === 'iterative' && bound === null) throw new Error(`${where}.adc.boundManagement 'iterative' needs an ADC bound (adc.bits or adc.bound)`);
  if (boundManagement === 'iterative' && serial !== null) throw new Error(`${where}.adc.boundManagement 'iterative' cannot be combined with bit-serial inputs (dac.serial); choose one`);
  const adc = { bits: adcBits, bound, noise: positive(o.adc?.noise ?? 0, `${where}.adc.noise`, true), boundManagement };
  const rn = o.readNoise ?? true;
  const readNoise = typeof rn === 'boolean' ? { enabled: rn, mode: 'rank1' as ReadNoiseMode } : { enabled: rn.enabled ?? true, mode: rn.mode ?? 'rank1' };
  if (readNoise.mode !== 'exact' && readNoise.mode !== 'rank1') throw new Error(`${where}.readNoise.mode must be 'exact' or 'rank1', got ${readNoise.mode}`);
  let irDrop: Periphery['irDrop'] = null;
  if (o.irDrop) {
    const s = positive(o.irDrop.scale ?? 1, `${where}.irDrop.scale`, true);
    const wr = o.irDrop.wireResistance;
    const wireResistance = wr === undefined ? 0.35 : typeof wr === 'number' ? positive(wr, `${where}.irDrop.wireResistance`) : parseQuantity(wr, 'resistance', `${where}.irDrop.wireResistance`);
    const gRatio = o.irDrop.gRatio === undefined ? null : positive(o.irDrop.gRatio, `${where}.irDrop.gRatio`);
    const model = o.irDrop.model ?? 'physical';
    if (!IR_DROP_MODELS.includes(model)) throw new Error(`${where}.irDrop.model must be one of ${IR_DROP_MODELS.join(', ')}, got ${model}`);
    const rr = o.irDrop.rowWireResistance ?? 0;
    const rowWireResistance = typeof rr === 'number' ? positive(rr, `${where}.irDrop.rowWireResistance`, true) : parseQuantity(rr, 'resistance', `${where}.irDrop.rowWireResistance`);
    if (rowWireResistance > 0 && model !== 'exact') {
      throw new Error(`${where}.irDrop.rowWireResistance: only the 'exact' model (nodal solve) has row wires; set irDrop.model to 'exact' or rowWireResistance to 0`);
    }
    if (s > 0) irDrop = { model, scale: s, gRatio, wireResistance, rowWireResistance };
  }
  const c = o.compensation ?? 'global';
  const compensation: CompensationMode = c === true ? 'global' : c === false ? 'none' : c;
  if (!COMPENSATION_MODES.includes(compensation)) throw new Error(`${where}.compensation must be one of ${COMPENSATION_MODES.join(', ')} (or true/false), got ${c}`);
  const energy = { ...DEFAULT_ENERGY, ...(o.energy ?? {}) };
  for (const [k, v] of Object.entries(energy)) {
    if (!(k in DEFAULT_ENERGY)) throw new Error(`${where}.energy.${k}: unknown energy parameter; known: ${Object.keys(DEFAULT_ENERGY).join(', ')}`);
    positive(v, `${where}.energy.${k}`, k !== 'columnsPerAdc');
  }
  const area = { ...DEFAULT_AREA, ...(o.area ?? {}) };
  for (const [k, v] of Object.entries(area)) {
    if (!(k in DEFAULT_AREA)) throw new Error(`${where}.area.${k}: unknown area parameter; known: ${Object.keys(DEFAULT_AREA).join(', ')}`);
    positive(v, `${where}.area.${k}`);
  }
  const execution = o.execution ?? 'auto';
  if (!['auto', 'tensor-ops', 'fused-js'].includes(execution)) throw new Error(`${where}.execution must be 'auto', 'tensor-ops' or 'fused-js', got ${execution}`);
  const calibration = resolveCalibration(o.calibration, `${where}.calibration`);
  return { tile, mapping: o.mapping ?? null, scale, dac, slicing, calibration, adc, readNoise, irDrop, compensation, energy, area, execution };
}

/** Largest code of a b-bit symmetric quantiser: 2^(b−1) − 1. */
export const levelsOf = (b: number): number => 2 ** (b - 1) - 1;

/** Whether IR drop acts per MVM (aihwkit's input-dependent formula); 'physical' and 'exact' are folded into the conductances at t. */
export function perMvmIrDrop(p: Periphery): boolean {
  return p.irDrop !== null && p.irDrop.model === 'aihwkit';
}

/** Whether the MVM needs each row tile's partial sum separately (nonlinear per-tile periphery). */
export function needsTilePartialSums(p: Periphery): boolean {
  return p.adc.bits !== null || p.adc.bound !== null || p.adc.noise > 0 || perMvmIrDrop(p) || p.dac.serial !== null || p.calibration !== null;
}

/** Input cycles per MVM: ⌈(DAC bits − 1)/serial⌉ with bit-serial inputs, else 1. */
export function inputCycles(p: Periphery): number {
  return p.dac.serial !== null && p.dac.bits !== null ? Math.ceil((p.dac.bits - 1) / p.dac.serial) : 1;
}
