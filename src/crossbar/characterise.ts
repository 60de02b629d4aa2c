/**
 * Device characterisation: N copies of one device programmed to the same target and read at t,
 * through exactly the pipeline the tiles use (program.ts, drift.ts). What
 * `grasp-hil device stats` prints and what the statistics tests compare with each profile's laws.
 */
import type { DeviceModel } from '../device/index.js';
import { Rng } from '../tensor/index.js';
import { stateAt } from './drift.js';
import { programDevices, type ProgrammedBlock } from './program.js';
import { PulseHistogram, type PulseStats } from './pulses.js';

export interface Characterisation extends ProgrammedBlock {
  /** Conductance at t (fractions of g_max). */
  atT: Float32Array;
}

export interface CharacteriseOptions {
  /** Number of devices (default 100 000). */
  samples?: number;
  seed?: number;
  /** Per-device targets (fractions of g_max) instead of one g for all. */
  targets?: Float32Array;
}

/** Programs `samples` devices to g·g_max and reads them at t seconds (streams chip/program/time of `seed`). */
export function characterise(device: DeviceModel, g: number, t: number, options: CharacteriseOptions = {}): Characterisation {
  const n = options.targets?.length ?? options.samples ?? 100_000;
  if (!Number.isInteger(n) || n < 1) throw new Error(`samples must be a positive integer, got ${n}`);
  if (!Number.isFinite(g)) throw new Error(`--g must be a number (target as a fraction of g_max), got ${g}`);
  const root = new Rng(options.seed ?? 0, 'characterise');
  const target = options.targets ? Float32Array.from(options.targets) : new Float32Array(n).fill(g);
  const block = programDevices(device, target, { chip: root.fork('chip'), program: root.fork('program') });
  return { ...block, atT: stateAt(device, block, t, root.fork('time')) };
}

export interface MeanStd {
  mean: number;
  std: number;
}

/** `grasp-hil device stats --json`: conductances in µS, ν dimensionless. */
export interface DeviceStats {
  profile: string;
  samples: number;
  seed: number;
  /** Seconds after programming. */
  t: number;
  /** Target conductance (µS), after quantisation to the device's levels. */
  target: number;
  /** After programming, device-to-device variation and faults (µS). */
  programmed: MeanStd;
  /** Drift exponent ν (power-law families), else null. */
  nu: MeanStd | null;
  /** At t: drift plus accumulated read noise (µS). */
  atT: MeanStd;
  /** Fractions of devices stuck at g_min / g_max. */
  stuckLow: number;
  stuckHigh: number;
  pulsesPerDevice: number;
  /** Distribution of the pulses each device received. */
  pulses: PulseStats;
}

const round = (x: number): number => Number(x.toPrecision(8));

export function meanStd(a: ArrayLike<number>, scale = 1): MeanStd {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  const mean = s / a.length;
  let v = 0;
  for (let i = 0; i < a.length; i++) v += (a[i] - mean) ** 2;
  const std = a.length > 1 ? Math.sqrt(v / (a.length - 1)) : 0;
  return { mean: round(mean * scale), std: round(std * scale) };
}

/** The target after quantisation, in float64 (the device arrays are float32). */
function quantisedTarget(device: DeviceModel, g: number): number {
  if (device.levels === null) return g;
  const lo = device.gMinNorm;
  const step = (1 - lo) / (device.levels - 1);
  return lo + Math.min(Math.max(Math.round((g - lo) / step), 0), device.levels - 1) * step;
}

/** Statistics of `samples` devices programmed to g·g_max and read t seconds later. */
export function deviceStats(device: DeviceModel, g: number, t: number, samples = 100_000, seed = 0): DeviceStats {
  const c = characterise(device, g, t, { samples, seed });
  const uS = device.gMax * 1e6;
  let high = 0;
  for (const h of c.faults.high) high += h;
  return {
    profile: device.id,
    samples,
    seed,
    t,
    target: round(quantisedTarget(device, g) * uS),
    programmed: meanStd(c.state, uS),
    nu: c.coefficients ? meanStd(c.coefficients) : null,
    atT: meanStd(c.atT, uS),
    stuckLow: (c.faults.index.length - high) / samples,
    stuckHigh: high / samples,
    pulsesPerDevice: c.pulses / samples,
    pulses: PulseHistogram.of(c.pulseCounts).stats(),
  };
}
