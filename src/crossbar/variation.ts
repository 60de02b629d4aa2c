/**
 * Device-to-device variation: a static multiplicative deviation per device,
 * G ← G·(1 + scale·σ_d2d(g_T)·z), z drawn from the chip seed (the same chip has the same deviations
 * however it is programmed). σ_d2d is the profile's relative, state-dependent law.
 */
import type { DeviceModel } from '../device/index.js';
import { fillStandardNormal } from '../device/index.js';
import type { Rng } from '../tensor/index.js';

export function applyVariation(device: DeviceModel, target: Float32Array, g: Float32Array, rng: Rng): void {
  const law = device.variation;
  const k = device.scales.variation;
  if (!law || k === 0 || law.constant === 0) return;
  const n = g.length;
  const s = law.fill(target, new Float32Array(n));
  const z = fillStandardNormal(rng, new Float32Array(n));
  for (let i = 0; i < n; i++) g[i] *= 1 + k * s[i] * z[i];
  device.clampInPlace(g);
}
