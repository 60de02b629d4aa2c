/**
 * Chip: a set of Sites' deployable weights mapped to tiles of devices and programmed; `at(t)` gives
 * the chip's state t seconds after programming, whose AnalogLinear layers replace the Sites.
 *
 *   Chip.program(weights, profile, periphery, seeds)
 *     per Site, per tile:  map (mapping.ts) → program (program.ts: quantise → write → variation →
 *                          faults → drift coefficients) → reference readout for compensation
 *   chip.at(t, { time, read })
 *     per Site, per tile:  drift + accumulated read noise (drift.ts) → static IR drop of the
 *                          'physical'/'exact' models (ir-drop.ts) → per-MVM read-noise variance
 *                          (readnoise.ts) → compensation α (compensation.ts) → ChipState
 *
 * Random streams (each forked per Site name and tile, so a Site's numbers do not depend on which
 * other Sites are on the chip): chip (variation, faults), program (write noise, drift coefficients,
 * reference readout), time (drift, accumulated noise, readout at t), read (per-MVM noise, in
 * AnalogLinear). A new read seed changes only per-MVM read noise.
 *
 * The chip keeps a reference to each Site's weight array (it re-derives targets from it); do not
 * modify the arrays after programming.
 */
import { loadProfile, type DeviceModel, type MappingScheme, type Scales } from '../device/index.js';
import type { SiteWeights, WeightsBySite } from '../model/index.js';
import { Rng } from '../tensor/index.js';
import { columnReadout, compensationFactors, exactReference } from './compensation.js';
import { stateAt } from './drift.js';
import { A_VALID, staticIrDrop } from './ir-drop.js';
import type { Faults } from './faults.js';
import { conductanceDifference, devicesPerWeight, mapTile } from './mapping.js';
import { perMvmIrDrop, resolvePeriphery, type CompensationMode, type Periphery, type PeripheryOptions } from './periphery.js';
import { programDevices } from './program.js';
import { PulseHistogram } from './pulses.js';
import { rankOne, readVariance } from './readnoise.js';
import { sliceName, sliceWeights } from './slicing.js';
import { gatherTile, TileGrid, tileSize, type Tile } from './tiles.js';
import { ChipState, type SiteState } from './state.js';

export type Seed = number | string;

export interface ChipSeeds {
  /** Chip identity: device-to-device variation and faults. */
  chip: Seed;
  /** Programming noise and drift coefficients (default: chip). */
  program?: Seed;
  /** Drift and accumulated noise at t (default: chip). */
  time?: Seed;
  /** Per-MVM read noise (default: chip). */
  read?: Seed;
}

export interface ResolvedSeeds {
  chip: Seed;
  program: Seed;
  time: Seed;
  read: Seed;
}

export function resolveSeeds(seeds: ChipSeeds | Seed = 0): ResolvedSeeds {
  const s: ChipSeeds = typeof seeds === 'object' ? seeds : { chip: seeds };
  return { chip: s.chip, program: s.program ?? s.chip, time: s.time ?? s.chip, read: s.read ?? s.chip };
}

/** One tile's devices after programming. Conductances are fractions of g_max. */
export interface TileDevices {
  tile: Tile;
  /** [A (n); B (n)] for differential pairs, [A (n)] for the offset scheme; n = rows·cols of the tile. */
  state: Float32Array;
  coefficients: Float32Array | null;
  faults: Faults;
  pulses: number;
  /** Pulses per device (pulse count → devices). */
  pulseHistogram: PulseHistogram;
  /** Weight units per unit of normalised conductance difference, per column. */
  k: Float32Array;
  /**
   * Reference readouts Σ_rows |y| per column right after programming: exact, and through the noisy
   * periphery (computed on first use from the programming stream — the same numbers whenever).
   */
  refExact: Float64Array;
  refNoisy: Float64Array | null;
  /** Σ of the tile's device conductances (fractions of g_max), for the energy estimate. */
  conductanceSum: number;
}

