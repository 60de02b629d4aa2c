/**
 * σ_target from a device profile: the random part of the error an MVM sees on the chip, per Site, in
 * weight units (chip-error.ts). What the noise-aware training path calls with the merged weights;
 * `grasp-hil device sigma-target` prints it with its systematic part and each source's share.
 *
 *   per Site:  program it alone (its streams are forked by its name, so the numbers equal those of
 *              programming all Sites together; memory stays at one Site's devices) → chip.at(t) →
 *              siteError: static error W_eff − W split into m(W) and the spread around it, plus the
 *              per-MVM error of N probe inputs through the Site's AnalogLinear
 *   sources:   the same with one source on at a time and every other off — programming
 *              (scales.programming), variation (device-to-device), read (accumulated and per-MVM read
 *              noise, ADC output noise), drift, quantisation (conductance levels, DAC and ADC bits
 *              and bound), and, when present, faults (stuck-at) and IR drop
 *
 * Training uses the random part (`part` 'random', the default): the systematic part follows W and is
 * what compensation or calibration removes. A relative target (a fraction of each Site's weight
 * std, `relativeSigmaTarget`) carries a profile's figure from one model to another.
 * Streams: the chip seeds (`seeds`) and the probe stream Rng(seeds.read, 'sigma-target-probe').
 */
import type { DeviceModel, Scales } from '../device/index.js';
import { loadProfile } from '../device/index.js';
import type { WeightsBySite } from '../model/index.js';
import { Rng } from '../tensor/index.js';
import { Chip, resolveSeeds, type ChipSeeds, type Seed } from './chip.js';
import { probeInputs, siteError, stdOf, type SiteError } from './chip-error.js';
import { resolvePeriphery, type CompensationMode, type Periphery, type PeripheryOptions } from './periphery.js';

export type ErrorPart = 'random' | 'total';
export type ErrorSource = 'programming' | 'variation' | 'read' | 'drift' | 'quantisation' | 'faults' | 'ir-drop';

export interface SigmaTargetOptions {
  /** Seconds after programming. */
  t: number;
  periphery?: PeripheryOptions | string;
  seeds?: ChipSeeds | Seed;
  /** Override the periphery's compensation (default: the periphery's, 'global'). */
  compensation?: CompensationMode | boolean;
  /** Which part becomes σ_target: 'random' (default) or 'total' (random and systematic). */
  part?: ErrorPart;
  /** Probe inputs per Site for the per-MVM part (default 128). */
  probes?: number;
  /** Also measure each source alone (default false). */
  sources?: boolean;
  scales?: Partial<Scales>;
}

export interface SigmaTargetResult {
  profile: string;
  /** Seconds after programming. */
  t: number;
  part: ErrorPart;
  /** σ_target per Site (the chosen part), weight units. */
  sites: Record<string, number>;
  /** Mean of the per-Site values. */
  mean: number;
  /** σ_target per Site relative to the Site's weight std. */
  relative: Record<string, number>;
  /** Every part per Site. */
  detail: Record<string, SiteError>;
  /** Each source alone (when `sources`): source → Site → error. */
  sources?: Partial<Record<ErrorSource, Record<string, SiteError>>>;
}

const OFF: Scales = { programming: 0, variation: 0, drift: 0, readNoise: 0 };

/** The device with faults and conductance levels switched on or off (a copy; the profile is unchanged). */
function withDeviceParts(device: DeviceModel, parts: { faults: boolean; levels: boolean }): DeviceModel {
  const copy = Object.create(Object.getPrototypeOf(device)) as DeviceModel;
  return Object.assign(copy, device, {
    faults: parts.faults ? device.faults : { stuckLow: 0, stuckHigh: 0 },
    levels: parts.levels ? device.levels : null,
  });
}

/** Periphery options of `p` with quantisation, output noise and IR drop kept or dropped. */
function peripheryWith(p: Periphery, keep: { quantisation: boolean; outputNoise: boolean; irDrop: boolean }): PeripheryOptions {
  const ir = p.irDrop && keep.irDrop ? { scale: p.irDrop.scale, wireResistance: p.irDrop.wireResistance, ...(p.irDrop.gRatio !== null ? { gRatio: p.irDrop.gRatio } : {}) } : null;
  return {
    tile: p.tile,
    ...(p.mapping ? { mapping: p.mapping } : {}),
    scale: p.scale,
    dac: keep.quantisation ? p.dac : { bits: null, range: 'abs-max' },
    adc: { bits: keep.quantisation ? p.adc.bits : null, bound: keep.quantisation ? p.adc.bound : null, noise: keep.outputNoise ? p.adc.noise : 0 },
    readNoise: p.readNoise,
    irDrop: ir,
    compensation: p.compensation,
    energy: p.energy,
    execution: p.execution,
  };
}

interface Setting {
  device: DeviceModel;
  periphery: PeripheryOptions;
}

