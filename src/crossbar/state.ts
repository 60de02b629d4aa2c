/**
 * ChipState: the chip t seconds after programming. Holds, per Site, the normalised conductance
 * differences at t, the per-MVM read-noise variances and the compensated output scales; serves the
 * read-back weights (σ_target) and the AnalogLinear layers that replace the Sites.
 */
import { fillStandardNormal } from '../device/index.js';
import type { Site, SiteWeights } from '../model/index.js';
import { Rng } from '../tensor/index.js';
import type { tf } from '../tensor/index.js';
import { AnalogLinear } from './analog-linear.js';
import type { CalibratedRanges } from './calibration.js';
import { SlicedLinear, type AnalogLayer } from './sliced-linear.js';
import type { Chip, Seed } from './chip.js';
import type { Periphery } from './periphery.js';
import type { TileGrid } from './tiles.js';

/** One Site at t. Conductance quantities are fractions of g_max. */
export interface SiteState {
  name: string;
  inFeatures: number;
  outFeatures: number;
  grid: TileGrid;
  /** Wn = g⁺ − g⁻ (or g − g_ref) at t, [in, out] row-major. */
  wn: Float32Array;
  /** Per-MVM read-noise variance per weight (g_max²), [in, out], or null when off. */
  s2: Float32Array | null;
  /** Rank-1 factors of s2 per row tile (u [in], v [rowTiles, out]) when the periphery asks for them. */
  rank1: { u: Float32Array; v: Float32Array } | null;
  /** Weight units per unit of Wn including compensation, [rowTiles, out]. */
  kAlpha: Float32Array;
  /** Compensation factors α, [rowTiles, out]. */
  alpha: Float32Array;
  bias: Float32Array | null;
  /** Wire-to-device conductance ratio of the IR-drop model (Infinity when off). */
  gRatio: number;
  /** Largest IR-drop current parameter a over the Site's columns at full-scale input (0 when off; see ir-drop.ts). */
  irDropA: number;
}

/** Anything that has Sites by name (a Transformer), or Sites themselves. */
export type SiteSource = Iterable<Site> | { sites: ReadonlyMap<string, Site> };

export interface ReadBackOptions {
  /** Add one draw of per-MVM read noise (as one read of every device would see). Default true. */
  readNoise?: boolean;
  /** Stream for that draw (default: the state's read seed, stream 'read-back/<site>'). */
  rng?: Rng;
}

/** Fractions of clipped DAC inputs and ADC outputs (null: nothing counted). */
export interface ClipRates {
  dac: number | null;
  adc: number | null;
  perSite: Record<string, { dac: number | null; adc: number | null }>;
}

export class ChipState {
  private clipTracking = false;
  private readonly layers = new Map<string, AnalogLayer>();

  constructor(
    readonly chip: Chip,
    /** Seconds after programming. */
    readonly t: number,
    readonly periphery: Periphery,
    private readonly states: Map<string, SiteState>,
    readonly readSeed: Seed,
    /** Warnings of `chip.at` (e.g. IR drop outside the analytic model's validity). */
    readonly warnings: readonly string[] = [],
    /** Calibrated ranges per Site, shared with the states `withReadSeed` makes (same devices, same periphery). */
    private readonly calibrations = new Map<string, CalibratedRanges | CalibratedRanges[]>(),
  ) {}

  /** The Sites' names as in the model (a sliced Site once). */
  siteNames(): string[] {
    return this.chip.siteNames();
  }

  /** One programmed part at t: a Site, or one slice of a sliced Site by its part name (chip.slicesOf). */
  site(name: string): SiteState {
    const s = this.states.get(name);
    if (!s) {
      const sliced = this.chip.siteNames().includes(name) ? this.chip.slicesOf(name) : null;
      if (sliced) throw new Error(`Site '${name}' is sliced; its parts are ${sliced.parts.join(', ')}`);
      throw new Error(`Site '${name}' is not on this chip; programmed Sites: ${this.siteNames().slice(0, 12).join(', ')}${this.siteNames().length > 12 ? ', …' : ''}`);
    }
    return s;
  }

  /**
   * The weights as read back at t, in weight units: W_read = Wn·k·α (compensated), optionally with
   * one draw of per-MVM read noise. Bias unchanged (digital).
   */
  effectiveWeights(name: string, options: ReadBackOptions = {}): SiteWeights {
    const sliced = this.chip.siteNames().includes(name) ? this.chip.slicesOf(name) : null;
    if (sliced && sliced.parts.length > 1) {
      // shift-and-add of the slices' read-back weights: W = Σ_k s_k·W_k (each slice its own read-back stream)
      const w = new Float32Array(sliced.inFeatures * sliced.outFeatures);
      sliced.parts.forEach((part, k) => {
        const rng = options.rng ? options.rng.fork(part) : undefined;
        const wk = this.effectiveWeights(part, { ...options, rng }).weight;
        for (let i = 0; i < w.length; i++) w[i] += sliced.significance[k] * wk[i];
      });
      return { inFeatures: sliced.inFeatures, outFeatures: sliced.outFeatures, weight: w, bias: sliced.bias ? Float32Array.from(sliced.bias) : null };
    }
    const s = this.site(name);
    const { inFeatures: nIn, outFeatures: nOut } = s;
    const rows = s.grid.shape.rows;
    const w = new Float32Array(nIn * nOut);
    const noise = (options.readNoise ?? true) && s.s2 !== null;
    const z = noise ? fillStandardNormal(options.rng ?? new Rng(this.readSeed, 'read-back').fork(name), new Float32Array(nIn * nOut)) : null;
    for (let r = 0; r < nIn; r++) {
      const kRow = ((r / rows) | 0) * nOut;
      for (let c = 0, i = r * nOut; c < nOut; c++, i++) {
        const wn = z ? s.wn[i] + Math.sqrt((s.s2 as Float32Array)[i]) * z[i] : s.wn[i];
        w[i] = wn * s.kAlpha[kRow + c];
      }
    }
    return { inFeatures: nIn, outFeatures: nOut, weight: w, bias: s.bias ? Float32Array.from(s.bias) : null };
  }