export interface SiteDevices {
  name: string;
  inFeatures: number;
  outFeatures: number;
  grid: TileGrid;
  /** The Site's weight W [in, out] (kept by reference) and bias. */
  weight: Float32Array;
  bias: Float32Array | null;
  tiles: TileDevices[];
}

/** A Site as the model sees it: its weight slices on the chip (one part, significance 1, when not sliced). */
export interface SiteSlices {
  name: string;
  inFeatures: number;
  outFeatures: number;
  bias: Float32Array | null;
  /** Names of the programmed parts (SiteDevices), least significant first. */
  parts: string[];
  /** Significance s_k of each part. */
  significance: number[];
}

export interface ChipSummary {
  profile: string;
  sites: number;
  tiles: number;
  weights: number;
  devices: number;
  pulses: number;
  faults: number;
  tile: { rows: number; cols: number };
  mapping: MappingScheme;
}

export interface AtOptions {
  /** Seed of the time stream (default: the chip's). */
  time?: Seed;
  /** Seed of the per-MVM read stream (default: the chip's). */
  read?: Seed;
  /** Override the periphery's compensation mode. */
  compensation?: CompensationMode | boolean;
  /** Called with each warning (e.g. IR drop outside the analytic model's validity); they are also in `ChipState.warnings`. */
  onWarning?: (message: string) => void;
}

export interface ProgramOptions {
  /** Ablation knobs applied to the profile. */
  scales?: Partial<Scales>;
}

function checkWeights(name: string, w: SiteWeights): void {
  const { inFeatures, outFeatures, weight, bias } = w;
  if (!Number.isInteger(inFeatures) || !Number.isInteger(outFeatures) || inFeatures < 1 || outFeatures < 1) {
    throw new Error(`Site '${name}': bad shape ${inFeatures}×${outFeatures}`);
  }
  if (weight.length !== inFeatures * outFeatures) throw new Error(`Site '${name}': weight has ${weight.length} values, expected ${inFeatures}×${outFeatures}`);
  if (bias && bias.length !== outFeatures) throw new Error(`Site '${name}': bias has ${bias.length} values, expected ${outFeatures}`);
  for (let i = 0; i < weight.length; i++) {
    if (!Number.isFinite(weight[i])) throw new Error(`Site '${name}': weight[${i}] is ${weight[i]}; cannot program a non-finite weight`);
  }
}

export class Chip {
  private constructor(
    readonly device: DeviceModel,
    readonly periphery: Periphery,
    readonly seeds: ResolvedSeeds,
    readonly scheme: MappingScheme,
    private readonly siteDevices: Map<string, SiteDevices>,
    private readonly logical: Map<string, SiteSlices>,
  ) {}

  /**
   * Maps and programs every Site of `weights` (deployable W [in, out] and bias) on `profile`
   * (a DeviceModel, a shipped profile id or a path), with `periphery` (options or a preset name).
   */
  static program(weights: WeightsBySite, profile: DeviceModel | string, periphery: PeripheryOptions | string = {}, seeds: ChipSeeds | Seed = 0, options: ProgramOptions = {}): Chip {
    let device = typeof profile === 'string' ? loadProfile(profile) : profile;
    if (options.scales) device = device.withScales(options.scales);
    const p = resolvePeriphery(periphery);
    const s = resolveSeeds(seeds);
    const scheme = p.mapping ?? device.mapping;
    if (weights.size === 0) throw new Error('Chip.program: no Sites to program (the selection is empty)');
    const sites = new Map<string, SiteDevices>();
    const logical = new Map<string, SiteSlices>();
    for (const [name, w] of weights) {
      checkWeights(name, w);
      const info: SiteSlices = { name, inFeatures: w.inFeatures, outFeatures: w.outFeatures, bias: w.bias, parts: [name], significance: [1] };
      if (p.slicing.slices === 1) {
        sites.set(name, programSite(name, w, device, p, s, scheme));
      } else {
        // each slice on its own tiles; the digital bias stays with the Site (SlicedLinear)
        const sliced = sliceWeights(w.weight, w.inFeatures, w.outFeatures, p.slicing);
        info.parts = sliced.slices.map((_, k) => sliceName(name, k));
        info.significance = sliced.significance;
        sliced.slices.forEach((weight, k) => sites.set(info.parts[k], programSite(info.parts[k], { ...w, weight, bias: null }, device, p, s, scheme)));
      }
      logical.set(name, info);
    }
    return new Chip(device, p, s, scheme, sites, logical);
  }

