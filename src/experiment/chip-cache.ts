/**
 * The programmed chip of a hardware evaluation. Programming is the expensive step, so each process
 * keeps its last chip, and the worker pool sends the jobs of one chip to the worker that holds it
 * (chipOf is the pool's affinity key). Streams: chip seed for device state, read seed for read noise.
 * A hardware `scales` point multiplies the profile's own noise scales before programming.
 */
import { Chip, weightsOfSites, type PeripheryOptions } from '../crossbar/index.js';
import { selectSites, type Model, type WeightsBySite } from '../model/index.js';
import type { MergedWeights } from '../peft/index.js';
import { loadProfile, type DeviceModel } from '../device/index.js';
import type { EvalSpec, ScalesPoint } from './plan.js';

type HardwareSpec = Extract<EvalSpec, { kind: 'hardware' }>;

/**
 * The programmed chip a hardware evaluation runs on (adapter, profile, chip seed, Sites, periphery
 * sweep); null for other evaluations.
 */
export function chipOf(spec: EvalSpec): string | null {
  return spec.kind === 'hardware' ? JSON.stringify([spec.adapter, spec.profileRef, spec.chipSeed, spec.sites, spec.sweep, spec.scales]) : null;
}

/** The profile with a scales point multiplied onto its own noise scales (a profile's `scales` default to 1). */
export function scaledProfile(profileRef: string, scales: ScalesPoint | null): DeviceModel | string {
  if (!scales) return profileRef;
  const device = loadProfile(profileRef);
  const own = device.scales as unknown as Record<string, number>;
  return device.withScales(Object.fromEntries(Object.entries(scales).map(([k, v]) => [k, own[k] * v])));
}

let held: { key: string; chip: Chip } | null = null;

/** The chip of `spec` with the adapter's merged weights on its Sites (base weights where the adapter left a Site alone). */
export function chipFor(spec: HardwareSpec, model: Model, merged: MergedWeights, periphery: PeripheryOptions): Chip {
  const key = chipOf(spec)!;
  if (held?.key === key) return held.chip;
  const weights: WeightsBySite = new Map();
  for (const s of selectSites(model, spec.sites)) weights.set(s.name, merged.sites.get(s.name) ?? weightsOfSites([s]).get(s.name)!);
  const chip = Chip.program(weights, scaledProfile(spec.profileRef, spec.scales), periphery, { chip: spec.chipSeed, read: spec.readSeed });
  held = { key, chip }; // one programmed chip at a time: jobs of the same chip come in a row
  return chip;
}