  /** The analog layer of a Site (an AnalogLinear, or a SlicedLinear over its slices; built once, owned by this state). */
  analog(name: string): AnalogLayer {
    let layer = this.layers.get(name);
    if (!layer) {
      const read = new Rng(this.readSeed, 'read');
      const sliced = this.chip.siteNames().includes(name) ? this.chip.slicesOf(name) : null;
      layer = sliced && sliced.parts.length > 1
        ? new SlicedLinear(name, sliced.parts.map((part) => new AnalogLinear(this.site(part), this.periphery, read.fork(part))), sliced.significance, sliced.bias)
        : new AnalogLinear(this.site(name), this.periphery, read.fork(name));
      const saved = this.calibrations.get(name);
      if (saved) layer.setRanges(saved);
      if (this.clipTracking) layer.trackClipping(true);
      this.layers.set(name, layer);
    }
    return layer;
  }

  /**
   * Calibrates the DAC ranges and ADC bounds of the given Sites from their calibration inputs
   * (x [..., in] per Site name; periphery.calibration sets percentiles and granularity). With
   * calibration.dac 'learned', `learned` gives each Site's DAC range (its learned input range).
   */
  calibrate(inputs: ReadonlyMap<string, tf.Tensor | Float32Array>, learned?: ReadonlyMap<string, number>): Record<string, CalibratedRanges | CalibratedRanges[]> {
    const out: Record<string, CalibratedRanges | CalibratedRanges[]> = {};
    for (const [name, x] of inputs) this.calibrations.set(name, (out[name] = this.analog(name).calibrate(x, learned?.get(name))));
    return out;
  }

  /**
   * Calibration through a model: after `attach`, call startCalibration(), run forward passes on
   * calibration data (each layer records its inputs; the MVMs meanwhile use the fixed ranges), then
   * finishCalibration() sets every attached layer's ranges from what it saw.
   */
  startCalibration(): void {
    for (const name of this.siteNames()) this.analog(name).startRecording();
  }

  finishCalibration(): Record<string, CalibratedRanges | CalibratedRanges[]> {
    const out: Record<string, CalibratedRanges | CalibratedRanges[]> = {};
    for (const [name, l] of this.layers) this.calibrations.set(name, (out[name] = l.finishRecording()));
    return out;
  }

  /** Starts counting clipped DAC inputs and ADC outputs on every analog layer of this state (see AnalogLinear.trackClipping). */
  trackClipping(on = true): void {
    this.clipTracking = on;
    for (const l of this.layers.values()) l.trackClipping(on);
  }

  /**
   * Clip rates since tracking started: per Site and over the chip, the fraction of DAC inputs
   * above their range (fixed or calibrated ranges only; abs-max never clips) and of ADC outputs
   * above the bound. null rates when nothing was counted.
   */
  clipRates(): ClipRates {
    const perSite: Record<string, { dac: number | null; adc: number | null }> = {};
    let dc = 0, dt = 0, ac = 0, at = 0;
    for (const [name, l] of this.layers) {
      const c = l.clipCounts;
      perSite[name] = { dac: c.dacTotal ? c.dacClipped / c.dacTotal : null, adc: c.adcTotal ? c.adcClipped / c.adcTotal : null };
      dc += c.dacClipped; dt += c.dacTotal; ac += c.adcClipped; at += c.adcTotal;
    }
    return { dac: dt ? dc / dt : null, adc: at ? ac / at : null, perSite };
  }

  /** The same device state with per-MVM read noise from another seed. */
  withReadSeed(seed: Seed): ChipState {
    return new ChipState(this.chip, this.t, this.periphery, this.states, seed, this.warnings, this.calibrations);
  }

  /**
   * Replaces Sites by their AnalogLinear layers (hook owner 'analog'; the hook ignores the inner
   * computation). Given a model, every chip Site must exist in it; given Sites, each must be on the
   * chip. Returns a function that detaches all of them.
   */
  attach(target: SiteSource): () => void {
    const sites: Site[] = 'sites' in target && !(Symbol.iterator in target)
      ? this.siteNames().map((n) => {
        const s = (target.sites as ReadonlyMap<string, Site>).get(n);
        if (!s) throw new Error(`chip Site '${n}' does not exist in the model; was the chip programmed from another model?`);
        return s;
      })
      : [...(target as Iterable<Site>)];
    const detach: (() => void)[] = [];
    for (const site of sites) {
      const layer = this.analog(site.name);
      if (site.inFeatures !== layer.inFeatures || site.outFeatures !== layer.outFeatures) {
        throw new Error(`Site '${site.name}' is ${site.inFeatures}×${site.outFeatures} but was programmed as ${layer.inFeatures}×${layer.outFeatures}`);
      }
      detach.push(site.attach('analog', (x) => layer.forward(x)));
    }
    return () => {
      for (const d of detach) d();
    };
  }

  /** Frees the tensors of every AnalogLinear built from this state. */
  dispose(): void {
    for (const l of this.layers.values()) l.dispose();
    this.layers.clear();
  }
}