  /** The Sites' names (as in the model; a sliced Site's parts are listed by `slicesOf`). */
  siteNames(): string[] {
    return [...this.logical.keys()];
  }

  /** A Site's parts on the chip and their significance. */
  slicesOf(name: string): SiteSlices {
    const s = this.logical.get(name);
    if (!s) throw new Error(`Site '${name}' is not on this chip; programmed Sites: ${this.siteNames().slice(0, 12).join(', ')}${this.logical.size > 12 ? ', …' : ''}`);
    return s;
  }

  sites(): IterableIterator<SiteDevices> {
    return this.siteDevices.values();
  }

  /** The programmed devices of a Site (or of one slice of a sliced Site, by its part name). */
  site(name: string): SiteDevices {
    const s = this.siteDevices.get(name);
    if (!s) {
      const sliced = this.logical.get(name);
      if (sliced) throw new Error(`Site '${name}' is sliced; its parts are ${sliced.parts.join(', ')}`);
      throw new Error(`Site '${name}' is not on this chip; programmed Sites: ${this.siteNames().slice(0, 12).join(', ')}${this.logical.size > 12 ? ', …' : ''}`);
    }
    return s;
  }

  summary(): ChipSummary {
    let tiles = 0, weights = 0, cells = 0, pulses = 0, faults = 0;
    for (const s of this.logical.values()) weights += s.inFeatures * s.outFeatures;
    for (const s of this.siteDevices.values()) {
      tiles += s.tiles.length;
      cells += s.inFeatures * s.outFeatures;
      for (const t of s.tiles) {
        pulses += t.pulses;
        faults += t.faults.index.length;
      }
    }
    return {
      profile: this.device.id,
      sites: this.logical.size,
      tiles,
      weights,
      devices: cells * devicesPerWeight(this.scheme),
      pulses,
      faults,
      tile: { ...this.periphery.tile },
      mapping: this.scheme,
    };
  }

  /** The chip t seconds after programming (drift, accumulated noise, compensation). */
  at(t: number, options: AtOptions = {}): ChipState {
    if (!(t >= 0) || !Number.isFinite(t)) throw new Error(`chip.at: time after programming must be a finite number ≥ 0 seconds, got ${t}`);
    const c = options.compensation ?? this.periphery.compensation;
    const compensation: CompensationMode = c === true ? 'global' : c === false ? 'none' : c;
    const periphery = { ...this.periphery, compensation };
    const timeRoot = new Rng(options.time ?? this.seeds.time, 'time');
    const states = new Map<string, SiteState>();
    const reference = (s: SiteDevices, td: TileDevices) => noisyReference(s, td, this.device, this.periphery, this.seeds, this.scheme);
    const warnings: string[] = [];
    for (const s of this.siteDevices.values()) {
      const st = siteAt(s, this.device, periphery, this.scheme, t, timeRoot.fork(s.name), reference);
      states.set(s.name, st);
      if (st.irDropA > A_VALID && periphery.irDrop?.model !== 'exact') {
        const m = `Site '${s.name}': IR-drop current parameter a = ${st.irDropA.toPrecision(3)} exceeds ${A_VALID}, beyond which the analytic drop polynomial ('${periphery.irDrop?.model}' model) departs from the nodal solve (5 % at a = 1.7, 140 % at a = 4); use smaller tiles, a lower wire resistance, or irDrop.model 'exact'`;
        warnings.push(m);
        options.onWarning?.(m);
      }
    }
    return new ChipState(this, t, periphery, states, options.read ?? this.seeds.read, warnings);
  }
}

/** Column-wire-to-device conductance ratio G_w/g_max of the IR-drop model (Infinity when off). */
export function irDropRatio(p: Periphery, device: DeviceModel): number {
  if (!p.irDrop) return Infinity;
  return p.irDrop.gRatio ?? 1 / (p.irDrop.wireResistance * device.gMax);
}

