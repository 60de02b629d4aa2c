/**
 * σ_target from a device profile: program a model's selected Sites (their deployable weights) on
 * simulated tiles, read them back at t with compensation, convert back to weight units, and take
 * the spread of (W_read − W) per Site. What the noise-aware training path calls with the merged
 * weights; `grasp-hil device sigma-target` prints it.
 *
 * W_read includes drift, accumulated noise and compensation at t, plus one draw of per-MVM read
 * noise (a read of every device); DAC/ADC quantisation is not part of a weight read-back. Sites are
 * programmed one at a time (each Site's random streams are forked by its name, so the numbers are
 * the same as programming them together) to keep memory to one Site's devices.
 */
import type { DeviceModel, Scales } from '../device/index.js';
import { loadProfile } from '../device/index.js';
import type { WeightsBySite } from '../model/index.js';
import { Chip, type ChipSeeds, type Seed } from './chip.js';
import type { CompensationMode, PeripheryOptions } from './periphery.js';

export interface SigmaTargetOptions {
  /** Seconds after programming. */
  t: number;
  periphery?: PeripheryOptions | string;
  seeds?: ChipSeeds | Seed;
  /** Override the periphery's compensation (default: the periphery's, 'global'). */
  compensation?: CompensationMode | boolean;
  /** Include one draw of per-MVM read noise in W_read (default true). */
  readNoise?: boolean;
  scales?: Partial<Scales>;
}

export interface SigmaTargetResult {
  profile: string;
  /** Seconds after programming. */
  t: number;
  /** Standard deviation of W_read − W per Site, in weight units. */
  sites: Record<string, number>;
  /** Mean of the per-Site values. */
  mean: number;
}

/** σ of (W_read − W) per Site for `profile` at t seconds. */
export function sigmaTargetFromProfile(weights: WeightsBySite, profile: DeviceModel | string, options: SigmaTargetOptions): SigmaTargetResult {
  const device = typeof profile === 'string' ? loadProfile(profile) : profile;
  const sites: Record<string, number> = {};
  for (const [name, w] of weights) {
    const chip = Chip.program(new Map([[name, w]]), device, options.periphery ?? {}, options.seeds ?? 0, { scales: options.scales });
    const state = chip.at(options.t, { compensation: options.compensation });
    const read = state.effectiveWeights(name, { readNoise: options.readNoise ?? true });
    let s = 0;
    let s2 = 0;
    const n = w.weight.length;
    for (let i = 0; i < n; i++) {
      const d = read.weight[i] - w.weight[i];
      s += d;
      s2 += d * d;
    }
    const mean = s / n;
    sites[name] = Math.sqrt(Math.max(0, s2 / n - mean * mean));
  }
  const values = Object.values(sites);
  return { profile: device.id, t: options.t, sites, mean: values.reduce((a, b) => a + b, 0) / values.length };
}
