/**
 * SimulatorDriver: the chip-driver contract (driver.ts) in-process, over the crossbar's Chip.
 *
 * Each tile slot holds one single-tile Site named `tile/<id>`, programmed with
 * `Chip.program({ 'tile/<id>': W }, profile, periphery, seeds)` — the periphery's tile shape is the
 * capabilities' tile shape, so the Site is exactly one crossbar tile and its MVM is the crossbar's
 * `AnalogLinear` (DAC, per-MVM read noise, ADC, IR drop, compensation as the periphery says).
 *
 *   programTile   Chip.program → pulses; verify error = effective weights at 0 s (no read noise) − targets
 *   readTile      chipState.effectiveWeights with one read-noise draw (stream 'read-back', n-th read)
 *   mvm           chipState.analog(site).forward(x) with x [batch, rows] (tensors freed before return)
 *   time          a simulated clock: a tile programmed at clock c is read at chip.at(clock − c)
 *
 * Streams (all from the reset seed s): first programming of a tile uses ChipSeeds { chip: s } (so its
 * numbers equal `Chip.program(…, s)` on the same weights and Site name); the n-th re-programming of
 * the same tile keeps the chip stream (device-to-device variation and faults are the chip's identity)
 * and uses program seed `s/write-n`. Read noise after the k-th `advance` uses read seed `s/epoch-k`
 * (k = 0: s). Same seed, same calls → same numbers.
 *
 * Every call also has a blocking twin (`mvmSync`, …: the SyncChip of sync.ts) that a model's forward
 * pass can call from inside a Site hook; the async methods return their results.
 */
import { Chip, resolvePeriphery, type ChipState, type PeripheryOptions } from '../crossbar/index.js';
import { loadProfile, type DeviceModel } from '../device/index.js';
import { Rng, tf, tidyRead } from '../tensor/index.js';
import { PROTOCOL_VERSION, type ChipCapabilities, type ChipDriver, type Matrix, type MvmCall, type ProgramReport, type TargetUnits, type TileReadout } from './driver.js';
import { HilError } from './errors.js';
import type { SyncChip } from './sync.js';
import { checkInputs, checkSeed, checkStep, checkTargets, checkTileId } from './validate.js';

export interface SimulatorOptions {
  /** Device profile: a DeviceModel, a shipped profile id or a path. */
  profile: DeviceModel | string;
  /** Periphery options or preset name (its tile shape is the chip's tile shape). */
  periphery?: PeripheryOptions | string;
  /** Reset seed (default 0). */
  seed?: number;
  /** Tile slots (default 256). */
  tiles?: number;
  /** Most rows in one MVM input (default 4096). */
  maxBatch?: number;
  /** Largest message a server of this driver accepts (default 64 MiB). */
  maxMessageBytes?: number;
}

interface Slot {
  name: string;
  rows: number;
  cols: number;
  targets: Float32Array;
  chip: Chip;
  /** Clock at programming (s). */
  programmedAt: number;
  writes: number;
  reads: number;
  /** The chip state for the current epoch, built on first use. */
  state: ChipState | null;
}

export const SIMULATOR_DRIVER = 'grasp-hil-simulator';

export class SimulatorDriver implements ChipDriver, SyncChip {
  readonly device: DeviceModel;
  private readonly periphery: PeripheryOptions | string;
  private readonly caps: ChipCapabilities;
  private seed: number;
  private clock = 0;
  private epoch = 0;
  private slots = new Map<number, Slot>();
  /** Writes per tile id since reset (re-programming draws new programming noise). */
  private writes = new Map<number, number>();

  constructor(options: SimulatorOptions) {
    this.device = typeof options.profile === 'string' ? loadProfile(options.profile) : options.profile;
    this.periphery = options.periphery ?? {};
    const p = resolvePeriphery(this.periphery);
    this.seed = checkSeed(options.seed ?? 0, 'SimulatorDriver seed');
    const positive = (v: number | undefined, fallback: number, name: string) => {
      const x = v ?? fallback;
      if (!Number.isInteger(x) || x < 1) throw new Error(`SimulatorDriver: ${name} must be an integer ≥ 1, got ${x}`);
      return x;
    };
    this.caps = {
      protocolVersion: PROTOCOL_VERSION,
      driver: SIMULATOR_DRIVER,
      profile: this.device.id,
      tile: { rows: p.tile.rows, cols: p.tile.cols },
      tiles: positive(options.tiles, 256, 'tiles'),
      dacBits: p.dac.bits,
      adcBits: p.adc.bits,
      maxBatch: positive(options.maxBatch, 4096, 'maxBatch'),
      maxMessageBytes: positive(options.maxMessageBytes, 64 << 20, 'maxMessageBytes'),
      deterministic: true,
      drifts: this.device.family !== 'ideal',
      clock: 'simulated',
      targetUnits: ['weight'],
      sharedInputs: true,
    };
  }

  async capabilities(): Promise<ChipCapabilities> {
    return this.capabilitiesSync();
  }

