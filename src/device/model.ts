/**
 * DeviceModel: a compiled device profile and the template every device family fills in, after
 * aihwkit's BaseNoiseModel. The crossbar runs the physics in one documented order per tile and asks
 * the device for each step through these hooks:
 *
 *   quantise(target)                          targets to the device's levels (if finite)
 *   programmingNoise(target) → programmed      one-shot / acceptance-range / write-verify / pulsed (pulses)
 *   variationSigma                             device-to-device σ (the crossbar draws it, chip seed)
 *   faults                                     stuck-at fractions (the crossbar draws them, chip seed)
 *   driftCoefficients(target, programmed)      per-device drift parameters, drawn at programming
 *   driftAndNoise(…, t) → conductance at t     drift to t plus accumulated read noise at t
 *   readSigma(g)                               per-MVM read-noise σ per device
 *
 * A family (families/*.ts) overrides `driftCoefficients` and `driftAndNoise`; the other hooks come
 * from the profile's sections. Scale knobs (`scales`) default to 1 so an ablation is one call:
 * `model.withScales({ drift: 0 })`.
 *
 * Units: every array holds conductances as fractions of g_max (dimensionless); `gMin`/`gMax` are in
 * siemens; times in seconds.
 */
import type { Rng } from '../tensor/index.js';
import { checkLaw, compileLaw, type GLaw, type Law, type LawKind, type LawSpec } from './laws.js';
import { compileProgramming, type ProgramContext, type ProgrammingMethod } from './programming.js';
import './pulsed.js';
import type { DeviceProfileJson, SourceJson } from './schema.js';
import { checkPlausible } from './plausible.js';
import { parseQuantity, type Dimension, type QuantityText } from './units.js';

export interface Scales {
  /** Multiplies programming noise (σ_prog or σ_c2c). */
  programming: number;
  /** Multiplies device-to-device variation. */
  variation: number;
  /** Multiplies drift (ν for power-law drift; shift and σ for relaxation). */
  drift: number;
  /** Multiplies accumulated and per-MVM read noise. */
  readNoise: number;
}

export const UNIT_SCALES: Readonly<Scales> = { programming: 1, variation: 1, drift: 1, readNoise: 1 };

export type ClampRule = 'non-negative' | 'range' | 'none';
export type MappingScheme = 'differential' | 'offset';

/** Energy-related device parameters, SI units; null when the profile does not give them. */
export interface DeviceEnergy {
  /** Read voltage (V). */
  readVoltage: number;
  /** Integration time of one full-scale input (s). */
  readTime: number;
  /** Energy per programming pulse including its verify read (J), or null. */
  programPulseEnergy: number | null;
  /** Duration of one programming pulse (s), or null. */
  programPulseTime: number | null;
}

/** Where a fitted value came from. */
export interface Provenance {
  /** JSON pointer inside the profile. */
  pointer: string;
  source: string;
  verified: boolean;
  note?: string;
}

/** Everything a family constructor receives. */
export interface DeviceContext {
  json: DeviceProfileJson;
  /** Path of the profile file (for messages). */
  file: string;
  scales: Scales;
}

/** Compiles `spec` at JSON pointer `pointer` of the profile. */
export type LawCompiler = (spec: LawSpec, pointer: string, kind: LawKind, options?: { allowTime?: boolean; nonNegative?: boolean; what?: string }) => Law;

export abstract class DeviceModel {
  readonly id: string;
  readonly name: string;
  readonly family: string;
  readonly description: string;
  readonly file: string;
  readonly json: DeviceProfileJson;
  /** Lowest mapped conductance (S). */
  readonly gMin: number;
  /** Conductance of the largest |weight| (S). */
  readonly gMax: number;
  /** gMin / gMax. */
  readonly gMinNorm: number;
  /** Programmable levels between gMin and gMax, or null (continuous). */
  readonly levels: number | null;
  readonly clamp: ClampRule;
  readonly mapping: MappingScheme;
  readonly programming: ProgrammingMethod;
  /** Relative device-to-device σ(g_T), or null. */
  readonly variation: GLaw | null;
  /** Fractions of devices stuck at gMin / gMax. */
  readonly faults: { stuckLow: number; stuckHigh: number };
  /** Per-MVM read-noise σ(g) in fractions of g_max, or null. */
  readonly perMvm: GLaw | null;
  readonly energy: DeviceEnergy;
  /** Area of one device's cell in F² (profile `cell.area`), or null: the periphery's cellArea applies. */
  readonly cellArea: number | null;
  readonly scales: Scales;
  readonly sources: readonly SourceJson[];
  readonly provenance: readonly Provenance[];
  /** Human-readable law descriptions by JSON pointer (for `profiles show`). */
  readonly laws: ReadonlyMap<string, string>;

  protected readonly compileLaw: LawCompiler;
  protected readonly quantity: (q: unknown, pointer: string, dim: Dimension) => number;

