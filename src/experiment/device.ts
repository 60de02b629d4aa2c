/**
 * Device phase: simulate `samples` devices of a profile programmed to each level (fraction of
 * g_max) and read at t seconds; one row of conductance histograms (µS) per profile and t.
 * Stream: characterise's own, from the experiment's first chip seed.
 */
import { characterise } from '../crossbar/index.js';
import { loadProfile } from '../device/index.js';
import { histogram, type Histogram } from '../results/index.js';
import type { JobRow } from './job-context.js';
import type { DeviceSpec } from './plan.js';

export function runDevice(spec: DeviceSpec): JobRow {
  const device = loadProfile(spec.profileRef);
  const uS = device.gMax * 1e6;
  const histograms: Record<string, Record<string, Histogram>> = {};
  for (const g of spec.levels) {
    const c = characterise(device, g, spec.t, { samples: spec.samples, seed: spec.seed });
    histograms[`g=${g}`] = { conductance: histogram(c.atT.map((v) => v * uS)) };
  }
  return { key: spec.key, inputsHash: spec.inputsHash, kind: 'device', profile: spec.profile, t: spec.t, histograms, seeds: { chip: spec.seed } };
}