/** Row-wire-to-device conductance ratio (Infinity: ideal row drivers). */
export function irDropRowRatio(p: Periphery, device: DeviceModel): number {
  if (!p.irDrop || p.irDrop.rowWireResistance === 0) return Infinity;
  return 1 / (p.irDrop.rowWireResistance * device.gMax);
}

/** The tile's conductances as the MVM sees them: with the static IR drop when the model is 'physical' or 'exact'. */
function effectiveConductances(g: Float32Array, nRows: number, nCols: number, scheme: MappingScheme, p: Periphery, device: DeviceModel): { g: Float32Array; aMax: number } {
  if (!p.irDrop || p.irDrop.model === 'aihwkit') return { g, aMax: 0 };
  return staticIrDrop(g, nRows, nCols, scheme, p, irDropRatio(p, device), irDropRowRatio(p, device));
}

/** The noisy reference readout of a tile (programming stream 'reference'), computed once. */
function noisyReference(s: SiteDevices, td: TileDevices, device: DeviceModel, p: Periphery, seeds: ResolvedSeeds, scheme: MappingScheme): Float64Array {
  if (td.refNoisy) return td.refNoisy;
  const { tile } = td;
  const nRows = tile.r1 - tile.r0;
  const nCols = tile.c1 - tile.c0;
  const n = nRows * nCols;
  const wn = conductanceDifference(effectiveConductances(td.state, nRows, nCols, scheme, p, device).g, n, scheme, device.gMinNorm, new Float32Array(n));
  const s2 = new Float32Array(n);
  const hasNoise = readVariance(device, td.state, scheme === 'differential' ? td.state.subarray(n) : null, n, s2);
  const rng = new Rng(seeds.program, 'program').fork(s.name).fork(tile.index).fork('reference');
  td.refNoisy = columnReadout(wn, hasNoise ? s2 : null, nRows, nCols, p, rng, irDropRatio(p, device));
  return td.refNoisy;
}

function programSite(name: string, w: SiteWeights, device: DeviceModel, p: Periphery, seeds: ResolvedSeeds, scheme: MappingScheme): SiteDevices {
  const grid = new TileGrid(w.inFeatures, w.outFeatures, p.tile);
  const chip = new Rng(seeds.chip, 'chip').fork(name);
  const program = new Rng(seeds.program, 'program').fork(name);
  const gRatio = irDropRatio(p, device);
  const tiles: TileDevices[] = [];
  for (const tile of grid.tiles()) {
    const nRows = tile.r1 - tile.r0;
    const nCols = tile.c1 - tile.c0;
    const n = nRows * nCols;
    const wt = gatherTile(w.weight, w.outFeatures, tile, new Float32Array(n));
    const { targets, k } = mapTile(wt, nRows, nCols, scheme, p.scale, device.gMinNorm);
    const block = programDevices(device, targets, { chip: chip.fork(tile.index), program: program.fork(tile.index) });
    const wn = conductanceDifference(block.state, n, scheme, device.gMinNorm, new Float32Array(n));
    let conductanceSum = 0;
    for (let i = 0; i < block.state.length; i++) conductanceSum += block.state[i];
    tiles.push({
      tile,
      state: block.state,
      coefficients: block.coefficients,
      faults: block.faults,
      pulses: block.pulses,
      pulseHistogram: PulseHistogram.of(block.pulseCounts),
      k,
      refExact: columnReadout(wn, null, nRows, nCols, null, null, gRatio),
      refNoisy: null,
      conductanceSum,
    });
  }
  return { name, inFeatures: w.inFeatures, outFeatures: w.outFeatures, grid, weight: w.weight, bias: w.bias, tiles };
}

