/**
 * ChipState: the chip t seconds after programming. Holds, per Site, the normalised conductance
 * differences at t, the per-MVM read-noise variances and the compensated output scales; serves the
 * read-back weights (σ_target) and the AnalogLinear layers that replace the Sites.
 */
import { fillStandardNormal } from '../device/index.js';
import type { Site, SiteWeights } from '../model/index.js';
import { Rng } from '../tensor/index.js';
import { AnalogLinear } from './analog-linear.js';
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

export class ChipState {
  private readonly layers = new Map<string, AnalogLinear>();

  constructor(
    readonly chip: Chip,
    /** Seconds after programming. */
    readonly t: number,
    readonly periphery: Periphery,
    private readonly states: Map<string, SiteState>,
    readonly readSeed: Seed,
    /** Warnings of `chip.at` (e.g. IR drop outside the analytic model's validity). */
    readonly warnings: readonly string[] = [],
  ) {}

  siteNames(): string[] {
    return [...this.states.keys()];
  }

  site(name: string): SiteState {
    const s = this.states.get(name);
    if (!s) throw new Error(`Site '${name}' is not on this chip; programmed Sites: ${this.siteNames().slice(0, 12).join(', ')}${this.states.size > 12 ? ', …' : ''}`);
    return s;
  }

  /**
   * The weights as read back at t, in weight units: W_read = Wn·k·α (compensated), optionally with
   * one draw of per-MVM read noise. Bias unchanged (digital).
   */
  effectiveWeights(name: string, options: ReadBackOptions = {}): SiteWeights {
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

  /** The AnalogLinear layer of a Site (built once, owned by this state). */
  analog(name: string): AnalogLinear {
    let layer = this.layers.get(name);
    if (!layer) {
      layer = new AnalogLinear(this.site(name), this.periphery, new Rng(this.readSeed, 'read').fork(name));
      this.layers.set(name, layer);
    }
    return layer;
  }

  /** The same device state with per-MVM read noise from another seed. */
  withReadSeed(seed: Seed): ChipState {
    return new ChipState(this.chip, this.t, this.periphery, this.states, seed, this.warnings);
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
