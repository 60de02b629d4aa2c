/**
 * Programming pulses per device, as a histogram (pulse count → devices), kept per tile so a chip
 * can report the distribution without holding one count per device: mean, median, 99th percentile
 * and maximum. Percentiles are the smallest count c with at least q of the devices at ≤ c.
 * Programming energy and time follow from the counts (energy.ts: pulses × pulse energy; time = the
 * busiest tile's pulses × pulse time).
 */
import type { Chip } from './chip.js';
import { estimateEnergy } from './energy.js';

export interface PulseStats {
  devices: number;
  /** Pulses in all. */
  pulses: number;
  mean: number;
  median: number;
  p99: number;
  max: number;
}

export class PulseHistogram {
  /** Pulse count → number of devices. */
  readonly bins = new Map<number, number>();

  /** Adds one device per entry of `counts`. */
  static of(counts: ArrayLike<number>): PulseHistogram {
    const h = new PulseHistogram();
    let last = -1;
    let run = 0;
    for (let i = 0; i < counts.length; i++) {
      const c = counts[i];
      if (c === last) {
        run++;
        continue;
      }
      if (run) h.bins.set(last, (h.bins.get(last) ?? 0) + run);
      last = c;
      run = 1;
    }
    if (run) h.bins.set(last, (h.bins.get(last) ?? 0) + run);
    return h;
  }

  merge(other: PulseHistogram): this {
    for (const [c, n] of other.bins) this.bins.set(c, (this.bins.get(c) ?? 0) + n);
    return this;
  }

  stats(): PulseStats {
    const keys = [...this.bins.keys()].sort((a, b) => a - b);
    let devices = 0;
    let pulses = 0;
    for (const c of keys) {
      const n = this.bins.get(c)!;
      devices += n;
      pulses += c * n;
    }
    const quantile = (q: number): number => {
      const need = Math.ceil(q * devices);
      let seen = 0;
      for (const c of keys) {
        seen += this.bins.get(c)!;
        if (seen >= need) return c;
      }
      return keys.length ? keys[keys.length - 1] : 0;
    };
    return {
      devices,
      pulses,
      mean: devices ? pulses / devices : 0,
      median: quantile(0.5),
      p99: quantile(0.99),
      max: keys.length ? keys[keys.length - 1] : 0,
    };
  }
}

/** The pulse histogram of every device on `chip` (all Sites, slices and tiles). */
export function chipPulseHistogram(chip: Chip): PulseHistogram {
  const h = new PulseHistogram();
  for (const name of chip.siteNames()) {
    for (const part of chip.slicesOf(name).parts) {
      for (const td of chip.site(part).tiles) h.merge(td.pulseHistogram);
    }
  }
  return h;
}

/** `grasp-hil device pulses`: what programming a chip costs, from the counted pulses. */
export interface ProgrammingCost {
  profile: string;
  /** Pulses per device over every device of the chip. */
  pulses: PulseStats;
  /** Joules to program the chip (pulses × the profile's pulse energy), or null when the profile gives none. */
  energy: number | null;
  /** Seconds to program the chip (tiles in parallel, devices of a tile in sequence), or null. */
  time: number | null;
}

export function programmingCost(chip: Chip): ProgrammingCost {
  const { programming } = estimateEnergy(chip, { tokens: 1 });
  return { profile: chip.device.id, pulses: chipPulseHistogram(chip).stats(), energy: programming.energy, time: programming.time };
}