function siteAt(s: SiteDevices, device: DeviceModel, p: Periphery, scheme: MappingScheme, t: number, time: Rng, reference: (s: SiteDevices, td: TileDevices) => Float64Array): SiteState {
  const { inFeatures: nIn, outFeatures: nOut, grid } = s;
  const wnSite = new Float32Array(nIn * nOut);
  let s2Site: Float32Array | null = null;
  const kAlpha = new Float32Array(grid.rowTiles * nOut);
  const alpha = new Float32Array(grid.rowTiles * nOut);
  const rank1 = p.readNoise.enabled && p.readNoise.mode === 'rank1' ? { u: new Float32Array(nIn), v: new Float32Array(grid.rowTiles * nOut) } : null;
  const gRatio = irDropRatio(p, device);
  let irDropA = 0;
  for (const td of s.tiles) {
    const { tile } = td;
    const nRows = tile.r1 - tile.r0;
    const nCols = tile.c1 - tile.c0;
    const n = tileSize(tile);
    let targets = td.state; // stands in when the family's drift ignores targets
    if (device.driftUsesTarget) {
      targets = mapTile(gatherTile(s.weight, nOut, tile, new Float32Array(n)), nRows, nCols, scheme, p.scale, device.gMinNorm).targets;
      device.quantise(targets);
    }
    const tr = time.fork(tile.index);
    const g = stateAt(device, { target: targets, state: td.state, coefficients: td.coefficients, faults: td.faults, pulses: td.pulses }, t, tr);
    const eff = effectiveConductances(g, nRows, nCols, scheme, p, device);
    irDropA = Math.max(irDropA, eff.aMax);
    const wn = conductanceDifference(eff.g, n, scheme, device.gMinNorm, new Float32Array(n));
    if (perMvmIrDrop(p)) {
      // aihwkit's a at full-scale inputs: n/gRatio·Σ_rows |Wn| per column
      for (let c = 0; c < nCols; c++) {
        let sum = 0;
        for (let r = 0; r < nRows; r++) sum += Math.abs(wn[r * nCols + c]);
        irDropA = Math.max(irDropA, (nRows * sum) / gRatio);
      }
    }
    const s2 = new Float32Array(n);
    const hasNoise = readVariance(device, g, scheme === 'differential' ? g.subarray(n) : null, n, s2);
    let a: Float32Array;
    if (p.compensation === 'none') {
      a = new Float32Array(nCols).fill(1);
    } else {
      const atT = columnReadout(wn, hasNoise ? s2 : null, nRows, nCols, p, tr.fork('readout'), gRatio);
      a = compensationFactors(p.compensation, exactReference(p.compensation) ? td.refExact : reference(s, td), atT, nRows);
    }
    // scatter into Site-level arrays
    for (let r = 0; r < nRows; r++) wnSite.set(wn.subarray(r * nCols, (r + 1) * nCols), (tile.r0 + r) * nOut + tile.c0);
    if (hasNoise && p.readNoise.enabled) {
      s2Site ??= new Float32Array(nIn * nOut);
      for (let r = 0; r < nRows; r++) s2Site.set(s2.subarray(r * nCols, (r + 1) * nCols), (tile.r0 + r) * nOut + tile.c0);
    }
    for (let c = 0; c < nCols; c++) {
      alpha[tile.tr * nOut + tile.c0 + c] = a[c];
      kAlpha[tile.tr * nOut + tile.c0 + c] = td.k[c] * a[c];
    }
  }
  if (rank1 && s2Site) {
    // S ≈ u·vᵀ over each row-tile band (all its columns), so x̃²·u is one number per input vector and row tile.
    for (let tr = 0; tr < grid.rowTiles; tr++) {
      const r0 = tr * grid.shape.rows;
      const r1 = Math.min(r0 + grid.shape.rows, nIn);
      const { u, v } = rankOne(s2Site.subarray(r0 * nOut, r1 * nOut), r1 - r0, nOut);
      rank1.u.set(u, r0);
      rank1.v.set(v, tr * nOut);
    }
  }
  return {
    name: s.name,
    inFeatures: nIn,
    outFeatures: nOut,
    grid,
    wn: wnSite,
    s2: s2Site,
    rank1: s2Site ? rank1 : null,
    kAlpha,
    alpha,
    bias: s.bias,
    gRatio,
    irDropA,
  };
}