  capabilitiesSync(): ChipCapabilities {
    return structuredClone(this.caps);
  }

  async programTile(tile: number, targets: Matrix, units: TargetUnits = 'weight'): Promise<ProgramReport> {
    return this.programTileSync(tile, targets, units);
  }

  programTileSync(tile: number, targets: Matrix, units: TargetUnits = 'weight'): ProgramReport {
    const id = checkTileId(this.caps, tile, 'programTile');
    checkTargets(this.caps, targets, `programTile(tile ${id}).targets`);
    if (units !== 'weight') throw new HilError('UNIMPLEMENTED', `programTile: the simulator takes targets in weight units only, got '${units}'`);
    const name = `tile/${id}`;
    const writes = this.writes.get(id) ?? 0;
    this.writes.set(id, writes + 1);
    const seeds = writes === 0 ? { chip: this.seed } : { chip: this.seed, program: `${this.seed}/write-${writes}` };
    const weight = Float32Array.from(targets.data);
    const chip = Chip.program(new Map([[name, { inFeatures: targets.rows, outFeatures: targets.cols, weight, bias: null }]]), this.device, this.periphery, seeds);
    const slot: Slot = { name, rows: targets.rows, cols: targets.cols, targets: weight, chip, programmedAt: this.clock, writes, reads: 0, state: null };
    this.release(id);
    this.slots.set(id, slot);
    const verify = chip.at(0).effectiveWeights(name, { readNoise: false }).weight;
    let se = 0, maxAbs = 0;
    for (let i = 0; i < verify.length; i++) {
      const d = Math.abs(verify[i] - weight[i]);
      se += d * d;
      if (d > maxAbs) maxAbs = d;
    }
    return { tile: id, rows: slot.rows, cols: slot.cols, pulses: chip.summary().pulses, verifyRmse: Math.sqrt(se / verify.length), verifyMaxAbs: maxAbs, time: this.clock };
  }

  async readTile(tile: number): Promise<TileReadout> {
    const slot = this.slot(tile, 'readTile');
    const state = this.stateOf(slot);
    const rng = new Rng(state.readSeed, 'read-back').fork(slot.name).fork(slot.reads++);
    const w = state.effectiveWeights(slot.name, { readNoise: true, rng }).weight;
    return { tile, values: { rows: slot.rows, cols: slot.cols, data: w }, time: this.clock };
  }

  async mvm(calls: MvmCall[]): Promise<Matrix[]> {
    return this.mvmSync(calls);
  }

  mvmSync(calls: MvmCall[]): Matrix[] {
    // Validate every call before running any.
    const slots = calls.map((c, i) => {
      const slot = this.slot(c.tile, `mvm call ${i}`);
      checkInputs(this.caps, c.inputs, slot.rows, `mvm call ${i} (tile ${c.tile}).inputs`);
      return slot;
    });
    return calls.map((c, i) => this.mvmOne(slots[i], c.inputs));
  }

  /** One tile's MVM (tensors freed before return). */
  private mvmOne(slot: Slot, inputs: Matrix): Matrix {
    const layer = this.stateOf(slot).analog(slot.name);
    const data = tidyRead(() => layer.forward(tf.tensor2d(inputs.data, [inputs.rows, inputs.cols])));
    return { rows: inputs.rows, cols: slot.cols, data };
  }

  async time(): Promise<number> {
    return this.clock;
  }

  timeSync(): number {
    return this.clock;
  }

  async advance(seconds: number): Promise<number> {
    return this.advanceSync(seconds);
  }

  advanceSync(seconds: number): number {
    const dt = checkStep(seconds, 'advance');
    if (dt > 0) {
      this.clock += dt;
      this.epoch++;
      for (const s of this.slots.values()) this.dropState(s);
    }
    return this.clock;
  }

  async reset(seed = this.seed): Promise<void> {
    this.resetSync(seed);
  }

  resetSync(seed = this.seed): void {
    this.seed = checkSeed(seed, 'reset');
    for (const id of [...this.slots.keys()]) this.release(id);
    this.writes.clear();
    this.clock = 0;
    this.epoch = 0;
  }

  async close(): Promise<void> {
    this.closeSync();
  }

  closeSync(): void {
    this.resetSync();
  }

  private slot(tile: number, where: string): Slot {
    const id = checkTileId(this.caps, tile, where);
    const s = this.slots.get(id);
    if (!s) throw new HilError('FAILED_PRECONDITION', `${where}: tile ${id} has not been programmed since the last reset; call programTile first`);
    return s;
  }

  private stateOf(slot: Slot): ChipState {
    slot.state ??= slot.chip.at(this.clock - slot.programmedAt, { read: this.epoch === 0 ? this.seed : `${this.seed}/epoch-${this.epoch}` });
    return slot.state;
  }

  private dropState(slot: Slot): void {
    slot.state?.dispose();
    slot.state = null;
  }

  private release(id: number): void {
    const s = this.slots.get(id);
    if (s) this.dropState(s);
    this.slots.delete(id);
  }
}
