/**
 * Programming a block of devices, in the documented order (the same for a tile, a Site or a
 * characterisation run):
 *
 *   1. quantise targets to the device's levels (if finite)
 *   2. device-to-device variation: static factors d per device, and the per-device step and bounds
 *      of pulsed devices                                                            — chip stream
 *   3. program: write-verify or pulsed (each pulse adds cycle-to-cycle noise; the verify read sees
 *      d·G, so verify corrects the device-to-device variation; stop within tolerance or at the pulse
 *      limit; pulses counted per device) or one-shot programming noise σ_prog(g), then G ← d·G
 *                                                                                    — program stream
 *   4. stuck-at-low/high faults                                                     — chip stream
 *   5. drift coefficients per device (e.g. ν), drawn at programming                 — program stream
 *
 * Drift to t and read noise come later (drift.ts, readnoise.ts). Conductances are fractions of g_max.
 */
import type { DeviceModel } from '../device/index.js';
import type { Rng } from '../tensor/index.js';
import { applyFaults, drawFaults, type Faults } from './faults.js';
import { variationFactors } from './variation.js';

/** The device state fixed at programming. */
export interface ProgrammedBlock {
  /** Targets after quantisation (fractions of g_max). */
  target: Float32Array;
  /** Conductance after programming, variation and faults (fractions of g_max). */
  state: Float32Array;
  /** Per-device drift coefficients, or null when the family has none. */
  coefficients: Float32Array | null;
  faults: Faults;
  /** Programming pulses used. */
  pulses: number;
  /** Pulses each device received. */
  pulseCounts: Uint32Array;
}

export interface ProgramStreams {
  /** Chip identity: variation and faults. */
  chip: Rng;
  /** Programming: write noise and drift coefficients. */
  program: Rng;
}

/** Programs `target` (fractions of g_max; quantised in place) on `device`. */
export function programDevices(device: DeviceModel, target: Float32Array, streams: ProgramStreams): ProgrammedBlock {
  const n = target.length;
  device.quantise(target);
  const state = new Float32Array(n);
  const d = variationFactors(device, target, streams.chip.fork('variation'));
  const verifies = device.programming.verifies;
  const pulseCounts = new Uint32Array(n);
  const pulses = device.programmingNoise(target, state, streams.program.fork('write'), {
    device: streams.chip.fork('pulsed'),
    deviation: verifies ? d : null,
    counts: pulseCounts,
  });
  if (d && !verifies) {
    for (let i = 0; i < n; i++) state[i] *= d[i];
    device.clampInPlace(state);
  }
  const { stuckLow, stuckHigh } = device.faults;
  const faults = drawFaults(n, stuckLow, stuckHigh, streams.chip.fork('faults'));
  applyFaults(state, faults, device.gMinNorm);
  let coefficients: Float32Array | null = null;
  if (device.hasDriftCoefficients) {
    coefficients = new Float32Array(n);
    device.driftCoefficients(target, state, coefficients, streams.program.fork('drift'));
    for (const i of faults.index) coefficients[i] = 0;
  }
  return { target, state, coefficients, faults, pulses, pulseCounts };
}
