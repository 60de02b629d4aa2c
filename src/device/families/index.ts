/** Loads every family (each registers itself) and exposes the registry. */
import './pcm.js';
import './relaxation.js';
import './ideal.js';

export { createDevice, familyNames, registerFamily } from './registry.js';
export type { FamilyFactory } from './registry.js';
export { PcmDevice } from './pcm.js';
export type { PowerLawDrift, OneOverFNoise } from './pcm.js';
export { RelaxationDevice } from './relaxation.js';
export { IdealDevice } from './ideal.js';
