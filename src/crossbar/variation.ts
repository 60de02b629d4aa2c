/**
 * Device-to-device variation: a static multiplicative deviation per device, d = 1 + scale·σ_d2d(g_T)·z,
 * z drawn from the chip seed (the same chip has the same deviations however it is programmed).
 * σ_d2d is the profile's relative, state-dependent law. A programming method that verifies reads
 * d·G and corrects it (program.ts passes the factors in); after any other method G ← d·G.
 */
import type { DeviceModel } from '../device/index.js';
import { fillStandardNormal } from '../device/index.js';
import type { Rng } from '../tensor/index.js';

/** The factors d (length of `target`), or null when the device has no variation or it is scaled off. */
export function variationFactors(device: DeviceModel, target: Float32Array, rng: Rng): Float64Array | null {
  const law = device.variation;
  const k = device.scales.variation;
  if (!law || k === 0 || law.constant === 0) return null;
  const n = target.length;
  const s = law.fill(target, new Float32Array(n));
  const z = fillStandardNormal(rng, new Float32Array(n));
  const d = new Float64Array(n);
  for (let i = 0; i < n; i++) d[i] = 1 + k * s[i] * z[i];
  return d;
}

/** G ← d·G, clamped (for methods that do not verify). */
export function applyVariation(device: DeviceModel, target: Float32Array, g: Float32Array, rng: Rng): void {
  const d = variationFactors(device, target, rng);
  if (!d) return;
  for (let i = 0; i < g.length; i++) g[i] *= d[i];
  device.clampInPlace(g);
}
