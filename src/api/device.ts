/**
 * `grasp-hil/device` — device profiles (device-models/*.json, validated), their physics as a
 * DeviceModel (programming noise, drift, read noise; µS and seconds), and the registries of device
 * families, laws and programming methods.
 */
export { loadProfile, parseProfile, validateProfileFile, listProfiles, builtinProfileIds, resolveProfilePath } from '../device/index.js';
export type { LoadOptions, ValidationResult, ProfileSummary, DeviceProfileJson } from '../device/index.js';
export { DeviceModel, UNIT_SCALES, createDevice, familyNames, registerFamily, registerLaw, lawTypes, registerProgramming, programmingMethods } from '../device/index.js';
export type { Scales, Law, LawSpec, FamilyFactory, ProgrammingMethod } from '../device/index.js';
export { parseQuantity, toMicroSiemens, PROFILE_SCHEMA_PATH, DEVICE_MODELS_DIR } from '../device/index.js';
