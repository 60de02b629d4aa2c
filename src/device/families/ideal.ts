/**
 * The ideal device: programs exactly, never drifts, reads without noise. Its profile may only say
 * so — a noise section in an `ideal` profile is an error rather than silently ignored.
 */
import { DeviceModel, type DeviceContext } from '../model.js';
import { registerFamily } from './registry.js';

export class IdealDevice extends DeviceModel {
  constructor(ctx: DeviceContext) {
    super(ctx);
    const { json, file } = ctx;
    const bad: string[] = [];
    if (json.drift && json.drift.model !== 'none') bad.push('/drift');
    if (json.readNoise?.accumulated && json.readNoise.accumulated.model !== 'none') bad.push('/readNoise/accumulated');
    if (this.perMvm && this.perMvm.constant !== 0) bad.push('/readNoise/perMvm');
    if (this.variation && this.variation.constant !== 0) bad.push('/variation');
    if (this.faults.stuckLow > 0 || this.faults.stuckHigh > 0) bad.push('/faults');
    if (this.programming.sigma === null || this.programming.sigma.constant !== 0) bad.push('/programming');
    if (bad.length) throw new Error(`${file}: family 'ideal' is noise-free; remove or zero ${bad.join(', ')} (or use another family)`);
  }
}

registerFamily('ideal', (ctx) => new IdealDevice(ctx));
