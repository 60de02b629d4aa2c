/** Deployable weights of Sites as plain data, for programming a chip. */
import type { Site, WeightsBySite } from '../model/index.js';
import { toFloat32 } from '../tensor/index.js';

/** W [in, out] and bias of each Site as they are now (copies; backend-free). */
export function weightsOfSites(sites: Iterable<Site>): WeightsBySite {
  const out: WeightsBySite = new Map();
  for (const s of sites) {
    const b = s.bias();
    out.set(s.name, {
      inFeatures: s.inFeatures,
      outFeatures: s.outFeatures,
      weight: Float32Array.from(toFloat32(s.weightTensor())),
      bias: b ? Float32Array.from(toFloat32(b)) : null,
    });
  }
  return out;
}
