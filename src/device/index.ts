/**
 * device/: device-profile schema, units, state-dependent laws and device families. Knows nothing
 * of models, PEFT or tiles.
 */
export { parseQuantity, unitFactor, toMicroSiemens, SI_UNIT } from './units.js';
export type { Dimension, QuantityText } from './units.js';
export {
  compileExpression, ALLOWED_FUNCTIONS, MAX_EXPRESSION_CHARS, MAX_EXPRESSION_NODES, MAX_EXPRESSION_DEPTH, MAX_EXPONENT,
} from './expression.js';
export { checkPlausible, PLAUSIBLE } from './plausible.js';
export type { PlausibleRange } from './plausible.js';
export { polynomialCoefficients, MAX_POLYNOMIAL_DEGREE } from './polynomial.js';
export type { CompiledExpression } from './expression.js';
export { compileLaw, registerLaw, lawTypes, checkLaw, gridLaw, fastestAccurateLaw, GRID_POINTS, GRID_TOLERANCE, CHECK_TIMES, LAW_VALUE_LIMIT } from './laws.js';
export type { Law, GLaw, LawSpec, LawContext, LawKind, LawFactory } from './laws.js';
export { registerProgramming, programmingMethods } from './programming.js';
export type { ProgrammingMethod, ProgramContext } from './programming.js';
export { drawPopulation, nominalPulses } from './pulsed.js';
export type { PulsedParams, PulsedPopulation, PulsedWriter, PulsedStart } from './pulsed.js';
export { DeviceModel, UNIT_SCALES, checkTime } from './model.js';
export type { Scales, ClampRule, MappingScheme, DeviceEnergy, Provenance, DeviceContext } from './model.js';
export { createDevice, familyNames, registerFamily, PcmDevice, RelaxationDevice, IdealDevice } from './families/index.js';
export type { FamilyFactory, PowerLawDrift, OneOverFNoise } from './families/index.js';
export {
  loadProfile, parseProfile, validateProfileFile, listProfiles, builtinProfileIds, resolveProfilePath,
} from './profile.js';
export type { LoadOptions, ValidationResult, ProfileSummary } from './profile.js';
export { schemaErrors, PROFILE_SCHEMA_PATH } from './schema.js';
export type { DeviceProfileJson, FittedQuantity, Quantity, ProgrammingJson, PulsedProgrammingJson, PulsedDeviceJson, DriftJson, AccumulatedNoiseJson, SourceJson } from './schema.js';
export { DEVICE_MODELS_DIR, packagePath } from './paths.js';
export { fillStandardNormal, fillStandardNormalTable, fillUniform01, inverseCdf, normalTable16, seedState } from '../tensor/random.js';
