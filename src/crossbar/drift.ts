/**
 * The device state at t seconds after programming: the family's drift (power law with the per-device
 * exponent, or log-time relaxation) followed by the read noise accumulated up to t, both drawn from
 * the time stream; stuck devices keep their stuck value. Same time seed and t → same conductances.
 */
import { checkTime, type DeviceModel } from '../device/index.js';
import type { Rng } from '../tensor/index.js';
import { applyFaults } from './faults.js';
import type { ProgrammedBlock } from './program.js';

/** Conductances (fractions of g_max) of `block` at t seconds, into `out` (allocated when omitted). */
export function stateAt(device: DeviceModel, block: Omit<ProgrammedBlock, 'pulseCounts'>, t: number, time: Rng, out = new Float32Array(block.state.length)): Float32Array {
  checkTime(t);
  device.driftAndNoise(block.target, block.state, block.coefficients, t, out, time);
  applyFaults(out, block.faults, device.gMinNorm);
  return out;
}