  constructor(ctx: DeviceContext) {
    const { json, file } = ctx;
    const at = (pointer: string) => `${file}: ${pointer}`;
    this.json = json;
    this.file = file;
    this.id = json.id;
    this.name = json.name;
    this.family = json.family;
    this.description = json.description ?? '';
    this.scales = { ...ctx.scales };
    this.sources = json.sources;
    const value = (q: unknown): QuantityText => (q !== null && typeof q === 'object' ? (q as { value: QuantityText }).value : q as QuantityText);
    this.quantity = (q, pointer, dim) => {
      const v = parseQuantity(value(q), dim, at(pointer));
      checkPlausible(v, pointer.slice(pointer.lastIndexOf('/') + 1), at(pointer), JSON.stringify(value(q)));
      return v;
    };

    this.gMin = this.quantity(json.conductance.gMin, '/conductance/gMin', 'conductance');
    this.gMax = this.quantity(json.conductance.gMax, '/conductance/gMax', 'conductance');
    if (!(this.gMax > 0)) throw new Error(`${at('/conductance/gMax')}: g_max must be > 0`);
    if (this.gMin < 0) throw new Error(`${at('/conductance/gMin')}: g_min must be ≥ 0`);
    if (!(this.gMin < this.gMax)) {
      throw new Error(`${at('/conductance')}: g_min (${value(json.conductance.gMin)}) must be below g_max (${value(json.conductance.gMax)})`);
    }
    this.gMinNorm = this.gMin / this.gMax;
    this.levels = json.conductance.levels ?? null;
    this.clamp = json.conductance.clamp ?? 'non-negative';
    this.mapping = json.mapping ?? 'differential';

    const laws = new Map<string, string>();
    this.laws = laws;
    this.compileLaw = (spec, pointer, kind, o = {}) => {
      const law = compileLaw(spec, { where: at(pointer), kind, gMax: this.gMax, allowTime: o.allowTime ?? false });
      checkLaw(law, at(pointer), o.nonNegative ?? false, o.what);
      laws.set(pointer, law.describe());
      return law;
    };

    this.programming = compileProgramming(json.programming, {
      where: at('/programming'),
      gMax: this.gMax,
      gReset: this.gMinNorm,
      value: (q) => value(q),
    });
    laws.set('/programming', this.programming.describe());
    this.variation = json.variation
      ? this.compileLaw(json.variation.sigma, '/variation/sigma', 'dimensionless', { nonNegative: true, what: 'σ_d2d' }).at(0)
      : null;
    const fraction = (q: unknown, pointer: string): number => {
      if (q === undefined) return 0;
      const v = this.quantity(q, pointer, 'dimensionless');
      if (!(v >= 0 && v <= 1)) throw new Error(`${at(pointer)}: a fraction of devices must lie in [0, 1], got ${v}`);
      return v;
    };
    this.faults = { stuckLow: fraction(json.faults?.stuckLow, '/faults/stuckLow'), stuckHigh: fraction(json.faults?.stuckHigh, '/faults/stuckHigh') };
    if (this.faults.stuckLow + this.faults.stuckHigh > 1) throw new Error(`${at('/faults')}: stuckLow + stuckHigh exceeds 1`);
    this.perMvm = json.readNoise?.perMvm
      ? this.compileLaw(json.readNoise.perMvm.sigma, '/readNoise/perMvm/sigma', 'conductance', { nonNegative: true, what: 'σ_read' }).at(0)
      : null;
    const e = json.energy ?? {};
    const opt = (q: unknown, pointer: string, dim: Dimension): number | null => (q === undefined ? null : this.quantity(q, pointer, dim));
    this.energy = {
      readVoltage: opt(e.readVoltage, '/energy/readVoltage', 'voltage') ?? 0.2,
      readTime: opt(e.readTime, '/energy/readTime', 'time') ?? 100e-9,
      programPulseEnergy: opt(e.programPulseEnergy, '/energy/programPulseEnergy', 'energy'),
      programPulseTime: opt(e.programPulseTime, '/energy/programPulseTime', 'time'),
    };
    this.cellArea = json.cell?.area === undefined ? null : this.quantity(json.cell.area, '/cell/area', 'dimensionless');
    this.provenance = collectProvenance(json, file);
  }

  /** A copy with some scale knobs changed (the device state it produces changes accordingly). */
  withScales(scales: Partial<Scales>): this {
    const copy = Object.create(Object.getPrototypeOf(this)) as this;
    Object.assign(copy, this, { scales: { ...this.scales, ...scales } });
    return copy;
  }

  // ── hooks ──────────────────────────────────────────────────────────────────────────────────

  /** Rounds targets (fractions of g_max) to the nearest of `levels` equally spaced levels in [gMin, gMax]. */
  quantise(target: Float32Array): void {
    if (this.levels === null) return;
    const lo = this.gMinNorm;
    const step = (1 - lo) / (this.levels - 1);
    const top = this.levels - 1;
    for (let i = 0; i < target.length; i++) {
      let k = Math.round((target[i] - lo) / step);
      k = k < 0 ? 0 : k > top ? top : k;
      target[i] = lo + k * step;
    }
  }

