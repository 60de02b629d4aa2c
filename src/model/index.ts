export { ParamStore } from './params.js';
export { Site } from './site.js';
export type { SiteHook, SiteRole, WeightLayout } from './site.js';
export type { Architecture, Family, ForwardOptions, ModelInputs, SiteWeights, Transformer, WeightsBySite } from './types.js';