/** The full setting and, per source present, that source alone. */
function settings(device: DeviceModel, p: Periphery, scales: Scales, withSources: boolean): { all: Setting; sources: Partial<Record<ErrorSource, Setting>> } {
  const all = { device: device.withScales(scales), periphery: peripheryWith(p, { quantisation: true, outputNoise: true, irDrop: true }) };
  const sources: Partial<Record<ErrorSource, Setting>> = {};
  if (!withSources) return { all, sources };
  const bare = withDeviceParts(device, { faults: false, levels: false });
  const quiet = peripheryWith(p, { quantisation: false, outputNoise: false, irDrop: false });
  sources.programming = { device: bare.withScales({ ...OFF, programming: scales.programming }), periphery: quiet };
  sources.variation = { device: bare.withScales({ ...OFF, variation: scales.variation }), periphery: quiet };
  sources.read = { device: bare.withScales({ ...OFF, readNoise: scales.readNoise }), periphery: peripheryWith(p, { quantisation: false, outputNoise: true, irDrop: false }) };
  sources.drift = { device: bare.withScales({ ...OFF, drift: scales.drift }), periphery: quiet };
  sources.quantisation = { device: withDeviceParts(device, { faults: false, levels: true }).withScales(OFF), periphery: peripheryWith(p, { quantisation: true, outputNoise: false, irDrop: false }) };
  if (device.faults.stuckLow + device.faults.stuckHigh > 0) sources.faults = { device: withDeviceParts(device, { faults: true, levels: false }).withScales(OFF), periphery: quiet };
  if (p.irDrop) sources['ir-drop'] = { device: bare.withScales(OFF), periphery: peripheryWith(p, { quantisation: false, outputNoise: false, irDrop: true }) };
  return { all, sources };
}

/** The chip's error per Site for `profile` at t seconds; σ_target is its random part by default. */
export function sigmaTargetFromProfile(weights: WeightsBySite, profile: DeviceModel | string, options: SigmaTargetOptions): SigmaTargetResult {
  const device = typeof profile === 'string' ? loadProfile(profile) : profile;
  const part = options.part ?? 'random';
  if (part !== 'random' && part !== 'total') throw new Error(`sigma-target: part must be 'random' or 'total', got ${String(part)}`);
  const nProbes = options.probes ?? 128;
  if (!Number.isInteger(nProbes) || nProbes < 1) throw new Error(`sigma-target: probes must be a positive integer, got ${nProbes}`);
  const base = resolvePeriphery(options.periphery ?? {});
  const p = options.compensation === undefined ? base : { ...base, compensation: options.compensation === true ? 'global' : options.compensation === false ? 'none' : options.compensation };
  const scales = { ...device.scales, ...options.scales };
  const { all, sources } = settings(device, p, scales, options.sources ?? false);
  const seeds = resolveSeeds(options.seeds ?? 0);
  const measure = (s: Setting, name: string, w: WeightsBySite extends Map<string, infer V> ? V : never): SiteError => {
    const chip = Chip.program(new Map([[name, w]]), s.device, s.periphery, seeds);
    const state = chip.at(options.t);
    try {
      return siteError(state, name, w, probeInputs(nProbes, w.inFeatures, new Rng(seeds.read, 'sigma-target-probe').fork(name)));
    } finally {
      state.dispose();
    }
  };
  const detail: Record<string, SiteError> = {};
  const bySource: Partial<Record<ErrorSource, Record<string, SiteError>>> = {};
  for (const [name, w] of weights) {
    detail[name] = measure(all, name, w);
    for (const [src, s] of Object.entries(sources) as [ErrorSource, Setting][]) (bySource[src] ??= {})[name] = measure(s, name, w);
  }
  const sites: Record<string, number> = {}, relative: Record<string, number> = {};
  for (const [name, e] of Object.entries(detail)) {
    sites[name] = e[part];
    relative[name] = e.weightStd > 0 ? e[part] / e.weightStd : 0;
  }
  const values = Object.values(sites);
  return {
    profile: device.id, t: options.t, part, sites, relative, detail,
    mean: values.reduce((a, b) => a + b, 0) / values.length,
    ...(options.sources ? { sources: bySource } : {}),
  };
}

/**
 * Absolute σ_target per Site from a relative one: fraction × the Site's weight std. `fraction` is one
 * number or one per Site name (a '*' entry is the default) — e.g. a profile's `relative` figures
 * measured on one model, applied to another.
 */
export function relativeSigmaTarget(weights: WeightsBySite, fraction: number | Readonly<Record<string, number>>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, w] of weights) {
    const f = typeof fraction === 'number' ? fraction : fraction[name] ?? fraction['*'];
    if (f === undefined || !Number.isFinite(f) || f < 0) {
      throw new Error(`relative σ_target: no valid fraction for Site ${name} (give one number ≥ 0, a value per Site, or a '*' default)`);
    }
    out[name] = f * stdOf(w.weight);
  }
  return out;
}