  /**
   * Programs `target` into `out` (fractions of g_max), clamps, returns the pulses used. `context`
   * carries the device stream, the static device-to-device factors a verifying method corrects, and
   * the per-device pulse counts to fill; the variation scale is the model's own.
   */
  programmingNoise(target: Float32Array, out: Float32Array, rng: Rng, context: ProgramContext = {}): number {
    const pulses = this.programming.program(target, out, rng, this.scales.programming, { variation: this.scales.variation, ...context });
    this.clampInPlace(out);
    return pulses;
  }

  /**
   * Whether `driftAndNoise` reads the targets. When false the crossbar does not re-derive them at
   * `at(t)` and passes the programmed state in their place. Default true.
   */
  get driftUsesTarget(): boolean {
    return true;
  }

  /** Whether `driftCoefficients` produces anything (families without per-device drift parameters skip the array). */
  get hasDriftCoefficients(): boolean {
    return false;
  }

  /** Per-device drift parameters drawn at programming (e.g. ν). Default: none. */
  driftCoefficients(_target: Float32Array, _programmed: Float32Array, out: Float32Array, _rng: Rng): void {
    out.fill(0);
  }

  /**
   * Conductance at t seconds after programming: drift plus accumulated read noise, clamped.
   * `coefficients` is null when the family has none. Default: no drift, no noise.
   */
  driftAndNoise(_target: Float32Array, programmed: Float32Array, _coefficients: Float32Array | null, t: number, out: Float32Array, _rng: Rng): void {
    checkTime(t);
    out.set(programmed);
  }

  /** Per-MVM read-noise σ per device (fractions of g_max) into `out`; false when the device has none. */
  readSigma(g: Float32Array, out: Float32Array): boolean {
    if (!this.perMvm || this.scales.readNoise === 0 || this.perMvm.constant === 0) return false;
    this.perMvm.fill(g, out);
    const s = this.scales.readNoise;
    if (s !== 1) for (let i = 0; i < out.length; i++) out[i] *= s;
    return true;
  }

  clampInPlace(g: Float32Array): void {
    if (this.clamp === 'none') return;
    const lo = this.clamp === 'range' ? this.gMinNorm : 0;
    const hi = this.clamp === 'range' ? 1 : Infinity;
    for (let i = 0; i < g.length; i++) {
      const v = g[i];
      g[i] = v < lo ? lo : v > hi ? hi : v;
    }
  }
}

/** Throws for a time that is negative or not a number. */
export function checkTime(t: number): void {
  if (!(t >= 0) || !Number.isFinite(t)) throw new Error(`time after programming must be a finite number ≥ 0 seconds, got ${t}`);
}

/** Resolves a JSON pointer (RFC 6901) in `json`; undefined when it names nothing. */
function resolvePointer(json: unknown, pointer: string): unknown {
  let v: unknown = json;
  for (const raw of pointer.split('/').slice(1)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (v === null || typeof v !== 'object' || !Object.prototype.hasOwnProperty.call(v, key)) return undefined;
    v = (v as Record<string, unknown>)[key];
  }
  return v;
}

const escapePointer = (key: string): string => key.replace(/~/g, '~0').replace(/\//g, '~1');

/**
 * Every object carrying `source` and `verified`, with its JSON pointer, plus the entries of the
 * top-level `provenance` map (fields that cannot carry a source themselves).
 */
function collectProvenance(json: DeviceProfileJson, file: string): Provenance[] {
  const out: Provenance[] = [];
  const ids = new Set(json.sources.map((s) => s.id));
  const known = (source: string, pointer: string): void => {
    if (!ids.has(source)) {
      throw new Error(`${file}: ${pointer}/source: '${source}' is not the id of an entry in sources (${[...ids].join(', ')})`);
    }
  };
  const walk = (v: unknown, pointer: string): void => {
    if (Array.isArray(v)) {
      v.forEach((x, i) => walk(x, `${pointer}/${i}`));
      return;
    }
    if (v === null || typeof v !== 'object' || pointer === '/sources' || pointer === '/provenance') return;
    const o = v as Record<string, unknown>;
    if (typeof o.source === 'string') {
      known(o.source, pointer);
      out.push({ pointer, source: o.source, verified: o.verified === true, note: typeof o.note === 'string' ? o.note : undefined });
    }
    for (const [k, x] of Object.entries(o)) walk(x, `${pointer}/${escapePointer(k)}`);
  };
  walk(json, '');
  for (const [pointer, p] of Object.entries(json.provenance ?? {})) {
    const at = `/provenance/${escapePointer(pointer)}`;
    if (resolvePointer(json, pointer) === undefined) {
      throw new Error(`${file}: ${at}: '${pointer}' names no field of this profile; give the JSON pointer of the field the source is for`);
    }
    known(p.source, at);
    out.push({ pointer, source: p.source, verified: p.verified, note: p.note });
  }
  return out;
}
